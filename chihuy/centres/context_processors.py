from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chihuy.centres.middleware import my_centres


def active_centre(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"active_centre": getattr(request, "centre", None), "my_centres": my_centres(user)}
