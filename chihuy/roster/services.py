"""Writes of the duty roster (R1, R2, R9, R20). Every change goes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.audit.choices import AuditAction
from chihuy.audit.mixins import audit_record
from chihuy.centres.access import Action, can
from chihuy.centres.choices import LEADER_ROLES, Role
from chihuy.centres.models import Member
from chihuy.roster import generation as gen
from chihuy.roster import notify
from chihuy.roster.calendar import days_between, local_tz, vn_holidays
from chihuy.roster.choices import OPEN_SWAP_STATUSES, DutyRole, RosterStatus, SwapStatus
from chihuy.roster.models import (
    Assignment,
    CheckIn,
    DutyLock,
    Roster,
    RosterSettings,
    ShiftDefinition,
    StaffingRule,
    SwapRequest,
    Unavailability,
)

# The set-up and leave services live in their own module; every caller uses this one.
from chihuy.roster.setup_services import DEFAULT_RULES as DEFAULT_RULES
from chihuy.roster.setup_services import DEFAULT_SHIFTS as DEFAULT_SHIFTS
from chihuy.roster.setup_services import ShiftInput as ShiftInput
from chihuy.roster.setup_services import check_shift_pattern as check_shift_pattern
from chihuy.roster.setup_services import roster_settings_update as roster_settings_update
from chihuy.roster.setup_services import roster_setup as roster_setup
from chihuy.roster.setup_services import shift_create as shift_create
from chihuy.roster.setup_services import shift_delete as shift_delete
from chihuy.roster.setup_services import shift_pattern_set as shift_pattern_set
from chihuy.roster.setup_services import shift_update as shift_update
from chihuy.roster.setup_services import staffing_rule_set as staffing_rule_set
from chihuy.roster.setup_services import staffing_table_set as staffing_table_set
from chihuy.roster.setup_services import unavailability_create as unavailability_create
from chihuy.roster.setup_services import unavailability_delete as unavailability_delete

# Who stands the agency watches: the officers the agencies nominate and the standing unit (R1).
POOL_ROLES = (Role.DUTY_OFFICER, Role.STANDING)
MAX_ROSTER_DAYS = 62
CHECKIN_EARLY = dt.timedelta(minutes=30)


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


# --- generation -------------------------------------------------------------------------------


def _chunks(items: list[Any], size: int = 5000) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _specs_many(
    centres: list[Any],
) -> dict[int, tuple[list[gen.ShiftSpec], list[gen.RuleSpec], RosterSettings]]:
    """Each centre's shifts, staffing and settings, read for all centres at once; a centre
    without its set-up gets the defaults first (R1, R2)."""
    ids = [c.pk for c in centres]
    settings_by: dict[int, RosterSettings] = {}
    shifts_by: dict[int, list[gen.ShiftSpec]] = {}
    rules_by: dict[int, list[gen.RuleSpec]] = {}
    for chunk in _chunks(ids):
        for obj in RosterSettings.objects.filter(centre_id__in=chunk):
            settings_by[obj.centre_id] = obj
        for centre_id, pk, name, start_time, end_time, is_night in (
            ShiftDefinition.objects.filter(centre_id__in=chunk)
            .order_by("centre_id", "order", "start_time", "id")
            .values_list("centre_id", "pk", "name", "start_time", "end_time", "is_night")
        ):
            spec = gen.ShiftSpec(pk, name, start_time, end_time, is_night)
            shifts_by.setdefault(centre_id, []).append(spec)
        for centre_id, agency_id, short, name, shift_id, per_day, primary, backup in (
            StaffingRule.objects.filter(centre_id__in=chunk)
            .order_by("centre_id", "agency__order", "agency__name", "shift_id")
            .values_list(
                "centre_id",
                "agency_id",
                "agency__short_name",
                "agency__name",
                "shift_id",
                "per_day",
                "primary_count",
                "backup_count",
            )
        ):
            rules_by.setdefault(centre_id, []).append(
                gen.RuleSpec(agency_id, short or name, shift_id, per_day, primary, backup)
            )
    missing = [c for c in centres if c.pk not in settings_by or not shifts_by.get(c.pk)]
    for centre in missing:
        roster_setup(centre=centre)
    out = _specs_many(missing) if missing else {}
    for centre in centres:
        if centre.pk not in out:
            out[centre.pk] = (shifts_by[centre.pk], rules_by.get(centre.pk, []), settings_by[centre.pk])
    return out


def _pools_many(
    centres: list[Any], agency_ids: dict[int, set[int]]
) -> dict[int, dict[int | None, list[gen.Person]]]:
    pools_by: dict[int, dict[int | None, list[gen.Person]]] = {}
    for centre in centres:
        pools: dict[int | None, list[gen.Person]] = {None: []}
        for a in agency_ids.get(centre.pk, ()):
            pools[a] = []
        pools_by[centre.pk] = pools
    for chunk in _chunks([c.pk for c in centres]):
        members = (
            Member.objects.filter(centre_id__in=chunk, is_active=True)
            .order_by("id")
            .values_list("centre_id", "id", "user_id", "role", "agency_id")
        )
        for centre_id, member_id, user_id, role, agency_id in members:
            pools = pools_by[centre_id]
            if role in LEADER_ROLES:
                pools[None].append(gen.Person(member_id, user_id))
            elif role in POOL_ROLES and agency_id in pools:
                pools[agency_id].append(gen.Person(member_id, user_id))
    return pools_by


def _busy(
    *, user_ids: set[int], start: dt.datetime, end: dt.datetime, exclude_rosters: Iterable[Any] = ()
) -> dict[int, list[gen.Busy]]:
    """Leave and duties outside the rosters being drafted, per user, in the window."""
    busy: dict[int, list[gen.Busy]] = {}
    excluded = [getattr(r, "pk", r) for r in exclude_rosters]
    for chunk in _chunks(sorted(user_ids)):
        leave = Unavailability.objects.filter(member__user_id__in=chunk, start__lt=end, end__gt=start)
        for user_id, s, e in leave.values_list("member__user_id", "start", "end"):
            busy.setdefault(user_id, []).append(gen.Busy(int(s.timestamp()), int(e.timestamp()), False))
        duties = Assignment.objects.filter(user_id__in=chunk, start__lt=end, end__gt=start)
        if excluded:
            duties = duties.exclude(roster_id__in=excluded)
        for user_id, s, e in duties.values_list("user_id", "start", "end"):
            busy.setdefault(user_id, []).append(gen.Busy(int(s.timestamp()), int(e.timestamp()), True))
    return busy


def _redraft_or_refuse(others: list[Roster], start: dt.date, end: dt.date) -> Roster | None:
    """The draft of exactly this period to redo, or None; any other overlap is refused."""
    roster = None
    for other in others:
        if other.status == RosterStatus.PUBLISHED:
            raise ValidationError(
                _("Đã có lịch trực ban hành từ %(a)s đến %(b)s trùng khoảng thời gian này.")
                % {"a": f"{other.start:%d/%m/%Y}", "b": f"{other.end:%d/%m/%Y}"}
            )
        if other.start == start and other.end == end:
            roster = other
        else:
            raise ValidationError(
                _(
                    "Đã có bản nháp từ %(a)s đến %(b)s trùng khoảng thời gian này; "
                    "hãy xoá hoặc lập lại bản nháp đó."
                )
                % {"a": f"{other.start:%d/%m/%Y}", "b": f"{other.end:%d/%m/%Y}"}
            )
    return roster


def roster_generate(*, centre: Any, start: dt.date, end: dt.date) -> Roster:
    """Draft the roster of ``start``–``end`` (inclusive) fairly and deterministically (R1, R2, R9).

    Regenerating a draft of the same period replaces it; a period that overlaps a published
    roster is refused, since published duties change only through edits and swaps.
    """
    return roster_generate_many(centres=[centre], start=start, end=end)[0]


@transaction.atomic
def roster_generate_many(*, centres: Iterable[Any], start: dt.date, end: dt.date) -> list[Roster]:
    """Draft the same period for many centres at once (a monthly job, the national bench), with
    the rules of ``roster_generate``: each centre's inputs are read in a few bulk queries and
    every generated row is written with one executemany, instead of ~20 queries per centre.

    All or nothing: one centre whose period cannot be drafted refuses the whole batch.
    """
    if end < start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if (end - start).days + 1 > MAX_ROSTER_DAYS:
        raise ValidationError(_("Mỗi lần chỉ lập lịch tối đa %(n)d ngày.") % {"n": MAX_ROSTER_DAYS})
    centres = list(centres)
    ids = [c.pk for c in centres]
    others_by: dict[int, list[Roster]] = {}
    for chunk in _chunks(ids):
        for other in Roster.objects.select_for_update().filter(
            centre_id__in=chunk, start__lte=end, end__gte=start
        ):
            others_by.setdefault(other.centre_id, []).append(other)
    redraft = {c.pk: _redraft_or_refuse(others_by.get(c.pk, []), start, end) for c in centres}
    redrafted = [r for r in redraft.values() if r is not None]
    for chunk in _chunks([r.pk for r in redrafted]):
        Assignment.objects.filter(roster_id__in=chunk).delete()

    specs = _specs_many(centres)
    pools_by = _pools_many(centres, {pk: {r.agency_id for r in spec[1]} for pk, spec in specs.items()})
    seen: set[int] = set()
    shared: set[int] = set()  # people in the pools of more than one centre of the batch
    for pools in pools_by.values():
        here = {p.user_id for pool in pools.values() for p in pool}
        shared |= here & seen
        seen |= here
    user_ids = seen
    tz = local_tz()
    longest_rest = max((spec[2].min_rest for spec in specs.values()), default=dt.timedelta(0))
    window_start = dt.datetime.combine(start, dt.time(0), tzinfo=tz) - longest_rest
    window_end = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(0), tzinfo=tz) + longest_rest
    busy = _busy(user_ids=user_ids, start=window_start, end=window_end, exclude_rosters=redrafted)
    days = days_between(start, end)
    holidays = set(vn_holidays(start, end))

    iso: dict[int, str] = {}

    def isoformat(ts: int) -> str:
        if ts not in iso:
            iso[ts] = dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()
        return iso[ts]

    results: dict[int, gen.Result] = {}
    rosters: list[Roster] = []
    for centre in centres:
        shifts, rules, settings_obj = specs[centre.pk]
        slots = gen.build_slots(
            days=days,
            shifts=shifts,
            rules=rules,
            holidays=holidays,
            command_duty=settings_obj.command_duty,
            tz=tz,
        )
        result = gen.generate(
            slots=slots, pools=pools_by[centre.pk], busy=busy, min_rest=settings_obj.min_rest
        )
        results[centre.pk] = result
        unfilled = [
            {
                "start": isoformat(u.slot.start),
                "end": isoformat(u.slot.end),
                "role": u.slot.role,
                "agency_id": u.slot.agency_id,
                "agency": u.slot.agency_name,
                "reason": u.reason,
            }
            for u in result.unfilled
        ]
        roster = redraft[centre.pk]
        if roster is None:
            roster = Roster(centre=centre, start=start, end=end, unfilled=unfilled)
        else:
            roster.unfilled = unfilled
        rosters.append(roster)
        # Someone who also serves a later centre of the batch is busy with what he got here.
        for p in result.placed:
            if p.user_id in shared:
                busy.setdefault(p.user_id, []).append(gen.Busy(p.slot.start, p.slot.end, True))
    # Period and overlap were checked above; the batch spares full_clean's queries.
    new = [r for r in rosters if r.pk is None]
    new_ids = {id(r) for r in new}
    Roster.objects.bulk_create(new, batch_size=500)
    if any(r.pk is None for r in new):  # a backend that does not return keys
        keyed = dict(
            Roster.objects.filter(centre_id__in=[r.centre_id for r in new], start=start, end=end).values_list(
                "centre_id", "pk"
            )
        )
        for r in new:
            r.pk = keyed[r.centre_id]
    Roster.objects.bulk_update([r for r in rosters if id(r) not in new_ids], ["unfilled"], batch_size=500)
    locks = [DutyLock(user_id=u) for u in user_ids]
    DutyLock.objects.bulk_create(locks, ignore_conflicts=True, batch_size=2000)
    _insert_placed(rows=[(roster, results[roster.centre_id].placed) for roster in rosters])
    for roster in rosters:
        result = results[roster.centre_id]
        audit_record(
            instance=roster,
            action=AuditAction.CREATE if id(roster) in new_ids else AuditAction.UPDATE,
            changes={
                "generated": [None, {"assignments": len(result.placed), "unfilled": len(result.unfilled)}]
            },
        )
    return rosters


def _insert_placed(*, rows: list[tuple[Roster, list[gen.Placed]]]) -> None:
    """Insert the generated rows with one executemany: a national month is ~10⁶ rows, and the
    ORM's per-object work would dominate the generation time. Generated rows are audited by
    the single "generated" entry on the roster."""
    if not any(placed for _roster, placed in rows):
        return
    table = Assignment._meta.db_table
    columns = [
        "roster_id",
        "centre_id",
        "member_id",
        "user_id",
        "agency_id",
        "shift_id",
        "role",
        "start",
        "end",
        "is_night",
        "is_holiday",
        "override_reason",
    ]
    adapt = connection.ops.adapt_datetimefield_value
    qn = connection.ops.quote_name
    stamps: dict[int, Any] = {}

    def stamp(ts: int) -> Any:
        value = stamps.get(ts)
        if value is None:
            value = stamps[ts] = adapt(dt.datetime.fromtimestamp(ts, dt.UTC))
        return value

    values = [
        (
            roster.pk,
            roster.centre_id,
            p.member_id,
            p.user_id,
            p.slot.agency_id,
            p.slot.shift_id,
            str(p.slot.role),
            stamp(p.slot.start),
            stamp(p.slot.end),
            p.slot.is_night,
            p.slot.is_holiday,
            "",
        )
        for roster, placed in rows
        for p in placed
    ]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(values, 20000):
            cursor.executemany(sql, chunk)


@transaction.atomic
def roster_delete(*, roster: Roster) -> None:
    if roster.is_published:
        raise ValidationError(_("Không xoá được lịch đã ban hành."))
    Assignment.objects.filter(roster=roster).delete()
    roster.delete()


@transaction.atomic
def roster_publish(*, roster: Roster) -> Roster:
    """Publish a draft: the people concerned and the agencies get the duty list (R1), in the app
    and on the centre's alert channels, and every primary shift gets its missed-check-in watch
    (issue 4 item 6)."""
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if roster.is_published:
        raise ValidationError(_("Lịch trực này đã được ban hành."))
    roster.status = RosterStatus.PUBLISHED
    roster.published_at = timezone.now()
    _save(roster)
    notify.roster_published(roster=roster)
    from chihuy.roster import tasks

    # The check-in watches are task rows: they commit with the publication (issue 12).
    tasks.schedule_checkin_watches(roster_id=roster.pk)
    return roster


# --- manual edits -----------------------------------------------------------------------------


def _lock_users(user_ids: Iterable[int]) -> None:
    """Serialise all changes to these people's duties until the transaction ends.

    Writing the lock row takes a row lock on PostgreSQL and the database write lock on
    SQLite, so the overlap check that follows cannot race another editor.
    """
    ids = sorted(set(user_ids))
    DutyLock.objects.bulk_create([DutyLock(user_id=u) for u in ids], ignore_conflicts=True)
    DutyLock.objects.filter(user_id__in=ids).update(version=F("version") + 1)
    list(DutyLock.objects.select_for_update().filter(user_id__in=ids).order_by("user_id"))


def _fmt(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def _check_member_role(*, centre: Any, member: Any, role: str) -> None:
    if member.centre_id != centre.pk or not member.is_active:
        raise ValidationError(
            {"member": _("%(name)s không có vai trò tại trung tâm này.") % {"name": member.user}}
        )
    if role == DutyRole.COMMAND and member.role not in LEADER_ROLES:
        raise ValidationError(
            {"member": _("Trực chỉ huy phải là chỉ huy trưởng hoặc phó chỉ huy trưởng (R9).")}
        )


def _check_person(
    *,
    member: Any,
    start: dt.datetime,
    end: dt.datetime,
    exclude: Iterable[int],
    centre: Any,
    override_reason: str = "",
    by: Any = None,
    enforce_rest: bool = True,
    role: str = "",
) -> None:
    """No double booking, no leave, and the minimum rest unless a leader records a reason."""
    if end <= start:
        raise ValidationError({"end": _("Giờ kết thúc phải sau giờ bắt đầu.")})
    others = (
        Assignment.objects.filter(user_id=member.user_id)
        .exclude(pk__in=list(exclude))
        .select_related("centre")
    )
    clash = others.overlapping(start, end).first()
    if clash is not None:
        raise ValidationError(
            _(
                "%(name)s đã có ca trực từ %(a)s đến %(b)s tại %(centre)s: "
                "một người không thể trực hai nơi cùng lúc."
            )
            % {"name": member.user, "a": _fmt(clash.start), "b": _fmt(clash.end), "centre": clash.centre}
        )
    leave = Unavailability.objects.filter(
        member__user_id=member.user_id, start__lt=end, end__gt=start
    ).first()
    if leave is not None:
        raise ValidationError(
            {
                "member": _(
                    "%(name)s nghỉ phép từ %(a)s đến %(b)s%(why)s: không phân công được ca trong "
                    "thời gian này."
                )
                % {
                    "name": member.user,
                    "a": _fmt(leave.start),
                    "b": _fmt(leave.end),
                    "why": f" ({leave.reason})" if leave.reason else "",
                }
            }
        )
    if not enforce_rest:
        return
    rest = roster_setup(centre=centre).min_rest
    near_qs = others.overlapping(start - rest, end + rest)
    if role == DutyRole.COMMAND:
        # Command duty is a day-long on-call responsibility (R9): back-to-back days are allowed.
        near_qs = near_qs.exclude(role=DutyRole.COMMAND)
    near = near_qs.first()
    if near is None:
        return
    if override_reason.strip():
        if by is not None and not can(by, centre, Action.APPROVE):
            raise ValidationError(
                {
                    "override_reason": _(
                        "Chỉ chỉ huy trưởng hoặc phó chỉ huy trưởng được bỏ qua quy định nghỉ giữa hai ca."
                    )
                }
            )
        return
    raise ValidationError(
        _(
            "%(name)s chưa nghỉ đủ %(h)d giờ giữa hai ca (đã có ca từ %(a)s đến %(b)s). "
            "Chỉ huy trưởng có thể ghi lý do để bỏ qua."
        )
        % {
            "name": member.user,
            "h": int(rest.total_seconds() // 3600),
            "a": _fmt(near.start),
            "b": _fmt(near.end),
        }
    )


def _check_future(start: dt.datetime, now: dt.datetime | None = None) -> None:
    if start <= (now or timezone.now()):
        raise ValidationError(_("Chỉ sửa được các ca chưa bắt đầu; ca đã qua được giữ nguyên để đối chiếu."))


@transaction.atomic
def assignment_create(
    *,
    roster: Roster,
    member: Any,
    role: str,
    start: dt.datetime,
    end: dt.datetime,
    override_reason: str = "",
    by: Any = None,
) -> Assignment:
    """Add one person to a roster by hand, with every rule the generator keeps."""
    _check_future(start)
    _check_member_role(centre=roster.centre, member=member, role=role)
    _lock_users([member.user_id])
    _check_person(
        member=member,
        start=start,
        end=end,
        exclude=[],
        centre=roster.centre,
        override_reason=override_reason,
        by=by,
        role=role,
    )
    a = _save(
        Assignment(
            roster=roster,
            centre=roster.centre,
            member=member,
            user_id=member.user_id,
            agency_id=member.agency_id if role != DutyRole.COMMAND else None,
            role=role,
            start=start,
            end=end,
            override_reason=override_reason.strip(),
        )
    )
    _after_change(a)
    return a


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    member: Any,
    start: dt.datetime,
    end: dt.datetime,
    override_reason: str = "",
    by: Any = None,
) -> Assignment:
    """Change who or when; only shifts that have not started (R4 of issue 4: edits affect the future)."""
    _check_future(assignment.start)
    _check_future(start)
    _check_member_role(centre=assignment.centre, member=member, role=assignment.role)
    _lock_users({member.user_id, assignment.user_id})
    _check_person(
        member=member,
        start=start,
        end=end,
        exclude=[assignment.pk],
        centre=assignment.centre,
        override_reason=override_reason,
        by=by,
        role=assignment.role,
    )
    assignment.member, assignment.user_id = member, member.user_id
    if assignment.role != DutyRole.COMMAND:
        assignment.agency_id = member.agency_id
    assignment.start, assignment.end = start, end
    assignment.override_reason = override_reason.strip()
    _save(assignment)
    _after_change(assignment)
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: Assignment) -> None:
    _check_future(assignment.start)
    assignment.delete()


def _after_change(a: Assignment) -> None:
    if a.role == DutyRole.PRIMARY and a.roster.is_published:
        from chihuy.roster import tasks

        tasks.schedule_checkin_watch(assignment_id=a.pk)  # a task row of this transaction


def _eligible_for(*, assignment: Assignment, member: Any) -> None:
    _check_member_role(centre=assignment.centre, member=member, role=assignment.role)
    if assignment.role != DutyRole.COMMAND and member.role not in POOL_ROLES:
        raise ValidationError(_("Chỉ cán bộ trực hoặc bộ phận thường trực nhận được ca này."))


@transaction.atomic
def assignment_take_over(
    *, assignment: Assignment, member: Any, now: dt.datetime | None = None
) -> Assignment:
    """Emergency take-over, "Tôi nhận ca này ngay": the taker is on duty from now to the end.

    A shift already running is split so the record of who was on duty until now stays true;
    the rest rule yields to the emergency, and the reason is recorded.
    """
    now = now or timezone.now()
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("roster", "centre")
        .get(pk=assignment.pk)
    )
    if not assignment.roster.is_published:
        raise ValidationError(_("Lịch trực chưa ban hành."))
    if assignment.end <= now:
        raise ValidationError(_("Ca này đã kết thúc."))
    if assignment.user_id == member.user_id:
        raise ValidationError(_("Bạn đang được phân công ca này."))
    _eligible_for(assignment=assignment, member=member)
    _lock_users({member.user_id, assignment.user_id})
    start = max(now, assignment.start)
    _check_person(
        member=member,
        start=start,
        end=assignment.end,
        exclude=[assignment.pk],
        centre=assignment.centre,
        enforce_rest=False,
    )
    reason = _("Nhận ca khẩn cấp thay %(name)s") % {"name": assignment.member.user}
    previous = assignment.member
    if assignment.start < now:
        taken = Assignment(
            roster=assignment.roster,
            centre=assignment.centre,
            member=member,
            user_id=member.user_id,
            agency_id=member.agency_id if assignment.role != DutyRole.COMMAND else None,
            shift_id=assignment.shift_id,
            role=assignment.role,
            start=now,
            end=assignment.end,
            is_night=assignment.is_night,
            is_holiday=assignment.is_holiday,
            override_reason=reason,
            taken_over_from=previous,
        )
        assignment.end = now
        _save(assignment)
        _save(taken)
    else:
        assignment.member, assignment.user_id, assignment.taken_over_from = member, member.user_id, previous
        if assignment.role != DutyRole.COMMAND:
            assignment.agency_id = member.agency_id
        assignment.override_reason = reason
        taken = _save(assignment)
    if taken.role == DutyRole.PRIMARY:
        # The taker is there: his take-over is his check-in.
        CheckIn.objects.create(assignment=taken, at=now, by=member.user)
    notify.taken_over(assignment=taken)
    return taken


# --- swaps ------------------------------------------------------------------------------------


@transaction.atomic
def swap_request(
    *,
    assignment: Assignment,
    user: Any,
    counterpart: Any,
    counterpart_assignment: Assignment | None = None,
    reason: str = "",
) -> SwapRequest:
    """The officer asks a colleague to take his shift, optionally taking one of the colleague's."""
    if assignment.user_id != user.pk:
        raise ValidationError(_("Chỉ người được phân công mới xin đổi ca này."))
    if not assignment.roster.is_published:
        raise ValidationError(_("Lịch trực chưa ban hành."))
    _check_future(assignment.start)
    if counterpart.user_id == user.pk:
        raise ValidationError({"counterpart": _("Hãy chọn một người khác.")})
    _eligible_for(assignment=assignment, member=counterpart)
    if counterpart_assignment is not None:
        if (
            counterpart_assignment.user_id != counterpart.user_id
            or counterpart_assignment.centre_id != assignment.centre_id
        ):
            raise ValidationError(
                {"counterpart_assignment": _("Ca đổi lại phải là ca của người nhận, tại trung tâm này.")}
            )
        _check_future(counterpart_assignment.start)
    if SwapRequest.objects.filter(assignment=assignment, status__in=OPEN_SWAP_STATUSES).exists():
        raise ValidationError(_("Ca này đang có một yêu cầu đổi ca chờ xử lý."))
    requester = (
        Member.objects.filter(user=user, centre=assignment.centre, is_active=True).first()
        or assignment.member
    )
    swap = _save(
        SwapRequest(
            assignment=assignment,
            requester=requester,
            counterpart=counterpart,
            counterpart_assignment=counterpart_assignment,
            reason=reason,
        )
    )
    notify.swap_changed(swap=swap)
    return swap


