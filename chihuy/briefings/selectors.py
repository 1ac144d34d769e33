"""Reads of briefings and attendance, restricted by the permission layer (R5, R10, R12, R26)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.briefings.access import BriefingAction, access_briefing
from chihuy.briefings.choices import AbsenceStatus, Attendance, BriefingStatus, PointKind, VenueKind
from chihuy.briefings.models import AbsenceRequest, BridgePoint, Briefing, Participant
from chihuy.briefings.models.briefing import BriefingQuerySet
from chihuy.centres.access import memberships
from chihuy.centres.models import Centre


def _base() -> BriefingQuerySet:
    return Briefing.objects.select_related("centre", "chair")


def briefing_get(*, user: Any, pk: Any, action: BriefingAction = BriefingAction.VIEW) -> Briefing:
    """One briefing: 404 when the user may not see it, 403 when his role may not do ``action``."""
    return access_briefing(user, _base(), pk, action)


def briefing_list(
    *,
    user: Any,
    centre: Centre,
    when: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kind: str = "",
    status: str = "",
    joined: bool = False,
) -> QuerySet[Briefing]:
    """The centre's briefings (with ``joined``, also those it joins as a child point), visible only.

    ``when``: "upcoming" (not over, soonest first) or "past" (latest first).
    """
    qs = _base().visible_to(user)
    if joined:
        qs = qs.filter(Q(centre=centre) | Q(points__centre=centre, points__kind=PointKind.CHILD)).distinct()
    else:
        qs = qs.filter(centre=centre)
    if date_from is not None:
        qs = qs.filter(starts_at__gte=timezone.make_aware(dt.datetime.combine(date_from, dt.time.min)))
    if date_to is not None:
        qs = qs.filter(
            starts_at__lt=timezone.make_aware(
                dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min)
            )
        )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    qs = qs.annotate(n_participants=Count("participants", distinct=True))
    now = timezone.now()
    if when == "upcoming":
        return qs.filter(
            status=BriefingStatus.SCHEDULED, starts_at__gte=now - dt.timedelta(hours=6)
        ).order_by("starts_at", "id")
    if when == "past":
        return qs.filter(
            Q(starts_at__lt=now - dt.timedelta(hours=6)) | ~Q(status=BriefingStatus.SCHEDULED)
        ).order_by("-starts_at", "-id")
    return qs.order_by("-starts_at", "-id")


def briefing_next(*, centre: Centre) -> Briefing | None:
    """The centre's next briefing that is not over yet (the one in progress counts); the reports
    dashboard shows it."""
    now = timezone.now()
    candidates = (
        _base()
        .filter(centre=centre, status=BriefingStatus.SCHEDULED, starts_at__gte=now - dt.timedelta(hours=10))
        .order_by("starts_at", "id")[:5]
    )
    return next((b for b in candidates if b.ends_at > now), None)


@dataclass
class PointRow:
    point: BridgePoint
    participants: list[Participant] = field(default_factory=list)


def points_with_participants(briefing: Briefing) -> list[PointRow]:
    """The bridge points in order, each with its participants and their open absence request."""
    absences = Prefetch(
        "absences", queryset=AbsenceRequest.objects.select_related("decided_by").order_by("-requested_at")
    )
    people = (
        Participant.objects.filter(briefing=briefing)
        .select_related("user", "member", "centre", "attended_point")
        .prefetch_related(absences)
        .order_by("id")
    )
    rows = {p.pk: PointRow(point=p) for p in briefing.points.select_related("centre").order_by("order", "id")}
    for person in people:
        person.open_absence = next(  # type: ignore[attr-defined]
            (a for a in person.absences.all() if a.status != AbsenceStatus.REFUSED), None
        )
        person.last_absence = next(iter(person.absences.all()), None)  # type: ignore[attr-defined]
        rows[person.point_id].participants.append(person)
    return list(rows.values())


def participant_of(*, briefing: Briefing, user: Any) -> Participant | None:
    return briefing.participants.select_related("point").filter(user=user).first()


def pending_absences(*, briefing: Briefing) -> QuerySet[AbsenceRequest]:
    return (
        AbsenceRequest.objects.filter(participant__briefing=briefing, status=AbsenceStatus.REQUESTED)
        .select_related("participant__user", "participant__centre")
        .order_by("requested_at")
    )


@dataclass(frozen=True)
class RoomAdvice:
    count: int
    capacity: int
    fallback: str


def room_advice(*, briefing: Briefing, hq_count: int | None = None) -> RoomAdvice | None:
    """R5: attendance at the centre's point exceeds the main room: suggest the fallback room."""
    centre = briefing.centre
    if briefing.venue_kind != VenueKind.PRIMARY or not centre.room_fallback:
        return None
    capacity = centre.room_primary_capacity
    if capacity is None:
        return None
    if hq_count is None:
        hq_count = (
            briefing.participants.filter(point__kind=PointKind.HQ)
            .exclude(absences__status=AbsenceStatus.APPROVED)
            .count()
        )
    if hq_count <= capacity:
        return None
    return RoomAdvice(count=hq_count, capacity=capacity, fallback=centre.room_fallback)


