"""Writes of a centre's duty set-up (R1, R2): its rules, its shift pattern, its staffing, and leave.

Split from ``services.py`` (which re-exports every name here) to keep modules small; callers
use ``chihuy.roster.services``. Every write runs ``full_clean`` inside ``transaction.atomic``
and is audited by the ``Audited`` base of the models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.access import Action, can
from chihuy.centres.choices import AgencyKind
from chihuy.centres.models import Agency
from chihuy.roster.models import RosterSettings, ShiftDefinition, StaffingRule, Unavailability

DEFAULT_SHIFTS = [
    (_("Ca 1"), dt.time(7), dt.time(13), False),
    (_("Ca 2"), dt.time(13), dt.time(19), False),
    (_("Ca 3"), dt.time(19), dt.time(1), True),
    (_("Ca 4"), dt.time(1), dt.time(7), True),
]
# R1: Health and Police each 1 primary + 1 backup on every shift; the Office a duty official a day.
DEFAULT_RULES = {
    AgencyKind.HEALTH: {"per_day": False, "primary_count": 1, "backup_count": 1},
    AgencyKind.POLICE: {"per_day": False, "primary_count": 1, "backup_count": 1},
    AgencyKind.OFFICE: {"per_day": True, "primary_count": 1, "backup_count": 0},
}
MAX_REST_HOURS = 48
MAX_GRACE_MINUTES = 180
MAX_STAFF_COUNT = 20
MAX_SHIFTS = 12
MAX_LEAVE = dt.timedelta(days=366)
DAY_MINUTES = 24 * 60


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


# --- rules ------------------------------------------------------------------------------------


@transaction.atomic
def roster_setup(*, centre: Any) -> RosterSettings:
    """The centre's duty rules, creating the defaults the first time: 4 shifts of 6 hours (R2) and
    the staffing of R1 for each Health, Police and Office agency of the centre."""
    settings_obj, created = RosterSettings.objects.get_or_create(centre=centre)
    if not ShiftDefinition.objects.filter(centre=centre).exists():
        for i, (name, start, end, night) in enumerate(DEFAULT_SHIFTS):
            _save(
                ShiftDefinition(
                    centre=centre, name=name, start_time=start, end_time=end, is_night=night, order=i
                )
            )
    if created and not StaffingRule.objects.filter(centre=centre).exists():
        for agency in Agency.objects.filter(centre=centre, kind__in=list(DEFAULT_RULES)).order_by(
            "order", "id"
        ):
            _save(StaffingRule(centre=centre, agency=agency, **DEFAULT_RULES[AgencyKind(agency.kind)]))
    return settings_obj


@transaction.atomic
def roster_settings_update(
    *,
    centre: Any,
    min_rest_hours: int,
    checkin_grace_minutes: int,
    auto_approve_swaps: bool,
    command_duty: bool,
) -> RosterSettings:
    """Change the centre's duty rules (R2 rest between shifts, R9 command duty, swap approval).

    Rosters already generated keep their duties; the rules apply to what is generated or
    edited afterwards.
    """
    if not 0 <= min_rest_hours <= MAX_REST_HOURS:
        raise ValidationError(
            {"min_rest_hours": _("Thời gian nghỉ phải từ 0 đến %(n)d giờ.") % {"n": MAX_REST_HOURS}}
        )
    if not 0 <= checkin_grace_minutes <= MAX_GRACE_MINUTES:
        raise ValidationError(
            {
                "checkin_grace_minutes": _("Thời gian chờ điểm danh phải từ 0 đến %(n)d phút.")
                % {"n": MAX_GRACE_MINUTES}
            }
        )
    settings_obj = roster_setup(centre=centre)
    settings_obj = RosterSettings.objects.select_for_update().get(pk=settings_obj.pk)
    settings_obj.min_rest_hours = min_rest_hours
    settings_obj.checkin_grace_minutes = checkin_grace_minutes
    settings_obj.auto_approve_swaps = auto_approve_swaps
    settings_obj.command_duty = command_duty
    return _save(settings_obj)


# --- shift pattern ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftInput:
    """One row of a shift pattern being saved: ``pk`` None for a new shift."""

    pk: int | None
    name: str
    start_time: dt.time
    end_time: dt.time
    is_night: bool = False
    delete: bool = False


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _hhmm(minute: int) -> str:
    minute %= DAY_MINUTES
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _spans(start: dt.time, end: dt.time) -> list[tuple[int, int]]:
    """Minutes of the day a shift covers, as half-open spans; a shift ending at or before its
    start runs past midnight."""
    s, e = _minute(start), _minute(end)
    if e > s:
        return [(s, e)]
    return [(s, DAY_MINUTES)] + ([(0, e)] if e else [])


def check_shift_pattern(shifts: Sequence[tuple[str, dt.time, dt.time]]) -> None:
    """A centre's shifts follow one another without overlap and cover all 24 hours (R2), so that
    somebody is on duty at every moment and nobody stands two shifts of one agency at once."""
    if not shifts:
        raise ValidationError(_("Trung tâm phải có ít nhất một ca trực."))
    if len(shifts) > MAX_SHIFTS:
        raise ValidationError(_("Tối đa %(n)d ca mỗi ngày.") % {"n": MAX_SHIFTS})
    errors: list[str] = []
    seen: set[str] = set()
    for name, start, end in shifts:
        if not name.strip():
            errors.append(_("Mỗi ca phải có tên."))
        elif name.strip().casefold() in seen:
            errors.append(_("Có hai ca cùng tên “%(name)s”.") % {"name": name})
        seen.add(name.strip().casefold())
        if start == end:
            errors.append(
                _("%(name)s: giờ kết thúc phải khác giờ bắt đầu (%(t)s).")
                % {"name": name, "t": _hhmm(_minute(start))}
            )
    if errors:
        raise ValidationError(errors)
    owner: list[int | None] = [None] * DAY_MINUTES
    for i, (_name, start, end) in enumerate(shifts):
        for s, e in _spans(start, end):
            for m in range(s, e):
                if owner[m] is not None:
                    j = owner[m]
                    assert j is not None
                    # Report the whole overlapping stretch, not just its first minute.
                    other = shifts[j]
                    stop = m
                    while stop < e and owner[stop] == j:
                        stop += 1
                    raise ValidationError(
                        _(
                            "%(a)s (%(a1)s–%(a2)s) và %(b)s (%(b1)s–%(b2)s) trùng giờ từ %(from)s "
                            "đến %(to)s; các ca không được chồng lên nhau."
                        )
                        % {
                            "a": other[0],
                            "a1": _hhmm(_minute(other[1])),
                            "a2": _hhmm(_minute(other[2])),
                            "b": shifts[i][0],
                            "b1": _hhmm(_minute(start)),
                            "b2": _hhmm(_minute(end)),
                            "from": _hhmm(m),
                            "to": _hhmm(stop),
                        }
                    )
                owner[m] = i
    gaps = _gaps(owner)
    if gaps:
        raise ValidationError(
            _(
                "Chưa có ca nào trực từ %(gaps)s: các ca phải nối tiếp nhau, phủ đủ 24 giờ trong ngày. "
                "Hãy kéo dài ca bên cạnh hoặc thêm một ca."
            )
            % {"gaps": ", ".join(f"{_hhmm(s)} {_('đến')} {_hhmm(e)}" for s, e in gaps)}
        )


def _gaps(owner: list[int | None]) -> list[tuple[int, int]]:
    """Uncovered stretches of the day; one running over midnight is reported as one."""
    gaps: list[tuple[int, int]] = []
    m = 0
    while m < DAY_MINUTES:
        if owner[m] is None:
            s = m
            while m < DAY_MINUTES and owner[m] is None:
                m += 1
            gaps.append((s, m))
        else:
            m += 1
    if len(gaps) > 1 and gaps[0][0] == 0 and gaps[-1][1] == DAY_MINUTES:
        gaps = [(gaps[-1][0], gaps[0][1] + DAY_MINUTES), *gaps[1:-1]]
    return gaps


@transaction.atomic
def shift_pattern_set(*, centre: Any, rows: Sequence[ShiftInput]) -> list[ShiftDefinition]:
    """Add, change and remove shifts in one step; the resulting pattern must cover the day without
    overlap (``check_shift_pattern``). Shifts not named in ``rows`` stay as they are.

    Rosters already generated keep their times: edits affect the rosters drafted afterwards.
    A removed shift takes its own staffing rules with it (each deletion audited).
    """
    existing = {s.pk: s for s in ShiftDefinition.objects.select_for_update().filter(centre=centre)}
    named: set[int] = set()
    for row in rows:
        if row.pk is not None:
            if row.pk not in existing:
                raise ValidationError(_("Ca trực không thuộc trung tâm này."))
            if row.pk in named:
                raise ValidationError(_("Một ca được gửi hai lần."))
            named.add(row.pk)
    kept = [row for row in rows if not row.delete]
    untouched = [s for pk, s in existing.items() if pk not in named]
    check_shift_pattern(
        [(s.name, s.start_time, s.end_time) for s in untouched]
        + [(r.name.strip(), r.start_time, r.end_time) for r in kept]
    )
    for row in rows:
        if row.delete and row.pk is not None:
            shift = existing[row.pk]
            for rule in StaffingRule.objects.filter(shift=shift):
                rule.delete()
            shift.delete()
    # Keep the centre's first shift first (it starts the day of the per-day duties);
    # the others follow it round the clock.
    anchor_row = min(
        [(s.order, s.pk, s.start_time) for s in untouched]
        + [(existing[r.pk].order, r.pk, r.start_time) for r in kept if r.pk is not None],
        default=None,
    )
    anchor = _minute(anchor_row[2]) if anchor_row else 0
    saved: list[ShiftDefinition] = []
    for row in kept:
        shift = existing[row.pk] if row.pk is not None else ShiftDefinition(centre=centre)
        shift.name, shift.start_time, shift.end_time = row.name.strip(), row.start_time, row.end_time
        shift.is_night = row.is_night
        saved.append(shift)
    every = untouched + saved
    every.sort(key=lambda s: ((_minute(s.start_time) - anchor) % DAY_MINUTES, s.pk or 0))
    for i, shift in enumerate(every):
        changed = shift.pk is None or shift.order != i or shift in saved
        shift.order = i
        if changed:
            _save(shift)
    return every


def shift_create(
    *, centre: Any, name: str, start_time: dt.time, end_time: dt.time, is_night: bool = False
) -> ShiftDefinition:
    """Add one shift; refused unless the day stays covered without overlap (see ``shift_pattern_set``)."""
    every = shift_pattern_set(centre=centre, rows=[ShiftInput(None, name, start_time, end_time, is_night)])
    return next(s for s in every if s.name == name.strip())


def shift_update(
    *, shift: ShiftDefinition, name: str, start_time: dt.time, end_time: dt.time, is_night: bool
) -> ShiftDefinition:
    """Change one shift's name and times; rosters already generated keep their times."""
    every = shift_pattern_set(
        centre=shift.centre, rows=[ShiftInput(shift.pk, name, start_time, end_time, is_night)]
    )
    return next(s for s in every if s.pk == shift.pk)


