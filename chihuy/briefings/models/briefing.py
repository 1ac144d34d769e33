from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chihuy.audit.mixins import Audited
from chihuy.briefings.choices import (
    AbsenceStatus,
    Attendance,
    BriefingKind,
    BriefingStatus,
    ChangeKind,
    PointKind,
    VenueKind,
)
from chihuy.centres.access import CentreScopedQuerySet

# R5: an ad-hoc meeting's venue or time is changed at least this long before it starts.
ADHOC_CHANGE_NOTICE = dt.timedelta(minutes=30)


class BriefingQuerySet(CentreScopedQuerySet["Briefing"]):
    def visible_to(self, user: Any) -> BriefingQuerySet:
        """The centre rule (own centre and below), plus the briefings the user's own centre joins
        as a bridge point (R12: a district picks who sits at its point) or that he attends."""
        if getattr(user, "is_superuser", False) and user.is_active:
            return self
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from chihuy.centres.access import memberships, visible_centres

        mine = [m.centre_id for m in memberships(user)]
        ids = Briefing.objects.filter(
            Q(centre__in=visible_centres(user).values("pk"))
            | Q(points__centre_id__in=mine)
            | Q(participants__user=user)
        ).values("pk")
        return self.filter(pk__in=ids)

    def upcoming(self) -> BriefingQuerySet:
        return self.filter(
            status=BriefingStatus.SCHEDULED, starts_at__gte=timezone.now() - dt.timedelta(hours=3)
        )


class Briefing(Audited):
    """One online briefing (giao ban trực tuyến): the daily 17:00 one or an ad-hoc meeting (R5, R10, R12)."""

    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("trung tâm"), on_delete=models.PROTECT, related_name="briefings"
    )
    kind = models.CharField(_("loại"), max_length=8, choices=BriefingKind.choices, default=BriefingKind.ADHOC)
    title = models.CharField(_("tiêu đề"), max_length=200)
    starts_at = models.DateTimeField(_("thời gian bắt đầu"))
    duration_minutes = models.PositiveSmallIntegerField(_("thời lượng dự kiến (phút)"), default=60)
    # The local day a regular briefing stands for: one regular briefing a day per centre.
    occurrence_date = models.DateField(null=True, blank=True, editable=False)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="briefings_chaired",
    )
    venue_kind = models.CharField(
        _("phòng họp"), max_length=8, choices=VenueKind.choices, default=VenueKind.PRIMARY
    )
    venue = models.CharField(_("địa điểm điểm cầu trung tâm"), max_length=200, blank=True)
    video_url = models.URLField(_("đường dẫn họp trực tuyến"), max_length=300, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.SCHEDULED
    )
    minutes_summary = models.TextField(_("kết luận chung của chủ trì"), blank=True)
    minutes_published_at = models.DateTimeField(_("phát hành biên bản lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BriefingQuerySet.as_manager()

    audit_exclude = frozenset({"updated_at"})

    class Meta:
        verbose_name = _("cuộc giao ban")
        verbose_name_plural = _("cuộc giao ban")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "occurrence_date"],
                condition=Q(kind="regular"),
                name="briefing_one_regular_a_day",
            ),
            models.CheckConstraint(
                condition=Q(kind="adhoc") | Q(occurrence_date__isnull=False),
                name="briefing_regular_has_day",
            ),
        ]
        indexes = [models.Index(fields=["centre", "starts_at"], name="briefing_centre_start")]

    def __str__(self) -> str:
        return f"{self.title} – {timezone.localtime(self.starts_at):%H:%M %d/%m/%Y}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def change_deadline(self) -> dt.datetime:
        """R5: a venue or time change is prepared before 17:00 (the start) for the regular
        briefing and at least 30 minutes before an ad-hoc one."""
        if self.kind == BriefingKind.REGULAR:
            return self.starts_at
        return self.starts_at - ADHOC_CHANGE_NOTICE

    @property
    def is_regular(self) -> bool:
        return self.kind == BriefingKind.REGULAR

    @property
    def kind_colour(self) -> str:
        return BriefingKind(self.kind).colour

    @property
    def status_colour(self) -> str:
        return BriefingStatus(self.status).colour

    @property
    def is_open(self) -> bool:
        return self.status == BriefingStatus.SCHEDULED

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at


