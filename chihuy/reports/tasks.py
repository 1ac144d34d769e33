"""Background work of the daily reports: thin and idempotent (STYLE 7).

One task waits in the queue for the next moment a reminder falls due (``run_after``),
sends whatever is due (``send_due_reminders`` claims each notice once in the database),
then books its next run. ``schedule_reminders`` is called when a deadline changes, by the
``reports_schedule`` command at start-up, and by the task itself, so the chain survives a
restart: a second waiting task would only find nothing left to send.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.tasks import task
from django.utils import timezone

from chihuy.core.actor import acting_as
from chihuy.core.periodic import ensure_pending, supports_defer

log = logging.getLogger(__name__)


@task(priority=30)
def reports_reminders_task() -> int:
    from chihuy.reports.reminders import send_due_reminders

    try:
        with acting_as(None):
            return len(send_due_reminders())
    finally:
        schedule_reminders(from_task=True)


def schedule_reminders(*, from_task: bool = False) -> dt.datetime | None:
    """Keep one reminder task waiting for the next due time; returns that time, or None.

    A deadline moved earlier books a run for the new time; the later one stays (harmless).
    """
    from chihuy.reports.reminders import next_reminder_at

    if not supports_defer():
        return None
    due = next_reminder_at()
    if ensure_pending(reports_reminders_task, run_after=due, rebook_if_later=True):
        log.info("reports reminders booked for %s (from task: %s)", timezone.localtime(due), from_task)
    return due
