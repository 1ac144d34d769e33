"""Reads of notifications (a person only ever sees his own) and of the channels they travel on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

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


def centre_channels(*, centre: Any) -> Sequence[str]:
    """The channels a notice to a centre's people travels on: the ones the centre chose for its
    urgent alerts (``AlertPolicy.channels()``: in-app always, then e-mail, SMS and Zalo OA when
    enabled; R3, R4), or the defaults of a notice when it has no policy. One query; a batch over
    many centres reads their policies together instead (``chihuy.reports.reminders.CentreChannels``).
    """
    from chihuy.alerts.models import AlertPolicy
    from chihuy.notifications.choices import DEFAULT_CHANNELS

    policy = AlertPolicy.objects.filter(centre=centre).first()
    return policy.channels() if policy is not None else DEFAULT_CHANNELS
