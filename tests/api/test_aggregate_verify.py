"""Aggregates with k-suppression and yes/no verification: "available but invisible"."""

from collections import Counter
from decimal import Decimal

import pytest

from apps.api import views_aggregate, views_verify
from apps.api.models import DailyUsage
from tests.api.conftest import url
from tests.api.reference import reference_rows

ROWS = reference_rows()
VERIFY_KEYS = {"exists", "count", "count_capped", "count_cap"}


def aggregate(api, authorization, **parameters):
    return api.get(url("aggregate", authorization.entry.identifier), parameters)


def verify(api, authorization, body, **kwargs):
    return api.post(
        url("verify", authorization.entry.identifier), body, content_type="application/json",
        **kwargs,
    )  # fmt: skip


def test_groups_smaller_than_k_are_suppressed_and_counted(api, authorization, settings):
    settings.API_AGGREGATE_MIN_GROUP = 10
    sizes = Counter(row["quantity"] for row in ROWS)
    body = aggregate(api, authorization, group_by="quantity").json()
    shown = {group["group"]["quantity"]: group["metrics"]["count"] for group in body["groups"]}
    assert shown == {value: size for value, size in sizes.items() if size >= 10}
    assert body["suppressed_groups"] == sum(1 for size in sizes.values() if size < 10) > 0
    assert body["min_group_size"] == 10
    assert body["truncated"] is False


def test_k_follows_the_setting(api, authorization, settings):
    settings.API_AGGREGATE_MIN_GROUP = 16
    body = aggregate(api, authorization, group_by="district").json()
    assert body["groups"] == []
    assert body["suppressed_groups"] == 4


def test_grouping_by_a_unique_field_reveals_no_row(api, authorization):
    body = aggregate(api, authorization, group_by="code", metrics="count,max:amount").json()
    assert body["groups"] == []
    assert body["suppressed_groups"] == 60
    assert "C001" not in str(body)


def test_a_small_filtered_total_is_suppressed_too(api, authorization):
    body = aggregate(api, authorization, code="C001").json()
    assert body["groups"] == []
    assert body["suppressed_groups"] == 1


def test_without_group_by_the_whole_dataset_is_one_group(api, authorization):
    body = aggregate(api, authorization).json()
    assert body["groups"] == [{"group": {}, "metrics": {"count": 60}}]


def test_metrics_are_computed_per_group(api, authorization):
    metrics = "count,sum:quantity,avg:amount,min:day,max:seen_at,min:code,max:amount,sum:amount"
    body = aggregate(api, authorization, group_by="district", metrics=metrics).json()
    assert body["metrics"] == metrics.split(",")
    groups = {group["group"]["district"]: group["metrics"] for group in body["groups"]}
    assert list(groups) == ["云岩区", "南明区", "花溪区", None]  # NULL last
    for district, figures in groups.items():
        rows = [row for row in ROWS if row["district"] == district]
        amounts = [row["amount"] for row in rows if row["amount"] is not None]
        assert figures["count"] == len(rows)
        assert figures["sum:quantity"] == sum(row["quantity"] or 0 for row in rows)
        assert Decimal(figures["avg:amount"]) == round(sum(amounts) / len(amounts), 6)
        assert Decimal(figures["sum:amount"]) == sum(amounts)
        assert Decimal(figures["max:amount"]) == max(amounts)
        assert figures["min:day"] == min(r["day"] for r in rows if r["day"]).isoformat()
        assert figures["max:seen_at"] == max(r["seen_at"] for r in rows if r["seen_at"]).isoformat()
        assert figures["min:code"] == min(row["code"] for row in rows)


def test_filters_and_several_group_fields(api, authorization, settings):
    settings.API_AGGREGATE_MIN_GROUP = 1
    body = aggregate(api, authorization, group_by="district,open", district__isnull="false").json()
    expected = Counter((r["district"], r["open"]) for r in ROWS if r["district"])
    shown = {
        (g["group"]["district"], g["group"]["open"]): g["metrics"]["count"] for g in body["groups"]
    }
    assert shown == dict(expected)


def test_a_long_group_list_is_cut_and_says_so(api, authorization, settings, monkeypatch):
    settings.API_AGGREGATE_MIN_GROUP = 1
    monkeypatch.setattr(views_aggregate, "MAX_GROUPS", 2)
    body = aggregate(api, authorization, group_by="district").json()
    assert [group["group"]["district"] for group in body["groups"]] == ["云岩区", "南明区"]
    assert body["truncated"] is True


