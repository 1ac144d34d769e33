"""Background work of the roster: thin, idempotent, safe to run twice (STYLE 7)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.core.periodic import ensure_pending, supports_defer
from chihuy.roster import notify

log = logging.getLogger(__name__)


@task()
def roster_published_notify(roster_id: int) -> int:
    """Each person gets his own shifts; each agency's people get the agency's duty list (R1)."""
    from chihuy.centres.models import Member
    from chihuy.roster.models import Assignment, Roster

    roster = Roster.objects.select_related("centre").filter(pk=roster_id).first()
    if roster is None or not roster.is_published:
        return 0
    centre = roster.centre
    rows = list(
        Assignment.objects.filter(roster=roster)
        .select_related("member__user", "agency")
        .order_by("start", "role")
    )
    by_user: dict[int, list] = {}
    by_agency: dict[int, list] = {}
    for a in rows:
        by_user.setdefault(a.user_id, []).append(a)
        if a.agency_id:
            by_agency.setdefault(a.agency_id, []).append(a)
    period = f"{roster.start:%d/%m/%Y} – {roster.end:%d/%m/%Y}"
    sent = 0
    for items in by_user.values():
        sent += notify.send(
            to=[items[0].member.user],
            subject=notify.subject(centre, _("Lịch trực của bạn %(p)s") % {"p": period}),
            body="\n".join(notify.line(a) for a in items),
        )
    agency_people = Member.objects.filter(
        centre=centre, is_active=True, agency_id__in=list(by_agency)
    ).select_related("user", "agency")
    for agency_id, items in by_agency.items():
        people = [m.user for m in agency_people if m.agency_id == agency_id]
        sent += notify.send(
            to=people,
            subject=notify.subject(
                centre, _("Danh sách trực của %(a)s %(p)s") % {"a": items[0].agency, "p": period}
            ),
            body="\n".join(notify.line(a) for a in items),
        )
    return sent


def schedule_checkin_watch(*, assignment_id: int) -> None:
    """Store the missed-check-in alert with its due time: start + grace (issue 4 item 6)."""
    from chihuy.roster.models import Assignment, RosterSettings

    a = Assignment.objects.filter(pk=assignment_id).first()
    if a is None or not supports_defer():
        return
    settings_obj = RosterSettings.objects.filter(centre_id=a.centre_id).first()
    grace = dt.timedelta(minutes=settings_obj.checkin_grace_minutes if settings_obj else 15)
    due = a.start + grace
    if due <= timezone.now():
        return
    checkin_missed_alert.using(run_after=due).enqueue(assignment_id)


def schedule_checkin_watches(*, roster_id: int) -> None:
    from chihuy.roster.choices import DutyRole
    from chihuy.roster.models import Assignment

    if not supports_defer():
        log.warning("Task backend cannot defer: missed-check-in alerts are not scheduled.")
        return
    ids = Assignment.objects.filter(
        roster_id=roster_id, role=DutyRole.PRIMARY, start__gt=timezone.now() - dt.timedelta(minutes=15)
    ).values_list("pk", flat=True)
    for pk in ids:
        schedule_checkin_watch(assignment_id=pk)


@task()
def checkin_missed_alert(assignment_id: int) -> bool:
    """No check-in by start + grace: tell the backup officer and the standing unit, once."""
    from chihuy.roster.choices import DutyRole
    from chihuy.roster.models import Assignment, CheckIn, RosterSettings

    a = (
        Assignment.objects.select_related("centre", "member__user", "roster", "agency")
        .filter(pk=assignment_id)
        .first()
    )
    if a is None or not a.roster.is_published:
        return False
    settings_obj = RosterSettings.objects.filter(centre=a.centre).first()
    grace = dt.timedelta(minutes=settings_obj.checkin_grace_minutes if settings_obj else 15)
    now = timezone.now()
    if now < a.start + grace or now >= a.end or CheckIn.objects.filter(assignment=a).exists():
        return False
    with transaction.atomic():
        # The conditional update is the idempotency key: a second run finds it set.
        if not Assignment.objects.filter(pk=a.pk, missed_alert_at__isnull=True).update(missed_alert_at=now):
            return False
    backups = [
        b.member.user
        for b in Assignment.objects.filter(
            centre=a.centre,
            role=DutyRole.BACKUP,
            agency=a.agency,
            roster__status=a.roster.status,
            start__lte=a.start + grace,
            end__gt=a.start + grace,
        ).select_related("member__user")
    ]
    notify.send(
        to=backups + notify.standing_users(a.centre),
        subject=notify.subject(a.centre, _("Chưa điểm danh ca trực")),
        body=_(
            "%(name)s chưa điểm danh ca trực bắt đầu lúc %(start)s (%(agency)s). "
            "Cán bộ dự phòng đề nghị đến thay ngay; bộ phận thường trực kiểm tra."
        )
        % {
            "name": a.member.user,
            "start": timezone.localtime(a.start).strftime("%H:%M %d/%m/%Y"),
            "agency": a.agency or _("trực chỉ huy"),
        },
    )
    return True


@task()
def coverage_gaps_notify(centre_id: int) -> int:
    """Tell the standing unit, once a day, about slots without a primary in the next 14 days."""
    from chihuy.centres.models import Centre
    from chihuy.roster.coverage import coverage_gaps
    from chihuy.roster.models import RosterSettings

    centre = Centre.objects.filter(pk=centre_id).first()
    if centre is None:
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        settings_obj = RosterSettings.objects.select_for_update().filter(centre=centre).first()
        if settings_obj is None or settings_obj.gaps_notified_on == today:
            return 0
        gaps = coverage_gaps(centre=centre)
        settings_obj.gaps_notified_on = today
        settings_obj.save(update_fields=["gaps_notified_on"])
    if not gaps:
        return 0
    lines = [
        f"{timezone.localtime(g.start):%H:%M %d/%m} – {timezone.localtime(g.end):%H:%M %d/%m}: "
        f"{g.agency or _('Trực chỉ huy')} (thiếu {g.missing})"
        for g in gaps
    ]
    notify.send(
        to=notify.standing_users(centre),
        subject=notify.subject(
            centre, _("%(n)d vị trí trực chưa có người trong 14 ngày tới") % {"n": len(gaps)}
        ),
        body="\n".join(lines),
    )
    return len(gaps)


@task()
def coverage_gaps_daily() -> int:
    """Fan out the daily gap notice to every centre with a roster set-up, then book tomorrow's run."""
    from chihuy.roster.calendar import local_tz
    from chihuy.roster.models import RosterSettings

    ids = list(RosterSettings.objects.values_list("centre_id", flat=True))
    for centre_id in ids:
        coverage_gaps_notify.enqueue(centre_id)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    next_run = dt.datetime.combine(tomorrow, dt.time(7), tzinfo=local_tz())
    ensure_pending(coverage_gaps_daily, run_after=next_run)
    return len(ids)


