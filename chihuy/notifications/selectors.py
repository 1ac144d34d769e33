"""Reads of notifications. A person only ever sees his own."""

from __future__ import annotations

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
