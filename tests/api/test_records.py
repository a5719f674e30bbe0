"""GET /api/v1/datasets/{identifier}/records/: fields, filters, ordering, keyset pages, CSV."""

import csv
import io
from datetime import date

import pytest
from django.conf import settings
from django.core import signing

from apps.api.parameters import CURSOR_SALT
from tests.api.conftest import GRANTED, load_rows, make_rows, url
from tests.api.reference import _local, ordered_codes, reference_rows

ROWS = reference_rows()


def _present(name: str, test):
    return lambda row: row[name] is not None and test(row[name])


FILTERS = [
    ({"code": "C005"}, lambda r: r["code"] == "C005"),
    ({"code__gt": "C050"}, lambda r: r["code"] > "C050"),
    ({"code__contains": "00"}, lambda r: "00" in r["code"]),
    ({"district": "南明区"}, lambda r: r["district"] == "南明区"),
    ({"district__contains": "明"}, _present("district", lambda v: "明" in v)),
    ({"district__in": "南明区,花溪区"}, lambda r: r["district"] in ("南明区", "花溪区")),
    ({"district__isnull": "true"}, lambda r: r["district"] is None),
    ({"quantity": "3"}, lambda r: r["quantity"] == 3),
    ({"quantity__eq": "3"}, lambda r: r["quantity"] == 3),
    ({"quantity__gt": "3"}, _present("quantity", lambda v: v > 3)),
    ({"quantity__gte": "3"}, _present("quantity", lambda v: v >= 3)),
    ({"quantity__lt": "3"}, _present("quantity", lambda v: v < 3)),
    ({"quantity__lte": "+3"}, _present("quantity", lambda v: v <= 3)),
    ({"quantity__in": "1,2,6"}, lambda r: r["quantity"] in (1, 2, 6)),
    ({"quantity__isnull": "true"}, lambda r: r["quantity"] is None),
    ({"quantity__isnull": "0"}, lambda r: r["quantity"] is not None),
    ({"amount": "3.75"}, lambda r: r["amount"] is not None and r["amount"] == 3.75),
    ({"amount__gt": "5"}, _present("amount", lambda v: v > 5)),
    ({"amount__gte": "5.0"}, _present("amount", lambda v: v >= 5)),
    ({"amount__lt": "2.5"}, _present("amount", lambda v: v < 2.5)),
    ({"amount__lte": "2.50"}, _present("amount", lambda v: v <= 2.5)),
    ({"amount__in": "1.25,10"}, _present("amount", lambda v: v in (1.25, 10))),
    ({"amount__isnull": "true"}, lambda r: r["amount"] is None),
    ({"day": "2024年1月2日"}, lambda r: r["day"] == date(2024, 1, 2)),
    ({"day__gt": "2024-01-20"}, _present("day", lambda v: v > date(2024, 1, 20))),
    ({"day__gte": "2024-01-20"}, _present("day", lambda v: v >= date(2024, 1, 20))),
    ({"day__lt": "2024/01/05"}, _present("day", lambda v: v < date(2024, 1, 5))),
    ({"day__lte": "2024-1-5"}, _present("day", lambda v: v <= date(2024, 1, 5))),
    (
        {"day__in": "2024-01-02,2024-01-03"},
        lambda r: r["day"] in (date(2024, 1, 2), date(2024, 1, 3)),
    ),
    ({"day__isnull": "true"}, lambda r: r["day"] is None),
    ({"seen_at": "2024-01-05 08:01:30"}, lambda r: r["seen_at"] == _local("2024-01-05 08:01:30")),
    (
        {"seen_at__gt": "2024-01-05T08:30:30+08:00"},
        _present("seen_at", lambda v: v > _local("2024-01-05 08:30:30")),
    ),
    (
        {"seen_at__gte": "2024-01-05T08:30:30+08:00"},
        _present("seen_at", lambda v: v >= _local("2024-01-05 08:30:30")),
    ),
    (
        {"seen_at__lt": "2024-01-05T00:10:00Z"},
        _present("seen_at", lambda v: v < _local("2024-01-05 08:10:00")),
    ),
    (
        {"seen_at__lte": "2024-01-05 00:10:30+00:00"},
        _present("seen_at", lambda v: v <= _local("2024-01-05 08:10:30")),
    ),
    (
        {"seen_at__in": "2024-01-05 08:01:30,2024-01-05 08:02:30"},
        lambda r: r["seen_at"] in (_local("2024-01-05 08:01:30"), _local("2024-01-05 08:02:30")),
    ),
    ({"seen_at__isnull": "true"}, lambda r: r["seen_at"] is None),
    ({"open": "true"}, lambda r: r["open"]),
    ({"open": "否"}, lambda r: not r["open"]),
    ({"open__in": "1,0"}, lambda r: True),
    ({"open__isnull": "false"}, lambda r: True),
    (
        {"quantity__gte": "2", "district": "云岩区", "open": "yes"},
        lambda r: (r["quantity"] or 0) >= 2 and r["district"] == "云岩区" and r["open"],
    ),
]

