"""The open API finds an open entry and its live version once per worker (the operator API's
access cache, apps/api/access_cache.py) and forgets them on the next call after a committed
change: a retired entry or a new live version is never served from what was found before.
These tests commit for real and run the real listener thread, as tests/api/test_access_cache.py
does."""

import pytest
from django.db import connection
from django.urls import reverse

from apps.api.access_cache import access_cache
from apps.catalog.services import catalog_entry_transition
from tests.api.test_access_cache import announced, cache_on, queries_of, settle

from .conftest import load_rows_open, open_rows

__all__ = ["cache_on"]  # the fixture
pytestmark = [
    pytest.mark.skipif(connection.vendor == "sqlite", reason="the cache listens to PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def records(identifier: str) -> str:
    return reverse("api-open-records", args=[identifier])


def test_a_repeated_call_pays_for_its_page_and_its_count_only(cache_on, client, loaded_open):
    url = records(loaded_open.identifier)
    settle()
    assert client.get(url).status_code == 200  # fills the cache
    cached = queries_of(lambda: client.get(url))
    access_cache.invalidate()
    uncached = queries_of(lambda: client.get(url))
    assert cached == 2  # the page and the use record
    assert uncached == 4  # and the entry and its live version


def test_a_retired_entry_answers_404_on_the_next_call(cache_on, client, loaded_open, reviewer):
    url = records(loaded_open.identifier)
    settle()
    assert client.get(url).status_code == 200
    announced(
        lambda: catalog_entry_transition(
            entry=loaded_open, actor=reviewer, to_status="retired", comment="停用"
        )
    )
    assert client.get(url).status_code == 404


def test_a_new_live_version_is_served_on_the_next_call(cache_on, client, loaded_open, tmp_path):
    detail = reverse("api-open-detail", args=[loaded_open.identifier])
    settle()
    assert client.get(detail).json()["version"]["number"] == 1
    newer = [[f"N{i:03d}", *row[1:]] for i, row in enumerate(open_rows(7))]
    announced(lambda: load_rows_open(loaded_open, newer, tmp_path, name="newer.csv"))
    assert client.get(detail).json()["version"]["number"] == 2
    page = client.get(records(loaded_open.identifier)).json()
    assert [row["code"] for row in page["results"]] == [f"N{i:03d}" for i in range(7)]
