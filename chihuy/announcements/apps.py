from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "chihuy.announcements"
    verbose_name = "Kênh thông báo"