@task()
def swap_notify(swap_id: int) -> int:
    from chihuy.roster.choices import SwapStatus
    from chihuy.roster.models import SwapRequest

    swap = (
        SwapRequest.objects.select_related(
            "assignment__centre",
            "assignment__member__user",
            "assignment__agency",
            "requester__user",
            "counterpart__user",
        )
        .filter(pk=swap_id)
        .first()
    )
    if swap is None:
        return 0
    centre = swap.assignment.centre
    if swap.status == SwapStatus.REQUESTED:
        to = [swap.counterpart.user]
    elif swap.status == SwapStatus.ACCEPTED:
        to = notify.leader_users(centre)
    else:
        to = [swap.requester.user, swap.counterpart.user]
    return notify.send(
        to=to,
        subject=notify.subject(centre, _("Đổi ca: %(s)s") % {"s": swap.get_status_display()}),
        body=_("%(who)s đề nghị %(to)s nhận ca %(line)s.")
        % {"who": swap.requester.user, "to": swap.counterpart.user, "line": notify.line(swap.assignment)},
    )


@task()
def takeover_notify(assignment_id: int) -> int:
    from chihuy.roster.models import Assignment

    a = Assignment.objects.select_related("centre", "member__user", "agency").filter(pk=assignment_id).first()
    if a is None:
        return 0
    return notify.send(
        to=notify.standing_users(a.centre) + notify.leader_users(a.centre),
        subject=notify.subject(a.centre, _("Nhận ca khẩn cấp")),
        body=notify.line(a) + "\n" + a.override_reason,
    )
