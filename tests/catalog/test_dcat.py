"""The DCAT-AP 3.0 export of the public catalog (Turtle and JSON-LD)."""

from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF

from apps.catalog import dcat
from apps.catalog.choices import UpdateFrequency
from apps.catalog.models import CatalogEntry
from apps.catalog.services import catalog_entry_retire
from apps.organisations.models import Department
from tests.factories import entry_data, make_entry

# A copy of the published DCAT-AP 3.0.0 SHACL shapes (the design's standards/ folder), kept with
# the tests so they run wherever the checkout is.
SHAPES = Path(__file__).parent / "data" / "dcat-ap-3.0.0-shacl.ttl"
BASE = "http://testserver"
VCARD = dcat.VCARD
# A plain Namespace: rdflib's closed DCAT namespace warns when pytest inspects the module.
DCAT = Namespace("http://www.w3.org/ns/dcat#")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def entries(department, other_department, reviewer) -> dict[str, CatalogEntry]:
    return {
        "open": make_entry(
            department=department,
            status="published",
            reviewer=reviewer,
            title="全市公交线路站点信息",
            sector="transport",
            openness="open",
            update_frequency="realtime",
            temporal_start=date(2020, 1, 1),
            temporal_end=date(2024, 12, 31),
        ),
        "conditional": make_entry(department=department, status="published", reviewer=reviewer),
        "not_open": make_entry(
            department=other_department,
            status="published",
            reviewer=reviewer,
            grade="core",
            openness="not_open",
            sector="other",
            contact_email="",
        ),
        "draft": make_entry(department=department, status="draft"),
        "retired": make_entry(department=department, status="retired", reviewer=reviewer),
    }


def _export(client, name: str = "catalog:dcat-turtle", fmt: str = "turtle") -> Graph:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return Graph().parse(data=response.content, format=fmt)


def _dataset(graph: Graph, entry: CatalogEntry) -> URIRef:
    return next(graph.subjects(DCTERMS.identifier, Literal(entry.identifier)))


def _unsaved_entry(**overrides: object) -> CatalogEntry:
    entry = CatalogEntry(
        identifier="EDU-00001",
        department=Department(pk=1, code="EDU", name="市教育局"),
        **entry_data(**overrides),
    )
    entry.updated_at = entry.published_at = None
    return entry


def test_both_formats_parse_to_the_same_graph(client, entries):
    turtle = client.get(reverse("catalog:dcat-turtle"))
    jsonld = client.get(reverse("catalog:dcat-jsonld"))
    assert turtle["Content-Type"] == "text/turtle; charset=utf-8"
    assert jsonld["Content-Type"] == "application/ld+json; charset=utf-8"
    assert isomorphic(
        Graph().parse(data=turtle.content, format="turtle"),
        Graph().parse(data=jsonld.content, format="json-ld"),
    )


def test_it_exports_only_published_entries(client, entries):
    graph = _export(client)
    identifiers = {str(value) for value in graph.objects(None, DCTERMS.identifier)}
    assert identifiers == {entries[name].identifier for name in ("open", "conditional", "not_open")}


def test_the_catalog_has_its_mandatory_properties(client, entries):
    graph = _export(client, "catalog:dcat-jsonld", "json-ld")
    catalog = graph.value(predicate=RDF.type, object=DCAT.Catalog)
    assert catalog == URIRef(BASE + reverse("catalog:list") + "#catalog")
    assert graph.value(catalog, DCTERMS.title).language == "en"
    assert graph.value(catalog, DCTERMS.description)
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == "市大数据管理局"
    assert len(set(graph.objects(catalog, DCAT.dataset))) == 3


def test_a_dataset_has_its_mandatory_and_recommended_properties(client, entries):
    graph = _export(client)
    entry = entries["open"]
    dataset = _dataset(graph, entry)
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCTERMS.title) == Literal(entry.title, lang="zh")
    assert graph.value(dataset, DCTERMS.description) == Literal(entry.description, lang="zh")
    assert set(graph.objects(dataset, DCAT.keyword)) == {
        Literal("学校", lang="zh"),
        Literal("教育", lang="zh"),
    }
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == "市教育局"
    page = URIRef(BASE + reverse("catalog:detail", args=[entry.identifier]))
    assert graph.value(dataset, DCAT.landingPage) == page
    assert graph.value(dataset, DCAT.theme) == dcat.DATA_THEME.TRAN
    assert graph.value(dataset, DCTERMS.accrualPeriodicity) == dcat.FREQUENCY.CONT


