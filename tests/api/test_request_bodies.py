"""Bodies a client gets wrong answer 400 in the API's error shape and are still metered: never a
server error, whatever the nesting, size or encoding."""

import pytest

from apps.api.models import UsageRecord
from tests.api.conftest import url

DEEP = b"[" * 10_000 + b"]" * 10_000


def _post(api, path, body: bytes):
    return api.post(path, body, content_type="application/json")


@pytest.fixture
def verify_path(authorization):
    return url("verify", authorization.entry.identifier)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (DEEP, "nested too deeply"),
        (b'{"match": {"code": "\xff\xfe"}}', "not valid UTF-8"),
        (b'{"match": ', "not valid JSON"),
        (b'{"match": {"amount": NaN}}', "not valid JSON"),
    ],
)
def test_it_refuses_a_bad_body_with_a_json_400_and_meters_it(
    api, verify_path, body, message, settings
):
    settings.LANGUAGE_CODE = "en"
    response = _post(api, verify_path, body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "malformed_request"
    assert message in error["message"]
    record = UsageRecord.objects.get()
    assert (record.endpoint, record.status_code) == ("verify", 400)


def test_it_refuses_a_body_over_the_limit(api, verify_path, settings):
    settings.API_MAX_JSON_BODY_BYTES = 2048
    body = b'{"match": {"code": "' + b"x" * 3000 + b'"}}'
    response = _post(api, verify_path, body)
    assert response.status_code == 400
    assert "2,048" in response.json()["error"]["message"]
    assert UsageRecord.objects.get().status_code == 400


def test_a_body_at_the_limit_is_read(api, verify_path, settings):
    body = b'{"match": {"code": "C001"}}'
    settings.API_MAX_JSON_BODY_BYTES = len(body)
    assert _post(api, verify_path, body).status_code == 200


def test_revenue_reports_refuse_a_deeply_nested_body(api, authorization):
    response = _post(api, "/api/v1/revenue-reports/", DEEP)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"
    assert UsageRecord.objects.get().status_code == 400
