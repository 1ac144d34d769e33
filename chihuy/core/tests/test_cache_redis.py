"""REDIS_URL switches the cache to ChiHuy's Redis backend: the real thing when Redis answers,
the database cache (with a warning and a circuit breaker) when it does not (issue 12 §5)."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from chihuy.core import cache as cache_module
from chihuy.core.cache import RedisCache, _AtomicIncrClient, cache_health_problem
from chihuy.core.models import CacheEntry
from chihuy.core.tests.conftest import CLOSED_REDIS, LIVE_REDIS, needs_redis

pytestmark = pytest.mark.django_db


def _warnings(caplog):
    return [r for r in caplog.records if r.name == "chihuy.core.cache" and r.levelno == logging.WARNING]


def test_redis_client_library_is_installed():
    import redis  # noqa: F401  (RedisCache imports it lazily; a missing install must fail here)


def test_settings_pick_the_failing_soft_backend(settings):
    settings.CACHES = {"default": {"BACKEND": "chihuy.core.cache.RedisCache", "LOCATION": CLOSED_REDIS}}
    backend = caches["default"]
    assert isinstance(backend, RedisCache)
    options = backend._cache._pool_options
    # A dead server must cost milliseconds: short timeouts, one immediate retry at most.
    assert options["socket_connect_timeout"] <= 0.5
    assert options["socket_timeout"] <= 1
    assert options["retry"].get_retries() == 1


# --- Redis down -------------------------------------------------------------------------------


def test_every_operation_falls_back_to_the_database(redis_down):
    assert cache.add("a", 1, timeout=60) is True
    assert cache.add("a", 5, timeout=60) is False
    assert cache.incr("a") == 2
    cache.set("b", {"text": "Xin chào"}, timeout=60)
    assert cache.get("b") == {"text": "Xin chào"}
    assert cache.get_many(["a", "b", "c"]) == {"a": 2, "b": {"text": "Xin chào"}}
    assert cache.has_key("b")
    assert cache.touch("b", 120)
    cache.set_many({"c": 3, "d": 4}, timeout=60)
    cache.delete_many(["c", "d"])
    assert cache.delete("b")
    assert cache.get("b", "none") == "none"
    with pytest.raises(ValueError):
        cache.incr("missing")
    # The values went where the fallback keeps them: the database cache's table.
    assert CacheEntry.objects.filter(cache_key__endswith=":a").exists()
    cache.clear()
    assert not CacheEntry.objects.exists()


def test_the_failure_is_logged_once_not_per_call(redis_down, caplog, monkeypatch):
    # Every call tries Redis again (no breaker): still one warning until a minute has passed.
    monkeypatch.setattr(cache_module, "BREAK_SECONDS", 0.0)
    with caplog.at_level(logging.WARNING, logger="chihuy.core.cache"):
        for i in range(5):
            cache.set(f"k{i}", i, timeout=60)
            assert cache.get(f"k{i}") == i
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert "ConnectionError" in warnings[0].getMessage()
    assert "database cache" in warnings[0].getMessage()


def test_the_warning_repeats_while_the_outage_lasts(redis_down, caplog, monkeypatch):
    monkeypatch.setattr(cache_module, "BREAK_SECONDS", 0.0)
    monkeypatch.setattr(cache_module, "WARN_EVERY_SECONDS", 0.0)
    with caplog.at_level(logging.WARNING, logger="chihuy.core.cache"):
        cache.get("x")
        cache.get("x")
    assert len(_warnings(caplog)) == 2


def test_the_breaker_keeps_redis_out_of_the_path(redis_down, monkeypatch):
    tries = []
    original = _AtomicIncrClient.get_client

    def counting(self, *args, **kwargs):
        tries.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(_AtomicIncrClient, "get_client", counting)
    cache.get("x")
    assert len(tries) == 1
    for _ in range(10):
        cache.set("x", 1, timeout=60)
        cache.get("x")
    assert len(tries) == 1  # within BREAK_SECONDS: straight to the database
    monkeypatch.setattr(cache_module, "BREAK_SECONDS", 0.0)
    caches["default"]._circuit.open_until = 0.0  # the break is over
    cache.get("x")
    assert len(tries) == 2


def test_every_thread_shares_the_breaker(redis_down):
    import threading

    cache.get("x")
    seen = []

    def other_thread():
        seen.append(caches["default"]._circuit.is_open())  # another thread's cache object

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == [True]


def test_health_names_the_cause(redis_down):
    assert cache_health_problem() == "ConnectionError"


# --- Redis up ---------------------------------------------------------------------------------


@needs_redis
def test_redis_cache_round_trip():
    backend = DjangoRedisCache(LIVE_REDIS, {"KEY_PREFIX": "chihuy-test"})
    backend.set("greeting", {"text": "Xin chào"}, timeout=30)
    assert backend.get("greeting") == {"text": "Xin chào"}
    backend.delete("greeting")
    assert backend.get("greeting") is None


@needs_redis
def test_live_redis_keeps_the_values_in_redis(redis_up):
    import redis

    assert cache.add("n", 0, timeout=60)
    assert cache.incr("n") == 1
    assert cache.incr("n", 5) == 6
    with pytest.raises(ValueError):
        cache.incr("missing")
    assert not CacheEntry.objects.exists()
    client = redis.Redis.from_url(LIVE_REDIS)
    assert client.get(f"{redis_up}:1:n") == b"6"
    assert 0 < client.ttl(f"{redis_up}:1:n") <= 60  # the increment kept the expiry
    assert cache_health_problem() is None


@needs_redis
def test_incr_does_not_revive_an_expired_key(redis_up):
    import redis

    client = redis.Redis.from_url(LIVE_REDIS)
    assert cache.add("short", 0, timeout=60)
    client.delete(f"{redis_up}:1:short")  # as if it expired after any check on our side
    with pytest.raises(ValueError):
        cache.incr("short")
    assert client.exists(f"{redis_up}:1:short") == 0


@needs_redis
def test_redis_coming_back_is_noticed(redis_up, caplog, monkeypatch):
    monkeypatch.setattr(cache_module, "BREAK_SECONDS", 0.0)
    backend = caches["default"]
    backend._circuit.trip(ConnectionError("simulated"))
    assert backend._circuit.cause == "ConnectionError"
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="chihuy.core.cache"):
        cache.set("x", 1, timeout=60)
    assert [r.getMessage() for r in _warnings(caplog)] == [
        "Redis cache is back; the database cache is no longer used"
    ]
    assert cache.get("x") == 1
    assert not CacheEntry.objects.exists()
    assert cache_health_problem() is None
