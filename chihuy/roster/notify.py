"""E-mails of the roster. Called from tasks, after the transaction that caused them commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.choices import Role


def _fmt(value: Any) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def line(a: Any) -> str:
    agency = f" – {a.agency}" if a.agency_id else ""
    return f"{_fmt(a.start)} → {_fmt(a.end)}: {a.get_role_display()}{agency}: {a.member.user}"


def send(*, to: Iterable[Any], subject: str, body: str) -> int:
    """Send one message per user with an e-mail address; returns how many were sent."""
    sent = 0
    seen: set[str] = set()
    for user in to:
        email = getattr(user, "email", "")
        if not email or email in seen:
            continue
        seen.add(email)
        EmailMessage(subject=subject, body=body, to=[email]).send()
        sent += 1
    return sent


def standing_users(centre: Any) -> list[Any]:
    from chihuy.centres.models import Member

    return [
        m.user
        for m in Member.objects.filter(centre=centre, is_active=True, role=Role.STANDING).select_related(
            "user"
        )
    ]


def leader_users(centre: Any) -> list[Any]:
    from chihuy.centres.models import Member

    return [
        m.user
        for m in Member.objects.filter(
            centre=centre, is_active=True, role__in=[Role.COMMANDER, Role.DEPUTY]
        ).select_related("user")
    ]


def subject(centre: Any, text: str) -> str:
    return _("[%(centre)s] %(text)s") % {"centre": centre.short_code, "text": text}
