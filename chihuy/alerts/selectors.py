"""Reads of alerts, already restricted to what the user may see (R3)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from chihuy.alerts.choices import AlertStatus, Channel
from chihuy.alerts.models import Alert, AlertDelivery, AlertStep


def alerts_for_record(*, user: Any, record: Any) -> QuerySet[Alert]:
    """The record's alert with its whole chain, steps and delivery attempts, if the user may see it."""
    return (
        Alert.objects.visible_to(user)
        .filter(record=record)
        .select_related("acknowledged_by", "centre", "record")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=AlertStep.objects.select_related("centre")
                .prefetch_related(
                    "recipients",
                    Prefetch(
                        "deliveries", queryset=AlertDelivery.objects.select_related("user").order_by("id")
                    ),
                )
                .order_by("position"),
            )
        )
    )


def alerts_inbox(*, user: Any) -> QuerySet[Alert]:
    """Alerts still waiting for acknowledgement that reached the user or that he oversees."""
    return (
        Alert.objects.visible_to(user)
        .pending()
        .select_related("record", "centre")
        .order_by("-created_at", "-id")
    )


def _event(delivery: AlertDelivery) -> dict[str, Any]:
    from chihuy.alerts.services import _record_url

    alert = delivery.alert
    record = alert.record
    return {
        "id": delivery.pk,
        "alert": alert.pk,
        "status": alert.status,
        "record": record.number,
        "category": str(record.get_category_display()),
        "reason": record.urgency_reason,
        "content": record.content[:200],
        "centre": alert.centre.name,
        "step": str(delivery.step.get_kind_display()),
        "round": delivery.step.round,
        "url": _record_url(record),
        "fired_at": delivery.created_at.isoformat(),
    }


_EVENT_RELATED = ("alert__record", "alert__centre", "step")


def stream_events(*, user_id: int, after_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """In-app deliveries to the user after ``after_id``: one indexed range scan (user, channel, id)."""
    rows = (
        AlertDelivery.objects.filter(user_id=user_id, channel=Channel.IN_APP, id__gt=after_id)
        .select_related(*_EVENT_RELATED)
        .order_by("id")[:limit]
    )
    return [_event(d) for d in rows]


def stream_backlog(*, user_id: int, limit: int = 20) -> tuple[list[dict[str, Any]], int]:
    """For a tab that just opened: the latest event of each alert still waiting, and where to go on from."""
    last = (
        AlertDelivery.objects.filter(user_id=user_id, channel=Channel.IN_APP)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    ) or 0
    rows = (
        AlertDelivery.objects.filter(
            user_id=user_id,
            channel=Channel.IN_APP,
            alert__status__in=[AlertStatus.OPEN, AlertStatus.EXHAUSTED],
        )
        .select_related(*_EVENT_RELATED)
        .order_by("-id")[: limit * 5]
    )
    seen: set[int] = set()
    events = []
    for d in rows:
        if d.alert_id not in seen:
            seen.add(d.alert_id)
            events.append(_event(d))
    events.reverse()
    return events[-limit:], last


def acknowledged_among(*, alert_ids: list[int]) -> list[int]:
    if not alert_ids:
        return []
    return list(
        Alert.objects.filter(pk__in=alert_ids, status=AlertStatus.ACKNOWLEDGED).values_list("pk", flat=True)
    )
