"""The public catalog as DCAT-AP 3.0 (../shared/standards/dcat-ap-3.0.0-shacl.ttl).

``catalog_graph`` is pure: it takes the published entries and the site's base URL and builds an
rdflib graph; the views only serialize it. The DCAT-AP shapes check the class of every object,
so each vocabulary term we point at is typed in the graph too (a frequency is a
``dct:Frequency``, an access right a ``dct:RightsStatement``, a URL an ``rdfs:Resource`` …).
"""

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from . import odrl
from .choices import Openness, Sector, UpdateFrequency
from .models import CatalogEntry

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
FREQUENCY = Namespace(EU_AUTHORITY + "frequency/")
ACCESS_RIGHT = Namespace(EU_AUTHORITY + "access-right/")
DATA_THEME = Namespace(EU_AUTHORITY + "data-theme/")
LANGUAGE = Namespace(EU_AUTHORITY + "language/")
FILE_TYPE = Namespace(EU_AUTHORITY + "file-type/")

# Entries are written in Chinese by the providing departments.
CONTENT_LANGUAGE = "zh"

FREQUENCIES: dict[str, URIRef] = {
    UpdateFrequency.REALTIME: FREQUENCY.CONT,
    UpdateFrequency.DAILY: FREQUENCY.DAILY,
    UpdateFrequency.WEEKLY: FREQUENCY.WEEKLY,
    UpdateFrequency.MONTHLY: FREQUENCY.MONTHLY,
    UpdateFrequency.QUARTERLY: FREQUENCY.QUARTERLY,
    UpdateFrequency.ANNUAL: FREQUENCY.ANNUAL,
    UpdateFrequency.IRREGULAR: FREQUENCY.IRREG,
    UpdateFrequency.NEVER: FREQUENCY.NEVER,
}
ACCESS_RIGHTS: dict[str, URIRef] = {
    Openness.OPEN: ACCESS_RIGHT.PUBLIC,
    Openness.CONDITIONAL: ACCESS_RIGHT.RESTRICTED,
    Openness.NOT_OPEN: ACCESS_RIGHT.NON_PUBLIC,
}
# Sectors on the EU data themes; "other" has no theme. The labels are the authority's own
# (machine-readable vocabulary, not portal text, so they are not translated).
THEMES: dict[str, str] = {
    Sector.EDUCATION: "EDUC",
    Sector.HEALTH: "HEAL",
    Sector.TRANSPORT: "TRAN",
    Sector.MARKET: "ECON",
    Sector.CIVIL_AFFAIRS: "SOCI",
    Sector.UTILITIES: "ENER",
    Sector.SOCIAL_SECURITY: "SOCI",
    Sector.ENVIRONMENT: "ENVI",
    Sector.PLANNING: "REGI",
    Sector.AGRICULTURE: "AGRI",
    Sector.CULTURE_TOURISM: "EDUC",
    Sector.FINANCE: "ECON",
}
THEME_LABELS = {
    "AGRI": "Agriculture, fisheries, forestry and food",
    "ECON": "Economy and finance",
    "EDUC": "Education, culture and sport",
    "ENER": "Energy",
    "ENVI": "Environment",
    "HEAL": "Health",
    "REGI": "Regions and cities",
    "SOCI": "Population and society",
    "TRAN": "Transport",
}
FILE_TYPES = {"CSV", "JSON", "XML", "XLS", "XLSX", "PDF", "TXT", "ZIP", "GEOJSON", "SHP"}

CATALOG_TITLE = _("Public data resource catalog")
CATALOG_DESCRIPTION = _(
    "Published entries of the city's unified public data resource catalog: what each "
    "department provides, how it is classified and whether it is open."
)
SERVICE_TITLE = _("Operator API of the public data portal")
OPEN_SERVICE_TITLE = _("Open API of the public data portal (no key)")
AUTHORIZATION_NEEDED = _(
    "Provided to qualified operators under an authorization; apply on the portal."
)
IANA_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"
# The downloads of an open entry (apps.opendata): URL name, title, IANA media type (JSON Lines
# has none registered).
DOWNLOADS = [
    ("opendata:download-csv", "CSV", "text/csv"),
    (
        "opendata:download-xlsx",
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("opendata:download-jsonl", "JSON Lines", None),
]

JSONLD_CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hydra": str(HYDRA),
    "odrl": str(odrl.ODRL),
}


