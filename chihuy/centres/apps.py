from django.apps import AppConfig


class CentresConfig(AppConfig):
    name = "chihuy.centres"
    verbose_name = "Trung tâm chỉ huy"
