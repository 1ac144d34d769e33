"""Background work of alerts. Thin and idempotent: each task only wakes a service that
re-reads the deadlines from the database (R3; crash safety). They run on their own queue and
worker (``conf.QUEUE``), never behind bulk notices."""

from __future__ import annotations

from django.tasks import task

from chihuy.alerts.conf import QUEUE
from chihuy.core.actor import acting_as


@task(priority=50, queue_name=QUEUE)
def alert_escalate_task(alert_id: int | None = None) -> int:
    """Runs when a step falls due; fires whatever is due, not only that alert's step.

    Then makes sure a run waits for the next unfired step of any alert: a run cut off after
    firing (its worker killed before it queued the next wake-up) is run again by the worker
    recovery, fires nothing, and still leaves the chain awake."""
    from chihuy.alerts.services import alert_escalate_due, schedule_auditor, schedule_escalation

    with acting_as(None):
        fired = alert_escalate_due()
    schedule_escalation()
    schedule_auditor()
    return len(fired)


@task(priority=40, queue_name=QUEUE)
def alert_deliver_task(step_ids: list[int] | None = None) -> int:
    from chihuy.alerts.services import alert_deliver_pending

    return alert_deliver_pending(step_ids=step_ids)


@task(priority=30, queue_name=QUEUE)
def alert_audit_task() -> dict[str, int]:
    """The periodic auditor: fixes what a crash left behind, then queues its next run."""
    from chihuy.alerts.services import alert_audit, schedule_auditor

    try:
        return alert_audit()
    finally:
        schedule_auditor(from_auditor=True)
