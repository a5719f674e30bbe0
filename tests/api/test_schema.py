"""The dataset endpoints in the OpenAPI 3 schema at /api/schema/, which must be valid."""

import pytest
import yaml
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

RECORDS_PARAMETERS = {"identifier", "fields", "ordering", "page_size", "cursor", "format"}
RECORDS_PARAMETERS |= {"authorization", "filters"}
PATHS = {
    "/api/v1/datasets/": ("get", set()),
    "/api/v1/datasets/{identifier}/": ("get", {"identifier", "authorization"}),
    "/api/v1/datasets/{identifier}/records/": ("get", RECORDS_PARAMETERS),
    "/api/v1/datasets/{identifier}/aggregate/": (
        "get",
        {"identifier", "group_by", "metrics", "authorization", "filters"},
    ),
    "/api/v1/datasets/{identifier}/verify/": ("post", {"identifier", "authorization"}),
}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_valid(schema):
    validate_schema(schema)


@pytest.mark.parametrize("path", PATHS)
def test_every_dataset_endpoint_is_described_with_its_parameters(schema, path):
    method, parameters = PATHS[path]
    operation = schema["paths"][path][method]
    assert {p["name"] for p in operation.get("parameters", [])} == parameters
    assert {"200", "401"} <= set(operation["responses"])
    assert operation["security"] == [{"apiKey": []}]


def test_records_and_aggregates_are_free_form_objects(schema):
    components = schema["components"]["schemas"]
    row = components["RecordsPage"]["properties"]["results"]["items"]
    assert row == {"type": "object", "additionalProperties": True}
    assert components["AggregateGroup"]["properties"]["group"]["additionalProperties"] is True


def test_the_verify_body_is_described(schema):
    body = schema["paths"]["/api/v1/datasets/{identifier}/verify/"]["post"]["requestBody"]
    reference = body["content"]["application/json"]["schema"]["$ref"]
    assert reference.endswith("/VerifyRequest")


def test_the_schema_is_served(client, db):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    assert "/api/v1/datasets/{identifier}/records/" in yaml.safe_load(response.content)["paths"]


@pytest.mark.parametrize("component", ["DatasetSummary", "DatasetDetail"])
def test_the_department_is_the_catalog_object_and_its_old_name_is_deprecated(schema, component):
    properties = schema["components"]["schemas"][component]["properties"]
    assert properties["department"]["$ref"].endswith("/CatalogDepartment")
    assert properties["department_name"]["deprecated"] is True
    assert "department.name" in properties["department_name"]["description"]


@pytest.mark.parametrize(
    ("path", "method", "name", "empty"),
    [
        ("/api/v1/datasets/{identifier}/records/", "get", "fields", ""),
        ("/api/v1/datasets/{identifier}/records/", "get", "ordering", ""),
        ("/api/v1/datasets/{identifier}/records/", "get", "cursor", ""),
        ("/api/v1/datasets/{identifier}/aggregate/", "get", "metrics", ""),
        ("/api/v1/datasets/{identifier}/aggregate/", "get", "group_by", ""),
    ],
)
def test_empty_values_the_data_api_refuses_are_outside_the_schema(
    schema, path, method, name, empty
):
    import re

    parameter = next(p for p in schema["paths"][path][method]["parameters"] if p["name"] == name)
    described = parameter["schema"]
    assert described.get("minLength", 0) >= 1 or not re.fullmatch(described["pattern"], empty)


def test_an_empty_match_is_outside_the_schema(schema):
    match = schema["components"]["schemas"]["VerifyRequest"]["properties"]["match"]
    assert match["minProperties"] == 1
