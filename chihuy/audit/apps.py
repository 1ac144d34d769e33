from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "chihuy.audit"
    verbose_name = "Nhật ký thay đổi"