MALFORMED = [
    ("quantity", "abc"),
    ("quantity__gt", "1.5"),
    ("quantity", "99999999999999999999"),
    ("quantity__in", "1,,2"),
    ("quantity__isnull", "yes"),
    ("quantity__contains", "1"),
    ("amount", "1..5"),
    ("amount__lt", "NaN"),
    ("day", "2024-02-30"),
    ("day__gte", "tomorrow"),
    ("seen_at", "2024-13-01 00:00"),
    ("seen_at__lt", "0001-01-01T00:00+08:00"),
    ("open", "maybe"),
    ("code", ""),
    ("code", "a\x00b"),
    ("code__contains", ""),
    ("code__in", ",".join(["x"] * 101)),
]


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def walk(api, identifier: str, parameters: dict) -> list[str]:
    """Every page, following ``next``; at most 100 requests."""
    seen: list[str] = []
    response = api.get(url("records", identifier), parameters)
    for _ in range(100):
        seen += codes(response)
        following = response.json()["next"]
        if following is None:
            return seen
        response = api.get(following)
    raise AssertionError("more than 100 pages")


def test_it_returns_the_granted_fields_in_schema_order(api, authorization):
    response = api.get(url("records", authorization.entry.identifier), {"page_size": 2})
    body = response.json()
    assert list(body["results"][0]) == GRANTED
    assert body["results"][0] == {
        "code": "C001", "district": "云岩区", "quantity": 1, "amount": "1.25",
        "day": "2024-01-02", "seen_at": "2024-01-05T00:01:30+00:00", "open": True,
    }  # fmt: skip
    assert body["total_estimate"] == 60
    assert body["next"].startswith("http://testserver/api/v1/datasets/")


def test_fields_chooses_among_the_granted_fields(api, authorization):
    response = api.get(
        url("records", authorization.entry.identifier), {"fields": "amount,code", "page_size": 1}
    )
    assert response.json()["results"] == [{"amount": "1.25", "code": "C001"}]


@pytest.mark.parametrize(
    ("parameters", "code", "field"),
    [
        ({"fields": "code,id_number"}, "field_not_granted", "id_number"),
        ({"fields": "nope"}, "unknown_field", "nope"),
        ({"fields": "code,,day"}, "invalid_parameter", "fields"),
        ({"fields": ""}, "invalid_parameter", "fields"),
        ({"ordering": "id_number"}, "field_not_granted", "id_number"),
        ({"ordering": "-id_number"}, "field_not_granted", "id_number"),
        ({"ordering": "_row"}, "unknown_field", "_row"),
        ({"ordering": "code,day"}, "invalid_parameter", "ordering"),
        ({"ordering": "-"}, "invalid_parameter", "ordering"),
        ({"id_number": "520101199001010001"}, "field_not_granted", "id_number"),
        ({"id_number__contains": "5201"}, "field_not_granted", "id_number"),
        ({"id_number__isnull": "true"}, "field_not_granted", "id_number"),
        ({"nope__gt": "1"}, "unknown_field", "nope"),
        ({"foo": "1"}, "unknown_parameter", "foo"),
        ({"Code": "C001"}, "unknown_parameter", "Code"),
        ({"quantity__between": "1"}, "unknown_parameter", "quantity__between"),
        ({"quantity__ne": "1"}, "unknown_parameter", "quantity__ne"),
        ({"page_size": "0"}, "invalid_parameter", "page_size"),
        ({"page_size": "1001"}, "invalid_parameter", "page_size"),
        ({"page_size": "ten"}, "invalid_parameter", "page_size"),
        ({"page_size": "-5"}, "invalid_parameter", "page_size"),
        ({"page_size": "１０"}, "invalid_parameter", "page_size"),
        ({"format": "xml"}, "invalid_parameter", "format"),
        ({"page_size": "null"}, "invalid_parameter", "page_size"),
        ({"page_size": ""}, "invalid_parameter", "page_size"),
        ({"page_size": "2.5"}, "invalid_parameter", "page_size"),
        ({"cursor": "garbage"}, "invalid_cursor", "cursor"),
        ({"cursor": ""}, "invalid_cursor", "cursor"),
    ],
)
def test_a_bad_parameter_answers_400_naming_it(api, authorization, parameters, code, field):
    response = api.get(url("records", authorization.entry.identifier), parameters)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == field


def test_a_parameter_given_twice_is_refused(api, authorization):
    path = url("records", authorization.entry.identifier)
    response = api.get(f"{path}?district=南明区&district=云岩区")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "district"


def test_the_largest_page_is_allowed(api, authorization):
    response = api.get(url("records", authorization.entry.identifier), {"page_size": 1000})
    assert len(codes(response)) == 60
    assert response.json()["next"] is None


@pytest.mark.parametrize(("parameters", "expected"), FILTERS, ids=lambda v: str(v)[:40])
def test_every_filter_operator_on_every_type(api, authorization, parameters, expected):
    response = api.get(
        url("records", authorization.entry.identifier), {**parameters, "page_size": 1000}
    )
    assert codes(response) == [row["code"] for row in ROWS if expected(row)]
    assert "total_estimate" not in response.json()