@dataclass
class _Site:
    """Absolute URLs of the portal's resources, and what the graph already describes."""

    base_url: str
    graph: Graph
    publishers: dict[int, BNode] = field(default_factory=dict)
    # Each vocabulary term is typed once, not once per dataset: a catalog of 20,000 entries
    # would otherwise pay for some 150,000 redundant additions.
    typed_nodes: set[URIRef] = field(default_factory=set)

    def url(self, name: str, *args: str) -> URIRef:
        return URIRef(self.base_url + reverse(name, args=args))

    @cached_property
    def api_endpoint(self) -> URIRef:
        return self.typed(self.url("api-v1"), RDFS.Resource)

    def typed(self, node: URIRef, kind: URIRef) -> URIRef:
        if node not in self.typed_nodes:
            self.typed_nodes.add(node)
            self.graph.add((node, RDF.type, kind))
        return node


def _translations(text: Promise) -> Iterator[Literal]:
    """The text in English and in each language it is translated into, tagged."""
    with translation.override("en"):
        english = str(text)
    yield Literal(english, lang="en")
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            value = str(text)
        if code != "en" and value != english:
            yield Literal(value, lang=code.split("-")[0])


def _agent(graph: Graph, name: str) -> BNode:
    agent = BNode()
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, FOAF.name, Literal(name)))
    return agent


def _data_service(site: _Site, publisher: BNode) -> URIRef:
    graph = site.graph
    service = site.url("catalog:list") + "#operator-api"
    graph.add((service, RDF.type, DCAT.DataService))
    for title in _translations(SERVICE_TITLE):
        graph.add((service, DCTERMS.title, title))
    graph.add((service, DCAT.endpointURL, site.api_endpoint))
    description = site.typed(site.url("api-schema"), RDFS.Resource)
    graph.add((service, DCAT.endpointDescription, description))
    graph.add((service, DCAT.landingPage, site.typed(site.url("api-docs"), FOAF.Document)))
    graph.add((service, DCTERMS.publisher, publisher))
    return service


def _open_data_service(site: _Site, publisher: BNode) -> URIRef:
    graph = site.graph
    service = site.url("catalog:list") + "#open-api"
    graph.add((service, RDF.type, DCAT.DataService))
    for title in _translations(OPEN_SERVICE_TITLE):
        graph.add((service, DCTERMS.title, title))
    endpoint = site.typed(URIRef(site.api_endpoint + "open/"), RDFS.Resource)
    graph.add((service, DCAT.endpointURL, endpoint))
    description = site.typed(site.url("api-schema"), RDFS.Resource)
    graph.add((service, DCAT.endpointDescription, description))
    graph.add((service, DCAT.landingPage, site.typed(site.url("api-docs"), FOAF.Document)))
    graph.add((service, DCTERMS.publisher, publisher))
    rights = site.typed(ACCESS_RIGHT.PUBLIC, DCTERMS.RightsStatement)
    graph.add((service, DCTERMS.accessRights, rights))
    return service


def _catalog(site: _Site, publisher: BNode, service: URIRef) -> URIRef:
    graph = site.graph
    homepage = site.url("catalog:list")
    catalog = homepage + "#catalog"
    graph.add((catalog, RDF.type, DCAT.Catalog))
    for title in _translations(CATALOG_TITLE):
        graph.add((catalog, DCTERMS.title, title))
    for description in _translations(CATALOG_DESCRIPTION):
        graph.add((catalog, DCTERMS.description, description))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, FOAF.homepage, site.typed(homepage, FOAF.Document)))
    graph.add((catalog, DCTERMS.language, site.typed(LANGUAGE.ZHO, DCTERMS.LinguisticSystem)))
    graph.add((catalog, DCAT.service, service))
    taxonomy = site.typed(URIRef(EU_AUTHORITY + "data-theme"), SKOS.ConceptScheme)
    graph.add((taxonomy, DCTERMS.title, Literal("Data theme", lang="en")))
    graph.add((catalog, DCAT.themeTaxonomy, taxonomy))
    return catalog


def _department(site: _Site, entry: CatalogEntry) -> BNode:
    """One agent per department, however many of its entries are listed."""
    if entry.department_id not in site.publishers:
        site.publishers[entry.department_id] = _agent(site.graph, entry.department.name)
    return site.publishers[entry.department_id]


def _describe(site: _Site, dataset: URIRef, page: URIRef, entry: CatalogEntry) -> None:
    graph = site.graph
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(entry.identifier)))
    graph.add((dataset, DCTERMS.title, Literal(entry.title, lang=CONTENT_LANGUAGE)))
    graph.add((dataset, DCTERMS.description, Literal(entry.description, lang=CONTENT_LANGUAGE)))
    graph.add((dataset, DCTERMS.publisher, _department(site, entry)))
    graph.add((dataset, DCTERMS.language, site.typed(LANGUAGE.ZHO, DCTERMS.LinguisticSystem)))
    for keyword in entry.keywords:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang=CONTENT_LANGUAGE)))
    if entry.published_at:
        graph.add((dataset, DCTERMS.issued, Literal(entry.published_at)))
    if entry.updated_at:
        graph.add((dataset, DCTERMS.modified, Literal(entry.updated_at)))
    graph.add((page, RDF.type, FOAF.Document))
    graph.add((dataset, DCAT.landingPage, page))


