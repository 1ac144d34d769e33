from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "chihuy.portal"
    verbose_name = "Cổng thông tin công khai"
