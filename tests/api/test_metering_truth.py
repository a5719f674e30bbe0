"""Metering tells the truth (issue 22): every call leaves a usage record, 5xx included, written
when the database is back (from a bounded buffer, or counted as lost), and a call whose client
had gone before the response was written is recorded as disconnected and never charged.

The database is made unreachable for the usage write alone by making its statement raise what
psycopg raises when PostgreSQL shuts down (SQLSTATE 57P01), wrapped by Django as it does.
"""

import io
import logging
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, transaction
from django.http import FileResponse
from django.test import RequestFactory
from django.urls import path
from django.utils import timezone
from rest_framework.request import Request

from apps.api import services
from apps.api.authentication import request_api_key
from apps.api.models import LostUsage, UsageRecord
from apps.api.usage_buffer import usage_buffer
from apps.api.views_base import OperatorApiView
from apps.authorizations.models import Authorization
from apps.core.delivery import DeliveryTrackingApplication, response_delivery
from apps.core.exports import csv_streaming_response
from apps.core.outage import breaker
from apps.revenue.money import current_period
from apps.revenue.selectors import metered_usage
from config.handlers import ApiWSGIHandler, PathScopedApplication
from config.urls import urlpatterns as portal_urlpatterns
from tests.api.fixtures_keys import *  # noqa: F403
from tests.api.fixtures_keys import AUTHORIZATIONS_URL, bearer, frozen_now
from tests.clients import PortalClient

STREAM_URL = "/api/v1/test-stream/"
STREAMED_ROWS = 500


class StreamedRowsApi(OperatorApiView):
    """A metered CSV download streamed row by row, as open-data downloads are."""

    endpoint = "test_stream"

    def get(self, request: Request) -> Any:
        key = request_api_key(request)
        self.metered_authorization = Authorization.objects.get(operator_id=key.operator_id)
        self.metered_rows = STREAMED_ROWS
        return csv_streaming_response("rows", ([n, f"第{n}行"] for n in range(STREAMED_ROWS)))


urlpatterns = [path(STREAM_URL.lstrip("/"), StreamedRowsApi.as_view()), *portal_urlpatterns]


def _shutdown_error() -> OperationalError:
    error = OperationalError("terminating connection due to administrator command")
    error.__cause__ = psycopg.errors.lookup("57P01")("terminating connection")
    return error


@pytest.fixture(autouse=True)
def _empty_buffer() -> Iterator[None]:
    usage_buffer.take()
    breaker.succeeded()
    yield
    usage_buffer.take()
    breaker.succeeded()