def _classify(site: _Site, dataset: URIRef, entry: CatalogEntry) -> None:
    graph = site.graph
    frequency = site.typed(FREQUENCIES[entry.update_frequency], DCTERMS.Frequency)
    graph.add((dataset, DCTERMS.accrualPeriodicity, frequency))
    rights = site.typed(ACCESS_RIGHTS[entry.openness], DCTERMS.RightsStatement)
    graph.add((dataset, DCTERMS.accessRights, rights))
    code = THEMES.get(entry.sector)
    if code:
        theme = DATA_THEME[code]
        if theme not in site.typed_nodes:
            graph.add((theme, SKOS.prefLabel, Literal(THEME_LABELS[code], lang="en")))
            graph.add((theme, SKOS.inScheme, URIRef(EU_AUTHORITY + "data-theme")))
        graph.add((dataset, DCAT.theme, site.typed(theme, SKOS.Concept)))


def _contact_and_coverage(graph: Graph, dataset: URIRef, entry: CatalogEntry) -> None:
    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, Literal(entry.contact_name)))
    if entry.contact_email:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{entry.contact_email}")))
    graph.add((dataset, DCAT.contactPoint, contact))
    if entry.temporal_start or entry.temporal_end:
        period = BNode()
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if entry.temporal_start:
            graph.add((period, DCAT.startDate, Literal(entry.temporal_start)))
        if entry.temporal_end:
            graph.add((period, DCAT.endDate, Literal(entry.temporal_end)))
        graph.add((dataset, DCTERMS.temporal, period))
    if entry.spatial_coverage:
        # DCAT-AP wants a dct:Location, not a bare literal: a named place, without geometry.
        place = BNode()
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, SKOS.prefLabel, Literal(entry.spatial_coverage, lang=CONTENT_LANGUAGE)))
        graph.add((dataset, DCTERMS.spatial, place))


def _downloads(
    site: _Site,
    dataset: URIRef,
    page: URIRef,
    entry: CatalogEntry,
    service: URIRef,
    sizes: Mapping[str, int],
) -> None:
    """An open entry with live data: one distribution per download format (with its size in
    bytes when it is known), and the open API."""
    graph = site.graph
    for name, title, media_type in DOWNLOADS:
        distribution = BNode()
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(title)))
        graph.add((distribution, DCAT.accessURL, site.typed(page, RDFS.Resource)))
        download = site.typed(site.url(name, entry.identifier), RDFS.Resource)
        graph.add((distribution, DCAT.downloadURL, download))
        size = sizes.get(name.rsplit("-", 1)[-1])  # opendata:download-csv → csv
        if size is not None:
            graph.add((distribution, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
        if media_type:
            media = site.typed(URIRef(IANA_MEDIA_TYPE + media_type), DCTERMS.MediaType)
            graph.add((distribution, DCAT.mediaType, media))
        graph.add((dataset, DCAT.distribution, distribution))
    api = BNode()
    graph.add((api, RDF.type, DCAT.Distribution))
    records = site.typed(site.url("api-open-records", entry.identifier), RDFS.Resource)
    graph.add((api, DCAT.accessURL, records))
    graph.add((api, DCAT.accessService, service))
    graph.add(
        (
            api,
            DCAT.mediaType,
            site.typed(URIRef(IANA_MEDIA_TYPE + "application/json"), DCTERMS.MediaType),
        )
    )
    graph.add((dataset, DCAT.distribution, api))
    graph.add((service, DCAT.servesDataset, dataset))


def _application(site: _Site, dataset: URIRef, entry: CatalogEntry, bureau: BNode) -> None:
    """A conditional entry: the way in is an application for an authorization, on the terms of
    the bureau's ODRL offer."""
    graph = site.graph
    distribution = BNode()
    graph.add((distribution, RDF.type, DCAT.Distribution))
    query = urlencode({"entry": entry.identifier})
    page = URIRef(f"{site.url('operator_authorizations:application-create')}?{query}")
    graph.add((distribution, DCAT.accessURL, site.typed(page, RDFS.Resource)))
    rights = BNode()
    graph.add((rights, RDF.type, DCTERMS.RightsStatement))
    for label in _translations(AUTHORIZATION_NEEDED):
        graph.add((rights, RDFS.label, label))
    graph.add((distribution, DCTERMS.accessRights, rights))
    policy = odrl.offer(
        graph, uid=URIRef(dataset + "#offer"), target=dataset, assigner=bureau,
        base_url=site.base_url,
    )  # fmt: skip
    graph.add((distribution, odrl.ODRL.hasPolicy, policy))
    graph.add((dataset, DCAT.distribution, distribution))


def _distribution(site: _Site, dataset: URIRef, entry: CatalogEntry, service: URIRef) -> None:
    """The data is reached through the operator API, by authorized operators."""
    graph = site.graph
    distribution = BNode()
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.accessURL, site.api_endpoint))
    graph.add((distribution, DCAT.accessService, service))
    file_type = entry.format.strip().upper()
    if file_type in FILE_TYPES:
        media = site.typed(FILE_TYPE[file_type], DCTERMS.MediaTypeOrExtent)
        graph.add((distribution, DCTERMS.format, media))
    graph.add((dataset, DCAT.distribution, distribution))
    graph.add((service, DCAT.servesDataset, dataset))


