"""Choices of urgent alerts, each with its Vietnamese label and, where shown, a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Chưa xác nhận")
    ACKNOWLEDGED = "acknowledged", _("Đã xác nhận")
    EXHAUSTED = "exhausted", _("Hết chuỗi báo, chưa xác nhận")

    @property
    def colour(self) -> str:
        return {"open": "red", "acknowledged": "green", "exhausted": "orange"}[self.value]


class StepKind(models.TextChoices):
    DUTY = "duty", _("Chỉ huy trực")
    DEPUTIES = "deputies", _("Các phó chỉ huy trưởng")
    PARENT_DUTY = "parent_duty", _("Chỉ huy trực cấp trên")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("Trên ứng dụng")
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo OA")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")

    @property
    def colour(self) -> str:
        return {"pending": "grey", "sending": "blue", "sent": "green", "failed": "red"}[self.value]
