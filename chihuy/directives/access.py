"""Who may do what with tasks, built on the one permission layer (``chihuy.centres.access``).

Seeing (R10, R12): the assigning centre and its ancestors see a task and all its
assignments; an assigned child centre sees the task and only its own assignment; a
sibling sees nothing (404). Acting: the assigning centre's staff give and change tasks;
an assignment is carried out by the assigned centre's people, the assigned member, or
the assigned agency's people (403 for anyone else who can see it).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from chihuy.centres.access import has_role_at, is_active_user, memberships, roles_at
from chihuy.centres.choices import CentreStatus, Role


class TaskAction(StrEnum):
    VIEW = "view"
    ASSIGN = "assign"  # give a task, change it, assign an escalated one
    UPDATE = "update"  # accept, report progress, done, cannot, escalate


ASSIGNER_ROLES = frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING})


def can_assign(user: Any, centre: Any) -> bool:
    """Whether ``user`` may give tasks on behalf of ``centre``."""
    return has_role_at(user, centre, ASSIGNER_ROLES)


def can_update(user: Any, assignment: Any) -> bool:
    """Whether ``user`` may report on ``assignment`` (accept, progress, done, cannot, escalate)."""
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    if assignment.assignee_centre_id is not None:
        return assignment.assignee_centre.status != CentreStatus.DISSOLVED and bool(
            roles_at(user, assignment.assignee_centre)
        )
    task = assignment.task
    if task.centre.status == CentreStatus.DISSOLVED:
        return False
    if roles_at(user, task.centre) & ASSIGNER_ROLES:
        return True
    if assignment.assignee_member_id is not None:
        return bool(assignment.assignee_member.user_id == user.pk)
    return any(
        m.centre_id == task.centre_id and m.agency_id == assignment.assignee_agency_id
        for m in memberships(user)
    )


def require_assign(user: Any, centre: Any) -> None:
    if not can_assign(user, centre):
        raise PermissionDenied(
            _("Chỉ chỉ huy trưởng, phó chỉ huy trưởng hoặc bộ phận thường trực giao nhiệm vụ.")
        )


def require_update(user: Any, assignment: Any) -> None:
    if not can_update(user, assignment):
        if assignment.assignee_centre_id is not None:
            raise PermissionDenied(
                _("Phần việc này giao cho %(centre)s; chỉ cán bộ của trung tâm đó được cập nhật.")
                % {"centre": assignment.assignee_centre}
            )
        raise PermissionDenied(_("Bạn không phải người được giao nhiệm vụ này."))


def access_task(user: Any, queryset: QuerySet[Any], pk: Any, action: TaskAction = TaskAction.VIEW) -> Any:
    """One task: 404 when not visible, 403 when the user may not do ``action``."""
    try:
        task = queryset.visible_to(user).get(pk=pk)  # type: ignore[attr-defined]
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy nhiệm vụ.")) from exc
    if action == TaskAction.ASSIGN:
        require_assign(user, task.centre)
    return task


def access_assignment(
    user: Any, queryset: QuerySet[Any], pk: Any, action: TaskAction = TaskAction.VIEW
) -> Any:
    """One assignment: 404 when not visible (a sibling's), 403 when the user may not update it."""
    try:
        assignment = queryset.visible_to(user).get(pk=pk)  # type: ignore[attr-defined]
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy phần việc được giao.")) from exc
    if action == TaskAction.UPDATE:
        require_update(user, assignment)
    elif action == TaskAction.ASSIGN:
        require_assign(user, assignment.task.centre)
    return assignment
