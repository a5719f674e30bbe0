"""The public read-only catalog API and its OpenAPI description."""

import json
import re

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from tests.factories import DepartmentFactory, make_entry

HIDDEN_STATUSES = ["draft", "submitted", "returned", "rejected", "retired"]
ENTRY_KEYS = {
    "identifier", "url", "landing_page", "title", "description", "department", "sector",
    "keywords", "update_frequency", "temporal_start", "temporal_end", "spatial_coverage",
    "format", "grade", "openness", "contact", "published_at", "updated_at",
}  # fmt: skip


def _identifiers(response) -> set[str]:
    return {item["identifier"] for item in response.json()["results"]}


@pytest.fixture
def catalog(department, other_department, reviewer) -> dict[str, object]:
    return {
        "bus": make_entry(
            department=department,
            status="published",
            reviewer=reviewer,
            title="全市公交线路站点信息",
            sector="transport",
            openness="open",
        ),
        "schools": make_entry(department=department, status="published", reviewer=reviewer),
        "clinics": make_entry(
            department=other_department,
            status="published",
            reviewer=reviewer,
            title="医疗机构名录",
            sector="health",
            grade="important",
        ),
        **{
            status: make_entry(department=department, status=status, reviewer=reviewer)
            for status in HIDDEN_STATUSES
        },
    }


def test_anyone_lists_published_entries_only(client, catalog):
    response = client.get(reverse("api-catalog-list"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert _identifiers(response) == {
        catalog[name].identifier for name in ("bus", "schools", "clinics")
    }


def test_a_listed_entry_shows_public_metadata_only(client, catalog):
    items = client.get(reverse("api-catalog-list")).json()["results"]
    bus = next(item for item in items if item["identifier"] == catalog["bus"].identifier)
    assert set(bus) == ENTRY_KEYS
    assert bus["department"] == {"code": "EDU", "name": "市教育局"}
    assert bus["contact"] == {"name": "张老师", "email": "data@edu.example.cn"}
    assert bus["url"] == "http://testserver" + reverse(
        "api-catalog-detail", args=[bus["identifier"]]
    )
    assert bus["landing_page"] == "http://testserver" + reverse(
        "catalog:detail", args=[bus["identifier"]]
    )
    assert (bus["sector"], bus["openness"], bus["grade"]) == ("transport", "open", "general")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "HEALTH"}, {"clinics"}),
        ({"sector": "transport"}, {"bus"}),
        ({"grade": "important"}, {"clinics"}),
        ({"openness": "conditional"}, {"schools", "clinics"}),
        ({"department": "EDU", "openness": "conditional"}, {"schools"}),
        ({"q": "公交"}, {"bus"}),
        ({"q": "全市", "sector": "education"}, {"schools"}),
    ],
)
def test_it_filters(client, catalog, params, expected):
    response = client.get(reverse("api-catalog-list"), params)
    assert response.status_code == 200
    assert _identifiers(response) == {catalog[name].identifier for name in expected}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"department": "NOPE"}, "department"),
        ({"sector": "space"}, "sector"),
        ({"grade": "secret"}, "grade"),
        ({"openness": "maybe"}, "openness"),
        ({"q": "字" * 101}, "q"),
    ],
)
def test_a_bad_filter_value_answers_400_naming_the_parameter(client, catalog, params, parameter):
    response = client.get(reverse("api-catalog-list"), params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_parameter", parameter)
    assert error["message"]


@pytest.mark.parametrize("page_size", ["null", "", "ten", "0", "-3", "201", "2.5", "true", "１"])
def test_a_page_size_that_is_not_a_whole_number_from_1_to_200_answers_400(
    client, catalog, page_size
):
    response = client.get(reverse("api-catalog-list"), {"page_size": page_size})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_parameter", "page_size")


@pytest.mark.parametrize("cursor", ["garbage", "cD1ub3QtYS10aW1l"])
def test_an_invalid_cursor_answers_400_invalid_cursor_like_the_records_endpoint(
    client, catalog, cursor
):
    response = client.get(reverse("api-catalog-list"), {"cursor": cursor})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_cursor", "cursor")


@pytest.mark.parametrize("name", ["department", "sector", "grade", "openness", "q"])
def test_an_empty_filter_means_any_as_the_schema_says(client, catalog, name):
    response = client.get(reverse("api-catalog-list"), {name: ""})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/catalog/"]["get"]["parameters"]
    described = next(p for p in parameters if p["name"] == name)["schema"]
    assert "" in described.get("enum", [""])
    assert re.fullmatch(described.get("pattern", ".*"), "")


def test_the_department_filter_gives_the_code_pattern_and_refuses_unknown_codes(client, catalog):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/catalog/"]["get"]["parameters"]
    described = next(p for p in parameters if p["name"] == "department")["schema"]
    assert re.fullmatch(described["pattern"], "EDU")
    assert not re.fullmatch(described["pattern"], "edu")
    response = client.get(reverse("api-catalog-list"), {"department": "NOSUCH"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "department"


def test_the_cursor_error_is_documented(client, db):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for path in ("/api/v1/catalog/", "/api/v1/datasets/{identifier}/records/"):
        responses = schema["paths"][path]["get"]["responses"]
        assert "invalid_cursor" in responses["400"]["description"]


def test_it_pages_by_cursor_without_gaps_or_repeats(client, catalog):
    seen: list[str] = []
    url = reverse("api-catalog-list") + "?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [item["identifier"] for item in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 3


def test_the_list_runs_a_constant_number_of_queries(
    client, reviewer, django_assert_max_num_queries
):
    departments = [DepartmentFactory() for _ in range(6)]
    for number in range(31):
        make_entry(department=departments[number % 6], status="published", reviewer=reviewer)
    for params in ({}, {"department": departments[2].code, "q": "学校", "sector": "education"}):
        with django_assert_max_num_queries(10):
            response = client.get(reverse("api-catalog-list"), params)
        assert response.status_code == 200


def test_detail_shows_metadata_and_the_field_schema(client, catalog):
    entry = catalog["bus"]
    response = client.get(reverse("api-catalog-detail", args=[entry.identifier]))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == ENTRY_KEYS | {"fields"}
    assert body["title"] == entry.title
    assert body["fields"][2] == {
        "name": "students",
        "label": "在校学生数",
        "data_type": "integer",
        "description": "",
        "sensitivity": "public",
        "nullable": False,
    }
    assert [field["name"] for field in body["fields"]] == ["school_name", "district", "students"]


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_detail_of_an_entry_that_is_not_published_answers_404_json(client, catalog, status):
    response = client.get(reverse("api-catalog-detail", args=[catalog[status].identifier]))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_detail_of_an_unknown_identifier_answers_404_json(client, db):
    response = client.get(reverse("api-catalog-detail", args=["EDU-99999"]))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_detail_runs_a_constant_number_of_queries(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(reverse("api-catalog-detail", args=[catalog["bus"].identifier]))


def test_the_schema_is_a_valid_openapi_document_with_the_catalog(client, db):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/catalog/", "/api/v1/catalog/{identifier}/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/catalog/"]["get"]["parameters"]}
    assert {"department", "sector", "grade", "openness", "q", "cursor"} <= parameters


def test_the_docs_page_opens_for_anyone(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    # The page's script comes from a second request (no inline script under the CSP).
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert reverse("api-schema") in script.text


def test_the_api_root_leads_to_the_docs(client, db):
    response = client.get(reverse("api-v1"))
    assert response.status_code == 302
    assert response["Location"] == reverse("api-docs")
