"""Choices of the daily reports (R8, R12, R18), each with its Vietnamese label and a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupRule(models.TextChoices):
    """How a figure adds up over time: flows add, stocks keep their latest value.

    Across centres (communes into a district) every figure adds up; the rule matters
    when a range of days is summarised (7- and 30-day trends, range totals).
    """

    SUM = "sum", _("Cộng dồn (số phát sinh)")
    LAST = "last", _("Lấy số mới nhất (số hiện có)")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã nộp")
    AMENDED = "amended", _("Đã nộp, có sửa đổi")


# States of a report that its parent has received.
FILED_STATES = (ReportState.SUBMITTED, ReportState.AMENDED)


class DayStatus(models.TextChoices):
    """What the parent sees for one child and one day (issue 5 §2)."""

    MISSING = "missing", _("Chưa nộp")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Muộn")
    AMENDED = "amended", _("Đã sửa đổi")

    @property
    def colour(self) -> str:
        return {"missing": "red", "on_time": "green", "late": "orange", "amended": "purple"}[self.value]


class VersionKind(models.TextChoices):
    SUBMITTED = "submitted", _("Nộp lần đầu")
    AMENDED = "amended", _("Sửa đổi sau khi nộp")


class Source(models.TextChoices):
    WEB = "web", _("Nhập trên trang")
    API = "api", _("Qua API")
    IMPORT = "import", _("Nhập từ bảng tính")


class ReminderKind(models.TextChoices):
    """The three notices of a reporting day, at deadline − 60, − 15 minutes and at the deadline."""

    FIRST = "first", _("Nhắc lần 1")
    SECOND = "second", _("Nhắc lần 2")
    MISSING = "missing", _("Danh sách chưa nộp")


class TextSection(models.TextChoices):
    SITUATION = "situation", _("Tình hình dịch bệnh")
    SECTOR_RESULTS = "sector_results", _("Kết quả thực hiện theo lĩnh vực")
    DIFFICULTIES = "difficulties", _("Khó khăn, vướng mắc")
    RECOMMENDATIONS = "recommendations", _("Kiến nghị, đề xuất")


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Chờ xác nhận")
    INVALID = "invalid", _("Có lỗi")
    APPLIED = "applied", _("Đã nhập")
