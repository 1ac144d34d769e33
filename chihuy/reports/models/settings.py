from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.reports.choices import ReminderKind

DEFAULT_DEADLINE = dt.time(17, 0)


class ReportingSettings(Audited):
    """What a parent centre asks of its children: the daily deadline, local time (R18)."""

    centre = models.OneToOneField(
        "centres.Centre", on_delete=models.CASCADE, related_name="reporting_settings"
    )
    deadline = models.TimeField(
        _("hạn nộp báo cáo hằng ngày"),
        default=DEFAULT_DEADLINE,
        help_text=_("Giờ địa phương; các trung tâm cấp dưới được nhắc trước 60 và 15 phút."),
    )

    class Meta:
        verbose_name = _("cài đặt báo cáo")
        verbose_name_plural = _("cài đặt báo cáo")

    def __str__(self) -> str:
        return f"{self.centre} – {self.deadline:%H:%M}"


class ClosedDayQuerySet(CentreScopedQuerySet["ClosedDay"]):
    pass


class ClosedDay(Audited):
    """A parent has closed a day: its children can no longer submit or amend for it."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="closed_report_days")
    date = models.DateField(_("ngày báo cáo"))
    closed_at = models.DateTimeField(_("chốt lúc"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ClosedDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("ngày đã chốt số liệu")
        verbose_name_plural = _("ngày đã chốt số liệu")
        constraints = [models.UniqueConstraint(fields=["centre", "date"], name="closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.centre} {self.date:%d/%m/%Y}"


class ReminderLog(models.Model):
    """One reminder sent for one parent and day; the unique row is the idempotency key."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("nhắc báo cáo đã gửi")
        verbose_name_plural = _("nhắc báo cáo đã gửi")
        constraints = [
            models.UniqueConstraint(fields=["centre", "date", "kind"], name="report_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.date} {self.kind}"
