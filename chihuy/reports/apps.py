from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "chihuy.reports"
    verbose_name = "Báo cáo hằng ngày"
