"""Choices of the intake logbook (sổ theo dõi), each with its Vietnamese label and a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Điện thoại đường dây nóng")
    MESSAGE = "message", _("Tin nhắn / Zalo")
    WEB = "web", _("Biểu mẫu trên mạng")
    WALK_IN = "walk_in", _("Trực tiếp")
    EMAIL = "email", _("Thư điện tử")
    DOCUMENT = "document", _("Văn bản")
    FORWARDED = "forwarded", _("Chuyển từ trung tâm khác")


class IntakeStatus(models.TextChoices):
    RECEIVED = "received", _("Mới tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    RESOLVED = "resolved", _("Đã xử lý")
    CLOSED = "closed", _("Đã đóng")
    FORWARDED = "forwarded", _("Đã chuyển")
    ESCALATED = "escalated", _("Đã báo cáo cấp trên")

    @property
    def colour(self) -> str:
        return {
            "received": "blue",
            "in_progress": "orange",
            "resolved": "green",
            "closed": "grey",
            "forwarded": "purple",
            "escalated": "red",
        }[self.value]


# Statuses after which the record is no longer the receiving centre's to handle.
FINAL_STATUSES = frozenset({IntakeStatus.CLOSED, IntakeStatus.FORWARDED, IntakeStatus.ESCALATED})
# Which status may follow which (R3: received → in progress → resolved → closed).
STATUS_FLOW: dict[str, frozenset[str]] = {
    IntakeStatus.RECEIVED: frozenset({IntakeStatus.IN_PROGRESS, IntakeStatus.RESOLVED, IntakeStatus.CLOSED}),
    IntakeStatus.IN_PROGRESS: frozenset({IntakeStatus.RECEIVED, IntakeStatus.RESOLVED, IntakeStatus.CLOSED}),
    IntakeStatus.RESOLVED: frozenset({IntakeStatus.IN_PROGRESS, IntakeStatus.CLOSED}),
    IntakeStatus.CLOSED: frozenset({IntakeStatus.IN_PROGRESS}),
    IntakeStatus.FORWARDED: frozenset(),
    IntakeStatus.ESCALATED: frozenset(),
}


class Source(models.TextChoices):
    """Which entry point created the record."""

    WEB = "web", _("Giao diện cán bộ")
    API = "api", _("API tích hợp")
    PUBLIC = "public", _("Cổng phản ánh công khai")
    SMS = "sms", _("Tin nhắn SMS")


class EventKind(models.TextChoices):
    CREATED = "created", _("Tiếp nhận")
    STATUS = "status", _("Đổi trạng thái")
    FORWARDED = "forwarded", _("Chuyển trung tâm")
    ESCALATED = "escalated", _("Báo cáo cấp trên")
    ASSIGNED = "assigned", _("Giao xử lý")
    NOTE = "note", _("Ghi chú")
    UPDATED = "updated", _("Sửa thông tin")

    @property
    def colour(self) -> str:
        return {
            "created": "blue",
            "status": "orange",
            "forwarded": "purple",
            "escalated": "red",
            "assigned": "green",
            "note": "grey",
            "updated": "grey",
        }[self.value]


class HandlingLevel(models.TextChoices):
    """R16: which level of centre handles a category of report (rule set by the province)."""

    COMMUNE = "commune", _("Cấp xã")
    DISTRICT = "district", _("Cấp huyện")
    PROVINCE = "province", _("Cấp tỉnh")