@pytest.mark.parametrize(("name", "value"), MALFORMED, ids=lambda v: str(v)[:20])
def test_a_malformed_value_answers_400_naming_the_parameter(api, authorization, name, value):
    response = api.get(url("records", authorization.entry.identifier), {name: value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert response.json()["error"]["field"] == name


ORDERINGS = [
    "code", "-code", "district", "-district", "quantity", "-quantity", "amount", "-amount",
    "day", "-day", "seen_at", "-seen_at", "open", "-open",
]  # fmt: skip


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_pages_follow_each_other_without_gaps_or_duplicates(api, authorization, ordering):
    seen = walk(api, authorization.entry.identifier, {"ordering": ordering, "page_size": 7})
    assert seen == ordered_codes(ROWS, ordering)


def test_default_pages_follow_the_row_order(api, authorization):
    seen = walk(api, authorization.entry.identifier, {"page_size": 9, "fields": "code"})
    assert seen == [row["code"] for row in ROWS]


@pytest.mark.parametrize("ordering", ["quantity", "-amount", "-day"])
def test_pages_of_a_filtered_ordering_are_complete(api, authorization, ordering):
    parameters = {"ordering": ordering, "page_size": 4, "district__isnull": "false"}
    seen = walk(api, authorization.entry.identifier, parameters)
    expected = ordered_codes([r for r in ROWS if r["district"]], ordering)
    assert seen == expected


def test_a_page_ending_on_the_last_row_has_no_next(api, authorization):
    response = api.get(url("records", authorization.entry.identifier), {"page_size": 60})
    assert len(codes(response)) == 60
    assert response.json()["next"] is None


def _next_cursor(api, identifier: str, parameters: dict) -> str:
    following = api.get(url("records", identifier), parameters).json()["next"]
    return following.split("cursor=")[1]


def test_a_forged_cursor_answers_400(api, authorization):
    identifier = authorization.entry.identifier
    cursor = _next_cursor(api, identifier, {"page_size": 5})
    forged = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    response = api.get(url("records", identifier), {"page_size": 5, "cursor": forged})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_a_cursor_signed_with_another_key_answers_400(api, authorization):
    identifier = authorization.entry.identifier
    made_up = signing.dumps([1, "_row", ["i", 0], 0], key="another-secret", salt=CURSOR_SALT)
    response = api.get(url("records", identifier), {"cursor": made_up})
    assert response.status_code == 400


def test_a_cursor_of_another_ordering_answers_400(api, authorization):
    identifier = authorization.entry.identifier
    cursor = _next_cursor(api, identifier, {"page_size": 5, "ordering": "day"})
    response = api.get(url("records", identifier), {"ordering": "-day", "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"


def test_a_cursor_of_an_earlier_data_version_answers_400(api, authorization, tmp_path):
    identifier = authorization.entry.identifier
    cursor = _next_cursor(api, identifier, {"page_size": 5})
    load_rows(authorization.entry, make_rows(10), tmp_path, name="newer.csv")
    response = api.get(url("records", identifier), {"page_size": 5, "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "cursor"
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_csv_output_has_a_header_and_the_rows(api, authorization):
    identifier = authorization.entry.identifier
    response = api.get(
        url("records", identifier),
        {
            "format": "csv",
            "page_size": 3,
            "fields": "code,district,amount,open",
            "ordering": "code",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert lines == [
        ["code", "district", "amount", "open"],
        ["C001", "云岩区", "1.25", "true"],
        ["C002", "花溪区", "2.50" if "2.50" in response.content.decode() else "2.5", "true"],
        ["C003", "", "3.75", "false"],
    ]
    following = response["Link"].removeprefix("<").split(">")[0]
    assert "format=csv" in following
    second = list(csv.reader(io.StringIO(api.get(following).content.decode("utf-8"))))
    assert second[1][0] == "C004"


def test_csv_errors_are_json(api, authorization):
    response = api.get(
        url("records", authorization.entry.identifier), {"format": "csv", "fields": "id_number"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "field_not_granted"


def test_the_accept_header_does_not_change_the_answer(api, authorization):
    response = api.get(url("records", authorization.entry.identifier), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("identifier", ["a\x00b", "数据集", "x" * 300, "..", "EDU-00001%"])
def test_an_odd_identifier_answers_404(api, authorization, identifier):
    from urllib.parse import quote

    response = api.get(f"/api/v1/datasets/{quote(identifier, safe='')}/records/")
    assert response.status_code == 404


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="statement timeouts are a PostgreSQL feature",
)
def test_a_statement_past_the_timeout_answers_400(api, authorization, monkeypatch):
    from apps.api import query

    monkeypatch.setattr(query, "STATEMENT_TIMEOUT_MS", 50)
    monkeypatch.setattr(
        query, "aggregate_statement", lambda *args, **kwargs: query.Statement("SELECT pg_sleep(2)")
    )
    response = api.get(url("aggregate", authorization.entry.identifier))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "query_timeout"
    # The test's transaction survived: the call was still recorded.
    assert api.get(url("records", authorization.entry.identifier)).status_code == 200
