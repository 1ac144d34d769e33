"""The roster generator, in memory and free of the database, so it is fast and easy to test.

Greedy and chronological: slots are taken in order of start time (primary before backup),
and each goes to the least-loaded eligible person of the agency, ties broken by fewer
night or holiday shifts, then the longest rest, then the member id. Taking slots in time
order means a person's previous shifts are all known when a slot is filled, so the rest
rule only has to look back at his latest end; the result is deterministic for the same
input and balanced (shift counts within an agency differ by at most one when nobody is on
leave). A slot that nobody can take is kept with the reason (R2, R3 of issue 4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chihuy.roster.choices import DutyRole

# Interval bounds are POSIX seconds: comparisons in the hot loop stay integer. The records
# made by the thousand (slots, placements, busy intervals) are named tuples: cheap to create.


@dataclass(frozen=True)
class ShiftSpec:
    id: int | None
    name: str
    start: dt.time
    end: dt.time
    is_night: bool = False

    def bounds(self, day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """Local start and end; a shift ending at or before its start ends the next day."""
        start = dt.datetime.combine(day, self.start, tzinfo=tz)
        end_day = day + dt.timedelta(days=1) if self.end <= self.start else day
        return start, dt.datetime.combine(end_day, self.end, tzinfo=tz)


@dataclass(frozen=True)
class RuleSpec:
    agency_id: int
    agency_name: str
    shift_id: int | None = None  # None: every shift
    per_day: bool = False
    primary: int = 1
    backup: int = 0


class Person(NamedTuple):
    member_id: int
    user_id: int


class Busy(NamedTuple):
    start: int
    end: int
    is_duty: bool  # a duty elsewhere needs the rest period around it; leave does not


class Slot(NamedTuple):
    start: int
    end: int
    role: str
    agency_id: int | None
    agency_name: str
    shift_id: int | None
    is_night: bool
    is_holiday: bool
    pool_key: int | None  # agency id; None = the command pool


class Placed(NamedTuple):
    member_id: int
    user_id: int
    slot: Slot


class Unfilled(NamedTuple):
    slot: Slot
    reason: str


@dataclass
class Result:
    placed: list[Placed] = field(default_factory=list)
    unfilled: list[Unfilled] = field(default_factory=list)


@dataclass
class _Load:
    total: int = 0
    nights: int = 0
    holidays: int = 0
    last_end: int = -(2**62)  # any slot
    last_end_watch: int = -(2**62)  # primary or backup only


@lru_cache(maxsize=4096)
def _bounds(shift: ShiftSpec, day: dt.date, tz: ZoneInfo) -> tuple[int, int]:
    s, e = shift.bounds(day, tz)
    return int(s.timestamp()), int(e.timestamp())


_ROLE_ORDER = {DutyRole.COMMAND: 0, DutyRole.PRIMARY: 1, DutyRole.BACKUP: 2}


def build_slots(
    *,
    days: Sequence[dt.date],
    shifts: Sequence[ShiftSpec],
    rules: Iterable[RuleSpec],
    holidays: set[dt.date],
    command_duty: bool,
    tz: ZoneInfo,
) -> list[Slot]:
    """Every slot of the period, in the order they are filled.

    Centres with the same pattern (the same shift times and staffing counts) have the same
    slots but for their shift and agency ids: the ordered slots are built once per pattern,
    with stand-in ids in the same order as the real ones, then given each centre's ids.
    """
    rules = list(rules)
    shift_ids = sorted((s.id or 0) for s in shifts)
    shift_stand_in = {sid: i + 1 for i, sid in enumerate(shift_ids)}
    real_shift: dict[int | None, int | None] = {shift_stand_in[s.id or 0]: s.id for s in shifts}
    real_shift[None] = None
    agency_ids = sorted({r.agency_id for r in rules})
    agency_stand_in = {a: i + 1 for i, a in enumerate(agency_ids)}
    names = {r.agency_id: r.agency_name for r in rules}
    real_agency = {i + 1: (a, names[a]) for i, a in enumerate(agency_ids)}
    pattern_shifts = tuple(
        ShiftSpec(shift_stand_in[s.id or 0], "", s.start, s.end, s.is_night) for s in shifts
    )
    pattern_rules = tuple(
        RuleSpec(
            agency_stand_in[r.agency_id],
            "",
            None if r.shift_id is None else shift_stand_in.get(r.shift_id, -1),
            r.per_day,
            r.primary,
            r.backup,
        )
        for r in rules
    )
    template = _pattern_slots(
        tuple(days), pattern_shifts, pattern_rules, frozenset(holidays), command_duty, tz, get_language()
    )
    out = []
    for t in template:
        if t.agency_id is None:
            out.append(t)
            continue
        agency_id, name = real_agency[t.agency_id]
        shift_id = real_shift[t.shift_id]
        out.append(
            Slot(t.start, t.end, t.role, agency_id, name, shift_id, t.is_night, t.is_holiday, agency_id)
        )
    return out


@lru_cache(maxsize=64)
def _pattern_slots(
    days: tuple[dt.date, ...],
    shifts: tuple[ShiftSpec, ...],
    rules: tuple[RuleSpec, ...],
    holidays: frozenset[dt.date],
    command_duty: bool,
    tz: ZoneInfo,
    language: str | None,
) -> tuple[Slot, ...]:
    """The ordered slots of one pattern (``language``: the command slot's label is translated)."""
    slots = _build_slots(
        days=days, shifts=shifts, rules=rules, holidays=holidays, command_duty=command_duty, tz=tz
    )
    return tuple(slots)


def _build_slots(
    *,
    days: Sequence[dt.date],
    shifts: Sequence[ShiftSpec],
    rules: Sequence[RuleSpec],
    holidays: frozenset[dt.date],
    command_duty: bool,
    tz: ZoneInfo,
) -> list[Slot]:
    # The duty day (command duty, per-day slots) starts with the centre's first shift as the
    # centre orders them (Ca 1 at 07:00), not with the earliest clock time (Ca 4 at 01:00).
    day_start = shifts[0].start if shifts else dt.time(7)
    shifts = sorted(shifts, key=lambda s: (s.start, s.id or 0))
    slots: list[Slot] = []
    command_label = _("Trực chỉ huy")
    for day in days:
        holiday = day in holidays
        d0 = dt.datetime.combine(day, day_start, tzinfo=tz)
        d1 = d0 + dt.timedelta(days=1)
        whole_day = (int(d0.timestamp()), int(d1.timestamp()))
        if command_duty:
            slots.append(Slot(*whole_day, DutyRole.COMMAND, None, command_label, None, False, holiday, None))
        for rule in rules:
            if rule.per_day:
                for role, count in ((DutyRole.PRIMARY, rule.primary), (DutyRole.BACKUP, rule.backup)):
                    slots.extend(
                        Slot(
                            *whole_day,
                            role,
                            rule.agency_id,
                            rule.agency_name,
                            None,
                            False,
                            holiday,
                            rule.agency_id,
                        )
                        for _i in range(count)
                    )
        for shift in shifts:
            bounds = _bounds(shift, day, tz)
            for rule in rules:
                if rule.per_day or (rule.shift_id is not None and rule.shift_id != shift.id):
                    continue
                for role, count in ((DutyRole.PRIMARY, rule.primary), (DutyRole.BACKUP, rule.backup)):
                    slots.extend(
                        Slot(
                            *bounds,
                            role,
                            rule.agency_id,
                            rule.agency_name,
                            shift.id,
                            shift.is_night,
                            holiday,
                            rule.agency_id,
                        )
                        for _i in range(count)
                    )
    slots.sort(key=lambda x: (x.start, _ROLE_ORDER[DutyRole(x.role)], x.agency_id or 0))
    return slots


def generate(
    *,
    slots: Sequence[Slot],
    pools: dict[int | None, list[Person]],
    busy: dict[int, list[Busy]],
    min_rest: dt.timedelta,
    rest_for_command: bool = False,
) -> Result:
    """Fill ``slots`` from ``pools`` (agency id → people; None → commander and deputies).

    ``busy`` holds each user's leave and duties outside this roster. Command duty is a
    day-long on-call responsibility (R9), so by default it does not need the rest period
    between two command days; it may never overlap anything else the person does.
    """
    rest = int(min_rest.total_seconds())
    loads: dict[int, _Load] = {}
    result = Result()
    for slot in slots:
        pool = pools.get(slot.pool_key) or []
        if not pool:
            result.unfilled.append(Unfilled(slot, _no_pool_reason(slot)))
            continue
        is_command = slot.role == DutyRole.COMMAND and not rest_for_command
        need_rest = 0 if is_command else rest
        best: Person | None = None
        best_key: tuple[int, ...] | None = None
        failures = {"leave": 0, "overlap": 0, "rest": 0}
        for person in pool:
            load = loads.get(person.user_id)
            if load is None:
                load = loads[person.user_id] = _Load()
            # Overlap with his own earlier slots of this roster, and the rest after them.
            if load.last_end > slot.start:
                failures["overlap"] += 1
                continue
            if (load.last_end_watch if is_command else load.last_end) + rest > slot.start:
                failures["rest"] += 1
                continue
            why = _busy_conflict(busy.get(person.user_id), slot, need_rest)
            if why:
                failures[why] += 1
                continue
            key = (
                load.total,
                load.nights if slot.is_night else 0,
                load.holidays if slot.is_holiday else 0,
                load.last_end,
                person.member_id,
            )
            if best_key is None or key < best_key:
                best, best_key = person, key
        if best is None:
            result.unfilled.append(Unfilled(slot, _failure_reason(slot, failures, min_rest)))
            continue
        load = loads[best.user_id]
        load.total += 1
        load.nights += slot.is_night
        load.holidays += slot.is_holiday
        load.last_end = max(load.last_end, slot.end)
        if slot.role != DutyRole.COMMAND:
            load.last_end_watch = max(load.last_end_watch, slot.end)
        result.placed.append(Placed(best.member_id, best.user_id, slot))
    return result


def _busy_conflict(intervals: list[Busy] | None, slot: Slot, rest: int) -> str:
    if not intervals:
        return ""
    for b in intervals:
        if b.is_duty:
            if b.start < slot.end + rest and slot.start < b.end + rest:
                return "overlap" if (b.start < slot.end and slot.start < b.end) else "rest"
        elif b.start < slot.end and slot.start < b.end:
            return "leave"
    return ""


def _no_pool_reason(slot: Slot) -> str:
    if slot.pool_key is None:
        return _("Trung tâm chưa có chỉ huy trưởng hoặc phó chỉ huy trưởng để trực chỉ huy.")
    return _("%(agency)s chưa có cán bộ trực (vai trò cán bộ trực hoặc thường trực) tại trung tâm.") % {
        "agency": slot.agency_name
    }


def _failure_reason(slot: Slot, failures: dict[str, int], min_rest: dt.timedelta) -> str:
    return _failure_text(failures["leave"], failures["overlap"], failures["rest"], min_rest)


@lru_cache(maxsize=256)
def _failure_text(leave: int, overlap: int, rest: int, min_rest: dt.timedelta) -> str:
    # Cached: a month of a short-staffed centre repeats the same few reasons many times.
    failures = {"leave": leave, "overlap": overlap, "rest": rest}
    parts = []
    if failures["leave"]:
        parts.append(_("%(n)d người nghỉ phép hoặc vắng mặt") % {"n": failures["leave"]})
    if failures["overlap"]:
        parts.append(_("%(n)d người đã có ca trùng giờ") % {"n": failures["overlap"]})
    if failures["rest"]:
        parts.append(
            _("%(n)d người chưa đủ %(h)d giờ nghỉ giữa hai ca")
            % {"n": failures["rest"], "h": int(min_rest.total_seconds() // 3600)}
        )
    return _("Không đủ người: %(why)s.") % {"why": "; ".join(parts)}


def is_feasible(
    *,
    person: Person,
    slot: Slot,
    placed: Sequence[Placed],
    busy: dict[int, list[Busy]],
    min_rest: dt.timedelta,
    rest_for_command: bool = False,
) -> bool:
    """Whether ``person`` could also take ``slot`` given everything placed (for checks and tests)."""
    rest = int(min_rest.total_seconds())
    for p in placed:
        if p.user_id != person.user_id:
            continue
        both_command = p.slot.role == DutyRole.COMMAND and slot.role == DutyRole.COMMAND
        gap = 0 if (both_command and not rest_for_command) else rest
        if p.slot.start < slot.end + gap and slot.start < p.slot.end + gap:
            return False
    need = rest if (slot.role != DutyRole.COMMAND or rest_for_command) else 0
    return not _busy_conflict(busy.get(person.user_id), slot, need)
