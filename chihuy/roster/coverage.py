"""Coverage gaps: slots in the coming days without their primary officer (issue 4 item 7)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from chihuy.roster import generation as gen
from chihuy.roster.calendar import days_between, local_tz
from chihuy.roster.choices import DutyRole, RosterStatus
from chihuy.roster.models import Assignment, RosterSettings, ShiftDefinition, StaffingRule

GAP_DAYS = 14


@dataclass(frozen=True)
class Gap:
    start: dt.datetime
    end: dt.datetime
    agency: str
    role: str
    missing: int


def coverage_gaps(*, centre: Any, now: dt.datetime | None = None, days: int = GAP_DAYS) -> list[Gap]:
    """Every slot of the next ``days`` days whose primary (or command duty) is missing in the
    published roster; a period without a published roster is all gap. Three queries."""
    now = now or timezone.now()
    tz = local_tz()
    shifts = [
        gen.ShiftSpec(s.pk, s.name, s.start_time, s.end_time, s.is_night)
        for s in ShiftDefinition.objects.filter(centre=centre)
    ]
    if not shifts:
        return []
    rules = [
        gen.RuleSpec(r.agency_id, str(r.agency), r.shift_id, r.per_day, r.primary_count, 0)
        for r in StaffingRule.objects.filter(centre=centre).select_related("agency")
    ]
    settings_obj = RosterSettings.objects.filter(centre=centre).first()
    today = timezone.localdate(now)
    slots = gen.build_slots(
        days=[today - dt.timedelta(days=1), *days_between(today, today + dt.timedelta(days=days - 1))],
        shifts=shifts,
        rules=rules,
        holidays=set(),
        command_duty=bool(settings_obj and settings_obj.command_duty),
        tz=tz,
    )
    horizon = int((now + dt.timedelta(days=days)).timestamp())
    slots = [s for s in slots if s.end > now.timestamp() and s.start < horizon]
    if not slots:
        return []
    first = dt.datetime.fromtimestamp(min(s.start for s in slots), dt.UTC)
    last = dt.datetime.fromtimestamp(max(s.end for s in slots), dt.UTC)
    rows = Assignment.objects.filter(
        centre=centre,
        roster__status=RosterStatus.PUBLISHED,
        role__in=[DutyRole.PRIMARY, DutyRole.COMMAND],
        start__lt=last,
        end__gt=first,
    ).values_list("role", "agency_id", "start", "end")
    intervals = [(r, a, int(s.timestamp()), int(e.timestamp())) for r, a, s, e in rows]
    need: Counter[tuple[int, int, str, int | None]] = Counter()
    for s in slots:
        need[(s.start, s.end, s.role, s.agency_id)] += 1
    gaps = []
    names = {s.agency_id: s.agency_name for s in slots}
    for (start, end, role, agency_id), wanted in sorted(
        need.items(), key=lambda kv: (kv[0][0], str(kv[0][3]))
    ):
        # A slot is covered by whoever is on duty at its start and until its end, even if
        # the duty was split by a take-over: count coverage at the slot's start instant.
        have = sum(
            1
            for r, a, s, e in intervals
            if r == role
            and (role == DutyRole.COMMAND or a == agency_id)
            and s <= max(start, int(now.timestamp())) < e
        )
        if have < wanted:
            gaps.append(
                Gap(
                    start=dt.datetime.fromtimestamp(start, dt.UTC),
                    end=dt.datetime.fromtimestamp(end, dt.UTC),
                    agency=names.get(agency_id, ""),
                    role=role,
                    missing=wanted - have,
                )
            )
    return gaps
