from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "chihuy.jurisdictions"
    verbose_name = "Đơn vị hành chính"
