"""The unread count in the page header, rendered with the page (no extra request per page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from chihuy.notifications.selectors import notification_unread_count

    # A callable: the template calls it only where the badge is drawn.
    return {"notifications_unread": lambda: notification_unread_count(user=user)}
