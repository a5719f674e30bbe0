"""DCAT-AP distributions of open and conditional entries; the export still conforms to the
DCAT-AP 3.0 SHACL shapes."""

import pyshacl
import pytest
from django.core.cache import cache
from django.urls import reverse
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from tests.catalog.test_dcat import SHAPES

DCAT = Namespace("http://www.w3.org/ns/dcat#")
BASE = "http://testserver"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def export(client, name: str = "catalog:dcat-turtle", fmt: str = "turtle") -> Graph:
    return Graph().parse(data=client.get(reverse(name)).content, format=fmt)


def distributions(graph: Graph, entry) -> list:
    dataset = next(graph.subjects(DCTERMS.identifier, Literal(entry.identifier)))
    return list(graph.objects(dataset, DCAT.distribution))


def test_an_open_entry_with_data_has_a_distribution_per_download_and_the_open_api(
    client, loaded_open
):
    graph = export(client)
    found = distributions(graph, loaded_open)
    downloads = {graph.value(d, DCAT.downloadURL) for d in found} - {None}
    assert downloads == {
        URIRef(BASE + reverse(f"opendata:download-{suffix}", args=[loaded_open.identifier]))
        for suffix in ("csv", "xlsx", "jsonl")
    }
    media = {graph.value(d, DCAT.mediaType) for d in found}
    assert URIRef("http://www.iana.org/assignments/media-types/text/csv") in media
    api = next(d for d in found if graph.value(d, DCAT.accessService) is not None)
    records = BASE + reverse("api-open-records", args=[loaded_open.identifier])
    assert graph.value(api, DCAT.accessURL) == URIRef(records)
    service = graph.value(api, DCAT.accessService)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == URIRef(BASE + "/api/v1/open/")


def test_a_conditional_entry_points_at_the_application_page(client, conditional_entry):
    graph = export(client)
    found = distributions(graph, conditional_entry)
    application = next(d for d in found if graph.value(d, DCTERMS.accessRights) is not None)
    url = reverse("operator_authorizations:application-create")
    expected = f"{BASE}{url}?entry={conditional_entry.identifier}"
    assert graph.value(application, DCAT.accessURL) == URIRef(expected)
    rights = graph.value(application, DCTERMS.accessRights)
    assert (rights, RDF.type, DCTERMS.RightsStatement) in graph
    assert not any(graph.value(d, DCAT.downloadURL) for d in found)


def test_a_closed_entry_offers_no_download(client, closed_entry):
    graph = export(client)
    assert not any(graph.value(d, DCAT.downloadURL) for d in distributions(graph, closed_entry))


@pytest.mark.parametrize(
    ("name", "fmt"), [("catalog:dcat-turtle", "turtle"), ("catalog:dcat-jsonld", "json-ld")]
)
def test_the_export_with_distributions_conforms_to_the_shapes(
    client, loaded_open, conditional_entry, closed_entry, name, fmt
):
    conforms, _graph, text = pyshacl.validate(
        export(client, name, fmt), shacl_graph=Graph().parse(SHAPES)
    )
    assert conforms, text


def test_a_new_live_version_shows_in_the_next_export(client, open_entry, tmp_path):
    from .conftest import load_rows_open, open_rows

    assert not any(export(client).objects(None, DCAT.downloadURL))
    load_rows_open(open_entry, open_rows(3), tmp_path)
    assert any(export(client).objects(None, DCAT.downloadURL))


def byte_sizes(graph: Graph, entry) -> dict[str, int]:
    return {
        str(graph.value(d, DCAT.downloadURL)).rsplit(".", 1)[-1]: graph.value(d, DCAT.byteSize)
        for d in distributions(graph, entry)
        if graph.value(d, DCAT.byteSize) is not None
    }


def test_a_download_size_is_given_once_known_and_for_the_live_version_only(
    client, loaded_open, tmp_path
):
    from .conftest import load_rows_open, open_rows

    assert byte_sizes(export(client), loaded_open) == {}  # nobody has downloaded it yet
    url = reverse("opendata:download-csv", args=[loaded_open.identifier])
    sent = b"".join(client.get(url).streaming_content)
    sizes = byte_sizes(export(client), loaded_open)
    assert sizes == {"csv": Literal(len(sent), datatype=XSD.nonNegativeInteger)}
    load_rows_open(loaded_open, open_rows(3), tmp_path, name="newer.csv")
    assert byte_sizes(export(client), loaded_open) == {}  # version 2's size is not known yet


@pytest.mark.parametrize(
    ("name", "fmt"), [("catalog:dcat-turtle", "turtle"), ("catalog:dcat-jsonld", "json-ld")]
)
def test_the_export_with_byte_sizes_conforms_to_the_shapes(client, loaded_open, name, fmt):
    for suffix in ("csv", "jsonl"):
        url = reverse(f"opendata:download-{suffix}", args=[loaded_open.identifier])
        b"".join(client.get(url).streaming_content)
    graph = export(client, name, fmt)
    assert len(byte_sizes(graph, loaded_open)) == 2
    conforms, _graph, text = pyshacl.validate(graph, shacl_graph=Graph().parse(SHAPES))
    assert conforms, text
