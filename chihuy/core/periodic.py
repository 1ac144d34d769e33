"""Time-based jobs that must always have exactly one run waiting in the durable queue.

Daily notices (coverage gaps at 07:00, report reminders at 16:00/16:45/17:00, task
reminders…) are stored as task rows with their due time (``run_after``), so a restart loses
nothing. Each such job re-books its next run when it finishes; ``ensure_pending`` books the
first one, and is safe to call at every start: it does nothing when a run is already waiting
(a PostgreSQL advisory lock keeps two starting workers from booking twice).

Apps list their jobs in ``PERIODIC_JOBS`` below as ``(task path, first due time)``, or in
``SELF_SCHEDULING`` when their next due time depends on data;
``manage.py schedule_jobs`` (run by ``make run`` and at deploy) books whatever is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.tasks import default_task_backend
from django.utils import timezone
from django.utils.module_loading import import_string


def supports_defer() -> bool:
    return bool(getattr(default_task_backend, "supports_defer", False))


def next_local(at: dt.time, *, now: dt.datetime | None = None) -> dt.datetime:
    """The next occurrence of a local wall-clock time (Asia/Ho_Chi_Minh), as an aware datetime."""
    now = timezone.localtime(now or timezone.now())
    due = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if due <= now:
        due = timezone.localtime(due + dt.timedelta(days=1)).replace(hour=at.hour, minute=at.minute)
    return due


def ensure_pending(
    task_obj: Any,
    *,
    run_after: dt.datetime,
    args: tuple[Any, ...] = (),
    rebook_if_later: bool = False,
    stale_running_after: dt.timedelta | None = None,
) -> bool:
    """Book ``task_obj(*args)`` at ``run_after`` unless a run of it is already waiting.

    Returns True when it booked one. With a backend that cannot defer (tests' immediate
    backend) nothing is booked: the job would run at once instead of at its time.

    ``rebook_if_later``: a run waiting for a time after ``run_after`` does not count (its due
    time moved earlier), so another is booked for ``run_after``. The later run is left in
    place: woken, it finds nothing due and only re-books.

    ``stale_running_after``: a RUNNING run counts as waiting while it started less than this
    long ago, since it re-books itself when done; older, its worker is taken for dead and
    another run is booked. With None (the running job re-booking itself) RUNNING runs never
    count.
    """
    if not supports_defer():
        return False
    from django_tasks_db.models import DBTaskResult

    path = task_obj.module_path
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [path])
        ready = Q(status="READY")
        if rebook_if_later:
            ready &= Q(run_after__lte=run_after)
        alive = ready
        if stale_running_after is not None:
            alive |= Q(status="RUNNING", started_at__gte=timezone.now() - stale_running_after)
        waiting = DBTaskResult.objects.filter(alive, task_path=path)
        if args:
            waiting = waiting.filter(args_kwargs__args=list(args))
        if waiting.exists():
            return False
        task_obj.using(run_after=run_after).enqueue(*args)
    return True


# (task path, function giving the first due time). The tasks re-book themselves after each run.
PERIODIC_JOBS: list[tuple[str, Callable[[], dt.datetime]]] = [
    ("chihuy.roster.tasks.coverage_gaps_daily", lambda: next_local(dt.time(7, 0))),
    # Creates the coming days' regular briefings: at once on a first start, then every morning.
    ("chihuy.briefings.tasks.briefings_ensure_daily", lambda: timezone.now()),
    ("chihuy.directives.tasks.directives_sweep_task", lambda: timezone.now() + dt.timedelta(minutes=15)),
]


# Jobs whose next due time depends on data (alert steps, report deadlines): each app's own
# function works out the due time and calls ``ensure_pending`` with the options it needs; it
# is safe to call at every start.
SELF_SCHEDULING: list[str] = [
    "chihuy.alerts.services.schedule_auditor",
    "chihuy.reports.tasks.schedule_reminders",
]


def ensure_self_scheduling() -> None:
    """Book the data-driven jobs (the alert auditor, report reminders) if none waits.

    Every task worker calls this with its sweep (``chihuy.core.workers``), so a chain that a
    crash broke is revived within a lease period by a process that is always running, not by
    whichever request happened to commit next.
    """
    for path in SELF_SCHEDULING:
        import_string(path)()


def schedule_all() -> list[str]:
    """Book every periodic job that has no run waiting; returns the paths it booked."""
    ensure_self_scheduling()
    booked = []
    for path, first_due in PERIODIC_JOBS:
        if ensure_pending(import_string(path), run_after=first_due()):
            booked.append(path)
    return booked
