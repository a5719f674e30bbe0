"""Redis is a helper, not a single point of failure (apps/core/cache.py).

A redis-server owned by the test, on a free port, is stopped under load and started again:
the API answers 200 or 429 throughout (never a 500), the rate limit carries on per process,
the DCAT export is still served, the outage is logged once when it begins and once when it ends.
"""

import logging
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import cache

from apps.api.throttling import LocalWindows
from apps.core import cache as resilient
from tests.api.fixtures_keys import *  # noqa: F403
from tests.api.fixtures_keys import AUTHORIZATIONS_URL, bearer

WINDOW_START = 1_800_000_000
NOW = WINDOW_START + 30.0


class RedisServer:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",  # noqa: S607
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the test's redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(settings) -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
        }
    }
    settings.CACHE_RETRY_SECONDS = 0  # try Redis on every call: the test sees each transition
    settings.API_KEY_RATE = "3/min"
    resilient.outage.succeeded()
    yield server
    server.stop()
    resilient.outage.succeeded()


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("apps.api.throttling.time.time", lambda: NOW)
    monkeypatch.setattr("apps.api.throttling.local_windows", LocalWindows())


def test_the_api_serves_and_throttles_while_redis_is_down(client, api_key, redis_server, caplog):
    key, raw = api_key
    window = int(NOW // 60)
    before = [client.get(AUTHORIZATIONS_URL, **bearer(raw)).status_code for _ in range(2)]
    assert before == [200, 200]
    assert cache.get(f"api-throttle:{key.pk}:{window}") == 2  # counted in Redis

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="apps.core.cache"):
        during = [client.get(AUTHORIZATIONS_URL, **bearer(raw)).status_code for _ in range(4)]
        catalog = client.get("/catalog.jsonld")
        redis_server.start()
        after = client.get(AUTHORIZATIONS_URL, **bearer(raw))

    # The process's own count takes over: three more calls, then the limit.
    assert during == [200, 200, 200, 429]
    assert catalog.status_code == 200
    assert catalog.json()  # the DCAT export, rebuilt without its cache
    assert after.status_code == 200  # a fresh Redis: counting starts again there
    assert cache.get(f"api-throttle:{key.pk}:{window}") == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "apps.core.cache"]
    assert len(messages) == 2, messages  # one line when it went away, one when it came back
    assert "unreachable" in messages[0]
    assert "reachable again" in messages[1] and "calls went without it" in messages[1]


def test_while_the_breaker_is_open_no_call_waits_for_redis(settings, redis_server, monkeypatch):
    settings.CACHE_RETRY_SECONDS = 60
    redis_server.stop()
    assert cache.get("anything", "missing") == "missing"  # the failure opens the breaker
    attempts = []
    original = resilient.RedisCache.get

    def counting(self, *args):
        attempts.append(args)
        return original(self, *args)

    monkeypatch.setattr(resilient.RedisCache, "get", counting)
    started = time.monotonic()
    answers = [cache.get("anything", "missing") for _ in range(50)]
    assert answers == ["missing"] * 50
    assert attempts == []  # nobody tried the socket
    assert time.monotonic() - started < 0.5
    with pytest.raises(resilient.CacheUnavailable):
        cache.incr("anything")
