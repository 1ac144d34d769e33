from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chihuy.api"
    verbose_name = "API tích hợp"

    def ready(self) -> None:
        from django.urls import register_converter

        # Registers the OpenAPI extension for the token authentication.
        from chihuy.api import schema  # noqa: F401
        from chihuy.api.converters import IdConverter

        # Before any URL conf is read: the API's routes name their ids <id:pk>.
        register_converter(IdConverter, "id")
