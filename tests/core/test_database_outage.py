"""While PostgreSQL cannot be reached the portal answers 503 fast and says so, then heals.

The unit tests raise the errors psycopg raises; the last test runs the portal as a separate
server process whose only way to the test database is a TCP proxy owned by the test, cuts the
proxy (as a database restart would: every connection closed, new ones refused), and restores it.
"""

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, connection
from django.utils import timezone
from psycopg_pool import PoolTimeout

from apps.core import outage
from apps.core.outage import QuietOutageFilter, breaker, is_database_unavailable
from apps.datazone.services import worker_heartbeat_record

BASE_DIR = Path(__file__).resolve().parents[2]


def _wrapped(cause: BaseException, kind: type[Exception] = OperationalError) -> Exception:
    error = kind(str(cause))
    error.__cause__ = cause
    return error


def _State(sqlstate: str | None) -> psycopg.Error:
    """The error psycopg raises for this SQLSTATE (None: the connection itself failed)."""
    if sqlstate is None:
        return psycopg.OperationalError("server closed the connection unexpectedly")
    return psycopg.errors.lookup(sqlstate)("error from the server")


@pytest.mark.parametrize("state", [None, "08006", "08001", "57P01", "57P03"])
def test_lost_connections_and_shutdowns_are_outages(state):
    assert is_database_unavailable(_wrapped(_State(state)))


def test_an_empty_pool_is_an_outage():
    assert is_database_unavailable(_wrapped(PoolTimeout("couldn't get a connection after 2 s")))


@pytest.mark.parametrize("state", ["23505", "57014", "42P01"])
def test_errors_of_one_query_are_not_outages(state):
    assert not is_database_unavailable(_wrapped(_State(state)))
    assert not is_database_unavailable(IntegrityError("duplicate key"))
    assert not is_database_unavailable(ValueError("no"))


@pytest.fixture
def closed_breaker(settings):
    settings.DATABASE_OUTAGE_THRESHOLD = 2
    settings.DATABASE_RETRY_SECONDS = 7
    breaker.succeeded()
    yield breaker
    breaker.succeeded()


@pytest.fixture
def unreachable(monkeypatch):
    """Every catalog read fails as it does while PostgreSQL restarts; calls are counted."""
    calls = []

    def fail(*args, **kwargs):
        calls.append(1)
        raise _wrapped(_State("57P01"))

    monkeypatch.setattr("apps.catalog.api.catalog_entries_public", fail)
    monkeypatch.setattr("apps.catalog.views_public.catalog_entries_public", fail)
    return calls


def test_the_api_answers_503_json_with_retry_after(client, db, closed_breaker, unreachable):
    response = client.get("/api/v1/catalog/")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response.json()["error"]["message"]


def test_a_page_answers_a_translated_503_page(client, db, closed_breaker, unreachable):
    chinese = client.get("/catalog/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get("/catalog/", HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.status_code == english.status_code == 503
    assert "服务暂时不可用" in chinese.content.decode()
    assert "Service briefly unavailable" in english.content.decode()
    assert chinese["Retry-After"] == "7"


def test_the_breaker_stops_queueing_then_lets_one_try(
    client, db, closed_breaker, unreachable, monkeypatch, caplog
):
    clock = {"now": 1000.0}
    monkeypatch.setattr(outage.time, "monotonic", lambda: clock["now"])
    with caplog.at_level(logging.WARNING, logger="apps.core.outage"):
        for _ in range(2):  # the threshold
            assert client.get("/api/v1/catalog/").status_code == 503
        assert len(unreachable) == 2
        for _ in range(5):  # open: answered at once, the database not even asked
            assert client.get("/api/v1/catalog/").status_code == 503
        assert len(unreachable) == 2
        assert client.get("/healthz").status_code == 200  # the probes bypass the breaker
        clock["now"] += 8  # after DATABASE_RETRY_SECONDS one request tries again
        monkeypatch.undo()
        monkeypatch.setattr(outage.time, "monotonic", lambda: clock["now"])
        assert client.get("/api/v1/catalog/").status_code == 200
        assert client.get("/api/v1/catalog/").status_code == 200
    messages = [r.getMessage() for r in caplog.records if r.name == "apps.core.outage"]
    assert len(messages) == 2, messages  # one line when it began, one when it ended
    assert messages[0].startswith("database unreachable")
    assert "reachable again" in messages[1] and "7 calls answered 503" in messages[1]


def test_django_s_own_line_per_503_is_dropped():
    request = type("Request", (), {"_database_outage": True})()
    dropped = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), None)
    dropped.request = request
    kept = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), None)
    kept.request = object()
    assert not QuietOutageFilter().filter(dropped)
    assert QuietOutageFilter().filter(kept)


