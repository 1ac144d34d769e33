from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet


class RosterSettings(Audited):
    """A centre's duty rules: rest between shifts, swaps, check-in grace, command duty (R2, R9)."""

    centre = models.OneToOneField("centres.Centre", on_delete=models.CASCADE, related_name="roster_settings")
    min_rest_hours = models.PositiveSmallIntegerField(_("nghỉ tối thiểu giữa hai ca (giờ)"), default=12)
    checkin_grace_minutes = models.PositiveSmallIntegerField(_("thời gian chờ điểm danh (phút)"), default=15)
    auto_approve_swaps = models.BooleanField(
        _("tự động duyệt đổi ca cùng cơ quan, cùng vị trí"), default=False
    )
    command_duty = models.BooleanField(_("phân công trực chỉ huy hằng ngày"), default=True)
    # The daily coverage-gap notice is sent once a day even if the task runs twice.
    gaps_notified_on = models.DateField(null=True, blank=True, editable=False)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quy định lịch trực")
        verbose_name_plural = _("quy định lịch trực")

    def __str__(self) -> str:
        return f"{self.centre}"

    @property
    def min_rest(self) -> dt.timedelta:
        return dt.timedelta(hours=self.min_rest_hours)


class ShiftDefinition(Audited):
    """One shift of a centre's day; a shift whose end is not after its start ends the next day (R2)."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="shift_definitions")
    name = models.CharField(_("tên ca"), max_length=40)
    start_time = models.TimeField(_("giờ bắt đầu"))
    end_time = models.TimeField(_("giờ kết thúc"))
    is_night = models.BooleanField(_("ca đêm"), default=False)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ca trực")
        verbose_name_plural = _("ca trực")
        ordering = ["centre", "order", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="roster_shift_unique_name"),
            models.CheckConstraint(
                condition=~models.Q(start_time=models.F("end_time")), name="roster_shift_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_time:%H:%M}–{self.end_time:%H:%M})"

    @property
    def crosses_midnight(self) -> bool:
        return self.end_time <= self.start_time

    @property
    def duration(self) -> dt.timedelta:
        day = dt.date(2000, 1, 1)
        start = dt.datetime.combine(day, self.start_time)
        end = dt.datetime.combine(day + dt.timedelta(days=1 if self.crosses_midnight else 0), self.end_time)
        return end - start


class StaffingRule(Audited):
    """How many people an agency puts on each shift (or once a day), as primary and backup (R1).

    ``shift`` empty means every shift; ``per_day`` makes one slot a day from the first
    shift's start, as for the Office's daily duty official.
    """

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="staffing_rules")
    agency = models.ForeignKey(
        "centres.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="staffing_rules"
    )
    shift = models.ForeignKey(
        ShiftDefinition,
        verbose_name=_("ca"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staffing_rules",
        help_text=_("Để trống: áp dụng cho mọi ca."),
    )
    per_day = models.BooleanField(_("một người mỗi ngày"), default=False)
    primary_count = models.PositiveSmallIntegerField(_("số người trực chính"), default=1)
    backup_count = models.PositiveSmallIntegerField(_("số người dự phòng"), default=0)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("định mức trực")
        verbose_name_plural = _("định mức trực")
        ordering = ["centre", "agency__order", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "agency", "shift"], name="roster_rule_unique_shift"),
            models.UniqueConstraint(
                fields=["centre", "agency"],
                condition=models.Q(shift__isnull=True),
                name="roster_rule_unique_all_shifts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.primary_count}+{self.backup_count}"
