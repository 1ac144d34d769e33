"""Who may do what with daily reports, on top of the one permission layer (``chihuy.centres.access``).

Seeing follows the centre rule: a centre's own reports and those of the centres below it
(404 otherwise). Filing (draft, submit, amend) needs a desk role *at the reporting
centre*: a district reads its communes' reports but does not write them (403). The
powers of a receiving centre over its children's reporting (deadline, closing a day,
importing a sheet for them, the province's extra indicators) need a staff role there.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chihuy.centres.access import Action, access_centre, access_scoped, can, has_role_at
from chihuy.centres.choices import Role


class ReportAction(StrEnum):
    VIEW = "view"
    FILE = "file"  # draft, submit and amend the centre's own report
    MANAGE = "manage"  # deadline, close a day, import for children, template


REPORT_ROLES: dict[ReportAction, frozenset[str]] = {
    ReportAction.FILE: frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING, Role.DUTY_OFFICER}),
    ReportAction.MANAGE: frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING}),
}
# Who is reminded to file, and who receives the list of missing reports.
FILER_ROLES = REPORT_ROLES[ReportAction.FILE]


def can_report(user: Any, centre: Any, action: ReportAction) -> bool:
    """Whether ``user`` may do ``action`` at ``centre`` (which he can already see)."""
    if action == ReportAction.VIEW:
        return can(user, centre, Action.VIEW)
    return has_role_at(user, centre, REPORT_ROLES[action])


def require_report(user: Any, centre: Any, action: ReportAction) -> None:
    if not can_report(user, centre, action):
        raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))


def access_report_centre(user: Any, pk: Any, action: ReportAction = ReportAction.VIEW) -> Any:
    """A centre for a reports action: 404 when not visible, 403 when the role does not allow it."""
    centre = access_centre(user, pk)
    if action != ReportAction.VIEW:
        require_report(user, centre, action)
    return centre


def access_report(
    user: Any, queryset: QuerySet[Any], pk: Any, action: ReportAction = ReportAction.VIEW
) -> Any:
    report = access_scoped(user, queryset, pk, Action.VIEW)
    if action != ReportAction.VIEW:
        require_report(user, report.centre, action)
    return report
