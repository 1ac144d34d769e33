from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chihuy.core"
    verbose_name = "Lõi hệ thống"
