"""Who may do what with briefings, built on the one permission layer (``chihuy.centres.access``).

Seeing: the centre rule (a centre's briefings are visible to it and to the centres above),
plus a briefing the user's own centre joins as a bridge point or that he attends
(``Briefing.objects.visible_to``). Not visible → 404.

Acting (visible but not allowed → 403):
- ORGANISE: prepare the meeting, its participants at headquarters, attendance, agenda and
  minutes: commander, deputies and the standing unit of the briefing's centre, and the chair.
- DECIDE: the commander's decisions: approve or refuse an absence (R10), override a late
  venue or time change (R5), seat members at headquarters or ward points (R26): the
  commander of the briefing's centre, or the chair of that briefing.
- CHILD_POINT: choose who attends at a child centre's point (R12): that child centre's
  commander, deputies and standing unit.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chihuy.centres.access import has_role_at, is_active_user, roles_at
from chihuy.centres.choices import CentreStatus, Role


class BriefingAction(StrEnum):
    VIEW = "view"
    ORGANISE = "organise"
    DECIDE = "decide"


ORGANISER_ROLES = frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING})
CHILD_POINT_ROLES = frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING})


def can_schedule(user: Any, centre: Any) -> bool:
    """Create ad-hoc briefings and edit the centre's briefing settings."""
    return has_role_at(user, centre, ORGANISER_ROLES)


def can_briefing(user: Any, briefing: Any, action: BriefingAction) -> bool:
    if action == BriefingAction.VIEW:
        return True  # the caller fetched it through visible_to
    if not is_active_user(user) or briefing.centre.status == CentreStatus.DISSOLVED:
        return False
    if user.is_superuser:
        return True
    roles = roles_at(user, briefing.centre)
    is_chair = briefing.chair_id is not None and briefing.chair_id == user.pk
    if action == BriefingAction.ORGANISE:
        return is_chair or bool(roles & ORGANISER_ROLES)
    return is_chair or Role.COMMANDER in roles


def can_choose_at_point(user: Any, point: Any) -> bool:
    """R12: the child centre's own staff choose who sits at its point."""
    if not is_active_user(user) or point.centre_id is None:
        return False
    return bool(user.is_superuser or roles_at(user, point.centre) & CHILD_POINT_ROLES)


def require_briefing(user: Any, briefing: Any, action: BriefingAction) -> None:
    if not can_briefing(user, briefing, action):
        raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))


def access_briefing(
    user: Any, queryset: QuerySet[Any], pk: Any, action: BriefingAction = BriefingAction.VIEW
) -> Any:
    """One briefing for ``action``: 404 when not visible, 403 when the role does not allow it."""
    try:
        briefing = queryset.visible_to(user).get(pk=pk)  # type: ignore[attr-defined]
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy cuộc họp.")) from exc
    require_briefing(user, briefing, action)
    return briefing