def _swap_for_update(swap: SwapRequest) -> SwapRequest:
    return (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related(
            "assignment",
            "assignment__centre",
            "assignment__roster",
            "counterpart",
            "counterpart__user",
            "requester",
            "counterpart_assignment",
        )
        .get(pk=swap.pk)
    )


@transaction.atomic
def swap_accept(*, swap: SwapRequest, user: Any) -> SwapRequest:
    """The counterpart agrees; approved at once when the centre allows it and both stand the same
    agency and role, otherwise it waits for a leader."""
    swap = _swap_for_update(swap)
    if swap.counterpart.user_id != user.pk:
        raise ValidationError(_("Chỉ người được đề nghị nhận ca mới đồng ý được."))
    if swap.status != SwapStatus.REQUESTED:
        raise ValidationError(_("Yêu cầu này không còn chờ đồng ý."))
    swap.status = SwapStatus.ACCEPTED
    _save(swap)
    a, other = swap.assignment, swap.counterpart_assignment
    same = a.agency_id == swap.counterpart.agency_id and (other is None or other.role == a.role)
    if roster_setup(centre=a.centre).auto_approve_swaps and same:
        return _swap_apply(swap=swap, by=None)
    notify.swap_changed(swap=swap)
    return swap


@transaction.atomic
def swap_approve(*, swap: SwapRequest, by: Any) -> SwapRequest:
    swap = _swap_for_update(swap)
    if not can(by, swap.assignment.centre, Action.APPROVE):
        raise ValidationError(_("Chỉ chỉ huy trưởng hoặc phó chỉ huy trưởng duyệt đổi ca."))
    if swap.status != SwapStatus.ACCEPTED:
        raise ValidationError(_("Chỉ duyệt được yêu cầu mà người nhận đã đồng ý."))
    return _swap_apply(swap=swap, by=by)


