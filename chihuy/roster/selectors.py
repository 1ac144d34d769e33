"""Reads of the duty roster, restricted to what the caller may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chihuy.roster.choices import DutyRole, RosterStatus
from chihuy.roster.models import Assignment, Roster


@dataclass
class OnDuty:
    """Who is on duty at a centre at one moment (R2, R9), and where the hotline forwards to (R4)."""

    centre: Any
    at: dt.datetime
    officers: list[Any] = field(default_factory=list)
    backups: list[Any] = field(default_factory=list)
    command: list[Any] = field(default_factory=list)
    assignments: list[Any] = field(default_factory=list)
    hotline_fallback: str = ""
    hotline_fallback_member: Any = None

    @property
    def covered(self) -> bool:
        return bool(self.officers)


def _published_at(*, centre: Any, at: dt.datetime) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(
            centre=centre, roster__status=RosterStatus.PUBLISHED, start__lte=at, end__gt=at
        )
        .select_related("member", "member__user", "member__agency", "agency", "checkin")
        .order_by("role", "agency__order", "start", "id")
    )


def command_duty_users(*, centre: Any, at: dt.datetime | None = None) -> list[Any]:
    """The commander or deputy on command duty at ``at`` (R9); empty without a published roster.

    Used by the intake alerts to reach whoever is answering for the centre right now.
    """
    at = at or timezone.now()
    rows = (
        Assignment.objects.filter(
            centre=centre,
            role=DutyRole.COMMAND,
            roster__status=RosterStatus.PUBLISHED,
            start__lte=at,
            end__gt=at,
            member__is_active=True,
        )
        .select_related("user")
        .order_by("start", "id")
    )
    users: list[Any] = []
    for row in rows:
        if row.user not in users:
            users.append(row.user)
    return users


def on_duty_now(*, centre: Any, at: dt.datetime | None = None) -> OnDuty:
    """Officers, backups and command duty now, and the hotline fallback (R4).

    The fallback is the centre's configured number and member; without them, the
    primary officer on duty, so that a forwarded call always reaches a person.
    """
    at = at or timezone.now()
    result = OnDuty(centre=centre, at=at)
    for a in _published_at(centre=centre, at=at):
        result.assignments.append(a)
        bucket = {
            DutyRole.PRIMARY: result.officers,
            DutyRole.BACKUP: result.backups,
            DutyRole.COMMAND: result.command,
        }[DutyRole(a.role)]
        if a.member not in bucket:
            bucket.append(a.member)
    fallback_member = centre.hotline_fallback_member if centre.hotline_fallback_member_id else None
    if fallback_member is None and result.officers:
        fallback_member = result.officers[0]
    result.hotline_fallback_member = fallback_member
    result.hotline_fallback = centre.hotline_fallback or (
        (fallback_member.phone or fallback_member.user.phone) if fallback_member else ""
    )
    return result


def roster_list(*, user: Any, centre: Any) -> QuerySet[Roster]:
    return Roster.objects.visible_to(user).filter(centre=centre).order_by("-start")


def assignments_between(
    *,
    centre: Any | None = None,
    user: Any | None = None,
    start: dt.datetime,
    end: dt.datetime,
    published_only: bool = False,
) -> QuerySet[Assignment]:
    """Assignments overlapping [start, end) for a centre or a person, ready to render."""
    qs = Assignment.objects.overlapping(start, end)
    if centre is not None:
        qs = qs.filter(centre=centre)
    if user is not None:
        qs = qs.filter(user=user)
    if published_only:
        qs = qs.published()
    return qs.select_related(
        "member", "member__user", "agency", "shift", "centre", "roster", "checkin"
    ).order_by("start", "role", "agency__order", "id")


@dataclass
class CalendarDay:
    day: dt.date
    holiday: str = ""
    assignments: list[Any] = field(default_factory=list)
    in_range: bool = True

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass
class CalendarView:
    mode: str
    anchor: dt.date
    start: dt.date
    end: dt.date
    days: list[CalendarDay]
    prev: dt.date
    next: dt.date

    @property
    def weeks(self) -> list[list[CalendarDay]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]


CALENDAR_MODES = ("day", "week", "month")


def calendar_view(
    *,
    mode: str,
    anchor: dt.date,
    centre: Any | None = None,
    user: Any | None = None,
    published_only: bool = False,
) -> CalendarView:
    """A day, week (Monday first) or month grid with each day's duties and holidays. Two queries."""
    from chihuy.roster.calendar import local_midnight, month_bounds, vn_holidays

    if mode == "day":
        start = end = anchor
        first, last = start, end
        prev, nxt = anchor - dt.timedelta(days=1), anchor + dt.timedelta(days=1)
    elif mode == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        end = start + dt.timedelta(days=6)
        first, last = start, end
        prev, nxt = anchor - dt.timedelta(days=7), anchor + dt.timedelta(days=7)
    else:
        first, last = month_bounds(anchor)
        start = first - dt.timedelta(days=first.weekday())
        end = last + dt.timedelta(days=6 - last.weekday())
        prev = (first - dt.timedelta(days=1)).replace(day=1)
        nxt = last + dt.timedelta(days=1)
    holidays = vn_holidays(start, end)
    days = [
        CalendarDay(day=start + dt.timedelta(days=i), in_range=first <= start + dt.timedelta(days=i) <= last)
        for i in range((end - start).days + 1)
    ]
    index = {d.day: d for d in days}
    for d in days:
        d.holiday = holidays.get(d.day, "")
    rows = assignments_between(
        centre=centre,
        user=user,
        start=local_midnight(start),
        end=local_midnight(end + dt.timedelta(days=1)),
        published_only=published_only,
    )
    for a in rows:
        day = timezone.localtime(a.start).date()
        if day in index:
            index[day].assignments.append(a)
    return CalendarView(mode=mode, anchor=anchor, start=start, end=end, days=days, prev=prev, next=nxt)


