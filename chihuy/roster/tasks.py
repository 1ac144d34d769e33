"""Background work of the roster: thin, idempotent, safe to run twice (STYLE 7).

The notices of what a person does (publication, swaps, take-over) are written by the services
in their own transaction; the tasks here are the ones time triggers (a missed check-in, the
daily gap list), each claiming its run and writing its notices in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from chihuy.core.periodic import ensure_pending, supports_defer
from chihuy.roster import notify

log = logging.getLogger(__name__)


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
        # The conditional update is the idempotency key: a second run finds it set, and the
        # notices are written in the same transaction, so they exist exactly when it is set.
        if not Assignment.objects.filter(pk=a.pk, missed_alert_at__isnull=True).update(missed_alert_at=now):
            return False
        notify.checkin_missed(assignment=a, at=a.start + grace)
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
        notify.coverage_gaps(centre=centre, gaps=gaps)
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
