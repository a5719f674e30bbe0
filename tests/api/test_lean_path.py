"""The operator API's short middleware stack (config/handlers.py, settings.API_MIDDLEWARE): what
only pages need is gone, every check and header the API owes its callers is still there."""

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from apps.api.access_cache import access_cache
from apps.api.formats import RowsJSONRenderer
from apps.api.models import UsageRecord
from config.handlers import is_api_path
from config.warmup import warm_up
from tests.api.conftest import url


def _call(application, path: str, **headers: str) -> tuple[str, dict[str, str], bytes]:
    environ = RequestFactory()._base_environ(PATH_INFO=path, **headers)
    environ["wsgi.input"] = io.BytesIO(b"")
    answer: dict[str, object] = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(response_headers)

    body = b"".join(application(environ, start_response))
    return str(answer["status"]), answer["headers"], body  # type: ignore[return-value]


def test_it_routes_only_the_versioned_api_to_the_short_stack():
    assert is_api_path("/api/v1/datasets/")
    assert is_api_path("/api/v1/open/X/records/")
    assert not is_api_path("/api/docs/")  # an HTML page: CSP and the full stack
    assert not is_api_path("/catalog/")


def test_an_api_call_runs_without_session_csrf_or_csp(api, authorization):
    response = api.get(url("records", authorization.entry.identifier))
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert not hasattr(request, "_messages")
    assert "Set-Cookie" not in response.headers
    assert "Content-Security-Policy" not in response.headers
    assert response["X-Content-Type-Options"] == "nosniff"
    assert UsageRecord.objects.get().status_code == 200  # metered as before


def test_a_page_still_runs_the_full_stack(client, db):
    response = client.get("/catalog/")
    assert hasattr(response.wsgi_request, "session")
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    ("accept", "language", "message"),
    [
        ("en-GB,en;q=0.9", "en", "No such catalog entry for this key."),
        ("zh-CN,zh;q=0.9", "zh-hans", "此密钥无法访问该目录条目，或该目录条目不存在。"),
        ("fr-FR, en;q=0.5", "en", "No such catalog entry for this key."),
    ],
)
def test_errors_speak_the_language_of_accept_language(api, accept, language, message):
    response = api.get(url("records", "NO-SUCH"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 404
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    assert response.json()["error"]["message"] == message


def test_a_language_cookie_does_not_choose_the_api_language(api, settings):
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = api.get(url("records", "NO-SUCH"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "zh-hans"


def test_the_portal_application_sends_api_calls_and_pages_to_their_stacks(
    db, _test_connection_kept
):
    from config.wsgi import application

    status, headers, _body = _call(application, "/api/v1/open/NO-SUCH/")
    assert status.startswith("404")
    assert headers["Content-Type"] == "application/json"
    assert "Content-Security-Policy" not in headers
    status, headers, _page = _call(application, "/")
    assert status.startswith("200")
    assert "Content-Security-Policy" in headers


def test_the_api_only_server_answers_any_other_path_with_a_json_404(db, _test_connection_kept):
    from config.api_wsgi import application

    status, headers, body = _call(application, "/catalog/", HTTP_ACCEPT_LANGUAGE="en")
    assert status.startswith("404")
    assert headers["Content-Type"] == "application/json"
    assert b"This server answers the API only." in body


def test_rows_are_written_exactly_as_the_formatters_write_them():
    moment = datetime(2024, 1, 5, 8, 0, 30, 500000, tzinfo=UTC)
    row = {"amount": Decimal("1.250"), "day": date(2024, 1, 5), "seen_at": moment, "open": True}
    written = json.loads(RowsJSONRenderer().render({"results": [row]}))["results"][0]
    assert written == {
        "amount": "1.250",  # exact text, trailing zero kept, never a float
        "day": "2024-01-05",
        "seen_at": moment.isoformat(),
        "open": True,
    }
    with pytest.raises(TypeError):
        RowsJSONRenderer().render({"unexpected": object()})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_server_starts_listening_and_opens_its_pool_before_its_first_call(settings):
    settings.API_ACCESS_CACHE = True
    access_cache.stop()
    assert not access_cache.is_listening()
    try:
        warm_up()
        assert access_cache.wait_until_listening(timeout=5)
    finally:
        access_cache.stop()


def test_warming_up_without_a_database_does_not_stop_the_start(monkeypatch, caplog):
    class Unreachable:
        vendor = "postgresql"

        @property
        def pool(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("config.warmup.connections", {"default": Unreachable()})
    warm_up()
    assert "could not be reached at start" in caplog.text
