from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chihuy.api"
    verbose_name = "API tích hợp"
