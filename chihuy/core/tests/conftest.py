"""Cache fixtures: a Redis that is down, a Redis that is up (on keys of the test's own)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from chihuy.core.cache import _Circuit

# Nothing listens on port 1 (and only root could make something): every connect is refused.
CLOSED_REDIS = "redis://127.0.0.1:1/0"
# A database number of these tests' own on the shared Redis; keys carry a per-test prefix too.
LIVE_REDIS = "redis://127.0.0.1:6379/13"


def redis_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_listening(), reason="no Redis server on 127.0.0.1:6379")


@pytest.fixture
def redis_down(settings: Any) -> Iterator[None]:
    """The default cache is ChiHuy's Redis backend pointed at a closed port."""
    _Circuit.reset_all()
    settings.CACHES = {"default": {"BACKEND": "chihuy.core.cache.RedisCache", "LOCATION": CLOSED_REDIS}}
    yield
    _Circuit.reset_all()


@pytest.fixture
def redis_up(settings: Any) -> Iterator[str]:
    """The default cache is ChiHuy's Redis backend on the real server; yields the key prefix.

    Never ``cache.clear()`` here: that is FLUSHDB, whatever the prefix. The test's keys are
    deleted one by one afterwards.
    """
    import redis

    _Circuit.reset_all()
    prefix = f"chihuy-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {"BACKEND": "chihuy.core.cache.RedisCache", "LOCATION": LIVE_REDIS, "KEY_PREFIX": prefix}
    }
    yield prefix
    client = redis.Redis.from_url(LIVE_REDIS)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    _Circuit.reset_all()


def token_client(user: Any) -> APIClient:
    """An API client with a bearer token of ``user`` (the root ``api`` fixture clears the cache,
    which on a real Redis would flush the whole database)."""
    from chihuy.api.services import api_token_create

    _, secret = api_token_create(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
