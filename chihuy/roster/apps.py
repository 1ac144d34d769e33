from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "chihuy.roster"
    verbose_name = "Lịch trực"
