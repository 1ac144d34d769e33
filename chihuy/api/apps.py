from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chihuy.api"
    verbose_name = "API tích hợp"

    def ready(self) -> None:
        # Registers the OpenAPI extension for the token authentication.
        from chihuy.api import schema  # noqa: F401