def test_a_dataset_has_a_contact_point_and_its_time_coverage(client, entries):
    graph = _export(client)
    dataset = _dataset(graph, entries["open"])
    contact = graph.value(dataset, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert str(graph.value(contact, VCARD.fn)) == "张老师"
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:data@edu.example.cn")
    period = graph.value(dataset, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
    assert graph.value(period, DCAT.startDate).toPython() == date(2020, 1, 1)
    assert graph.value(period, DCAT.endDate).toPython() == date(2024, 12, 31)
    without = _dataset(graph, entries["not_open"])
    assert graph.value(without, DCTERMS.temporal) is None
    assert graph.value(graph.value(without, DCAT.contactPoint), VCARD.hasEmail) is None


def test_the_distribution_points_at_the_operator_api(client, entries):
    graph = _export(client)
    # A conditional entry also has a distribution that points at the application page.
    distribution = next(
        found
        for found in graph.objects(_dataset(graph, entries["conditional"]), DCAT.distribution)
        if graph.value(found, DCAT.accessService) is not None
    )
    assert (distribution, RDF.type, DCAT.Distribution) in graph
    assert graph.value(distribution, DCAT.accessURL) == URIRef(BASE + "/api/v1/")
    service = graph.value(distribution, DCAT.accessService)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == URIRef(BASE + "/api/v1/")
    assert graph.value(service, DCAT.endpointDescription) == URIRef(BASE + "/api/schema/")
    assert graph.value(service, DCTERMS.title)


@pytest.mark.parametrize(
    ("name", "right"),
    [("open", "PUBLIC"), ("conditional", "RESTRICTED"), ("not_open", "NON_PUBLIC")],
)
def test_access_rights_follow_openness(client, entries, name, right):
    graph = _export(client)
    rights = graph.value(_dataset(graph, entries[name]), DCTERMS.accessRights)
    assert rights == dcat.ACCESS_RIGHT[right]
    assert (rights, RDF.type, DCTERMS.RightsStatement) in graph


@pytest.mark.parametrize(
    ("frequency", "code"),
    [
        ("realtime", "CONT"),
        ("daily", "DAILY"),
        ("weekly", "WEEKLY"),
        ("monthly", "MONTHLY"),
        ("quarterly", "QUARTERLY"),
        ("annual", "ANNUAL"),
        ("irregular", "IRREG"),
        ("never", "NEVER"),
    ],
)
def test_update_frequency_maps_to_the_eu_frequency_authority(db, frequency, code):
    graph = dcat.catalog_graph(
        entries=[_unsaved_entry(update_frequency=frequency)], base_url=BASE, publisher_name="局"
    )
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    value = graph.value(dataset, DCTERMS.accrualPeriodicity)
    assert value == URIRef(f"http://publications.europa.eu/resource/authority/frequency/{code}")
    assert (value, RDF.type, DCTERMS.Frequency) in graph


def test_every_frequency_and_openness_has_a_mapping():
    assert set(dcat.FREQUENCIES) == set(UpdateFrequency)
    assert set(dcat.ACCESS_RIGHTS) == {"open", "conditional", "not_open"}


def test_a_dataset_uri_leads_to_its_page(client, entries):
    graph = _export(client)
    dataset = _dataset(graph, entries["open"])
    response = client.get(str(dataset).removeprefix(BASE))
    assert response.status_code == 301
    assert response["Location"] == str(graph.value(dataset, DCAT.landingPage)).removeprefix(BASE)


def test_a_newly_published_or_retired_entry_shows_in_the_next_export(
    client, entries, department, reviewer
):
    _export(client)
    published = make_entry(department=department, status="published", reviewer=reviewer)
    graph = _export(client)
    assert Literal(published.identifier) in set(graph.objects(None, DCTERMS.identifier))
    catalog_entry_retire(entry=published, actor=reviewer, comment="停止提供")
    graph = _export(client, "catalog:dcat-jsonld", "json-ld")
    assert Literal(published.identifier) not in set(graph.objects(None, DCTERMS.identifier))


def test_the_export_runs_a_constant_number_of_queries(
    client, entries, department, reviewer, django_assert_max_num_queries
):
    for _ in range(5):
        make_entry(department=department, status="published", reviewer=reviewer)
    with django_assert_max_num_queries(4):
        client.get(reverse("catalog:dcat-turtle"))


def test_the_export_conforms_to_the_dcat_ap_shapes(client, entries):
    pyshacl = pytest.importorskip("pyshacl", reason="pyshacl is not installed")
    shapes = Graph().parse(SHAPES, format="turtle")
    for name, fmt in (("catalog:dcat-turtle", "turtle"), ("catalog:dcat-jsonld", "json-ld")):
        conforms, _graph, text = pyshacl.validate(_export(client, name, fmt), shacl_graph=shapes)
        assert conforms, text


def test_the_shapes_catch_a_dataset_without_a_title(client, entries):
    pyshacl = pytest.importorskip("pyshacl", reason="pyshacl is not installed")
    graph = _export(client)
    graph.remove((_dataset(graph, entries["open"]), DCTERMS.title, None))
    conforms, _graph, text = pyshacl.validate(graph, shacl_graph=Graph().parse(SHAPES))
    assert not conforms
    assert "dcat:DatasetShape" in text
