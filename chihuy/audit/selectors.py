from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chihuy.audit.models import AuditEntry


def audit_entries_for_user(*, user: Any, centre: Any | None = None) -> QuerySet[AuditEntry]:
    """The audit log a user may browse: the subtree of centres where he is commander or deputy.

    With ``centre`` the result is narrowed to that centre's subtree (which must be visible).
    """
    from chihuy.centres.access import Action, centres_where

    qs = AuditEntry.objects.select_related("content_type").order_by("-at", "-id")
    if user.is_superuser:
        roots = None
    else:
        roots = list(centres_where(user, Action.VIEW_AUDIT).values_list("path", flat=True))
        if not roots:
            return qs.none()
    if centre is not None:
        if roots is not None and not any(centre.path.startswith(r) for r in roots):
            return qs.none()
        return qs.filter(centre_path__startswith=centre.path)
    if roots is None:
        return qs
    cond = Q()
    for root in roots:
        cond |= Q(centre_path__startswith=root)
    return qs.filter(cond)
