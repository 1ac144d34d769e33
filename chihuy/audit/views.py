from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chihuy.audit.selectors import audit_entries_for_user
from chihuy.centres.access import Action, access_centre, centres_where


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Commanders and deputies browse their subtree's change log (R14)."""
    if not centres_where(request.user, Action.VIEW_AUDIT).exists():
        raise PermissionDenied("Chỉ chỉ huy trưởng, phó chỉ huy trưởng xem được nhật ký thay đổi.")
    centre = None
    if request.GET.get("centre"):
        centre = access_centre(request.user, request.GET["centre"], Action.VIEW)
        if not request.user.is_superuser and not any(
            centre.path.startswith(c.path) for c in centres_where(request.user, Action.VIEW_AUDIT)
        ):
            raise PermissionDenied("Bạn không xem được nhật ký của trung tâm này.")
    entries = audit_entries_for_user(user=request.user, centre=centre)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/audit_list.html", {"page": page, "centre": centre})