def shift_delete(*, shift: ShiftDefinition) -> None:
    """Remove one shift; refused when its hours would be left uncovered (extend a neighbour in the
    same ``shift_pattern_set`` call instead)."""
    shift_pattern_set(
        centre=shift.centre,
        rows=[
            ShiftInput(shift.pk, shift.name, shift.start_time, shift.end_time, shift.is_night, delete=True)
        ],
    )


# --- staffing ---------------------------------------------------------------------------------


def _check_counts(primary_count: Any, backup_count: Any) -> None:
    for field, value in (("primary_count", primary_count), ("backup_count", backup_count)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationError({field: _("Số người phải là số nguyên, không âm.")})
        if value > MAX_STAFF_COUNT:
            raise ValidationError({field: _("Tối đa %(n)d người mỗi vị trí.") % {"n": MAX_STAFF_COUNT}})


@transaction.atomic
def staffing_rule_set(
    *,
    centre: Any,
    agency: Any,
    shift: ShiftDefinition | None = None,
    per_day: bool = False,
    primary_count: int = 1,
    backup_count: int = 0,
) -> StaffingRule:
    """How many people ``agency`` puts on ``shift`` (None: every shift, or once a day with
    ``per_day``) as primary and backup (R1)."""
    if agency.centre_id != centre.pk or (shift is not None and shift.centre_id != centre.pk):
        raise ValidationError(_("Cơ quan hoặc ca không thuộc trung tâm này."))
    if per_day and shift is not None:
        raise ValidationError(_("Định mức một người mỗi ngày không gắn với một ca."))
    _check_counts(primary_count, backup_count)
    rule = StaffingRule.objects.filter(centre=centre, agency=agency, shift=shift).first() or StaffingRule(
        centre=centre, agency=agency, shift=shift
    )
    rule.per_day, rule.primary_count, rule.backup_count = per_day, primary_count, backup_count
    return _save(rule)


# (primary, backup); the key's shift id None stands for the per-day column.
Counts = tuple[int, int]


@transaction.atomic
def staffing_table_set(*, centre: Any, cells: Mapping[tuple[int, int | None], Counts]) -> list[StaffingRule]:
    """Save the staffing table of the settings page: for each agency named in ``cells``, its
    primary and backup counts on each shift and once a day (R1). A missing cell counts as none.

    An agency with the same counts on every shift and no daily duty is stored as one rule for
    all shifts, so a shift added later is staffed like the others; otherwise one rule per shift.
    """
    agencies = {a.pk: a for a in Agency.objects.filter(centre=centre)}
    shifts = list(ShiftDefinition.objects.filter(centre=centre).order_by("order", "start_time"))
    shift_ids = {s.pk for s in shifts}
    for (agency_id, shift_id), (primary, backup) in cells.items():
        if agency_id not in agencies or (shift_id is not None and shift_id not in shift_ids):
            raise ValidationError(_("Cơ quan hoặc ca không thuộc trung tâm này."))
        _check_counts(primary, backup)
    existing: dict[tuple[int, int | None], StaffingRule] = {
        (r.agency_id, r.shift_id): r for r in StaffingRule.objects.select_for_update().filter(centre=centre)
    }
    saved: list[StaffingRule] = []
    for agency_id in sorted({a for a, _s in cells}):
        per_shift = {s.pk: cells.get((agency_id, s.pk), (0, 0)) for s in shifts}
        daily = cells.get((agency_id, None), (0, 0))
        wanted: dict[int | None, tuple[bool, Counts]] = {}
        values = set(per_shift.values())
        if len(values) == 1 and daily == (0, 0) and values != {(0, 0)}:
            wanted[None] = (False, values.pop())
        else:
            wanted.update({pk: (False, v) for pk, v in per_shift.items() if v != (0, 0)})
            if daily != (0, 0):
                wanted[None] = (True, daily)
        for (a, shift_id), rule in list(existing.items()):
            if a == agency_id and shift_id not in wanted:
                rule.delete()
        for shift_id, (per_day, (primary, backup)) in wanted.items():
            rule = existing.get((agency_id, shift_id)) or StaffingRule(
                centre=centre, agency=agencies[agency_id], shift_id=shift_id
            )
            if rule.pk is None or (rule.per_day, rule.primary_count, rule.backup_count) != (
                per_day,
                primary,
                backup,
            ):
                rule.per_day, rule.primary_count, rule.backup_count = per_day, primary, backup
                _save(rule)
            saved.append(rule)
    return saved


# --- leave ------------------------------------------------------------------------------------


def _check_leave_actor(*, member: Any, by: Any) -> None:
    if by is None or by.pk == member.user_id or can(by, member.centre, Action.EDIT):
        return
    raise ValidationError(
        _("Chỉ người nghỉ hoặc chỉ huy, bộ phận thường trực của trung tâm được ghi, xoá nghỉ phép này.")
    )


def _fmt(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


@transaction.atomic
def unavailability_create(
    *,
    member: Any,
    start: dt.datetime,
    end: dt.datetime,
    reason: str = "",
    centre: Any = None,
    by: Any = None,
) -> Unavailability:
    """Record leave of a member of ``centre`` (when given); ``by`` must be the member himself or
    the centre's staff. Duties already assigned in that time are kept and shown to the editor
    (``selectors.leave_conflicts``); the generator and manual edits respect the leave."""
    if centre is not None and member.centre_id != centre.pk:
        raise ValidationError({"member": _("%(name)s không thuộc trung tâm này.") % {"name": member.user}})
    if not member.is_active:
        raise ValidationError(
            {"member": _("%(name)s không còn đảm nhiệm vai trò này.") % {"name": member.user}}
        )
    _check_leave_actor(member=member, by=by)
    if end <= start:
        raise ValidationError({"end": _("Thời điểm kết thúc phải sau thời điểm bắt đầu.")})
    if end - start > MAX_LEAVE:
        raise ValidationError({"end": _("Mỗi lần ghi nghỉ tối đa một năm.")})
    from chihuy.roster.services import _lock_users

    # The same lock as manual edits: a duty cannot be given for this time while it is recorded.
    _lock_users([member.user_id])
    clash = (
        Unavailability.objects.filter(member__user_id=member.user_id, start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("%(name)s đã có nghỉ phép từ %(a)s đến %(b)s, trùng thời gian này.")
            % {"name": member.user, "a": _fmt(clash.start), "b": _fmt(clash.end)}
        )
    return _save(Unavailability(member=member, start=start, end=end, reason=reason.strip()))


@transaction.atomic
def unavailability_delete(*, leave: Unavailability, by: Any = None) -> None:
    """Remove a leave record (the audit keeps what it was); ``by`` as for ``unavailability_create``."""
    _check_leave_actor(member=leave.member, by=by)
    leave.delete()
