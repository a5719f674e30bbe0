"""Per-key request throttling through the shared cache (Redis when REDIS_URL is set).

A fixed-window counter (one cache INCR per call) rather than DRF's SimpleRateThrottle, which
keeps a timestamp per request (../shared/library-notes.md §4). Throttling protects the service;
the daily row quota, which is about money and scope, is enforced in the database instead.
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView


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
        now = time.time()
        window_start = int(now // self.window)
        cache_key = f"api-throttle:{key.pk}:{window_start}"
        # add() is atomic; incr() is atomic on Redis and per-process on local memory.
        cache.add(cache_key, 0, timeout=self.window + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=self.window + 1)
            count = 1
        if count > self.limit:
            self.wait_seconds = (window_start + 1) * self.window - now
            return False
        return True

    def wait(self) -> float:
        return max(self.wait_seconds, 1.0)
