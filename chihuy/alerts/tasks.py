"""Background work of alerts. Thin and idempotent: each task only wakes a service that
re-reads the deadlines from the database (R3; crash safety)."""

from __future__ import annotations

from django.tasks import task

from chihuy.core.actor import acting_as


@task(priority=50)
def alert_escalate_task(alert_id: int | None = None) -> int:
    """Runs when a step falls due; fires whatever is due, not only that alert's step."""
    from chihuy.alerts.services import alert_escalate_due, schedule_auditor

    with acting_as(None):
        fired = alert_escalate_due()
    schedule_auditor()
    return len(fired)


@task(priority=40)
def alert_deliver_task(step_ids: list[int] | None = None) -> int:
    from chihuy.alerts.services import alert_deliver_pending

    return alert_deliver_pending(step_ids=step_ids)


@task(priority=30)
def alert_audit_task() -> dict[str, int]:
    """The periodic auditor: fixes what a crash left behind, then queues its next run."""
    from chihuy.alerts.services import alert_audit, schedule_auditor

    try:
        return alert_audit()
    finally:
        schedule_auditor(from_auditor=True)
