"""While PostgreSQL cannot be reached the portal answers 503 fast and says so, then heals.

The tests here raise the errors psycopg raises; tests/api/test_real_outage.py cuts a real
connection to PostgreSQL.
"""

import logging

import psycopg
import pytest
from django.db import IntegrityError, OperationalError
from django.utils import timezone
from psycopg_pool import PoolTimeout

from apps.core import outage
from apps.core.outage import QuietOutageFilter, breaker, is_database_unavailable
from apps.datazone.services import worker_heartbeat_record


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
