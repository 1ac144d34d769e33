"""Background work of briefings: thin and idempotent (STYLE 7)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone

from chihuy.core.actor import acting_as
from chihuy.core.periodic import ensure_pending

# The daily run creates the coming days' regular briefings early in the morning.
DAILY_RUN_AT = dt.time(6, 0)


def _next_run() -> dt.datetime:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, DAILY_RUN_AT))


@task()
def briefings_ensure_daily(book_next: bool = True) -> int:
    """Create the upcoming regular briefings of every centre (a second run creates nothing),
    then book tomorrow's run when the backend can defer (as ``coverage_gaps_daily`` does)."""
    from chihuy.briefings.services import briefings_ensure_all

    with acting_as(None):
        created = briefings_ensure_all()
    if book_next:
        ensure_pending(briefings_ensure_daily, run_after=_next_run())
    return created


def schedule_daily() -> dt.datetime | None:
    """Book the daily run unless one is already waiting (run at start-up; safe to repeat)."""
    run_at = _next_run()
    return run_at if ensure_pending(briefings_ensure_daily, run_after=run_at) else None
