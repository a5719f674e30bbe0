"""The paged DCAT export (hydra), RDF/XML, one entry's DCAT, and conditional GETs."""

from datetime import timedelta
from pathlib import Path

import pyshacl
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from apps.catalog.models import CatalogEntry
from apps.catalog.services import catalog_entry_retire
from tests.factories import bulk_published_entries, make_entry

SHAPES = Graph().parse(Path(__file__).parent / "data" / "dcat-ap-3.0.0-shacl.ttl")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
FORMATS = [("catalog:dcat-turtle", "turtle"), ("catalog:dcat-jsonld", "json-ld"),
           ("catalog:dcat-rdfxml", "xml")]  # fmt: skip
TOTAL = 230


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalog(department, reviewer):
    bulk_published_entries(department=department, count=TOTAL - 2)
    make_entry(department=department, status="published", reviewer=reviewer, openness="open")
    make_entry(department=department, status="published", reviewer=reviewer)
    make_entry(department=department, status="draft", title="草稿")
    make_entry(department=department, status="retired", reviewer=reviewer)
    return CatalogEntry.objects.published()


def _get(client, url: str, fmt: str, **headers) -> tuple[Graph, object]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:300]
    return Graph().parse(data=response.content, format=fmt), response


def _identifiers(graph: Graph) -> list[str]:
    catalog = graph.value(predicate=RDF.type, object=DCAT.Catalog)
    datasets = graph.objects(catalog, DCAT.dataset)
    return [str(graph.value(dataset, DCTERMS.identifier)) for dataset in datasets]


@pytest.mark.parametrize(("name", "fmt"), FORMATS)
def test_paging_walks_every_published_entry_once(client, catalog, name, fmt):
    url = "http://testserver" + reverse(name) + "?page=1"
    seen: list[str] = []
    pages = 0
    while url:
        graph, _response = _get(client, url.removeprefix("http://testserver"), fmt)
        page = URIRef(url)
        assert (page, RDF.type, HYDRA.PagedCollection) in graph
        assert graph.value(page, HYDRA.totalItems).toPython() == TOTAL
        assert graph.value(page, HYDRA.itemsPerPage).toPython() == 100
        assert str(graph.value(page, HYDRA.first)).endswith("page=1")
        assert str(graph.value(page, HYDRA.last)).endswith("page=3")
        assert str(graph.value(page, HYDRA.firstPage)).endswith("page=1")  # ckanext-dcat's
        if pages:
            assert graph.value(page, HYDRA.previous) is not None
        seen.extend(_identifiers(graph))
        following = graph.value(page, HYDRA.next)
        assert graph.value(page, HYDRA.nextPage) == (Literal(str(following)) if following else None)
        url = str(following) if following else ""
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == TOTAL
    assert set(seen) == set(catalog.values_list("identifier", flat=True))


def test_every_page_conforms_to_the_dcat_ap_shapes(client, catalog):
    for number in (1, 2, 3):
        for name, fmt in FORMATS:
            graph, _r = _get(client, reverse(name) + f"?page={number}", fmt)
            conforms, _graph, text = pyshacl.validate(graph, shacl_graph=SHAPES)
            assert conforms, text


def test_modified_since_and_q_select_and_page(client, catalog):
    recent = timezone.now() + timedelta(hours=1)
    CatalogEntry.objects.filter(identifier__in=["BULK-00003", "BULK-00004"]).update(
        updated_at=recent
    )
    since = (recent - timedelta(minutes=1)).isoformat()
    graph, _r = _get(
        client, reverse("catalog:dcat-turtle") + "?" + f"modified_since={since}".replace("+", "%2B"),
        "turtle",
    )  # fmt: skip
    assert sorted(_identifiers(graph)) == ["BULK-00003", "BULK-00004"]
    graph, _r = _get(client, reverse("catalog:dcat-turtle") + "?q=批量条目 17", "turtle")
    assert "BULK-00017" in _identifiers(graph)
    page = next(graph.subjects(RDF.type, HYDRA.PagedCollection))
    assert "q=" in str(page)


def test_bad_paging_parameters_are_refused(client, catalog):
    url = reverse("catalog:dcat-turtle")
    assert client.get(url + "?page=0").status_code == 400
    assert client.get(url + "?page=two").status_code == 400
    assert client.get(url + "?modified_since=yesterday").status_code == 400
    assert client.get(url + "?page=4").status_code == 404


def test_without_parameters_the_whole_catalog_comes_as_before(client, catalog):
    graph, _r = _get(client, reverse("catalog:dcat-turtle"), "turtle")
    assert len(_identifiers(graph)) == TOTAL
    assert not list(graph.subjects(RDF.type, HYDRA.PagedCollection))
    graph, response = _get(client, reverse("catalog:dcat-rdfxml"), "xml")
    assert response["Content-Type"] == "application/rdf+xml; charset=utf-8"
    assert len(_identifiers(graph)) == TOTAL


@pytest.mark.parametrize("query", ["", "?page=2"])
def test_conditional_gets_answer_304_until_the_catalog_changes(client, catalog, reviewer, query):
    url = reverse("catalog:dcat-turtle") + query
    response = client.get(url)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    entry = CatalogEntry.objects.get(identifier="BULK-00150")
    CatalogEntry.objects.filter(pk=entry.pk).update(updated_at=timezone.now() + timedelta(1))
    catalog_entry_retire(entry=entry, actor=reviewer, comment="停止提供")
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_one_entrys_dcat(client, catalog):
    entry = catalog.get(title="全市中小学校基本信息", openness="conditional")
    for name, fmt in (("catalog:entry-dcat-turtle", "turtle"),
                      ("catalog:entry-dcat-jsonld", "json-ld")):  # fmt: skip
        graph, response = _get(client, reverse(name, args=[entry.identifier]), fmt)
        assert _identifiers(graph) == [entry.identifier]
        conforms, _graph, text = pyshacl.validate(graph, shacl_graph=SHAPES)
        assert conforms, text
        again = client.get(
            reverse(name, args=[entry.identifier]), headers={"if-none-match": response["ETag"]}
        )
        assert again.status_code == 304
    for hidden in CatalogEntry.objects.exclude(status="published"):
        url = reverse("catalog:entry-dcat-turtle", args=[hidden.identifier])
        assert client.get(url).status_code == 404


def test_a_page_takes_the_same_queries_however_many_entries(
    client, catalog, django_assert_max_num_queries
):
    # bureau, version, last change, count, page, downloadable
    with django_assert_max_num_queries(6):
        client.get(reverse("catalog:dcat-turtle") + "?page=2")
