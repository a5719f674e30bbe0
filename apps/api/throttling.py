"""Per-key request throttling through the shared cache (Redis when REDIS_URL is set).

A fixed-window counter (one cache INCR per call) rather than DRF's SimpleRateThrottle, which
keeps a timestamp per request (../shared/library-notes.md §4). Throttling protects the service;
the daily row quota, which is about money and scope, is enforced in the database instead.

When the shared cache cannot be reached (apps/core/cache.py) the count falls back to this
process's memory: each server process then allows ``API_KEY_RATE`` on its own, so with N
processes a key may make up to N times its rate until Redis is back — the API keeps serving
rather than failing every call.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from apps.core.cache import CacheUnavailable


class LocalWindows:
    """Fixed-window counts in this process's memory, for while the shared cache is away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._window = -1

    def incr(self, cache_key: str, window_start: int) -> int:
        with self._lock:
            if window_start != self._window:  # a new window: the old counts are over
                self._counts, self._window = {}, window_start
            self._counts[cache_key] = self._counts.get(cache_key, 0) + 1
            return self._counts[cache_key]


local_windows = LocalWindows()


class KeyRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        count, _slash, period = settings.API_KEY_RATE.partition("/")
        self.limit = int(count)
        self.window = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600}[period]
        self.wait_seconds = 0.0

    def allow_request(self, request: Request, view: APIView) -> bool:
        key = request.auth
        if key is None:
            return True
        return self.allow_caller(f"api-throttle:{key.pk}")

    def allow_caller(self, caller: str) -> bool:
        """Count one call of ``caller`` (a cache key prefix) in the current window."""
        now = time.time()
        window_start = int(now // self.window)
        cache_key = f"{caller}:{window_start}"
        count = self._count(cache_key, window_start)
        if count > self.limit:
            self.wait_seconds = (window_start + 1) * self.window - now
            return False
        return True

    def _count(self, cache_key: str, window_start: int) -> int:
        # add() is atomic; incr() is atomic on Redis and per-process on local memory.
        try:
            cache.add(cache_key, 0, timeout=self.window + 1)
            try:
                return cache.incr(cache_key)
            except ValueError:  # evicted between add and incr
                cache.set(cache_key, 1, timeout=self.window + 1)
                return 1
        except CacheUnavailable:
            return local_windows.incr(cache_key, window_start)

    def wait(self) -> float:
        return max(self.wait_seconds, 1.0)
