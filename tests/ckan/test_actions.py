"""CKAN's action API: envelopes, status codes, every action and parameter, only published entries."""

import json
from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import CatalogEntry
from apps.ckan.package import department_uuid, sector_uuid
from tests.factories import bulk_published_entries


def call(client, action: str, method: str = "get", **params):
    url = reverse("ckan:action", args=[action])
    if method == "post":
        response = client.post(url, data=json.dumps(params), content_type="application/json")
    else:
        response = client.get(url, params)
    return response, response.json()


def search(client, **params):
    response, body = call(client, "package_search", **params)
    assert response.status_code == 200, body
    return body["result"]


def test_it_answers_in_ckans_envelope(client, catalog):
    response, body = call(client, "package_list")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert set(body) == {"help", "success", "result"}
    assert body["success"] is True
    assert body["help"] == "http://testserver/api/3/action/help_show?name=package_list"


def test_both_paths_and_both_methods_answer_the_same(client, catalog):
    by_get = client.get("/api/3/action/package_search", {"rows": 2}).json()
    by_post = client.post(
        "/api/action/package_search", data={"rows": 2}, content_type="application/json"
    ).json()
    assert by_get["result"] == by_post["result"]


def test_it_lists_only_published_entries(client, catalog, published):
    result = search(client, rows=1000)
    assert result["count"] == 3
    names = {package["name"] for package in result["results"]}
    assert names == {entry.identifier.lower() for entry in published}
    _r, body = call(client, "package_list")
    assert sorted(body["result"]) == sorted(names)
    for hidden in ("draft", "retired"):
        response, body = call(client, "package_show", id=catalog[hidden].identifier)
        assert response.status_code == 404
        assert body["error"]["__type"] == "Not Found Error"


def test_a_package_follows_the_mapping(client, catalog):
    entry = catalog["open"]
    _r, body = call(client, "package_show", id=entry.identifier)
    package = body["result"]
    assert package["id"] == str(entry.uuid)
    assert package["name"] == entry.identifier.lower()
    assert package["title"] == "公共自行车站点"
    assert package["notes"] == entry.description
    assert package["organization"] == {
        **package["organization"], "id": department_uuid(entry.department_id), "name": "edu",
        "title": "市教育局",
    }  # fmt: skip
    assert package["owner_org"] == department_uuid(entry.department_id)
    assert [group["name"] for group in package["groups"]] == ["transport"]
    assert package["groups"][0]["id"] == sector_uuid("transport")
    assert [tag["name"] for tag in package["tags"]] == ["交通", "自行车"]
    assert package["num_tags"] == 2
    entry.refresh_from_db()
    assert (
        package["metadata_modified"]
        == entry.updated_at.astimezone(UTC).replace(tzinfo=None).isoformat()
    )
    assert package["license_id"] == "other-open"
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["grade"] == "general"
    assert extras["openness"] == "open"
    assert extras["update_frequency"] == "annual"
    assert extras["spatial_coverage"] == "全市"
    assert extras["uri"] == f"http://testserver/catalog/{entry.identifier}"
    assert [r["format"] for r in package["resources"]] == ["CSV", "XLSX", "JSON Lines"]
    assert package["resources"][0]["url"].endswith(f"/catalog/{entry.identifier}/download.csv")
    assert package["num_resources"] == 3
    assert (package["private"], package["state"], package["type"]) == (False, "active", "dataset")


def test_a_conditional_entry_offers_the_application_page(client, catalog):
    entry = catalog["conditional"]
    _r, body = call(client, "package_show", id=str(entry.uuid))
    (resource,) = body["result"]["resources"]
    assert resource["url"].endswith(f"/operator/applications/new/?entry={entry.identifier}")
    assert body["result"]["license_id"] == "other-closed"
    _r, body = call(client, "package_show", id=catalog["not_open"].identifier.lower())
    assert body["result"]["resources"] == []


