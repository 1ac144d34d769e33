"""Background work of tasks and directives: reminders before the deadline and the overdue
notice, stored in the queue with their due time (django.tasks). Thin and idempotent: each
task only wakes a service that re-reads the deadline and the sent-flags (STYLE 7)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.tasks import task
from django.utils import timezone

from chihuy.core.actor import acting_as
from chihuy.core.periodic import supports_defer

log = logging.getLogger(__name__)


@task()
def assignment_remind_task(assignment_id: int, lead: str) -> bool:
    from chihuy.directives.services import assignment_remind

    with acting_as(None):
        return assignment_remind(assignment_id=assignment_id, lead=lead)


@task()
def assignment_overdue_task(assignment_id: int) -> bool:
    from chihuy.directives.services import assignment_overdue

    with acting_as(None):
        return assignment_overdue(assignment_id=assignment_id)


SWEEP_EVERY = dt.timedelta(minutes=15)


@task()
def directives_sweep_task() -> int:
    """Catch-up for anything a stopped worker missed; re-books itself every 15 minutes
    (a periodic job of ``chihuy.core.periodic``)."""
    from chihuy.core.periodic import ensure_pending
    from chihuy.directives.services import directives_send_due

    try:
        with acting_as(None):
            return directives_send_due()
    finally:
        ensure_pending(directives_sweep_task, run_after=timezone.now() + SWEEP_EVERY)


def schedule_reminders(*, assignment: Any) -> int:
    """Queue the 24 h and 2 h reminders and the overdue check with their due times.

    Leads already past when the task is given are skipped (the assignee was just told).
    A moved deadline queues new ones; the old ones wake, find it is not their time, and stop.
    """
    from chihuy.directives.choices import CLOSED_STATUSES, REMINDER_LEADS

    if assignment.status in CLOSED_STATUSES:
        return 0
    if not supports_defer():
        log.warning("Task backend cannot defer: task reminders rely on directives_sweep_task.")
        return 0
    now = timezone.now()
    deadline = assignment.task.deadline
    queued = 0
    for lead, minutes in REMINDER_LEADS.items():
        due = deadline - dt.timedelta(minutes=minutes)
        if due > now:
            assignment_remind_task.using(run_after=due).enqueue(assignment.pk, lead)
            queued += 1
    if deadline > now:
        # A second past the deadline, so the overdue check never runs a hair early.
        assignment_overdue_task.using(run_after=deadline + dt.timedelta(seconds=1)).enqueue(assignment.pk)
        queued += 1
    return queued