def test_a_failing_query_stays_a_500(client, db, closed_breaker, monkeypatch):
    def fail(*args, **kwargs):
        raise _wrapped(_State("42P01"))

    monkeypatch.setattr("apps.catalog.api.catalog_entries_public", fail)
    client.raise_request_exception = False
    assert client.get("/api/v1/catalog/").status_code == 500
    assert breaker.failures == 0


# Probes ------------------------------------------------------------------------------------


def test_healthz_needs_nothing(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_readyz_reports_database_cache_and_worker(client, db, settings):
    settings.READYZ_REQUIRE_WORKER = True
    missing = client.get("/readyz")
    assert missing.status_code == 503
    assert missing.json()["checks"]["worker"] == "no worker has reported"
    worker_heartbeat_record(started_at=timezone.now())
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "ready": True,
        "checks": {"database": "ok", "worker": "last heartbeat 0 s ago", "cache": "ok"},
    }


class _Refusing:
    def cursor(self):
        raise OperationalError("connection refused")


def test_readyz_fails_without_the_database(client, db, monkeypatch):
    monkeypatch.setattr("apps.core.health.connection", _Refusing())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"  # no host names to the public


# A real outage ------------------------------------------------------------------------------


class Proxy:
    """A TCP proxy to PostgreSQL that the test can cut and restore."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """As a database restart: every connection closed, new ones refused."""
        with self._lock:
            if self._listener is not None:
                with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.close()


def _get(url: str) -> tuple[int, bytes, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return response.status, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.monotonic() - started


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the outage is PostgreSQL's; CI runs on it"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_outage_answers_503_fast_and_heals_without_a_restart(tmp_path):
    settings_dict = connection.settings_dict
    proxy = Proxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
    proxy.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    user = settings_dict["USER"] or "postgres"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{user}@127.0.0.1:{proxy.port}/{settings_dict['NAME']}",
        "DATABASE_RETRY_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload",
         "--skip-checks"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert _get(f"{base}/api/v1/catalog/")[0] == 200
        assert _get(f"{base}/readyz")[0] == 200

        proxy.cut()
        status, body, seconds = _get(f"{base}/api/v1/catalog/")
        assert status == 503, body
        assert json.loads(body)["error"]["code"] == "service_unavailable"
        assert seconds < 2.5
        answers = [_get(f"{base}/api/v1/catalog/") for _ in range(5)]
        assert {a[0] for a in answers} == {503}
        assert max(a[2] for a in answers) < 2.5
        assert _get(f"{base}/readyz")[0] == 503
        health = _get(f"{base}/healthz")
        assert health[0] == 200 and health[2] < 0.5

        proxy.start()
        time.sleep(1.1)  # DATABASE_RETRY_SECONDS: the breaker lets the next request try
        first = _get(f"{base}/api/v1/catalog/")
        assert first[0] == 200, first[1]  # no dead pooled connection is handed out
        assert _get(f"{base}/readyz")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        proxy.cut()
        log.close()
    output = (tmp_path / "server.log").read_text()
    assert "Traceback" not in output, output
    assert output.count("database unreachable") == 1, output  # one line for the incident
    assert "error connecting" not in output  # not one per reconnection attempt
    assert "Service Unavailable" not in output  # nor one per refused request
