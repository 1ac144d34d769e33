"""Reads of notifications (a person only ever sees his own) and of the channels they travel on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

from chihuy.notifications.models import Notification


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).select_related("centre")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_unread_count(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get(*, user: Any, pk: int) -> Notification:
    """404 for someone else's notice, the same as for one that does not exist."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Notification, pk=pk, user=user)


def channels_by_centre(*, where: Q) -> dict[int, Sequence[str]]:
    """The channels notices to each centre's people travel on, for the centres ``where`` picks
    (a Q on the alert policy) in one query: the ones the centre chose for its urgent alerts
    (``AlertPolicy.channels()``: in-app always, then e-mail, SMS and Zalo OA when enabled;
    R3, R4). A centre without a policy is absent: its notices use ``DEFAULT_CHANNELS``.
    """
    from chihuy.alerts.models import AlertPolicy

    return {p.centre_id: p.channels() for p in AlertPolicy.objects.filter(where)}


def centre_channels(*, centre: Any) -> Sequence[str]:
    """``channels_by_centre`` for one centre, with the default when it has no policy."""
    from chihuy.notifications.choices import DEFAULT_CHANNELS

    return channels_by_centre(where=Q(centre=centre)).get(centre.pk, DEFAULT_CHANNELS)
