"""How the rows of a live version choose their database (apps/datazone/replicas.py); the
replica itself, with real servers, is proved in tests/api/test_scale_out.py."""

import logging
import time
from types import SimpleNamespace

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections
from django.db.utils import ProgrammingError

from apps.datazone import replicas
from apps.datazone.replicas import PRIMARY, REPLICA, PrimaryReplicaRouter
from config.env import database_config, replica_config

VERSION = SimpleNamespace(pk=41)


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    settings.DATABASE_REPLICA_WAIT_MS = 50
    settings.DATABASE_RETRY_SECONDS = 5
    replicas.replica_state.reset()
    yield
    replicas.replica_state.reset()


@pytest.fixture
def replica(monkeypatch):
    """A replica configured; ``answers`` is what has_replayed says on each call (an exception
    is raised), ``calls`` counts them."""
    state = SimpleNamespace(answers=[], calls=0)

    def has_replayed(version_id: int) -> bool:
        state.calls += 1
        answer = state.answers.pop(0) if len(state.answers) > 1 else state.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return bool(answer)

    monkeypatch.setattr(replicas, "replica_configured", lambda: True)
    monkeypatch.setattr(replicas, "has_replayed", has_replayed)
    return state


def unreachable() -> OperationalError:
    error = OperationalError("connection refused")
    error.__cause__ = psycopg.OperationalError("connection refused")
    return error


def test_without_a_replica_everything_is_read_from_the_primary():
    assert REPLICA not in connections  # DATABASE_REPLICA_URL is not set in the test suite
    assert replicas.rows_database(version=VERSION) == PRIMARY
    assert replicas.read_rows(version=VERSION, read=lambda alias: alias) == PRIMARY


def test_every_model_stays_on_the_primary_and_the_replica_is_never_migrated():
    router = PrimaryReplicaRouter()
    from apps.api.models import DailyUsage

    assert router.db_for_read(DailyUsage) == PRIMARY
    assert router.db_for_write(DailyUsage) == PRIMARY
    assert router.allow_migrate(PRIMARY, "api") is True
    assert router.allow_migrate(REPLICA, "api") is False


def test_a_replayed_version_is_read_from_the_replica_and_remembered(replica):
    replica.answers = [True]
    assert replicas.rows_database(version=VERSION) == REPLICA
    assert replicas.rows_database(version=VERSION) == REPLICA
    assert replica.calls == 1  # the second call asked the replica nothing


def test_a_version_replayed_while_waiting_is_read_from_the_replica(replica):
    replica.answers = [False, False, True]
    assert replicas.rows_database(version=VERSION) == REPLICA
    assert replica.calls == 3


def test_a_version_not_replayed_in_time_is_read_from_the_primary(replica, caplog):
    replica.answers = [False]
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="apps.datazone.replicas"):
        assert replicas.rows_database(version=VERSION) == PRIMARY
        assert replicas.rows_database(version=VERSION) == PRIMARY
    waited = time.monotonic() - started
    assert 0.1 <= waited < 2  # twice DATABASE_REPLICA_WAIT_MS, then no longer
    assert caplog.text.count("has not replayed data version 41") == 1  # once per version
    replica.answers = [True]  # replayed at last: the replica from then on
    assert replicas.rows_database(version=VERSION) == REPLICA


def test_an_unreachable_replica_is_left_alone_for_a_while(replica, caplog):
    replica.answers = [unreachable()]
    with caplog.at_level(logging.WARNING, logger="apps.datazone.replicas"):
        assert replicas.rows_database(version=VERSION) == PRIMARY
        assert replicas.rows_database(version=VERSION) == PRIMARY
    assert replica.calls == 1  # not tried again within DATABASE_RETRY_SECONDS
    assert caplog.text.count("replica unreachable") == 1


def test_a_read_the_replica_fails_is_made_again_on_the_primary(replica):
    replica.answers = [True]
    read_on = []

    def read(alias: str) -> str:
        read_on.append(alias)
        if alias == REPLICA:
            raise unreachable()
        return "rows"

    assert replicas.read_rows(version=VERSION, read=read) == "rows"
    assert read_on == [REPLICA, PRIMARY]
    assert replicas.rows_database(version=VERSION) == PRIMARY  # down for a while


def test_a_statement_the_replica_cancelled_is_made_again_on_the_primary(replica):
    replica.answers = [True]
    conflict = OperationalError("canceling statement due to conflict with recovery")
    conflict.__cause__ = psycopg.errors.SerializationFailure("conflict with recovery")
    read_on = []

    def read(alias: str) -> str:
        read_on.append(alias)
        if alias == REPLICA:
            raise conflict
        return "rows"

    assert replicas.read_rows(version=VERSION, read=read) == "rows"
    assert read_on == [REPLICA, PRIMARY]
    assert replicas.rows_database(version=VERSION) == REPLICA  # not down: one statement


def test_any_other_error_of_a_replica_read_is_not_hidden(replica):
    replica.answers = [True]

    def read(alias: str) -> str:
        raise ProgrammingError("a bug")

    with pytest.raises(ProgrammingError):
        replicas.read_rows(version=VERSION, read=read)


def test_the_replica_setting_needs_postgresql_on_both_sides():
    primary = database_config("postgres://u@db.example/portal", pool=False)
    config = replica_config("postgres://u@replica.example/portal", primary=primary, pool=True)
    assert config["HOST"] == "replica.example"
    assert config["TEST"] == {"MIRROR": "default"}  # a test run never creates a database there
    assert "pool" in config["OPTIONS"]
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL"):
        replica_config("sqlite:////tmp/x", primary=primary, pool=False)
    sqlite = database_config("sqlite:////tmp/x.sqlite3", pool=False)
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL DATABASE_URL"):
        replica_config("postgres://u@replica.example/portal", primary=sqlite, pool=False)
