"""Who hears about a task, and the one call that tells them (the shared ``notify_users``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from chihuy.centres.choices import Role
from chihuy.centres.models import Member

KIND = "directive"
_CENTRE_STAFF = (Role.COMMANDER, Role.DEPUTY, Role.STANDING)


def send(
    *,
    users: Iterable[Any],
    subject: str,
    body: str,
    task: Any,
    centre: Any,
    channels: Sequence[str] | None = None,
) -> int:
    from chihuy.notifications.services import notify_users

    return notify_users(
        users=users,
        subject=subject,
        body=body,
        url=reverse("directives:detail", args=[task.pk]),
        centre=centre,
        kind=KIND,
        channels=channels,
    )


def staff_users(centre: Any) -> list[Any]:
    return [
        m.user
        for m in Member.objects.filter(centre=centre, is_active=True, role__in=_CENTRE_STAFF).select_related(
            "user"
        )
    ]


def assignee_users(assignment: Any) -> list[Any]:
    """The people who carry out ``assignment``: the member; the agency's people; the centre's staff."""
    if assignment.assignee_member_id is not None:
        return [assignment.assignee_member.user]
    if assignment.assignee_agency_id is not None:
        return [
            m.user
            for m in Member.objects.filter(
                centre_id=assignment.task.centre_id, agency_id=assignment.assignee_agency_id, is_active=True
            ).select_related("user")
        ]
    return staff_users(assignment.assignee_centre)


def assigner_users(task: Any) -> list[Any]:
    """Who gave the task: its author, or the assigning centre's staff when he is unknown."""
    if task.created_by_id is not None and task.created_by.is_active:
        return [task.created_by]
    return staff_users(task.centre)


def subject(centre: Any, text: str) -> str:
    return _("[%(code)s] %(text)s") % {"code": centre.short_code, "text": text}
