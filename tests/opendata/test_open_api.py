"""The open API: no key, open entries only, the operator API's parameters, a per-address rate."""

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.opendata.models import OpenDataUse

from .conftest import OPEN_FIELDS, ROWS


def records(identifier: str) -> str:
    return reverse("api-open-records", args=[identifier])


def detail(identifier: str) -> str:
    return reverse("api-open-detail", args=[identifier])


def test_it_describes_an_open_entry_without_a_key(client, loaded_open):
    response = client.get(detail(loaded_open.identifier))
    assert response.status_code == 200
    data = response.json()
    assert data["identifier"] == loaded_open.identifier
    assert data["version"]["number"] == 1
    assert data["version"]["row_count"] == ROWS
    assert len(data["version"]["sha256"]) == 64
    assert [field["name"] for field in data["fields"]] == [f["name"] for f in OPEN_FIELDS]
    assert data["links"]["records"].endswith(records(loaded_open.identifier))


def test_it_pages_records_with_the_operator_api_parameters(client, loaded_open):
    url = records(loaded_open.identifier)
    first = client.get(url, {"fields": "code,quantity", "page_size": 20, "ordering": "-code"})
    assert first.status_code == 200
    page = first.json()
    assert page["total_estimate"] == ROWS
    assert [row["code"] for row in page["results"]] == [f"C{i:03d}" for i in range(45, 25, -1)]
    assert set(page["results"][0]) == {"code", "quantity"}
    codes = [row["code"] for row in page["results"]]
    next_url = page["next"]
    while next_url:
        page = client.get(next_url).json()
        codes += [row["code"] for row in page["results"]]
        next_url = page["next"]
    assert codes == [f"C{i:03d}" for i in range(ROWS, 0, -1)]


def test_it_filters_like_the_operator_api(client, loaded_open):
    response = client.get(records(loaded_open.identifier), {"district": "南明区", "fields": "code"})
    results = response.json()["results"]
    assert results and len(results) == len([i for i in range(1, ROWS + 1) if i % 4 == 0])
    assert "total_estimate" not in response.json()


def test_it_answers_csv(client, loaded_open):
    response = client.get(records(loaded_open.identifier), {"format": "csv", "page_size": 5})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == [field["name"] for field in OPEN_FIELDS]
    assert len(lines) == 6
    assert 'rel="next"' in response["Link"]


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"nonsense": "1"}, "nonsense"),
        ({"authorization": "1"}, "authorization"),
        ({"quantity__gt": "many"}, "quantity__gt"),
        ({"page_size": "0"}, "page_size"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
def test_it_refuses_bad_input_in_the_api_error_shape(client, loaded_open, parameters, field):
    response = client.get(records(loaded_open.identifier), parameters)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_it_answers_404_in_the_api_error_shape_for_every_entry_not_open_with_data(
    client, open_entry, conditional_entry, closed_entry
):
    answers = []
    for identifier in (open_entry.identifier, conditional_entry.identifier,
                       closed_entry.identifier, "no-such-entry", "a%00b"):  # fmt: skip
        for url in (detail(identifier), records(identifier)):
            response = client.get(url)
            assert response.status_code == 404
            answers.append(response.json())
    assert all(answer == answers[0] for answer in answers)  # nothing tells them apart
    assert answers[0]["error"]["code"] == "not_found"


def test_it_limits_calls_per_address_with_retry_after(client, loaded_open, settings):
    settings.OPEN_API_RATE = "3/min"
    cache.clear()
    url = detail(loaded_open.identifier)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "throttled"
    other = client.get(url, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_it_records_each_call_with_its_rows(client, loaded_open):
    client.get(records(loaded_open.identifier), {"page_size": 7})
    client.get(records(loaded_open.identifier), {"page_size": 3, "format": "csv"})
    client.get(detail(loaded_open.identifier))
    uses = OpenDataUse.objects.order_by("pk")
    assert [(u.format, u.rows) for u in uses] == [
        ("api_json", 7),
        ("api_csv", 3),
        ("api_schema", 0),
    ]
    assert all(u.version.number == 1 for u in uses)


def test_it_is_in_the_openapi_schema(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/open/{identifier}/records/"]["get"]
    assert operation["operationId"] == "open_records"
    assert "security" not in operation  # no key; the operator endpoints name apiKey
    assert "429" in operation["responses"]
    assert "/api/v1/open/{identifier}/" in schema["paths"]


def test_a_records_call_costs_four_queries(client, loaded_open, django_assert_num_queries):
    """Without the access cache (tests/opendata/test_open_cache.py counts a cached call): the
    entry, its live version, the page and the use record; counted inside the test's
    transaction, the page's own transaction is a savepoint and its release (two more)."""
    url = records(loaded_open.identifier)
    with django_assert_num_queries(6):
        assert client.get(url, {"page_size": 20}).status_code == 200
