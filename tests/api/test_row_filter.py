"""The authorization's row filter is ANDed into every data call; no parameter can widen it."""

import pytest

from apps.authorizations.models import Authorization
from tests.api.conftest import url
from tests.api.reference import ordered_codes, reference_rows

ROWS = reference_rows()
ROW_FILTER = [
    {"field": "district", "op": "in", "value": ["南明区", "云岩区"]},
    {"field": "open", "op": "eq", "value": "是"},  # booleans are kept as the admin typed them
    # On a field the operator is not granted: it narrows the rows without being revealed.
    {"field": "id_number", "op": "lt", "value": "520101199001010040"},
]


def allowed(row) -> bool:
    return row["district"] in ("南明区", "云岩区") and row["open"] and row["_row"] < 40


@pytest.fixture
def filtered(grant, qualified, operator_member, loaded) -> Authorization:
    return grant(qualified, operator_member, loaded, row_filter=ROW_FILTER)


@pytest.fixture
def client_of_filtered(client, key_of, operator_admin, filtered):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key_of(operator_admin, [filtered])}"
    return client


def records(client, authorization, **parameters):
    response = client.get(
        url("records", authorization.entry.identifier), {"page_size": 1000, **parameters}
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_records_meet_the_row_filter(client_of_filtered, filtered):
    body = records(client_of_filtered, filtered)
    assert [r["code"] for r in body["results"]] == [r["code"] for r in ROWS if allowed(r)]
    assert "total_estimate" not in body


def test_a_client_filter_cannot_widen_the_row_filter(client_of_filtered, filtered):
    assert records(client_of_filtered, filtered, district="花溪区")["results"] == []
    assert records(client_of_filtered, filtered, open="false")["results"] == []
    assert records(client_of_filtered, filtered, district__isnull="true")["results"] == []


@pytest.mark.parametrize("ordering", ["-quantity", "amount", "-code"])
def test_pages_under_a_row_filter_are_complete(client_of_filtered, filtered, ordering):
    parameters = {"ordering": ordering, "page_size": 3}
    response = client_of_filtered.get(url("records", filtered.entry.identifier), parameters)
    seen = []
    while True:
        seen += [row["code"] for row in response.json()["results"]]
        if response.json()["next"] is None:
            break
        response = client_of_filtered.get(response.json()["next"])
    assert seen == ordered_codes([r for r in ROWS if allowed(r)], ordering)


def test_aggregates_count_only_rows_inside_the_row_filter(client_of_filtered, filtered, settings):
    settings.API_AGGREGATE_MIN_GROUP = 1
    response = client_of_filtered.get(
        url("aggregate", filtered.entry.identifier), {"group_by": "district"}
    )
    shown = {g["group"]["district"]: g["metrics"]["count"] for g in response.json()["groups"]}
    expected = {d: sum(1 for r in ROWS if allowed(r) and r["district"] == d) for d in shown}
    assert set(shown) == {"南明区", "云岩区"}
    assert shown == expected


def test_verify_does_not_see_rows_outside_the_row_filter(client_of_filtered, filtered):
    outside = next(r for r in ROWS if r["district"] == "花溪区")
    inside = next(r for r in ROWS if allowed(r))
    path = url("verify", filtered.entry.identifier)
    for row, exists in ((outside, False), (inside, True)):
        response = client_of_filtered.post(
            path, {"match": {"code": row["code"]}}, content_type="application/json"
        )
        assert response.json()["exists"] is exists


def test_the_row_filter_is_shown_in_the_detail(client_of_filtered, filtered):
    body = client_of_filtered.get(url("detail", filtered.entry.identifier)).json()
    assert body["authorization"]["row_filter"] == ROW_FILTER


@pytest.mark.parametrize(
    "row_filter",
    [
        [{"field": "gone", "op": "eq", "value": "x"}],
        [{"field": "quantity", "op": "eq", "value": "not a number"}],
        [{"field": "district", "op": "like", "value": "x"}],
        [{"field": "district", "op": "in", "value": "南明区"}],
        [{"field": "district", "op": "eq", "value": ["南明区"]}],
    ],
)
@pytest.mark.parametrize("name", ["records", "aggregate", "verify"])
def test_a_row_filter_that_cannot_be_applied_refuses_the_call(
    client_of_filtered, filtered, row_filter, name
):
    Authorization.objects.filter(pk=filtered.pk).update(row_filter=row_filter)
    path = url(name, filtered.entry.identifier)
    if name == "verify":
        response = client_of_filtered.post(
            path, {"match": {"code": "C001"}}, content_type="application/json"
        )
    else:
        response = client_of_filtered.get(path)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "scope_unavailable"