def my_upcoming(*, user: Any, now: dt.datetime | None = None, days: int = 31) -> QuerySet[Assignment]:
    now = now or timezone.now()
    return assignments_between(user=user, start=now, end=now + dt.timedelta(days=days), published_only=True)


def swaps_for(*, user: Any) -> QuerySet[Any]:
    """Open swap requests the user made, must answer, or (as a leader) must approve."""
    from django.db.models import Q

    from chihuy.centres.access import Action, centres_where
    from chihuy.roster.choices import OPEN_SWAP_STATUSES, SwapStatus
    from chihuy.roster.models import SwapRequest

    leader_centres = centres_where(user, Action.APPROVE).values("pk")
    return (
        SwapRequest.objects.visible_to(user)
        .filter(status__in=OPEN_SWAP_STATUSES)
        .filter(
            Q(requester__user=user)
            | Q(counterpart__user=user)
            | Q(status=SwapStatus.ACCEPTED, assignment__centre__in=leader_centres)
        )
        .select_related(
            "assignment",
            "assignment__centre",
            "assignment__agency",
            "requester__user",
            "counterpart__user",
            "counterpart_assignment",
        )
        .order_by("assignment__start")
    )


# --- set-up and leave -------------------------------------------------------------------------


@dataclass
class StaffingRow:
    agency: Any
    cells: dict[int | None, tuple[int, int]]  # shift id (None: once a day) → (primary, backup)


@dataclass
class SettingsView:
    settings: Any
    shifts: list[Any]
    agencies: list[Any]
    staffing: list[StaffingRow]


def roster_settings_view(*, centre: Any) -> SettingsView:
    """A centre's duty rules, shifts and staffing table (R1, R2) in four queries whatever its size.

    A rule for every shift fills each shift's cell unless the agency also has a rule of
    its own for that shift; a per-day rule fills the "once a day" column.
    """
    from chihuy.centres.models import Agency
    from chihuy.roster.models import RosterSettings, ShiftDefinition, StaffingRule

    settings_obj = RosterSettings.objects.filter(centre=centre).first()
    shifts = list(ShiftDefinition.objects.filter(centre=centre).order_by("order", "start_time", "id"))
    agencies = list(Agency.objects.filter(centre=centre).order_by("order", "name"))
    rules = list(StaffingRule.objects.filter(centre=centre))
    every: dict[int, tuple[int, int]] = {}
    own: dict[tuple[int, int | None], tuple[int, int]] = {}
    for r in rules:
        counts = (r.primary_count, r.backup_count)
        if r.shift_id is None and not r.per_day:
            every[r.agency_id] = counts
        else:
            own[(r.agency_id, None if r.per_day else r.shift_id)] = counts
    staffing = []
    for agency in agencies:
        cells: dict[int | None, tuple[int, int]] = {
            s.pk: own.get((agency.pk, s.pk), every.get(agency.pk, (0, 0))) for s in shifts
        }
        cells[None] = own.get((agency.pk, None), (0, 0))
        staffing.append(StaffingRow(agency=agency, cells=cells))
    return SettingsView(settings=settings_obj, shifts=shifts, agencies=agencies, staffing=staffing)


LEAVE_HISTORY = dt.timedelta(days=31)


def leave_list(
    *, user: Any, centre: Any | None = None, person: Any | None = None, now: dt.datetime | None = None
) -> QuerySet[Any]:
    """Leave still running or to come, and that of the last month, of a centre's members or of one
    person (at every centre where he serves), limited to what ``user`` may see."""
    from chihuy.roster.models import Unavailability

    now = now or timezone.now()
    qs = Unavailability.objects.visible_to(user).filter(end__gt=now - LEAVE_HISTORY)
    if centre is not None:
        qs = qs.filter(member__centre=centre)
    if person is not None:
        qs = qs.filter(member__user=person)
    return qs.select_related("member__user", "member__centre", "member__agency").order_by("start", "id")


def leave_conflicts(*, leave: Any, now: dt.datetime | None = None) -> int:
    """How many duties not yet started the person already has during ``leave``; the editor must
    change them (the leave does not remove them by itself)."""
    now = now or timezone.now()
    return (
        Assignment.objects.filter(user_id=leave.member.user_id, start__gte=now)
        .overlapping(leave.start, leave.end)
        .count()
    )
