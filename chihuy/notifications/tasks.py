"""Delivery of notices on outside channels; thin and idempotent (a re-run skips what was sent)."""

from __future__ import annotations

from django.tasks import task


@task(priority=20)
def notification_deliver_task(ids: list[int]) -> dict[str, int]:
    from chihuy.notifications.services import notification_deliver

    return notification_deliver(ids=ids)
