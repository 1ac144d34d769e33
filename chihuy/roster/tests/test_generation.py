"""The generator in memory: never double-books, keeps the rest rule, fills what it can, is fair."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chihuy.roster import generation as gen
from chihuy.roster.choices import DutyRole

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SHIFTS = [
    gen.ShiftSpec(1, "Ca 1", dt.time(7), dt.time(13)),
    gen.ShiftSpec(2, "Ca 2", dt.time(13), dt.time(19)),
    gen.ShiftSpec(3, "Ca 3", dt.time(19), dt.time(1), True),
    gen.ShiftSpec(4, "Ca 4", dt.time(1), dt.time(7), True),
]
REST = dt.timedelta(hours=12)


def _days(n: int) -> list[dt.date]:
    return [dt.date(2026, 4, 25) + dt.timedelta(days=i) for i in range(n)]


def _run(*, days, rules, pools, busy=None, holidays=frozenset(), rest=REST):
    slots = gen.build_slots(
        days=days, shifts=SHIFTS, rules=rules, holidays=set(holidays), command_duty=True, tz=TZ
    )
    return slots, gen.generate(slots=slots, pools=pools, busy=busy or {}, min_rest=rest)


def test_shift_crossing_midnight_ends_next_day():
    start, end = SHIFTS[2].bounds(dt.date(2026, 1, 1), TZ)
    assert (start.hour, end.hour, end.date()) == (19, 1, dt.date(2026, 1, 2))
    assert end - start == dt.timedelta(hours=6)


def test_default_slots_of_a_day():
    rules = [gen.RuleSpec(10, "Y tế", None, False, 1, 1), gen.RuleSpec(30, "VP", None, True, 1, 0)]
    slots = gen.build_slots(
        days=_days(1), shifts=SHIFTS, rules=rules, holidays=set(), command_duty=True, tz=TZ
    )
    roles = Counter((s.role, s.agency_id) for s in slots)
    assert roles == {
        (DutyRole.COMMAND, None): 1,
        (DutyRole.PRIMARY, 30): 1,
        (DutyRole.PRIMARY, 10): 4,
        (DutyRole.BACKUP, 10): 4,
    }
    assert [s.start for s in slots] == sorted(s.start for s in slots)


def test_balanced_and_deterministic():
    rules = [gen.RuleSpec(10, "Y tế", None, False, 1, 0)]
    pools = {None: [gen.Person(1, 1)], 10: [gen.Person(m, m) for m in range(2, 8)]}
    _slots, first = _run(days=_days(31), rules=rules, pools=pools, holidays={dt.date(2026, 4, 30)})
    _slots, again = _run(days=_days(31), rules=rules, pools=pools, holidays={dt.date(2026, 4, 30)})
    assert first == again
    counts = Counter(p.member_id for p in first.placed if p.slot.agency_id == 10)
    assert max(counts.values()) - min(counts.values()) <= 1
    nights = Counter(p.member_id for p in first.placed if p.slot.is_night)
    assert max(nights.values()) - min(nights.values()) <= 1
    assert not first.unfilled


def test_leave_respected_and_reason_given():
    rules = [gen.RuleSpec(10, "Y tế", None, False, 1, 0)]
    day = _days(1)
    leave_start = int(dt.datetime(2026, 4, 24, tzinfo=TZ).timestamp())
    leave_end = int(dt.datetime(2026, 4, 27, tzinfo=TZ).timestamp())
    pools = {None: [], 10: [gen.Person(2, 2)]}
    _slots, result = _run(
        days=day, rules=rules, pools=pools, busy={2: [gen.Busy(leave_start, leave_end, False)]}
    )
    assert not result.placed
    reasons = {u.reason for u in result.unfilled}
    assert any("nghỉ phép" in r for r in reasons)
    assert any("chỉ huy trưởng" in r for r in reasons)


people = st.integers(min_value=0, max_value=4)


@settings(max_examples=60, deadline=None)
@given(
    n_days=st.integers(min_value=1, max_value=4),
    health=people,
    police=people,
    leaders=st.integers(min_value=0, max_value=2),
    primary=st.integers(min_value=0, max_value=2),
    backup=st.integers(min_value=0, max_value=1),
    rest_hours=st.sampled_from([0, 6, 12, 18]),
    leave=st.lists(st.tuples(st.integers(2, 12), st.integers(0, 96), st.integers(1, 48)), max_size=4),
    shared=st.booleans(),
)
def test_properties(n_days, health, police, leaders, primary, backup, rest_hours, leave, shared):
    """Never double-books, never breaks the rest rule, and leaves no slot that some eligible person
    could still take (maximal: every unfilled slot is infeasible for all of its pool)."""
    days = _days(n_days)
    rules = [
        gen.RuleSpec(10, "Y tế", None, False, primary, backup),
        gen.RuleSpec(20, "CA", 3, False, 1, backup),
        gen.RuleSpec(30, "VP", None, True, 1, 0),
    ]
    pools: dict[int | None, list[gen.Person]] = {
        None: [gen.Person(100 + i, 100 + i) for i in range(leaders)],
        10: [gen.Person(2 + i, 2 + i) for i in range(health)],
        # With ``shared`` one person holds roles in two agencies: the user, not the member, is booked.
        20: [gen.Person(20 + i, (2 if shared and i == 0 else 20 + i)) for i in range(police)],
        30: [gen.Person(12, 12)],
    }
    t0 = int(dt.datetime.combine(days[0], dt.time(0), tzinfo=TZ).timestamp())
    busy: dict[int, list[gen.Busy]] = {}
    for user, offset, length in leave:
        busy.setdefault(user, []).append(gen.Busy(t0 + offset * 3600, t0 + (offset + length) * 3600, False))
    rest = dt.timedelta(hours=rest_hours)
    slots, result = _run(days=days, rules=rules, pools=pools, busy=busy, rest=rest)
    assert len(result.placed) + len(result.unfilled) == len(slots)
    by_user: dict[int, list[gen.Slot]] = {}
    for p in result.placed:
        by_user.setdefault(p.user_id, []).append(p.slot)
        for b in busy.get(p.user_id, []):
            assert not (b.start < p.slot.end and p.slot.start < b.end), "placed on leave"
    r = int(rest.total_seconds())
    for items in by_user.values():
        items.sort(key=lambda s: s.start)
        for a, b in itertools.pairwise(items):
            assert a.end <= b.start, "double-booked"
            if not (a.role == DutyRole.COMMAND and b.role == DutyRole.COMMAND):
                assert a.end + r <= b.start, "rest rule broken"
    for u in result.unfilled:
        for person in pools.get(u.slot.pool_key, []):
            assert not gen.is_feasible(
                person=person, slot=u.slot, placed=result.placed, busy=busy, min_rest=rest
            )
