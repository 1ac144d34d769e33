"""Writes of notifications: the one way any part of ChiHuy tells a person something.

Reminders of reports, briefing changes, task deadlines, roster publication… all call
``notify_users``. The in-app notice is written in the caller's transaction; the outside
channels (e-mail, and the SMS / Zalo OA webhooks the centre configured for alerts) are
delivered by a background task queued after commit, so a rolled-back action notifies nobody
and a slow mail server never slows the person who clicked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from chihuy.core.durable import enqueue_in_transaction
from chihuy.notifications.choices import DEFAULT_CHANNELS, OUTSIDE_CHANNELS, Channel
from chihuy.notifications.models import Notification

logger = logging.getLogger(__name__)


def notify_users(
    *,
    users: Iterable[Any],
    subject: str,
    body: str,
    url: str = "",
    centre: Any | None = None,
    kind: str = "",
    channels: Sequence[str] | None = None,
) -> int:
    """Notify each distinct active user once; returns how many were notified."""
    wanted = [str(c) for c in (channels if channels is not None else DEFAULT_CHANNELS)]
    unknown = set(wanted) - {c.value for c in Channel}
    if unknown:
        raise ValueError(f"unknown channels: {sorted(unknown)}")
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                user=user,
                centre=centre,
                kind=kind[:40],
                subject=subject[:250],
                body=body,
                url=url[:500],
                channels=wanted,
            )
        )
    if not rows:
        return 0
    created = Notification.objects.bulk_create(rows)
    outside = [c for c in wanted if c in OUTSIDE_CHANNELS]
    if outside:
        ids = [n.pk for n in created if n.pk is not None]
        if not ids:  # backends that do not return keys from bulk_create
            ids = list(
                Notification.objects.filter(user_id__in=seen, subject=subject[:250], kind=kind[:40])
                .order_by("-pk")
                .values_list("pk", flat=True)[: len(rows)]
            )
        # A task row of this transaction: the sends commit with the notices (issue 12).
        from chihuy.notifications.tasks import notification_deliver_task

        enqueue_in_transaction(notification_deliver_task, ids)
    return len(rows)


def _absolute(url: str) -> str:
    from django.conf import settings

    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") and base else url


def notification_deliver(*, ids: list[int]) -> dict[str, int]:
    """Send the outside channels of these notices that have not been sent yet (idempotent)."""
    from chihuy.alerts.adapters import AlertMessage, DeliveryError, get_adapter
    from chihuy.alerts.services import alert_policy_for

    counts = {"sent": 0, "failed": 0}
    policies: dict[int | None, Any] = {}
    for notice in Notification.objects.filter(pk__in=ids).select_related("user", "centre"):
        if notice.centre_id not in policies:
            policies[notice.centre_id] = alert_policy_for(centre=notice.centre) if notice.centre else None
        policy = policies[notice.centre_id]
        text = notice.body
        link = _absolute(notice.url)
        if link:
            text = f"{text}\n\n{link}" if text else link
        for channel in notice.channels:
            if channel not in OUTSIDE_CHANNELS:
                continue
            if (notice.deliveries.get(channel) or {}).get("status") == "sent":
                continue
            # The key names this notice on this channel, the same on a re-run after a crash.
            message = AlertMessage(
                alert_id=0,
                record_number="",
                category=notice.kind,
                subject=notice.subject,
                text=text,
                url=link,
                key=f"chihuy-notice-{notice.pk}-{channel}",
            )
            try:
                if channel != Channel.EMAIL and policy is None:
                    raise DeliveryError("Trung tâm chưa cấu hình kênh này.", permanent=True)
                receipt = get_adapter(channel).send(user=notice.user, message=message, policy=policy)
            except DeliveryError as exc:
                notice.deliveries[channel] = {
                    "status": "failed",
                    "at": timezone.now().isoformat(),
                    "error": str(exc),
                    "permanent": exc.permanent,
                }
                counts["failed"] += 1
            else:
                notice.deliveries[channel] = {
                    "status": "sent",
                    "at": timezone.now().isoformat(),
                    "error": "",
                    "receipt": receipt or "",
                }
                counts["sent"] += 1
            # Stored after each channel, so a re-run after a crash resends none that went out.
            Notification.objects.filter(pk=notice.pk).update(deliveries=notice.deliveries)
    return counts


def notification_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