@pytest.fixture
def unreachable_for_usage(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The usage write finds PostgreSQL gone; ``monkeypatch.undo()`` brings it back."""
    attempts: list[int] = []

    def fail(statement: str, params: list[Any]) -> int:
        attempts.append(1)
        raise _shutdown_error()

    monkeypatch.setattr(services, "metering_execute", fail)
    return attempts


def _server_errors() -> PortalClient:
    return PortalClient(raise_request_exception=False)


# 5xx calls are recorded ------------------------------------------------------------------------


def test_a_call_that_raises_is_recorded_as_the_500_it_answers(api_key, monkeypatch):
    key, raw = api_key

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("apps.api.views_account.selectors.authorizations_in_force_for_key", broken)
    response = _server_errors().get(AUTHORIZATIONS_URL, {"page": "1"}, **bearer(raw))
    assert response.status_code == 500
    record = UsageRecord.objects.get()
    assert (record.status_code, record.key, record.operator_id) == (500, key, key.operator_id)
    assert (record.endpoint, record.parameters) == ("authorizations", {"page": "1"})


def test_a_call_that_finds_the_database_gone_is_a_503_record_written_when_it_is_back(
    api_key, monkeypatch
):
    key, raw = api_key

    def gone(**kwargs: Any) -> None:
        raise _shutdown_error()

    monkeypatch.setattr("apps.api.views_account.selectors.authorizations_in_force_for_key", gone)
    called_at = timezone.now() - timedelta(minutes=3)
    with frozen_now(called_at):
        assert _server_errors().get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 503
    assert not UsageRecord.objects.exists()  # the database was not even tried
    assert len(usage_buffer) == 1
    monkeypatch.undo()
    breaker.succeeded()
    assert _server_errors().get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 200
    assert list(
        UsageRecord.objects.order_by("created_at").values_list("status_code", flat=True)
    ) == [
        503,
        200,
    ]
    refused = UsageRecord.objects.get(status_code=503)
    assert (refused.created_at, refused.key) == (called_at, key)
    assert len(usage_buffer) == 0


def test_a_503_answered_by_the_open_breaker_is_recorded_without_a_key(api_key, settings):
    _key, raw = api_key
    settings.DATABASE_OUTAGE_THRESHOLD = 1
    breaker.failed(_shutdown_error())
    assert PortalClient().get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 503
    assert (
        PortalClient().get("/catalog/").status_code == 503
    )  # a page: not an API call, not metered
    assert len(usage_buffer) == 1
    breaker.succeeded()
    assert services.usage_buffer_flush() == 1
    record = UsageRecord.objects.get()
    assert (record.status_code, record.endpoint, record.key) == (503, "authorizations", None)


# The buffer ----------------------------------------------------------------------------------


def test_records_wait_while_the_write_fails_and_keep_their_time(
    api_key, unreachable_for_usage, monkeypatch
):
    _key, raw = api_key
    first, second = timezone.now() - timedelta(minutes=10), timezone.now() - timedelta(minutes=9)
    for moment in (first, second):
        with frozen_now(moment):
            assert PortalClient().get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 200
    assert len(unreachable_for_usage) == 2
    assert len(usage_buffer) == 2
    assert services.usage_buffer_flush() == 0  # still away: nothing written, nothing dropped
    assert len(usage_buffer) == 2
    monkeypatch.undo()
    assert PortalClient().get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 200
    times = list(UsageRecord.objects.order_by("created_at").values_list("created_at", flat=True))
    assert times[:2] == [first, second]
    assert len(times) == 3
    assert len(usage_buffer) == 0


def test_a_full_buffer_counts_what_it_drops_and_says_so_once(
    api_key, unreachable_for_usage, monkeypatch, settings, caplog
):
    _key, raw = api_key
    settings.API_USAGE_BUFFER_SIZE = 2
    start = timezone.now() - timedelta(hours=1)
    with caplog.at_level(logging.ERROR, logger="apps.api"):
        for minute in range(5):
            with frozen_now(start + timedelta(minutes=minute)):
                PortalClient().get(AUTHORIZATIONS_URL, **bearer(raw))
        assert len(usage_buffer) == 2
        full = [r for r in caplog.records if "buffer full" in r.getMessage()]
        assert len(full) == 1
        assert not LostUsage.objects.exists()
        monkeypatch.undo()
        assert services.usage_buffer_flush() == 2
    lost = LostUsage.objects.get()
    assert lost.count == 3
    assert (lost.first_lost_at, lost.last_lost_at) == (
        start + timedelta(minutes=2),
        start + timedelta(minutes=4),
    )
    assert UsageRecord.objects.count() == 2
    assert any("3 usage records were lost" in r.getMessage() for r in caplog.records)
    assert services.usage_buffer_flush() == 0  # written once
    assert LostUsage.objects.count() == 1


def test_a_flush_that_fails_keeps_the_oldest_records_within_the_bound(settings):
    settings.API_USAGE_BUFFER_SIZE = 3
    start = timezone.now()
    for n in range(3):
        usage_buffer.add(_fields(start + timedelta(seconds=n)))
    pending = usage_buffer.take()
    usage_buffer.add(_fields(start + timedelta(seconds=10)))
    usage_buffer.give_back(pending)  # the flush failed; one came in meanwhile
    again = usage_buffer.take()
    assert [f["created_at"] for f in again.records] == [
        start + timedelta(seconds=n) for n in range(3)
    ]
    assert again.lost is not None
    assert again.lost.count == 1


def test_records_the_database_refuses_are_counted_as_lost_not_retried_forever(db):
    called_at = timezone.now() - timedelta(minutes=5)
    services.usage_record_or_buffer(fields=_fields(called_at), database_down=True)
    refused = {**_fields(called_at + timedelta(seconds=1)), "endpoint": "x" * 41}  # too long
    services.usage_record_or_buffer(fields=refused, database_down=True)
    with transaction.atomic():  # the refused INSERT aborts only this block, as a request's would
        assert services.usage_buffer_flush() == 0
    assert services.usage_buffer_flush() == 0  # what is written is the count, once
    lost = LostUsage.objects.get()
    assert (lost.count, lost.first_lost_at, lost.last_lost_at) == (
        2,
        called_at,
        called_at + timedelta(seconds=1),
    )
    assert not usage_buffer.pending


def _fields(moment: Any) -> dict[str, Any]:
    return {"endpoint": "records", "method": "GET", "path": "/api/v1/", "parameters": {},
            "status_code": 503, "created_at": moment}  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_periodic_flush_writes_the_buffer_once_the_database_answers(settings):
    settings.API_USAGE_FLUSH_SECONDS = 0.05
    called_at = timezone.now() - timedelta(minutes=1)
    services.usage_record_or_buffer(fields=_fields(called_at), database_down=True)
    deadline = time.monotonic() + 10
    while not UsageRecord.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert UsageRecord.objects.get().created_at == called_at
    assert len(usage_buffer) == 0


# Disconnected clients --------------------------------------------------------------------------


@pytest.fixture
def wsgi(_test_connection_kept: None) -> DeliveryTrackingApplication:
    """The portal's WSGI application as config/wsgi.py builds it."""
    return DeliveryTrackingApplication(
        PathScopedApplication(pages=WSGIHandler(), api=ApiWSGIHandler())
    )


@pytest.fixture
def per_call(authorization):
    Authorization.objects.filter(pk=authorization.pk).update(fee_basis="per_call", price="0.5")
    authorization.refresh_from_db()
    return authorization


def test_a_stream_closed_before_its_end_is_not_delivered(_test_connection_kept):
    stopped = csv_streaming_response("rows", ([n] for n in range(100)))
    delivery = response_delivery(stopped)
    chunks = iter(stopped)
    next(chunks), next(chunks)
    stopped.close()
    assert not delivery.delivered
    whole = csv_streaming_response("rows", ([n] for n in range(100)))
    delivery = response_delivery(whole)
    assert len(b"".join(whole).splitlines()) == 100
    whole.close()
    assert delivery.delivered


def test_a_file_the_server_sends_itself_counts_as_delivered():
    # gunicorn sends it through wsgi.file_wrapper: nothing here sees the chunks go.
    response = FileResponse(io.BytesIO(b"code\r\nC001\r\n"), filename="rows.csv")
    assert response_delivery(response).delivered


@pytest.mark.urls(__name__)
def test_a_download_closed_half_way_is_disconnected_and_not_charged(api_key, per_call, wsgi):
    _key, raw = api_key
    _serve(wsgi, _environ(raw, path=STREAM_URL), chunks=2)  # the client went after two rows
    record = UsageRecord.objects.get()
    assert (record.status_code, record.rows, record.disconnected) == (200, STREAMED_ROWS, True)
    assert metered_usage(authorization=per_call, period=current_period()).calls == 0

    assert len(_serve(wsgi, _environ(raw, path=STREAM_URL)).splitlines()) == STREAMED_ROWS
    assert not UsageRecord.objects.latest("pk").disconnected
    usage = metered_usage(authorization=per_call, period=current_period())
    assert (usage.calls, usage.rows) == (1, STREAMED_ROWS)


def _environ(raw: str, *, path: str = AUTHORIZATIONS_URL, **extra: Any) -> dict[str, Any]:
    environ = RequestFactory().get(path, **bearer(raw)).environ
    return {**environ, **extra}


def _serve(wsgi, environ: dict[str, Any], *, chunks: int | None = None) -> bytes:
    """Serve one request as a WSGI server does; ``chunks``: the client goes after that many."""
    body = wsgi(environ, lambda status, headers, exc_info=None: None)
    written = []
    try:
        for chunk in body:
            written.append(chunk)
            if chunks is not None and len(written) >= chunks:
                break
    finally:
        body.close()
    return b"".join(written)


def test_a_response_the_server_wrote_whole_is_delivered(api_key, wsgi):
    _serve(wsgi, _environ(api_key[1]))
    assert not UsageRecord.objects.get().disconnected


def test_a_response_closed_before_it_was_written_is_disconnected(api_key, wsgi):
    body = wsgi(_environ(api_key[1]), lambda status, headers, exc_info=None: None)
    body.close()  # gunicorn's write failed: it closes the response
    assert UsageRecord.objects.get().disconnected


def test_a_client_that_gave_up_before_the_answer_is_disconnected(api_key, wsgi):
    server_end, client_end = socket.socketpair()
    client_end.close()  # the client timed out while the server was still working
    try:
        _serve(wsgi, _environ(api_key[1], **{"gunicorn.socket": server_end}))
    finally:
        server_end.close()
    record = UsageRecord.objects.get()
    assert (record.status_code, record.disconnected) == (200, True)


def test_a_client_still_connected_is_delivered(api_key, wsgi):
    server_end, client_end = socket.socketpair()
    try:
        _serve(wsgi, _environ(api_key[1], **{"gunicorn.socket": server_end}))
    finally:
        server_end.close()
        client_end.close()
    assert not UsageRecord.objects.get().disconnected


def test_the_usage_page_says_a_call_was_disconnected(
    client, operator_member, api_key, authorization
):
    key, _raw = api_key
    services.usage_record(
        key=key, operator_id=key.operator_id, authorization=authorization, endpoint="records",
        method="GET", path="/api/v1/datasets/x/records/", status_code=200, rows=10,
        disconnected=True,
    )  # fmt: skip
    client.force_login(operator_member)
    page = client.get("/operator/usage/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "client disconnected, not charged" in page