@pytest.mark.parametrize(
    ("parameters", "code", "field"),
    [
        ({"group_by": "id_number"}, "field_not_granted", "id_number"),
        ({"group_by": "nope"}, "unknown_field", "nope"),
        ({"group_by": "district,,open"}, "invalid_parameter", "group_by"),
        ({"group_by": "code,district,quantity,amount,day,open"}, "invalid_parameter", "group_by"),
        ({"metrics": "sum:id_number"}, "field_not_granted", "id_number"),
        ({"metrics": "max:nope"}, "unknown_field", "nope"),
        ({"metrics": "sum:code"}, "invalid_parameter", "metrics"),
        ({"metrics": "avg:day"}, "invalid_parameter", "metrics"),
        ({"metrics": "min:open"}, "invalid_parameter", "metrics"),
        ({"metrics": "median:amount"}, "invalid_parameter", "metrics"),
        ({"metrics": "count:code"}, "invalid_parameter", "metrics"),
        ({"metrics": "sum"}, "invalid_parameter", "metrics"),
        ({"metrics": ""}, "invalid_parameter", "metrics"),
        ({"id_number": "1"}, "field_not_granted", "id_number"),
        ({"ordering": "code"}, "unknown_parameter", "ordering"),
        ({"quantity__gt": "x"}, "invalid_parameter", "quantity__gt"),
    ],
)
def test_a_bad_aggregate_answers_400_naming_it(api, authorization, parameters, code, field):
    response = aggregate(api, authorization, **parameters)
    assert response.status_code == 400
    assert response.json()["error"] == response.json()["error"] | {"code": code, "field": field}


def test_an_aggregate_counts_a_call_but_no_rows(api, authorization):
    aggregate(api, authorization, group_by="district")
    usage = DailyUsage.objects.get(authorization=authorization)
    assert (usage.calls, usage.rows) == (1, 0)


def test_verify_answers_whether_a_row_exists(api, authorization):
    response = verify(api, authorization, {"match": {"code": "C001", "district": "云岩区"}})
    assert response.status_code == 200
    assert response.json() == {"exists": True, "count": 1, "count_capped": False, "count_cap": 1000}
    missing = verify(api, authorization, {"match": {"code": "C001", "district": "南明区"}})
    assert missing.json()["exists"] is False
    assert missing.json()["count"] == 0


def test_verify_counts_matches_and_parses_values_by_type(api, authorization):
    body = {"match": {"open": "是", "quantity": 3, "day": "2024/01/04", "amount": "3.75"}}
    expected = [
        r for r in ROWS
        if r["open"] and r["quantity"] == 3 and r["day"] and r["day"].day == 4
        and r["amount"] == Decimal("3.75")
    ]  # fmt: skip
    assert verify(api, authorization, body).json()["count"] == len(expected)


def test_verify_null_matches_an_empty_value(api, authorization):
    response = verify(api, authorization, {"match": {"quantity": None}})
    assert response.json()["count"] == sum(1 for row in ROWS if row["quantity"] is None)


def test_verify_caps_the_count(api, authorization, monkeypatch):
    monkeypatch.setattr(views_verify, "VERIFY_COUNT_CAP", 5)
    response = verify(api, authorization, {"match": {"open": True}})
    assert response.json() == {"exists": True, "count": 5, "count_capped": True, "count_cap": 5}


def test_verify_reveals_no_row_data(api, authorization):
    response = verify(api, authorization, {"match": {"code": "C002"}})
    assert set(response.json()) == VERIFY_KEYS
    text = response.content.decode()
    assert not any(value in text for value in ("花溪区", "2024", "2.5", "C002"))


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"match": {"id_number": "520101199001010001"}}, "field_not_granted", "id_number"),
        ({"match": {"nope": 1}}, "unknown_field", "nope"),
        ({"match": {}}, "invalid_parameter", "match"),
        ({"match": "C001"}, "invalid_parameter", "match"),
        ({}, "invalid_parameter", "match"),
        ({"match": {"code": "C001"}, "fields": ["district"]}, "invalid_parameter", "fields"),
        ({"match": {"quantity": "abc"}}, "invalid_parameter", "match.quantity"),
        ({"match": {"quantity": [1, 2]}}, "invalid_parameter", "match.quantity"),
        ({"match": {"code": {"a": 1}}}, "invalid_parameter", "match.code"),
        ({"match": {"code": ""}}, "invalid_parameter", "match.code"),
        ({"match": {f"f{i}": 1 for i in range(21)}}, "invalid_parameter", "match"),
    ],
)
def test_a_bad_verify_answers_400_naming_it(api, authorization, body, code, field):
    response = verify(api, authorization, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == field


def test_verify_refuses_a_body_that_is_not_json(api, authorization):
    response = api.post(
        url("verify", authorization.entry.identifier), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_verify_refuses_unknown_query_parameters(api, authorization):
    path = url("verify", authorization.entry.identifier) + "?code=C001"
    response = api.post(path, {"match": {"code": "C001"}}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_parameter"


def test_verify_is_a_post(api, authorization):
    response = api.get(url("verify", authorization.entry.identifier))
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_verify_counts_a_call_but_no_rows(api, authorization):
    verify(api, authorization, {"match": {"code": "C001"}})
    usage = DailyUsage.objects.get(authorization=authorization)
    assert (usage.calls, usage.rows) == (1, 0)