def test_package_show_by_name_identifier_and_uuid(client, catalog):
    entry = catalog["conditional"]
    for value in (entry.identifier, entry.identifier.lower(), str(entry.uuid)):
        response, body = call(client, "package_show", id=value)
        assert response.status_code == 200
        assert body["result"]["id"] == str(entry.uuid)


def test_errors_have_ckans_types_and_status_codes(client, catalog):
    response, body = call(client, "package_show", id="NOPE-00001")
    assert response.status_code == 404
    assert body["success"] is False
    assert body["error"]["__type"] == "Not Found Error"
    response, body = call(client, "package_show")
    assert response.status_code == 409
    assert body["error"]["__type"] == "Validation Error"
    assert "id" in body["error"]
    response, body = call(client, "package_search", rows="many")
    assert response.status_code == 409
    assert body["error"]["rows"]
    response, body = call(client, "package_search", rows=1001)
    assert response.status_code == 409
    response, body = call(client, "package_search", fq="colour:red")
    assert response.status_code == 400
    assert body["error"]["__type"] == "Search Query Error"
    response, body = call(client, "package_search", sort="colour asc")
    assert response.status_code == 400
    assert body["error"]["__type"] == "Search Query Error"
    response, body = call(client, "package_search", fq="metadata_modified:[yesterday TO *]")
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["package_create", "package_update", "package_delete",
                                  "organization_create", "resource_patch"])  # fmt: skip
def test_writes_answer_authorization_error(client, catalog, name):
    response, body = call(client, name, method="post", name="x")
    assert response.status_code == 403
    assert body["error"]["__type"] == "Authorization Error"
    assert CatalogEntry.objects.count() == 5


def test_an_unknown_action_is_a_bad_request(client):
    response, body = call(client, "package_frobnicate")
    assert response.status_code == 400
    assert body["success"] is False
    assert "package_frobnicate" in body["error"]["message"]


def test_a_body_that_is_not_an_object_is_refused(client, db):
    url = reverse("ckan:action", args=["package_search"])
    response = client.post(url, data="[1]", content_type="application/json")
    assert response.status_code == 409


def test_search_by_words_and_filters(client, catalog):
    assert search(client, q="自行车")["count"] == 1
    assert search(client, q="*:*")["count"] == 3
    assert search(client, fq="organization:edu")["count"] == 2
    assert search(client, fq="organization:health")["count"] == 1
    assert search(client, fq="groups:transport")["count"] == 1
    assert search(client, fq="tags:医疗")["count"] == 1
    assert search(client, fq='tags:"自行车"')["count"] == 1
    assert search(client, fq="res_format:CSV")["count"] == 1
    assert search(client, fq='res_format:"JSON Lines"')["count"] == 1
    assert search(client, fq="organization:edu -groups:transport")["count"] == 1
    assert search(client, fq="organization:edu AND groups:transport")["count"] == 1
    assert search(client, fq="(groups:transport OR groups:health)")["count"] == 2
    assert search(client, fq="+dataset_type:dataset capacity:public state:active")["count"] == 3
    assert search(client, fq="state:deleted")["count"] == 0
    assert (
        search(client, fq=f"owner_org:{department_uuid(catalog['open'].department_id)}")["count"]
        == 2
    )


def test_metadata_modified_selects_what_changed_since(client, catalog):
    later = timezone.now() + timedelta(minutes=5)
    CatalogEntry.objects.filter(pk=catalog["not_open"].pk).update(updated_at=later)
    since = (later - timedelta(seconds=1)).astimezone(UTC).replace(tzinfo=None)
    result = search(client, fq=f"metadata_modified:[{since.isoformat()}Z TO *]")
    assert [p["name"] for p in result["results"]] == [catalog["not_open"].identifier.lower()]
    until = search(client, fq=f"metadata_modified:[* TO {since.isoformat()}Z]")
    assert until["count"] == 2


