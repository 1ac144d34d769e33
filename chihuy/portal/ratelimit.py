"""A per-IP counter in Django's cache for the public pages, which have no login to throttle on.

Fixed windows: the first hit opens a window of ``window`` seconds; hits beyond ``limit``
inside it are refused. The count is ``chihuy.core.ratelimit.count_hit``: shared by every web
process (Redis with ``REDIS_URL``, the database cache without it or while Redis is down).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from chihuy.core.ratelimit import count_hit


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds


# Issue 3 §9: 5 reports per 10 minutes per address; look-ups are capped against guessing codes.
REPORT = Limit("report", 5, 600)
STATUS = Limit("status", 10, 600)
PLACES = Limit("places", 60, 60)


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a
    # trusted proxy rewrites it, and the proxy is then the one to set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(request: HttpRequest, limit: Limit) -> bool:
    """Count this request; True when it is beyond the limit for its address."""
    return count_hit(f"portal:rl:{limit.scope}:{client_ip(request)}", limit.window) > limit.limit
