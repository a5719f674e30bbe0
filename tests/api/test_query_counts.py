"""Each call costs a fixed number of queries, however many rows the dataset holds or a page
returns (../shared/conventions.md: query counts asserted on API calls)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import load_rows, make_rows, url

# Counted inside the test transaction, so savepoints are included, and with the access cache off
# (tests/api/test_access_cache.py counts a cached call). Records may read two segments (values,
# then NULLs) when ordered by a field that can be empty. On PostgreSQL a call that may scan
# (aggregate; filters on unindexed fields) sets a statement timeout first.
CALLS = [
    ("list", "get", {}, 5),
    ("detail", "get", {}, 6),
    ("records", "get", {"page_size": 1000}, 10),
    ("records", "get", {"page_size": 1000, "ordering": "-quantity", "district": "南明区"}, 11),
    ("aggregate", "get", {"group_by": "district", "metrics": "count,avg:amount"}, 9),
    ("verify", "post", {"match": {"district": "南明区"}}, 9),
]


def run(api, name: str, method: str, identifier: str, payload: dict) -> int:
    path = url(name, None if name == "list" else identifier)
    with CaptureQueriesContext(connection) as queries:
        if method == "post":
            response = api.post(path, payload, content_type="application/json")
        else:
            response = api.get(path, payload)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize(("name", "method", "payload", "most"), CALLS)
def test_a_call_costs_the_same_queries_for_60_or_900_rows(
    api, authorization, tmp_path, django_assert_max_num_queries, name, method, payload, most
):
    identifier = authorization.entry.identifier
    run(api, name, method, identifier, payload)  # today's quota row now exists
    small = run(api, name, method, identifier, payload)
    load_rows(authorization.entry, make_rows(900), tmp_path, name="more.csv")
    scans = name == "aggregate" and connection.vendor == "postgresql"
    with django_assert_max_num_queries(most + scans):
        large = run(api, name, method, identifier, payload)
    assert large == small


def test_deep_pages_cost_what_the_first_costs(api, authorization, tmp_path):
    load_rows(authorization.entry, make_rows(900), tmp_path, name="more.csv")
    identifier = authorization.entry.identifier
    parameters = {"page_size": 50, "ordering": "quantity"}
    response = api.get(url("records", identifier), parameters)
    counts = []
    while response.json()["next"]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(response.json()["next"])
        counts.append(len(queries))
        assert not any("OFFSET" in q["sql"].upper() for q in queries)
        assert not any("COUNT(" in q["sql"].upper() for q in queries)
    assert len(counts) == 17
    assert max(counts) - min(counts) <= 1  # the NULL segment is read only when reached