def test_rows_start_and_sort(client, catalog, published):
    by_id = sorted(str(entry.uuid) for entry in published)
    first = search(client, rows=2, start=0, sort="id asc")["results"]
    rest = search(client, rows=2, start=2, sort="id asc")["results"]
    assert [p["id"] for p in first + rest] == by_id
    assert len(search(client)["results"]) == 3  # default 10 rows
    assert search(client, rows=0)["results"] == []
    newest = search(client, sort="metadata_modified desc")["results"]
    stamps = [p["metadata_modified"] for p in newest]
    assert stamps == sorted(stamps, reverse=True)
    names = [p["name"] for p in search(client, sort="name asc")["results"]]
    assert names == sorted(names)


def test_facets(client, catalog):
    result = search(
        client, rows=0,
        **{"facet.field": json.dumps(["organization", "groups", "tags", "res_format", "license_id"])},
    )  # fmt: skip
    assert result["facets"]["organization"] == {"edu": 2, "health": 1}
    assert result["facets"]["groups"] == {"education": 1, "transport": 1, "health": 1}
    assert result["facets"]["tags"]["医疗"] == 1
    assert result["facets"]["res_format"] == {"CSV": 1, "JSON Lines": 1, "XLSX": 1}
    assert result["facets"]["license_id"] == {"other-closed": 2, "other-open": 1}
    items = result["search_facets"]["organization"]["items"]
    assert {"name": "edu", "display_name": "市教育局", "count": 2} in items
    response, _body = call(client, "package_search", **{"facet.field": '["colour"]'})
    assert response.status_code == 400


def test_organizations(client, catalog):
    _r, body = call(client, "organization_list")
    assert body["result"] == ["edu", "health"]
    _r, body = call(client, "organization_list", all_fields="true")
    counts = {org["name"]: org["package_count"] for org in body["result"]}
    assert counts == {"edu": 2, "health": 1}
    _r, body = call(client, "organization_show", id="edu", include_datasets="true")
    assert body["result"]["title"] == "市教育局"
    assert body["result"]["package_count"] == 2
    assert len(body["result"]["packages"]) == 2
    department_id = catalog["open"].department_id
    _r, body = call(client, "organization_show", id=department_uuid(department_id))
    assert body["result"]["name"] == "edu"
    response, body = call(client, "organization_show", id="nowhere")
    assert response.status_code == 404


def test_groups_and_tags(client, catalog):
    _r, body = call(client, "group_list")
    assert "transport" in body["result"]
    _r, body = call(client, "group_list", all_fields=True)
    counts = {group["name"]: group["package_count"] for group in body["result"]}
    assert counts["transport"] == 1
    assert counts["finance"] == 0
    _r, body = call(client, "group_show", id="health")
    assert body["result"]["package_count"] == 1
    response, _body = call(client, "group_show", id="astrology")
    assert response.status_code == 404
    _r, body = call(client, "tag_list")
    assert set(body["result"]) == {"交通", "自行车", "学校", "教育", "医疗"}
    _r, body = call(client, "tag_list", query="自行")
    assert body["result"] == ["自行车"]


def test_status_and_help(client, db):
    _r, body = call(client, "status_show")
    assert body["result"]["ckan_version"].startswith("2.")
    assert body["result"]["site_url"] == "http://testserver"
    _r, body = call(client, "help_show", name="package_search")
    assert "facet.field" in body["result"]
    response, body = call(client, "help_show", name="package_frobnicate")
    assert response.status_code == 404
    assert client.get("/api/3").json() == {"version": 3}


@pytest.mark.parametrize("rows", [10, 100])
def test_package_search_takes_the_same_queries_however_many_rows(
    client, catalog, department, django_assert_max_num_queries, rows
):
    bulk_published_entries(department=department, count=120)
    facets = json.dumps(["organization", "groups", "tags", "res_format", "license_id"])
    # count, page, download formats, and one query per facet
    with django_assert_max_num_queries(8):
        result = search(client, rows=rows, fq="organization:edu", **{"facet.field": facets})
    assert result["count"] == 122
    assert len(result["results"]) == rows
