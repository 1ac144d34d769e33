"""Jurisdiction pickers: a thin view over ``selectors.jurisdiction_search`` (R14)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chihuy.jurisdictions.choices import Level, Structure
from chihuy.jurisdictions.selectors import jurisdiction_search

AUTOCOMPLETE_LIMIT = 20
# ?structure=all searches both structures (e.g. to find a pre-2025 address).
ALL_STRUCTURES = "all"


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", "")


def _structure(value: str | None) -> str | None:
    if value == ALL_STRUCTURES:
        return None
    return value if value in Structure.values else Structure.CURRENT


def _level(value: str | None) -> int | None:
    try:
        level = int(value or "")
    except ValueError:
        return None
    return level if level in Level.values else None


@require_GET
def autocomplete(request: HttpRequest) -> HttpResponse:
    """Units matching ``q``, as JSON for scripts or as ``<li role="option">`` items for HTMX."""
    wants_json = _wants_json(request)
    if not request.user.is_authenticated:
        if wants_json:
            return JsonResponse({"detail": _("Bạn cần đăng nhập.")}, status=401)
        return redirect_to_login(request.get_full_path())

    query = request.GET.get("q", "").strip()
    units = (
        jurisdiction_search(
            query=query,
            structure=_structure(request.GET.get("structure")),
            level=_level(request.GET.get("level")),
            limit=AUTOCOMPLETE_LIMIT,
        )
        if query
        else []
    )
    if wants_json:
        results = [
            {
                "id": u.pk,
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "label": u.label_with_parent,
                "structure": u.structure,
                "level": u.level,
            }
            for u in units
        ]
        return JsonResponse({"results": results})
    return render(request, "jurisdictions/_results.html", {"units": units, "query": query})
