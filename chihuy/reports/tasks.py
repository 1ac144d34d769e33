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

from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone

from chihuy.core.actor import acting_as
from chihuy.core.periodic import supports_defer

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
    """Keep one reminder task waiting for the next due time; returns that time, or None."""
    from django_tasks_db.models import DBTaskResult

    from chihuy.reports.reminders import next_reminder_at

    if not supports_defer():
        return None
    path = reports_reminders_task.module_path
    due = next_reminder_at()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [path])
        waiting = DBTaskResult.objects.filter(task_path=path, status="READY")
        if waiting.filter(run_after__lte=due).exists():
            return due
        # A waiting task booked later than ``due`` (a deadline moved earlier) stays: it is harmless.
        reports_reminders_task.using(run_after=due).enqueue()
    log.info("reports reminders booked for %s (from task: %s)", timezone.localtime(due), from_task)
    return due
