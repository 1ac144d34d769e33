"""Counting hits in fixed windows, in the cache, for the rate limits (API throttle, public pages).

The count is an atomic increment on every backend ChiHuy configures (Redis, or the database
cache of ``chihuy.core.cache``), so concurrent requests in different web processes are all
counted: a limit holds across the processes sharing the cache.
"""

from __future__ import annotations

from django.core.cache import cache


def count_hit(key: str, window: int) -> int:
    """Add one to the counter ``key``, opening it for ``window`` seconds if there is none.

    Returns the count including this hit.
    """
    try:
        return cache.incr(key)
    except ValueError:  # no open counter
        pass
    if cache.add(key, 1, timeout=window):
        return 1
    try:  # another request opened it just now
        return cache.incr(key)
    except ValueError:  # ...and it has already expired
        cache.set(key, 1, timeout=window)
        return 1
