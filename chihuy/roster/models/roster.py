from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.roster.choices import DutyRole, RosterStatus


class Roster(Audited):
    """A centre's duty roster for a period (a week or a month), drafted then published (R2)."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="rosters")
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"), help_text=_("Ngày cuối cùng, tính cả ngày đó."))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RosterStatus.choices, default=RosterStatus.DRAFT
    )
    published_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    unfilled = models.JSONField(_("vị trí chưa bố trí được"), default=list, blank=True)

    # Derived from the generation, which is audited as a summary; the list can be long.
    audit_exclude = frozenset({"unfilled"})

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lịch trực")
        verbose_name_plural = _("lịch trực")
        ordering = ["centre", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="roster_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    @property
    def is_published(self) -> bool:
        return self.status == RosterStatus.PUBLISHED

    @property
    def status_colour(self) -> str:
        return RosterStatus(self.status).colour

    def unfilled_rows(self) -> list[dict[str, Any]]:
        """The unfilled slots with their times as aware datetimes, for display in local time."""
        return [
            {**u, "start": dt.datetime.fromisoformat(u["start"]), "end": dt.datetime.fromisoformat(u["end"])}
            for u in self.unfilled
        ]


class AssignmentQuerySet(CentreScopedQuerySet["Assignment"]):
    def published(self) -> AssignmentQuerySet:
        return self.filter(roster__status=RosterStatus.PUBLISHED)

    def overlapping(self, start: Any, end: Any) -> AssignmentQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Assignment(Audited):
    """One person on duty from ``start`` to ``end`` (aware, stored in UTC) in one role."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="assignments")
    # Copied from the roster and member so that who-is-on-duty and a person's
    # double-booking check are single indexed queries.
    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("centres.Member", on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="duty_assignments"
    )
    agency = models.ForeignKey(
        "centres.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shift = models.ForeignKey(
        "roster.ShiftDefinition", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(_("vị trí"), max_length=10, choices=DutyRole.choices)
    start = models.DateTimeField(_("bắt đầu"))
    end = models.DateTimeField(_("kết thúc"))
    is_night = models.BooleanField(default=False)
    is_holiday = models.BooleanField(default=False)
    override_reason = models.CharField(_("lý do bỏ qua quy định nghỉ"), max_length=300, blank=True)
    taken_over_from = models.ForeignKey(
        "centres.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    missed_alert_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công trực")
        verbose_name_plural = _("phân công trực")
        ordering = ["start", "role", "agency_id", "id"]
        indexes = [
            models.Index(fields=["centre", "start", "end"], name="roster_asg_centre_time"),
            models.Index(fields=["user", "start", "end"], name="roster_asg_user_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="roster_asg_positive"),
            # The lock in services catches any overlap; this catches the commonest one even without it.
            models.UniqueConstraint(fields=["user", "start"], name="roster_asg_user_start_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_role_display()} {self.start:%d/%m %H:%M}"

    @property
    def role_colour(self) -> str:
        return DutyRole(self.role).colour


class DutyLock(models.Model):
    """One row per person, written first by every change to his duties so that two
    commanders editing at once are serialised on both PostgreSQL and SQLite."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"lock {self.user_id}"


class UnavailabilityQuerySet(CentreScopedQuerySet["Unavailability"]):
    centre_lookup = "member__centre"


class Unavailability(Audited):
    """Leave or other absence of a member; the generator and manual edits respect it."""

    member = models.ForeignKey("centres.Member", on_delete=models.CASCADE, related_name="unavailabilities")
    start = models.DateTimeField(_("từ"))
    end = models.DateTimeField(_("đến"))
    reason = models.CharField(_("lý do"), max_length=200, blank=True)

    objects = UnavailabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("nghỉ phép, vắng mặt")
        verbose_name_plural = _("nghỉ phép, vắng mặt")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="roster_unavail_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.start:%d/%m}–{self.end:%d/%m}"

    def audit_centre(self) -> Any:
        return self.member.centre

    @property
    def whole_days(self) -> bool:
        """Whether it runs from a local midnight to a local midnight, as leave taken by the day."""
        from django.utils import timezone

        return all(timezone.localtime(v).time() == dt.time(0) for v in (self.start, self.end))

    @property
    def last_day(self) -> dt.date:
        from django.utils import timezone

        return timezone.localtime(self.end - dt.timedelta(microseconds=1)).date()


class CalendarToken(models.Model):
    """The secret of an iCal feed, for a person (user) or a centre."""

    token = models.CharField(max_length=48, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    centre = models.OneToOneField(
        "centres.Centre", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(centre__isnull=True),
                name="roster_token_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.token[:6] + "…"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)