class BridgePoint(Audited):
    """A site or device joined to the conference: the centre's room (R5), a child centre's
    point (R6, R12), or members' own phones and laptops (R7)."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(_("loại điểm cầu"), max_length=8, choices=PointKind.choices)
    centre = models.ForeignKey(
        "centres.Centre",
        verbose_name=_("trung tâm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bridge_points",
    )
    label = models.CharField(_("tên điểm cầu"), max_length=200)
    location = models.CharField(_("địa điểm"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("điểm cầu")
        verbose_name_plural = _("điểm cầu")
        ordering = ["briefing", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "centre"], condition=Q(kind="child"), name="point_one_per_child"
            ),
            models.UniqueConstraint(
                fields=["briefing", "kind"], condition=~Q(kind="child"), name="point_one_hq_one_personal"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def audit_centre(self) -> Any:
        return self.briefing.centre

    @property
    def kind_colour(self) -> str:
        return PointKind(self.kind).colour


class Participant(Audited):
    """One person expected at one briefing, the point he sits at, and his attendance (R10, R26)."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dự"),
        on_delete=models.PROTECT,
        related_name="briefing_participations",
    )
    member = models.ForeignKey(
        "centres.Member",
        verbose_name=_("tư cách"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="briefing_participations",
    )
    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("thuộc trung tâm"), on_delete=models.PROTECT, related_name="+"
    )
    point = models.ForeignKey(
        BridgePoint, verbose_name=_("điểm cầu"), on_delete=models.CASCADE, related_name="participants"
    )
    attendance = models.CharField(
        _("điểm danh"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    attended_point = models.ForeignKey(
        BridgePoint,
        verbose_name=_("dự tại điểm cầu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attendees",
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("người dự họp")
        verbose_name_plural = _("người dự họp")
        ordering = ["briefing", "point__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "user"], name="participant_once"),
            models.CheckConstraint(
                condition=Q(attended_point__isnull=True) | Q(attendance="present"),
                name="participant_point_only_when_present",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def audit_centre(self) -> Any:
        return self.briefing.centre

    @property
    def attendance_colour(self) -> str:
        return Attendance(self.attendance).colour


class AbsenceRequest(Audited):
    """R10: a member asks the commander's permission to miss a briefing; someone else decides."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="absences")
    reason = models.TextField(_("lý do vắng mặt"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=AbsenceStatus.choices, default=AbsenceStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("xin phép lúc"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_note = models.CharField(_("ý kiến"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("đơn xin vắng")
        verbose_name_plural = _("đơn xin vắng")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status__in=["requested", "approved"]),
                name="absence_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} – {self.get_status_display()}"

    def audit_centre(self) -> Any:
        return self.participant.briefing.centre

    @property
    def status_colour(self) -> str:
        return AbsenceStatus(self.status).colour


class BriefingChange(models.Model):
    """A venue or time change (R5): what changed, who changed it, and the override reason when
    the commander changed it after the deadline. Append-only; the audit log has the rest."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("thay đổi"), max_length=8, choices=ChangeKind.choices)
    old_value = models.CharField(pgettext_lazy("value changed", "trước"), max_length=300, blank=True)
    new_value = models.CharField(pgettext_lazy("value changed", "sau"), max_length=300, blank=True)
    late = models.BooleanField(_("sau thời hạn"), default=False)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    notified = models.PositiveIntegerField(_("số người được báo"), default=0)

    class Meta:
        verbose_name = _("thay đổi cuộc họp")
        verbose_name_plural = _("thay đổi cuộc họp")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(late=False) | ~Q(reason=""), name="change_late_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.old_value} → {self.new_value}"
