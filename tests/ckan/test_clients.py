"""The real clients against the live test server: ckanapi's RemoteCKAN, and the exact queries
ckanext-harvest's CKAN harvester sends (ckanharvester.py, ``_search_for_datasets``: rows=100,
start from 0 by 100 until an empty page, sort=id asc, fq=(metadata_modified:[<since>Z TO *]),
the query string built with ``urlencode(params, quote_via=quote)``)."""

import json
from datetime import UTC, timedelta
from urllib.parse import quote, urlencode
from urllib.request import urlopen

import ckanapi
import pytest
from django.utils import timezone

from apps.catalog.models import CatalogEntry
from tests.factories import bulk_published_entries

# The live server needs committed rows; serialized_rollback puts the migrations' rows back after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MANY = 230


@pytest.fixture
def many(catalog, department):
    """Enough published entries for several pages of 100, plus the small catalog's."""
    bulk_published_entries(department=department, count=MANY)
    return CatalogEntry.objects.published()


def test_ckanapi_pages_through_every_entry_without_gap_or_duplicate(live_server, many):
    ckan = ckanapi.RemoteCKAN(live_server.url)
    seen: list[str] = []
    start = 0
    while True:
        result = ckan.action.package_search(rows=70, start=start)
        if not result["results"]:
            break
        seen.extend(package["id"] for package in result["results"])
        start += 70
    assert result["count"] == many.count() == MANY + 3
    assert len(seen) == len(set(seen)) == MANY + 3
    assert set(seen) == {str(value) for value in many.values_list("uuid", flat=True)}


def test_ckanapi_reads_a_package_and_the_organizations(live_server, catalog):
    ckan = ckanapi.RemoteCKAN(live_server.url)
    entry = catalog["open"]
    package = ckan.action.package_show(id=entry.identifier.lower())
    assert package["id"] == str(entry.uuid)
    assert package["title"] == entry.title
    assert ckan.action.organization_list() == ["edu", "health"]
    organizations = ckan.action.organization_list(all_fields=True)
    assert {org["name"]: org["package_count"] for org in organizations} == {"edu": 2, "health": 1}
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-entry")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id=catalog["draft"].identifier)
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_create(name="x")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(rows=5000)
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="colour:red")


def test_ckanapi_by_get_only(live_server, catalog):
    ckan = ckanapi.RemoteCKAN(live_server.url, get_only=True)
    result = ckan.action.package_search(fq="organization:health")
    assert [p["name"] for p in result["results"]] == [catalog["not_open"].identifier.lower()]


def _harvest(base_url: str, since: str) -> list[dict]:
    """ckanext-harvest's gather stage: every page of the search, as it asks for them."""
    params = {"rows": "100", "start": "0", "sort": "id asc"}
    params["fq"] = f"({' OR '.join([f'metadata_modified:[{since}Z TO *]'])})"
    packages: list[dict] = []
    ids: set[str] = set()
    while True:
        url = base_url + "/api/3/action/package_search?" + urlencode(params, quote_via=quote)
        with urlopen(url) as response:  # noqa: S310 - the live test server
            page = json.loads(response.read())["result"]["results"]
        assert not ids & {p["id"] for p in page}
        ids |= {p["id"] for p in page}
        packages.extend(page)
        if not page:
            return packages
        params["start"] = str(int(params["start"]) + int(params["rows"]))


def test_the_harvester_gets_exactly_the_entries_changed_since(live_server, many):
    # The last harvest started an hour ago; 130 entries changed since (more than a page).
    last_harvest = timezone.now() - timedelta(hours=1)
    CatalogEntry.objects.update(updated_at=last_harvest - timedelta(days=2))
    changed = list(many.order_by("identifier").values_list("pk", flat=True)[:130])
    CatalogEntry.objects.filter(pk__in=changed).update(updated_at=last_harvest)
    # The harvester goes back one hour before the last job started, in UTC without an offset.
    since = (last_harvest - timedelta(hours=1)).astimezone(UTC).replace(tzinfo=None).isoformat()
    harvested = _harvest(live_server.url, since)
    expected = CatalogEntry.objects.filter(pk__in=changed).values_list("uuid", flat=True)
    assert sorted(p["id"] for p in harvested) == sorted(str(value) for value in expected)
    assert [p["id"] for p in harvested] == sorted(p["id"] for p in harvested)  # id asc


def test_the_first_harvest_gets_everything_published(live_server, many, catalog):
    params = {"rows": "100", "start": "0", "sort": "id asc"}
    url = live_server.url + "/api/3/action/package_search?" + urlencode(params, quote_via=quote)
    with urlopen(url) as response:  # noqa: S310 - the live test server
        body = json.loads(response.read())
    assert body["result"]["count"] == MANY + 3
    names = {p["name"] for p in _harvest(live_server.url, "2000-01-01T00:00:00")}
    assert catalog["draft"].identifier.lower() not in names
    assert catalog["retired"].identifier.lower() not in names
    assert len(names) == MANY + 3
