from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "chihuy.intake"
    verbose_name = "Tiếp nhận thông tin"
