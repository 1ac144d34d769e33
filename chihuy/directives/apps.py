from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "chihuy.directives"
    verbose_name = "Nhiệm vụ và chỉ đạo"