@transaction.atomic
def swap_reject(*, swap: SwapRequest, by: Any) -> SwapRequest:
    swap = _swap_for_update(swap)
    if swap.status not in OPEN_SWAP_STATUSES:
        raise ValidationError(_("Yêu cầu này đã được xử lý."))
    allowed = can(by, swap.assignment.centre, Action.APPROVE) or by.pk in (swap.counterpart.user_id,)
    if not allowed:
        raise ValidationError(_("Bạn không được từ chối yêu cầu này."))
    swap.status, swap.decided_by, swap.decided_at = SwapStatus.REJECTED, by, timezone.now()
    _save(swap)
    notify.swap_changed(swap=swap)
    return swap


def _swap_apply(*, swap: SwapRequest, by: Any) -> SwapRequest:
    a, other = swap.assignment, swap.counterpart_assignment
    _check_future(a.start)
    if other is not None:
        _check_future(other.start)
    requester_member = a.member
    _lock_users({a.user_id, swap.counterpart.user_id})
    exclude = [a.pk] + ([other.pk] if other else [])
    _check_person(
        member=swap.counterpart, start=a.start, end=a.end, exclude=exclude, centre=a.centre, role=a.role
    )
    if other is not None:
        _check_person(
            member=requester_member,
            start=other.start,
            end=other.end,
            exclude=exclude,
            centre=a.centre,
            role=other.role,
        )
    a.member, a.user_id = swap.counterpart, swap.counterpart.user_id
    if a.role != DutyRole.COMMAND:
        a.agency_id = swap.counterpart.agency_id
    # Free the (user, start) pair before the other half moves in.
    _save(a)
    if other is not None:
        other.member, other.user_id = requester_member, requester_member.user_id
        if other.role != DutyRole.COMMAND:
            other.agency_id = requester_member.agency_id
        _save(other)
    swap.status, swap.decided_by, swap.decided_at = SwapStatus.APPROVED, by, timezone.now()
    _save(swap)
    notify.swap_changed(swap=swap)
    return swap


