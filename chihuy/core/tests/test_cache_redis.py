"""REDIS_URL switches the cache to Redis; the client library is part of the locked install."""

from __future__ import annotations

import socket

import pytest
from django.core.cache.backends.redis import RedisCache


def _redis_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_redis_client_library_is_installed():
    import redis  # noqa: F401  (RedisCache imports it lazily; a missing install must fail here)


@pytest.mark.skipif(not _redis_listening(), reason="no Redis server on 127.0.0.1:6379")
def test_redis_cache_round_trip():
    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "chihuy-test"})
    cache.set("greeting", {"text": "Xin chào"}, timeout=30)
    assert cache.get("greeting") == {"text": "Xin chào"}
    cache.delete("greeting")
    assert cache.get("greeting") is None
