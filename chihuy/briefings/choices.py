"""Choices of the briefings app (giao ban trực tuyến), each with its Vietnamese label and colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BriefingKind(models.TextChoices):
    REGULAR = "regular", _("Giao ban định kỳ")
    ADHOC = "adhoc", _("Họp đột xuất")

    @property
    def colour(self) -> str:
        return {"regular": "blue", "adhoc": "orange"}[self.value]


class BriefingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Đã lên lịch")
    HELD = "held", _("Đã họp, đã phát hành biên bản")
    CANCELLED = "cancelled", _("Đã huỷ")

    @property
    def colour(self) -> str:
        return {"scheduled": "blue", "held": "green", "cancelled": "grey"}[self.value]


class VenueKind(models.TextChoices):
    """Where the centre's own bridge point sits (R5)."""

    PRIMARY = "primary", _("Phòng họp chính")
    FALLBACK = "fallback", _("Phòng họp dự phòng")
    OTHER = "other", _("Địa điểm khác")


class PointKind(models.TextChoices):
    """A bridge point (điểm cầu) joined to the video conference (R5, R6, R7)."""

    HQ = "hq", _("Điểm cầu trung tâm")
    CHILD = "child", _("Điểm cầu cấp dưới")
    PERSONAL = "personal", _("Thiết bị cá nhân")

    @property
    def colour(self) -> str:
        return {"hq": "red", "child": "blue", "personal": "purple"}[self.value]


class Attendance(models.TextChoices):
    """R10: present (at a point), absent with the commander's permission, or absent without."""

    UNKNOWN = "unknown", _("Chưa điểm danh")
    PRESENT = "present", _("Có mặt")
    EXCUSED = "excused", _("Vắng có phép")
    UNEXCUSED = "unexcused", _("Vắng không phép")

    @property
    def colour(self) -> str:
        return {"unknown": "grey", "present": "green", "excused": "orange", "unexcused": "red"}[self.value]


class AbsenceStatus(models.TextChoices):
    REQUESTED = "requested", _("Chờ duyệt")
    APPROVED = "approved", _("Đã cho phép")
    REFUSED = "refused", _("Không cho phép")

    @property
    def colour(self) -> str:
        return {"requested": "orange", "approved": "green", "refused": "red"}[self.value]


class ChangeKind(models.TextChoices):
    VENUE = "venue", _("Đổi địa điểm")
    TIME = "time", _("Đổi thời gian")
    CANCEL = "cancel", _("Huỷ cuộc họp")


class AgendaSource(models.TextChoices):
    """Where an agenda item came from (issue 6 §5)."""

    INTAKE = "intake", _("Thông tin tiếp nhận không khẩn cấp")
    REPORTS_MISSING = "reports_missing", _("Đơn vị chưa gửi báo cáo")
    REPORTS_LATE = "reports_late", _("Đơn vị gửi báo cáo muộn")
    REPORT_TEXT = "report_text", _("Khó khăn, kiến nghị từ báo cáo")
    TASK_OVERDUE = "task_overdue", _("Nhiệm vụ quá hạn")
    MANUAL = "manual", _("Nội dung do chủ trì bổ sung")

    @property
    def colour(self) -> str:
        return {
            "intake": "blue",
            "reports_missing": "red",
            "reports_late": "orange",
            "report_text": "purple",
            "task_overdue": "red",
            "manual": "grey",
        }[self.value]


class TaskPriority(models.TextChoices):
    """Mirrors the priorities the directives app accepts for ``task_create``."""

    LOW = "low", _("Thấp")
    NORMAL = "normal", _("Bình thường")
    HIGH = "high", _("Cao")
    URGENT = "urgent", _("Khẩn")
