"""Per-key request throttling (apps/api/throttling.py): a fixed window counted in the shared cache."""

import pytest
from django.core.cache import cache

from apps.api.models import UsageRecord
from tests.api.fixtures_keys import *  # noqa: F403
from tests.api.fixtures_keys import AUTHORIZATIONS_URL, USAGE_URL, bearer, make_key

# 30 seconds into a one-minute window, so the answer to "when may I try again" is exact.
WINDOW_START = 1_800_000_000
NOW = WINDOW_START + 30.0


@pytest.fixture(autouse=True)
def _rate(settings, monkeypatch):
    settings.API_KEY_RATE = "3/min"
    clock = {"now": NOW}
    monkeypatch.setattr("apps.api.throttling.time.time", lambda: clock["now"])
    return clock


def test_the_fourth_call_in_a_minute_answers_429_with_retry_after(client, api_key):
    _key, raw = api_key

    answers = [client.get(AUTHORIZATIONS_URL, **bearer(raw)) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    throttled = answers[-1]
    assert throttled["Retry-After"] == "30"
    assert throttled["Content-Type"].startswith("application/json")
    error = throttled.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"]


def test_every_endpoint_counts_towards_the_same_limit(client, api_key):
    _key, raw = api_key

    statuses = [
        client.get(url, **bearer(raw)).status_code
        for url in (AUTHORIZATIONS_URL, USAGE_URL, AUTHORIZATIONS_URL, USAGE_URL)
    ]

    assert statuses == [200, 200, 200, 429]


def test_the_limit_is_per_key(client, api_key, operator_admin):
    _key, raw = api_key
    _other, other_raw = make_key(operator_admin, name="second")
    for _ in range(3):
        client.get(AUTHORIZATIONS_URL, **bearer(raw))

    assert client.get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 429
    assert client.get(AUTHORIZATIONS_URL, **bearer(other_raw)).status_code == 200


def test_the_next_window_starts_afresh(client, api_key, _rate):
    _key, raw = api_key
    for _ in range(4):
        client.get(AUTHORIZATIONS_URL, **bearer(raw))

    _rate["now"] = WINDOW_START + 60.0
    assert client.get(AUTHORIZATIONS_URL, **bearer(raw)).status_code == 200


def test_the_count_lives_in_the_shared_cache(client, api_key):
    key, raw = api_key
    for _ in range(2):
        client.get(AUTHORIZATIONS_URL, **bearer(raw))

    window = int(NOW // 60)
    assert cache.get(f"api-throttle:{key.pk}:{window}") == 2


def test_a_throttled_call_is_recorded(client, api_key):
    key, raw = api_key
    for _ in range(4):
        client.get(AUTHORIZATIONS_URL, **bearer(raw))

    assert list(UsageRecord.objects.order_by("pk").values_list("status_code", "key_id")) == [
        (200, key.pk),
        (200, key.pk),
        (200, key.pk),
        (429, key.pk),
    ]


def test_calls_without_a_valid_key_are_refused_before_throttling(client, api_key):
    key, _raw = api_key
    wrong = bearer(f"pdp_{key.prefix}_wrong")

    statuses = {client.get(AUTHORIZATIONS_URL, **wrong).status_code for _ in range(5)}

    assert statuses == {401}
    assert cache.get(f"api-throttle:{key.pk}:{int(NOW // 60)}") is None


def test_a_rate_per_second_and_per_hour_is_understood(client, api_key, settings):
    _key, raw = api_key
    settings.API_KEY_RATE = "1/s"
    assert [client.get(USAGE_URL, **bearer(raw)).status_code for _ in range(2)] == [200, 429]

    cache.clear()
    settings.API_KEY_RATE = "2/hour"
    answers = [client.get(USAGE_URL, **bearer(raw)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    seconds_left = 3600 - int(NOW) % 3600
    assert answers[-1]["Retry-After"] == str(seconds_left)