# --- check-in ---------------------------------------------------------------------------------


@transaction.atomic
def checkin_record(*, assignment: Assignment, user: Any, at: dt.datetime | None = None) -> CheckIn:
    """The officer confirms presence at the start of his shift; kept for inspections (R20)."""
    at = at or timezone.now()
    if assignment.user_id != user.pk:
        raise ValidationError(_("Chỉ người được phân công mới điểm danh ca này."))
    if not assignment.roster.is_published:
        raise ValidationError(_("Lịch trực chưa ban hành."))
    if not (assignment.start - CHECKIN_EARLY <= at < assignment.end):
        raise ValidationError(_("Chỉ điểm danh được từ 30 phút trước giờ bắt đầu đến khi hết ca."))
    existing = CheckIn.objects.filter(assignment=assignment).first()
    if existing is not None:
        raise ValidationError(_("Đã điểm danh lúc %(at)s.") % {"at": _fmt(existing.at)})
    return _save(CheckIn(assignment=assignment, at=at, by=user))


# --- calendar feeds ---------------------------------------------------------------------------


def calendar_token_for(*, user: Any = None, centre: Any = None) -> str:
    from chihuy.roster.models import CalendarToken

    if (user is None) == (centre is None):
        raise ValueError("one of user or centre")
    token, _created = CalendarToken.objects.get_or_create(user=user, centre=centre)
    return token.token


@transaction.atomic
def calendar_token_reset(*, user: Any = None, centre: Any = None) -> str:
    from chihuy.roster.models import CalendarToken

    CalendarToken.objects.filter(user=user, centre=centre).delete()
    return calendar_token_for(user=user, centre=centre)
