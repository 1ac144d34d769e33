from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from chihuy.centres.access import memberships

SESSION_KEY = "chihuy_active_centre"


def my_centres(user: Any) -> list[Any]:
    """The distinct centres where the user holds a role, in tree order."""
    seen: dict[int, Any] = {}
    for m in memberships(user):
        seen.setdefault(m.centre_id, m.centre)
    return list(seen.values())


class ActiveCentreMiddleware:
    """Puts the centre the user is working in on ``request.centre`` (the centre switcher).

    The choice is kept in the session and is always one of the user's own centres.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.centre = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            centres = my_centres(user)
            wanted = request.session.get(SESSION_KEY)
            chosen = next((c for c in centres if c.pk == wanted), centres[0] if centres else None)
            request.centre = chosen  # type: ignore[attr-defined]
        return self.get_response(request)
