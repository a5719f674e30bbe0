"""`GET /api/v1/authorizations/` and `GET /api/v1/usage/`: what they answer, to whom, at what cost;
every call leaves a usage record; the demo key printed by seed_demo works."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.validation import validate_schema

from apps.api import services as api_services
from apps.api.models import ApiKey, UsageRecord
from apps.authorizations import services
from apps.authorizations.models import Qualification
from tests.api.fixtures_keys import *  # noqa: F403
from tests.api.fixtures_keys import (
    AUTHORIZATIONS_URL,
    USAGE_URL,
    bearer,
    frozen_now,
    grant,
    local,
    make_key,
)
from tests.authorizations.conftest import qualify

# Authorizations --------------------------------------------------------------------------------


def test_it_lists_the_authorizations_in_force_with_their_scope(
    client, api_key, authorization, operator
):
    _key, raw = api_key

    response = client.get(AUTHORIZATIONS_URL, **bearer(raw))

    assert response.status_code == 200
    body = response.json()
    assert body["operator"] == {
        "name": operator.name,
        "credit_code": operator.credit_code,
        "qualified": True,
    }
    (row,) = body["results"]
    assert row["id"] == authorization.pk
    assert row["dataset"] == {
        "identifier": authorization.entry.identifier,
        "title": authorization.entry.title,
    }
    assert row["scenario"] == {
        "id": authorization.scenario_id,
        "title": "学区房智能推荐",
        "use": "industry",
    }
    assert row["status"] == "active"
    assert row["allowed_fields"] == ["school_name", "district"]
    assert row["row_filter"] == [{"field": "district", "op": "eq", "value": "南明区"}]
    assert row["valid_from"] == timezone.localtime(authorization.valid_from).isoformat()
    assert row["valid_until"] == timezone.localtime(authorization.valid_until).isoformat()
    assert row["daily_row_quota"] == 10_000
    assert row["fee_basis"] == "per_row"
    assert row["price"] == "0.0100"


def test_suspended_expired_and_other_operators_authorizations_are_left_out(
    client, api_key, authorization, second_authorization, approver, other_operator,
    other_operator_admin, reviewer, entry, department_admin,
):  # fmt: skip
    _key, raw = api_key
    services.authorization_suspend(
        authorization=second_authorization, actor=approver, reason="安全评估整改"
    )
    qualify(other_operator, other_operator_admin, reviewer)
    other_scenario = services.scenario_create(
        operator=other_operator, actor=other_operator_admin,
        data={"title": "出行分析", "sector": "education", "description": "分析",
              "expected_product": "报告", "use": "industry"},
    )  # fmt: skip
    grant(
        other_operator, entry, other_scenario, member=other_operator_admin,
        department_admin=department_admin, reviewer=reviewer, approver=approver,
    )  # fmt: skip

    ids = [row["id"] for row in client.get(AUTHORIZATIONS_URL, **bearer(raw)).json()["results"]]
    assert ids == [authorization.pk]

    type(authorization).objects.filter(pk=authorization.pk).update(valid_until=timezone.now())
    assert client.get(AUTHORIZATIONS_URL, **bearer(raw)).json()["results"] == []


def test_a_limited_key_lists_only_its_authorizations(
    client, operator_admin, authorization, second_authorization
):
    _key, raw = make_key(operator_admin, authorizations=[second_authorization])

    results = client.get(AUTHORIZATIONS_URL, **bearer(raw)).json()["results"]

    assert [row["id"] for row in results] == [second_authorization.pk]
    assert results[0]["fee_basis"] == "free"
    assert results[0]["price"] == "0.0000"


def test_an_unqualified_operator_sees_its_authorizations_and_that_it_is_not_qualified(
    client, api_key, authorization, operator
):
    _key, raw = api_key
    Qualification.objects.filter(operator=operator).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )

    body = client.get(AUTHORIZATIONS_URL, **bearer(raw)).json()

    assert body["operator"]["qualified"] is False
    assert [row["id"] for row in body["results"]] == [authorization.pk]


def _queries(client, url: str, raw: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **bearer(raw)).status_code == 200
    return len(queries)


def test_the_authorization_list_runs_a_constant_number_of_queries(
    client, operator_admin, authorization, second_authorization
):
    _one_key, one = make_key(operator_admin, authorizations=[authorization])
    _both_key, both = make_key(operator_admin, name="both")
    _queries(client, AUTHORIZATIONS_URL, one)  # first use writes last_used_at
    _queries(client, AUTHORIZATIONS_URL, both)

    assert _queries(client, AUTHORIZATIONS_URL, one) == _queries(client, AUTHORIZATIONS_URL, both)
    assert _queries(client, AUTHORIZATIONS_URL, both) <= 8


# Usage -----------------------------------------------------------------------------------------


def _fixed_moment():
    """Mid-month, some weeks ago, inside the authorizations' validity: every period has days
    before it in the same month and a previous month."""
    past = timezone.localdate() - timedelta(days=40)
    return local(past.year, past.month, 15, 12, 0)


def _record(key, authorization, when, *, status=200, rows=0, cells=0):
    return api_services.usage_record(
        key=key, operator_id=key.operator_id, authorization=authorization, endpoint="records",
        method="GET", path="/api/v1/datasets/x/records/", parameters={}, status_code=status,
        rows=rows, cells=cells, latency_ms=3.0, created_at=when,
    )  # fmt: skip


@pytest.fixture
def usage_history(api_key, authorization, second_authorization, operator_admin):
    """Hand-placed calls around a fixed "now" (the 15th, 12:00 local time)."""
    key, _raw = api_key
    now = _fixed_moment()
    midnight = now.replace(hour=0)
    previous_month = midnight.replace(day=1) - timedelta(hours=12)
    _record(key, authorization, now - timedelta(minutes=5), rows=100, cells=200)
    _record(key, authorization, now - timedelta(minutes=4), rows=50, cells=100)
    _record(key, authorization, now - timedelta(minutes=3), status=400)
    _record(key, authorization, midnight, rows=5, cells=10)  # first instant of today
    _record(key, authorization, midnight - timedelta(seconds=1), rows=1, cells=2)  # yesterday
    _record(key, authorization, now.replace(day=3, hour=10), rows=10, cells=20)
    _record(key, authorization, now.replace(day=3, hour=11), rows=10, cells=20)
    _record(key, authorization, previous_month, rows=999, cells=1998)  # last month: not counted
    _record(key, second_authorization, now - timedelta(hours=1), rows=7, cells=7)
    with frozen_now(now):
        api_services.quota_reserve(authorization=authorization, rows=155)
        api_services.quota_reserve(authorization=second_authorization, rows=7)
    return now


def test_usage_counts_today_and_this_month_against_the_quota(
    client, api_key, authorization, second_authorization, usage_history
):
    _key, raw = api_key

    with frozen_now(usage_history):
        response = client.get(USAGE_URL, **bearer(raw))

    assert response.status_code == 200
    body = response.json()
    assert body["today"] == usage_history.date().isoformat()
    assert body["month_start"] == usage_history.date().replace(day=1).isoformat()
    rows = {row["authorization"]: row for row in body["results"]}
    assert set(rows) == {authorization.pk, second_authorization.pk}
    first = rows[authorization.pk]
    assert first["dataset"]["identifier"] == authorization.entry.identifier
    assert first["status"] == "active"
    assert first["today"] == {"calls": 4, "refused": 1, "rows": 155, "cells": 310}
    assert first["month"] == {"calls": 7, "refused": 1, "rows": 176, "cells": 352}
    assert first["daily_row_quota"] == 10_000
    assert first["quota_used_today"] == 155
    assert first["quota_remaining_today"] == 9_845
    second = rows[second_authorization.pk]
    assert second["today"] == {"calls": 1, "refused": 0, "rows": 7, "cells": 7}
    assert second["quota_remaining_today"] == 493


def test_usage_of_a_limited_key_covers_only_its_authorizations(
    client, operator_admin, authorization, second_authorization, usage_history
):
    _key, raw = make_key(operator_admin, authorizations=[second_authorization])

    with frozen_now(usage_history):
        results = client.get(USAGE_URL, **bearer(raw)).json()["results"]

    assert [row["authorization"] for row in results] == [second_authorization.pk]
    # The figures are the authorization's, whichever of the operator's keys made the calls.
    assert results[0]["today"]["calls"] == 1


def test_usage_without_any_call_is_zero(client, api_key, authorization):
    _key, raw = api_key

    (row,) = client.get(USAGE_URL, **bearer(raw)).json()["results"]

    assert row["today"] == row["month"] == {"calls": 0, "refused": 0, "rows": 0, "cells": 0}
    assert row["quota_remaining_today"] == authorization.daily_row_quota


def test_usage_runs_a_constant_number_of_queries(
    client, operator_admin, authorization, second_authorization, usage_history
):
    _one_key, one = make_key(operator_admin, authorizations=[authorization])
    _both_key, both = make_key(operator_admin, name="both")
    with frozen_now(usage_history):
        _queries(client, USAGE_URL, one)
        _queries(client, USAGE_URL, both)
        assert _queries(client, USAGE_URL, one) == _queries(client, USAGE_URL, both)
        assert _queries(client, USAGE_URL, both) <= 9


# Usage records of these calls ------------------------------------------------------------------


def test_every_call_is_recorded_refused_ones_included(client, api_key):
    key, raw = api_key

    client.get(AUTHORIZATIONS_URL, **bearer(raw))
    client.get(USAGE_URL, **bearer(raw))
    client.get(USAGE_URL, **bearer(f"pdp_{key.prefix}_wrong"))
    client.get(AUTHORIZATIONS_URL)

    records = list(UsageRecord.objects.order_by("pk"))
    assert [(r.endpoint, r.status_code, r.key_id) for r in records] == [
        ("authorizations", 200, key.pk),
        ("usage", 200, key.pk),
        ("usage", 401, None),
        ("authorizations", 401, None),
    ]
    assert records[0].operator_id == key.operator_id
    assert records[0].authorization is None
    assert records[0].path == AUTHORIZATIONS_URL
    assert all(r.latency_ms >= 0 for r in records)


def test_recorded_parameters_are_cut_short(client, api_key):
    _key, raw = api_key

    client.get(AUTHORIZATIONS_URL, {"note": "x" * 500}, **bearer(raw))

    assert UsageRecord.objects.get().parameters == {"note": "x" * 200}


# Schema ----------------------------------------------------------------------------------------


def test_the_schema_describes_both_endpoints_with_their_answers(client, api_key):
    _key, raw = api_key
    schema = json.loads(client.get(reverse("api-schema"), {"format": "json"}).content)
    validate_schema(schema)

    components = schema["components"]
    assert components["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    for path, component in [
        ("/api/v1/authorizations/", "KeyAuthorizationList"),
        ("/api/v1/usage/", "UsageReport"),
    ]:
        operation = schema["paths"][path]["get"]
        assert operation["security"] == [{"apiKey": []}]
        assert {"200", "401", "429"} <= set(operation["responses"])
        content = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert content["$ref"] == f"#/components/schemas/{component}"
    row = client.get(AUTHORIZATIONS_URL, **bearer(raw)).json()["results"][0]
    assert set(row) == set(components["schemas"]["KeyAuthorization"]["properties"])
    usage = client.get(USAGE_URL, **bearer(raw)).json()["results"][0]
    assert set(usage) == set(components["schemas"]["AuthorizationUsage"]["properties"])


# The demo key ----------------------------------------------------------------------------------


def _seed() -> list[str]:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue().splitlines()


def test_seed_demo_prints_a_working_demo_key_last_and_the_same_one_again(client, db):
    lines = _seed()

    key_lines = [line for line in lines if line.startswith("demo API key: ")]
    assert key_lines == [lines[-1]]
    raw = lines[-1].removeprefix("demo API key: ")
    response = client.get(AUTHORIZATIONS_URL, **bearer(raw))
    assert response.status_code == 200
    titles = {row["dataset"]["title"] for row in response.json()["results"]}
    assert "公交车辆实时到站数据" in titles
    assert response.json()["operator"]["credit_code"] == "91520100MA6DKR4Q1N"

    assert _seed()[-1] == lines[-1]
    demo = ApiKey.objects.get(name="演示密钥")
    assert demo.created_by.username == "op_admin"
    assert raw.split("_", 2)[2] not in repr(list(ApiKey.objects.values()))


def test_seed_demo_replaces_a_revoked_demo_key(client, db):
    first = _seed()[-1].removeprefix("demo API key: ")
    key = ApiKey.objects.get(name="演示密钥")
    api_services.api_key_revoke(key=key, actor=key.created_by)

    second = _seed()[-1].removeprefix("demo API key: ")

    assert second != first
    assert client.get(AUTHORIZATIONS_URL, **bearer(first)).status_code == 401
    assert client.get(AUTHORIZATIONS_URL, **bearer(second)).status_code == 200
    assert _seed()[-1].removeprefix("demo API key: ") == second