def catalog_graph(
    *,
    entries: Iterable[CatalogEntry],
    base_url: str,
    publisher_name: str,
    downloadable: Collection[int] = frozenset(),
    byte_sizes: Mapping[int, Mapping[str, int]] | None = None,
) -> Graph:
    """The catalog, its data services and one dataset per entry.

    ``base_url`` is the site's scheme and host (``https://data.example.cn/``); ``entries``
    must have their department loaded (``select_related``); ``downloadable`` are the ids of
    the open entries with live data (CatalogEntryQuerySet.downloadable), which anyone may
    download and read through the open API; ``byte_sizes`` the known sizes of their downloads
    (selectors.catalog_download_sizes), written as ``dcat:byteSize``.
    """
    graph = Graph()
    for prefix, namespace in JSONLD_CONTEXT.items():
        graph.bind(prefix, namespace)
    site = _Site(base_url=base_url.rstrip("/"), graph=graph)
    bureau = _agent(graph, publisher_name)
    # The bureau is also the party that offers the ODRL policies.
    odrl.party(graph, bureau, publisher_name)
    service = _data_service(site, bureau)
    catalog = _catalog(site, bureau, service)
    open_service = _open_data_service(site, bureau)
    graph.add((catalog, DCAT.service, open_service))
    for entry in entries:
        page = site.url("catalog:detail", entry.identifier)
        # The dataset is not its page: its URI is the page's without the final slash, which
        # redirects to the page. (All datasets sharing one namespace also keeps rdflib's
        # Turtle writer linear; a namespace per dataset makes it quadratic.)
        dataset = URIRef(page.removesuffix("/"))
        _describe(site, dataset, page, entry)
        _classify(site, dataset, entry)
        _contact_and_coverage(graph, dataset, entry)
        if entry.pk in downloadable:
            sizes = (byte_sizes or {}).get(entry.pk, {})
            _downloads(site, dataset, page, entry, open_service, sizes)
        else:
            _distribution(site, dataset, entry, service)
        if entry.openness == Openness.CONDITIONAL:
            _application(site, dataset, entry, bureau)
        graph.add((catalog, DCAT.dataset, dataset))
    return graph


@dataclass(frozen=True)
class PageLinks:
    """A page of the paged catalog: absolute URLs of it and of its neighbours."""

    this: str
    first: str
    last: str
    next: str | None
    previous: str | None
    total: int
    per_page: int


def paged_collection(graph: Graph, links: PageLinks) -> URIRef:
    """Describe the page as a hydra PagedCollection (what RDF harvesters follow).

    hydra:first/last/next/previous are the hydra terms; ckanext-dcat's harvester also reads
    the older hydra:firstPage/lastPage/nextPage/previousPage literals, so both are given.
    """
    graph.bind("hydra", HYDRA)
    page = URIRef(links.this)
    graph.add((page, RDF.type, HYDRA.PagedCollection))
    graph.add((page, HYDRA.totalItems, Literal(links.total, datatype=XSD.integer)))
    graph.add((page, HYDRA.itemsPerPage, Literal(links.per_page, datatype=XSD.integer)))
    pairs = [
        (HYDRA.first, HYDRA.firstPage, links.first),
        (HYDRA.last, HYDRA.lastPage, links.last),
        (HYDRA.next, HYDRA.nextPage, links.next),
        (HYDRA.previous, HYDRA.previousPage, links.previous),
    ]
    for term, older_term, url in pairs:
        if url is not None:
            graph.add((page, term, URIRef(url)))
            graph.add((page, older_term, Literal(url)))
    return page


def catalog_turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def catalog_jsonld(graph: Graph) -> str:
    return graph.serialize(format="json-ld", context=JSONLD_CONTEXT)


def catalog_rdfxml(graph: Graph) -> str:
    return graph.serialize(format="xml")
