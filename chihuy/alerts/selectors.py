"""Reads of alerts, already restricted to what the user may see (R3)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from django.db.models import Max, Prefetch, QuerySet

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
BACKLOG_LIMIT = 20  # events a newly opened tab is shown at most


class StreamBatch(NamedTuple):
    """What one read of the open streams found."""

    events: dict[int, list[dict[str, Any]]]  # user id -> new events, oldest first
    backlog: dict[int, list[dict[str, Any]]]  # fresh user id -> events still waiting, oldest first
    start_after: int  # where a stream that just opened goes on from
    scanned_to: int  # every stream in ``after`` has now seen all it gets up to this id
    more: bool  # the read was cut at its limit: read again at once


def stream_batch(
    *, after: dict[int, int], fresh: set[int] | frozenset[int] = frozenset(), limit: int = 2000
) -> StreamBatch:
    """One read for every open stream of a server process (R3): a fixed number of queries.

    ``after`` maps users with open streams to the lowest event id their streams have seen; each
    gets its in-app deliveries after that (one indexed range scan for all of them). ``fresh``
    users just opened a tab: they get the latest event of each alert still waiting, so a
    reload never hides one, and go on from ``start_after``, taken before that read so that an
    event written meanwhile comes once, by the next read.
    """
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    backlog: dict[int, list[dict[str, Any]]] = defaultdict(list)
    start_after = scanned_to = 0
    more = False
    if fresh:
        start_after = AlertDelivery.objects.aggregate(top=Max("id"))["top"] or 0
        rows = (
            AlertDelivery.objects.filter(
                user_id__in=fresh,
                channel=Channel.IN_APP,
                id__lte=start_after,
                alert__status__in=[AlertStatus.OPEN, AlertStatus.EXHAUSTED],
            )
            .select_related(*_EVENT_RELATED)
            .order_by("-id")[: BACKLOG_LIMIT * 5 * len(fresh)]
        )
        seen: set[tuple[int, int]] = set()
        for delivery in rows:
            key = (delivery.user_id, delivery.alert_id)
            if key not in seen and len(backlog[delivery.user_id]) < BACKLOG_LIMIT:
                seen.add(key)
                backlog[delivery.user_id].append(_event(delivery))
        for user_events in backlog.values():
            user_events.reverse()
    if after:
        rows = (
            AlertDelivery.objects.filter(
                user_id__in=list(after), channel=Channel.IN_APP, id__gt=min(after.values())
            )
            .select_related(*_EVENT_RELATED)
            .order_by("id")[:limit]
        )
        count = 0
        for delivery in rows:
            count += 1
            scanned_to = delivery.pk
            if delivery.pk > after[delivery.user_id]:
                events[delivery.user_id].append(_event(delivery))
        more = count == limit
    return StreamBatch(dict(events), dict(backlog), start_after, scanned_to, more)


def acknowledged_among(*, alert_ids: list[int]) -> list[int]:
    if not alert_ids:
        return []
    return list(
        Alert.objects.filter(pk__in=alert_ids, status=AlertStatus.ACKNOWLEDGED).values_list("pk", flat=True)
    )
