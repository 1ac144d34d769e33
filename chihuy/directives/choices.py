"""Choices of tasks and directives (issue 6 §7), each with its Vietnamese label and a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    BRIEFING = "briefing", _("Kết luận giao ban")
    INTAKE = "intake", _("Thông tin tiếp nhận")
    REPORT = "report", _("Báo cáo")
    DOCUMENT = "document", _("Văn bản chỉ đạo")
    ESCALATED = "escalated", _("Cấp dưới báo cáo vượt thẩm quyền")
    OTHER = "other", _("Khác")


class Priority(models.TextChoices):
    LOW = "low", _("Thấp")
    NORMAL = "normal", _("Bình thường")
    HIGH = "high", _("Cao")
    URGENT = "urgent", _("Khẩn")

    @property
    def colour(self) -> str:
        return {"low": "grey", "normal": "blue", "high": "orange", "urgent": "red"}[self.value]


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class AssigneeKind(models.TextChoices):
    MEMBER = "member", _("Thành viên")
    AGENCY = "agency", _("Cơ quan thành viên")
    CENTRES = "centres", _("Trung tâm cấp dưới")
    NONE = "none", _("Chờ giao")


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Đã giao")
    ACCEPTED = "accepted", _("Đã nhận")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    OVERDUE = "overdue", _("Quá hạn")
    DONE = "done", _("Hoàn thành")
    CANNOT = "cannot", _("Không thực hiện được")
    ESCALATED = "escalated", _("Vượt thẩm quyền – đã báo cáo cấp trên")

    @property
    def colour(self) -> str:
        return {
            "assigned": "blue",
            "accepted": "purple",
            "in_progress": "orange",
            "overdue": "red",
            "done": "green",
            "cannot": "grey",
            "escalated": "grey",
        }[self.value]


# An assignment in one of these is finished: no reminder, not overdue, no more updates.
CLOSED_STATUSES = frozenset({TaskStatus.DONE, TaskStatus.CANNOT, TaskStatus.ESCALATED})
OPEN_STATUSES = frozenset(set(TaskStatus) - CLOSED_STATUSES)


class UpdateKind(models.TextChoices):
    ACCEPT = "accept", _("Nhận nhiệm vụ")
    PROGRESS = "progress", _("Cập nhật tiến độ")
    DONE = "done", _("Báo cáo hoàn thành")
    CANNOT = "cannot", _("Không thực hiện được")
    ESCALATE = "escalate", _("Vượt thẩm quyền, báo cáo cấp trên")
    OVERDUE = "overdue", _("Quá hạn")
    REMINDER = "reminder", _("Nhắc hạn")
    CHANGED = "changed", _("Điều chỉnh nhiệm vụ")

    @property
    def colour(self) -> str:
        return {
            "accept": "purple",
            "progress": "orange",
            "done": "green",
            "cannot": "grey",
            "escalate": "red",
            "overdue": "red",
            "reminder": "blue",
            "changed": "blue",
        }[self.value]


# Which status each assignee action leads to, and from which statuses it is allowed.
ACTION_RESULT: dict[str, str] = {
    UpdateKind.ACCEPT: TaskStatus.ACCEPTED,
    UpdateKind.PROGRESS: TaskStatus.IN_PROGRESS,
    UpdateKind.DONE: TaskStatus.DONE,
    UpdateKind.CANNOT: TaskStatus.CANNOT,
    UpdateKind.ESCALATE: TaskStatus.ESCALATED,
}
ACTION_FROM: dict[str, frozenset[str]] = {
    UpdateKind.ACCEPT: frozenset({TaskStatus.ASSIGNED}),
    UpdateKind.PROGRESS: frozenset(OPEN_STATUSES),
    UpdateKind.DONE: frozenset(OPEN_STATUSES),
    UpdateKind.CANNOT: frozenset(OPEN_STATUSES),
    UpdateKind.ESCALATE: frozenset(OPEN_STATUSES),
}
ASSIGNEE_ACTIONS = [
    (UpdateKind.ACCEPT.value, UpdateKind.ACCEPT.label),
    (UpdateKind.PROGRESS.value, UpdateKind.PROGRESS.label),
    (UpdateKind.DONE.value, UpdateKind.DONE.label),
    (UpdateKind.CANNOT.value, UpdateKind.CANNOT.label),
    (UpdateKind.ESCALATE.value, UpdateKind.ESCALATE.label),
]

# Reminders before the deadline (issue 6 §7): a key, and how long before.
REMINDER_LEADS = {"24h": 24 * 60, "2h": 2 * 60}