def child_points_for(*, user: Any, briefing: Briefing) -> list[BridgePoint]:
    """The child points of ``briefing`` whose attendees the user chooses (R12)."""
    from chihuy.briefings.access import can_choose_at_point

    return [
        p
        for p in briefing.points.filter(kind=PointKind.CHILD).select_related("centre", "briefing")
        if can_choose_at_point(user, p)
    ]


def joined_upcoming(*, user: Any) -> QuerySet[Briefing]:
    """Upcoming briefings the user attends, whatever centre holds them."""
    return (
        _base()
        .filter(participants__user=user, status=BriefingStatus.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at")[:10]
    )


# --- Attendance statistics (R10) -------------------------------------------------------


@dataclass
class AttendanceRow:
    label: str
    sub: str
    total: int
    present: int
    excused: int
    unexcused: int
    unknown: int

    @property
    def rate(self) -> int:
        marked = self.total - self.unknown
        return round(100 * self.present / marked) if marked else 0


def _counts() -> dict[str, Any]:
    return {
        "total": Count("id"),
        "present": Count("id", filter=Q(attendance=Attendance.PRESENT)),
        "excused": Count("id", filter=Q(attendance=Attendance.EXCUSED)),
        "unexcused": Count("id", filter=Q(attendance=Attendance.UNEXCUSED)),
        "unknown": Count("id", filter=Q(attendance=Attendance.UNKNOWN)),
    }


def attendance_stats(
    *, user: Any, centre: Centre, date_from: dt.date, date_to: dt.date
) -> tuple[list[AttendanceRow], list[AttendanceRow]]:
    """Attendance at ``centre``'s briefings held between two local days, per member and per
    centre (the centre a participant represents). Cancelled meetings do not count."""
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    briefings = (
        Briefing.objects.visible_to(user)
        .filter(centre=centre, starts_at__gte=start, starts_at__lt=end, starts_at__lte=timezone.now())
        .exclude(status=BriefingStatus.CANCELLED)
    )
    rows = Participant.objects.filter(briefing__in=briefings.values("pk"))
    by_member: Any = list(
        rows.values("user_id", "user__full_name", "user__username", "centre__name")
        .annotate(**_counts())
        .order_by("centre__name", "user__full_name", "user_id")
    )
    by_centre: Any = list(
        rows.values("centre_id", "centre__name", "centre__short_code")
        .annotate(**_counts())
        .order_by("centre__name")
    )
    per_member = [
        AttendanceRow(label=r["user__full_name"] or r["user__username"], sub=r["centre__name"], **_numbers(r))
        for r in by_member
    ]
    per_centre = [
        AttendanceRow(label=r["centre__name"], sub=r["centre__short_code"], **_numbers(r)) for r in by_centre
    ]
    return per_member, per_centre


def _numbers(row: dict[str, Any]) -> dict[str, int]:
    return {k: int(row[k]) for k in ("total", "present", "excused", "unexcused", "unknown")}


def my_centre_ids(user: Any) -> list[int]:
    return sorted({m.centre_id for m in memberships(user)})


def stats_period_label(date_from: dt.date, date_to: dt.date) -> str:
    return _("Từ %(a)s đến %(b)s") % {"a": f"{date_from:%d/%m/%Y}", "b": f"{date_to:%d/%m/%Y}"}
