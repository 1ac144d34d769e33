"""What every briefing service shares: local times, the audit actor, notices, open checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.briefings.choices import (
    BriefingStatus,
)
from chihuy.briefings.models import (
    Briefing,
)
from chihuy.centres.choices import CentreStatus, Role
from chihuy.centres.models import Centre
from chihuy.core.actor import acting_as, current_actor

# Roles seated at the centre's own point by default: the command and its members (R10).
# Duty officers keep the hotline during the meeting; the commander may add them.
ATTENDING_ROLES = (Role.COMMANDER, Role.DEPUTY, Role.MEMBER, Role.STANDING)
# Attendance is taken from a little before the start (people arriving).
ATTENDANCE_OPENS = dt.timedelta(minutes=30)
_ROLE_RANK = {Role.COMMANDER: 0, Role.DEPUTY: 1, Role.MEMBER: 2, Role.STANDING: 3, Role.DUTY_OFFICER: 4}


def local_dt(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def fmt(when: dt.datetime) -> str:
    return f"{timezone.localtime(when):%H:%M %d/%m/%Y}"


def _acting(actor: Any) -> AbstractContextManager[None]:
    """Attribute the audit entries to ``actor`` when no request has set one."""
    if actor is not None and current_actor() is None:
        return acting_as(actor)
    return nullcontext()


def _url(briefing: Briefing) -> str:
    return reverse("briefings:detail", args=[briefing.pk])


def notify(*, users: Iterable[Any], subject: str, body: str, url: str, centre: Centre, kind: str) -> int:
    """Every notice of this app goes through the shared mechanism (in-app, e-mail, SMS/Zalo)."""
    from chihuy.notifications.services import notify_users

    return notify_users(
        users=users, subject=subject, body=body, url=url, centre=centre, kind=f"briefing.{kind}"
    )


def _participant_users(briefing: Briefing) -> list[Any]:
    return [p.user for p in briefing.participants.select_related("user").order_by("id")]


def _check_centre_open(centre: Centre) -> None:
    if centre.status == CentreStatus.DISSOLVED:
        raise ValidationError(_("Trung tâm đã giải thể, không tổ chức họp được nữa."))


def _check_open(briefing: Briefing) -> None:
    if briefing.status == BriefingStatus.CANCELLED:
        raise ValidationError(_("Cuộc họp đã huỷ."))
    if briefing.status == BriefingStatus.HELD:
        raise ValidationError(_("Cuộc họp đã kết thúc và biên bản đã phát hành; không sửa được nữa."))
