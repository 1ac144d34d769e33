from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "chihuy.alerts"
    verbose_name = "Cảnh báo khẩn"
