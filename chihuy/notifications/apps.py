from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "chihuy.notifications"
    verbose_name = "Thông báo"
