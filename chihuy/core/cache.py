"""The cache backends behind ``CACHES``: Redis down is not an outage (issue 12 §5).

The cache holds nothing a duty officer's work depends on, only counters (the API throttle, the
public pages' per-address limits). So:

* ``RedisCache`` is Django's, made to fail soft. Every operation that hits a Redis error
  (refused, timed out, a protocol error, an out-of-memory refusal…) is done on the database
  cache instead, the failure is logged as a warning (at most once a minute per process), and
  a circuit breaker keeps Redis out of the path for ``BREAK_SECONDS`` so a dead server costs
  one short timeout per process every few seconds, not one per request. Falling back to the
  database rather than to process memory keeps the limits holding across every web process
  (and every host sharing the database) while Redis is away. ``health_problem()`` feeds
  ``/healthz``.
* ``DatabaseCache`` is Django's with an ``incr`` that is atomic across processes, so it can
  carry the counters when there is no REDIS_URL. Django's own ``incr`` is a read then a write:
  two processes counting at once would both write the same number.
"""

from __future__ import annotations

import base64
import logging
import pickle
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.core.exceptions import ImproperlyConfigured
from django.db import router, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The table of ``chihuy.core.models.CacheEntry``; ``DatabaseCache`` refuses any other.
TABLE = "chihuy_cache"
# After a failure, Redis is left alone this long before the next call tries it again.
BREAK_SECONDS = 5.0
# While Redis stays down, one warning per process this often, not one per request.
WARN_EVERY_SECONDS = 60.0
# Enough for one counter per client address and scope; Django's default (300) would cull
# live counters, quietly resetting limits, as soon as a few hundred addresses came by.
MAX_ENTRIES = 20_000


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache in ``chihuy_cache``, with an ``incr`` atomic across processes."""

    def __init__(self, table: str, params: dict[str, Any]) -> None:
        if table != TABLE:
            raise ImproperlyConfigured(f"chihuy.core.cache.DatabaseCache lives in the {TABLE!r} table")
        params = {**params, "OPTIONS": {"MAX_ENTRIES": MAX_ENTRIES, **params.get("OPTIONS", {})}}
        super().__init__(table, params)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        from chihuy.core.models import CacheEntry

        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        # The row lock serialises concurrent increments on PostgreSQL. On SQLite (where
        # select_for_update is a no-op) the settings open every transaction IMMEDIATE, so the
        # atomic block holds the database's write lock from its first read.
        with transaction.atomic(using=db):
            entry = (
                CacheEntry.objects.using(db)
                .select_for_update()
                .filter(cache_key=key, expires__gte=timezone.now())
                .first()
            )
            if entry is None:
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(entry.value.encode(), validate=True)) + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            CacheEntry.objects.using(db).filter(cache_key=key).update(value=encoded)
        return value


class _AtomicIncrClient(RedisCacheClient):
    # Django's client checks EXISTS, then INCRs. A key expiring in between comes back from
    # INCR as a new counter with no expiry: for a rate limit, a block that never lifts.
    # One script does both steps inside Redis.
    _INCR = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"

    def incr(self, key: Any, delta: int) -> int:
        value = self.get_client(key, write=True).eval(self._INCR, 1, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return int(value)


class _Circuit:
    """Whether Redis at one address is out of the path, shared by every thread of the process.

    Django makes one cache object per thread; the state is per server address so that the
    worker threads of a process learn of an outage once, not each on its own.
    """

    _all: dict[str, _Circuit] = {}
    _all_lock = threading.Lock()

    def __init__(self, name: str) -> None:
        self.name = name
        self.open_until = 0.0
        self.cause = ""
        self.warned_at: float | None = None  # None while Redis is healthy
        self._lock = threading.Lock()

    @classmethod
    def for_servers(cls, servers: Iterable[str]) -> _Circuit:
        name = ",".join(servers)
        with cls._all_lock:
            return cls._all.setdefault(name, cls(name))

    @classmethod
    def reset_all(cls) -> None:
        """Forget every outage (tests)."""
        with cls._all_lock:
            cls._all.clear()

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, exc: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            self.open_until = now + BREAK_SECONDS
            self.cause = type(exc).__name__
            if self.warned_at is not None and now - self.warned_at < WARN_EVERY_SECONDS:
                return
            self.warned_at = now
        logger.warning(
            "Redis cache unavailable (%s: %s); using the database cache, retrying Redis every %gs",
            type(exc).__name__,
            exc,
            BREAK_SECONDS,
        )

    def succeeded(self) -> None:
        if self.warned_at is None:  # the common case: no lock, nothing to say
            return
        with self._lock:
            if self.warned_at is None:
                return
            self.warned_at = None
            self.cause = ""
        logger.warning("Redis cache is back; the database cache is no longer used")


class RedisCache(DjangoRedisCache):
    """Django's Redis cache that falls back to the database cache on any Redis error.

    ``OPTIONS`` may override the short socket timeouts and the single retry set here; the
    rest of them go to redis-py as with Django's backend.
    """

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        from redis.backoff import NoBackoff
        from redis.exceptions import RedisError
        from redis.retry import Retry

        options = {
            # A local Redis answers in well under a millisecond; a dead or unreachable one
            # must cost milliseconds, not redis-py's default of 5 s per attempt.
            "socket_connect_timeout": 0.25,
            "socket_timeout": 0.5,
            # One immediate retry covers a pooled connection that went stale (Redis
            # restarted); beyond that the circuit breaker decides when to try again.
            "retry": Retry(NoBackoff(), 1),
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _AtomicIncrClient
        self._errors = (RedisError, OSError)
        self._circuit = _Circuit.for_servers(self._servers)  # type: ignore[attr-defined]
        # The same keys (prefix, version, key function) as on Redis; the database's own options.
        shared = ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")
        self._fallback = DatabaseCache(TABLE, {key: params[key] for key in shared if key in params})

    def _guarded(self, redis_call: Callable[[], T], fallback_call: Callable[[], T]) -> T:
        if self._circuit.is_open():
            return fallback_call()
        try:
            result = redis_call()
        except self._errors as exc:
            self._circuit.trip(exc)
            return fallback_call()
        self._circuit.succeeded()
        return result

    def health_problem(self) -> str | None:
        """Why Redis is not in use (the error's class), or None when it answers a PING."""
        if self._circuit.is_open():
            return self._circuit.cause
        try:
            self._cache.get_client(None, write=True).ping()
        except self._errors as exc:
            self._circuit.trip(exc)
            return self._circuit.cause
        self._circuit.succeeded()
        return None

    # Every public operation of Django's backend, each guarded. The async ones (aget, aincr…)
    # and get_or_set, decr, incr_version are built on these by BaseCache.

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(
            lambda: super(RedisCache, self).add(key, value, timeout, version),
            lambda: self._fallback.add(key, value, timeout, version),
        )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guarded(
            lambda: super(RedisCache, self).get(key, default, version),
            lambda: self._fallback.get(key, default, version),
        )

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guarded(
            lambda: super(RedisCache, self).set(key, value, timeout, version),
            lambda: self._fallback.set(key, value, timeout, version),
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(
            lambda: super(RedisCache, self).touch(key, timeout, version),
            lambda: self._fallback.touch(key, timeout, version),
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(
            lambda: super(RedisCache, self).delete(key, version),
            lambda: self._fallback.delete(key, version),
        )

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._guarded(
            lambda: super(RedisCache, self).get_many(keys, version),
            lambda: self._fallback.get_many(keys, version),
        )

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(
            lambda: super(RedisCache, self).has_key(key, version),
            lambda: self._fallback.has_key(key, version),
        )

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._guarded(
            lambda: super(RedisCache, self).incr(key, delta, version),
            lambda: self._fallback.incr(key, delta, version),
        )

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guarded(
            lambda: super(RedisCache, self).set_many(data, timeout, version),
            lambda: self._fallback.set_many(data, timeout, version),
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._guarded(
            lambda: super(RedisCache, self).delete_many(keys, version),
            lambda: self._fallback.delete_many(keys, version),
        )

    def clear(self) -> None:
        self._guarded(lambda: super(RedisCache, self).clear(), self._fallback.clear)


def cache_health_problem() -> str | None:
    """Why the default cache is degraded, or None; only a Redis cache can be (``/healthz``)."""
    backend = caches["default"]
    return backend.health_problem() if isinstance(backend, RedisCache) else None
