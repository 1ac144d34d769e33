from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "chihuy.briefings"
    verbose_name = "Giao ban"
