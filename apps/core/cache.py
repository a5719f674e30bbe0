"""Redis as a helper, not a single point of failure.

The portal uses its shared cache for things that all have a correct answer without it: the
per-key API rate limit (apps/api/throttling.py falls back to a per-process count), the cached
DCAT documents (rebuilt per request), the catalog page's counts and results (counted per
request; apps/catalog/listing_cache.py) and nothing else that matters for correctness
(sessions live in the database). So when Redis cannot be reached, ``ResilientRedisCache``:

- answers every read as a miss and drops every write, instead of raising into a 500;
- raises ``CacheUnavailable`` from ``incr``, the one operation whose caller must know;
- stops trying for ``CACHE_RETRY_SECONDS`` after a failure (a circuit breaker), so a request
  does not pay the connect timeout again and again while Redis is down;
- logs one warning when the outage begins and one line when it ends, with the count of calls
  that went without the cache — not a traceback per request.

Connect and read timeouts are short (``CACHE_SOCKET_TIMEOUT``, 0.25 s by default): a cache that
answers slower than that is no help.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
T = TypeVar("T")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CacheUnavailable(Exception):
    """The shared cache cannot be reached; the caller takes its fallback."""


class Outage:
    """One process's view of whether the cache is reachable (the circuit breaker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._missed = 0
        self._since = 0.0

    @property
    def ongoing(self) -> bool:
        return self._missed > 0

    def closed(self) -> bool:
        """True while calls should not even try the cache."""
        if time.monotonic() < self._retry_at:
            with self._lock:
                self._missed += 1
            return True
        return False

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if not self._missed:
                self._since = time.monotonic()
                logger.warning(
                    "shared cache unreachable (%s): serving without it, API rate limit per "
                    "process, until it is back",
                    error,
                )
            self._missed += 1
            self._retry_at = time.monotonic() + settings.CACHE_RETRY_SECONDS

    def succeeded(self) -> None:
        if not self._missed:
            return
        with self._lock:
            if self._missed:
                logger.warning(
                    "shared cache reachable again after %.0f s; %d calls went without it",
                    time.monotonic() - self._since,
                    self._missed,
                )
            self._missed, self._retry_at = 0, 0.0


outage = Outage()


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        options.setdefault("socket_connect_timeout", settings.CACHE_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", settings.CACHE_SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})

    def _guard(self, fallback: Callable[[], T], name: str, *args: Any) -> T:
        """RedisCache's own ``name`` with ``args``, or ``fallback()`` while Redis is away."""
        if outage.closed():
            return fallback()
        try:
            result: T = getattr(RedisCache, name)(self, *args)
        except UNREACHABLE as error:
            outage.failed(error)
            return fallback()
        outage.succeeded()
        return result

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guard(lambda: False, "add", key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(lambda: default, "get", key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._guard(lambda: None, "set", key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(lambda: False, "touch", key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: False, "delete", key, version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._guard(dict, "get_many", keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(lambda: False, "has_key", key, version)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guard(lambda: list(data), "set_many", data, timeout, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._guard(lambda: None, "delete_many", keys, version)

    def clear(self) -> None:
        self._guard(lambda: None, "clear")

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        def unavailable() -> int:
            raise CacheUnavailable(key)

        return self._guard(unavailable, "incr", key, delta, version)
