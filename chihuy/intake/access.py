"""Who may do what in the logbook, built on the one permission layer (``chihuy.centres.access``).

Seeing a record follows the centre rule: a centre's own records and those of the centres
below it, never a sibling's (``visible_to``; 404 otherwise). Acting on a record needs a
role *at the record's centre*; a parent centre reads its communes' logbooks but does not
write in them (403).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chihuy.centres.access import Action, access_scoped, can, has_role_at
from chihuy.centres.choices import Role


class IntakeAction(StrEnum):
    VIEW = "view"
    LOG = "log"  # write a record, correct it, forward or escalate it
    HANDLE = "handle"  # change its status and result
    ASSIGN = "assign"  # name the member or agency who handles it
    MANAGE_ROUTING = "manage_routing"  # R16 rules, at the province


_DESK = frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING, Role.DUTY_OFFICER})
INTAKE_ROLES: dict[IntakeAction, frozenset[str]] = {
    IntakeAction.LOG: _DESK,
    IntakeAction.HANDLE: _DESK,
    IntakeAction.ASSIGN: frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING}),
    IntakeAction.MANAGE_ROUTING: frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING}),
}


def can_intake(user: Any, centre: Any, action: IntakeAction, record: Any = None) -> bool:
    """Whether ``user`` may do ``action`` at ``centre`` (which he can already see)."""
    if action == IntakeAction.VIEW:
        return can(user, centre, Action.VIEW)
    if has_role_at(user, centre, INTAKE_ROLES[action]):
        return True
    # A member handles what was assigned to him (R10: resolves what is within his authority).
    return (
        action == IntakeAction.HANDLE
        and record is not None
        and has_role_at(user, centre, {Role.MEMBER})
        and record.handler_member_id is not None
        and record.handler_member.user_id == user.pk
    )


def require_intake(user: Any, centre: Any, action: IntakeAction, record: Any = None) -> None:
    if not can_intake(user, centre, action, record):
        raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))


def access_intake(
    user: Any, queryset: QuerySet[Any], pk: Any, action: IntakeAction = IntakeAction.VIEW
) -> Any:
    """One record for ``action``: 404 when not visible, 403 when the role does not allow it."""
    record = access_scoped(user, queryset, pk, Action.VIEW)
    if action != IntakeAction.VIEW:
        require_intake(user, record.centre, action, record)
    return record


def desk_centre(user: Any, centre: Any) -> Any:
    """The centre whose logbook the user works in; 404 for someone with no centre."""
    if centre is None:
        raise Http404(_("Bạn chưa có vai trò tại trung tâm nào."))
    return centre
