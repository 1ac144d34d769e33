from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chihuy.core"
    verbose_name = "Lõi hệ thống"

    def ready(self) -> None:
        from chihuy.core import checks  # noqa: F401  (registers the deployment checks)
