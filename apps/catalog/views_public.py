"""The public side of the catalog: anyone may browse published entries, nobody logs in."""

from collections.abc import Callable
from datetime import datetime, time
from hashlib import sha256
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rdflib import Graph

from apps.organisations.models import Bureau

from . import dcat, odrl
from .choices import Openness, Status
from .filters import (
    SEARCH_MAX_LENGTH,
    CatalogEntryFilter,
    catalog_facet_counts,
    catalog_facets,
    catalog_filters_key,
)
from .listing_cache import catalog_listing_cached, catalog_listing_generation
from .models import CatalogEntry, CatalogEntryQuerySet
from .sections import entry_page_sections
from .selectors import (
    catalog_download_formats,
    catalog_download_sizes,
    catalog_entries_public,
    catalog_entry_public,
)

PAGE_SIZE = 20
# ?sort=: relevance (the default while searching), newest (the default otherwise), title.
SORTS = {
    "relevance": gettext_lazy("relevance"),
    "newest": gettext_lazy("newest"),
    "title": gettext_lazy("title"),
}
EXPORT_CACHE_SECONDS = 15 * 60
# A page of the paged DCAT export (hydra): as many datasets as ckanext-dcat's own pages.
DCAT_PAGE_SIZE = 100
PAGING_PARAMETERS = ("page", "modified_since", "q")
TURTLE = "text/turtle; charset=utf-8"
JSONLD = "application/ld+json; charset=utf-8"
RDFXML = "application/rdf+xml; charset=utf-8"


def catalog_list(request: HttpRequest) -> HttpResponse:
    filterset = CatalogEntryFilter(request.GET, queryset=catalog_entries_public())
    entries = cast(CatalogEntryQuerySet, filterset.qs)
    query = filterset.form.cleaned_data.get("q") or ""
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        sort = "relevance" if query else "newest"
    # Read before anything is counted: see catalog_listing_cached.
    generation = catalog_listing_generation()
    counts, total = catalog_listing_cached(
        "counts",
        catalog_filters_key(filterset=filterset),
        lambda: catalog_facet_counts(filterset=filterset),
        generation=generation,
    )
    paginator = Paginator(_sorted(entries, sort, query), PAGE_SIZE)
    paginator.count = total  # counted with the facets, and cached with them
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "facets": catalog_facets(filterset=filterset, counts=counts),
        "page_obj": page,
        "query": query,
        "sort": sort,
        "sorts": [
            (value, label) for value, label in SORTS.items() if value != "relevance" or query
        ],
        "filtered": any(request.GET.get(name) for name in ("q", *filterset.filters, "sort")),
        "downloadable": filterset.form.cleaned_data.get("downloadable") is True,
        # Each entry of the page with the formats anyone may download it in (open data). Read
        # only when the page's results are not already cached (the template's fragment).
        "cards": SimpleLazyObject(lambda: _cards(page)),
        "listing_generation": generation,
        "listing_cache_seconds": settings.CATALOG_LISTING_CACHE_SECONDS,
    }
    # A hand-made URL with an unknown value: say which parameter, list without it.
    status = 400 if filterset.errors else 200
    return render(request, "catalog/public/list.html", context, status=status)


def _sorted(entries: CatalogEntryQuerySet, sort: str, query: str) -> CatalogEntryQuerySet:
    if sort == "relevance":
        return entries.ranked(query)
    if sort == "title":
        return entries.order_by("title", "identifier")
    return entries.order_by("-published_at", "-created_at")


def _cards(page: Page) -> list[tuple[CatalogEntry, list[str]]]:
    formats = catalog_download_formats(entry_ids=[entry.pk for entry in page])
    return [(entry, formats.get(entry.pk, [])) for entry in page]


def catalog_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    entry = catalog_entry_public(identifier=identifier)
    context = {"entry": entry, "sections": entry_page_sections(request, entry)}
    return render(request, "catalog/public/detail.html", context)


def _bureau_name() -> str:
    # One bureau runs the portal; before it is set up, the generic name stands in.
    name = Bureau.objects.order_by("pk").values_list("name", flat=True).first()
    return name or _("City Data Bureau")


def _catalog_version(entries: CatalogEntryQuerySet) -> dict[str, Any]:
    # Publishing or retiring an entry changes the count or the latest publication time.
    # Data going live (or rolled back) changes which entries offer downloads: the sum of the
    # live versions' ids changes with it (the join gives each entry one row per version).
    return entries.aggregate(
        count=Count("pk", distinct=True), published=Max("published_at"),
        updated=Max("updated_at"),
        live=Sum("versions__pk", filter=Q(openness=Openness.OPEN, versions__is_live=True)),
        sizes=Count("versions__download_sizes", distinct=True),
    )  # fmt: skip


def _last_modified() -> datetime | None:
    """When what the public sees last changed: retiring an entry counts too."""
    shown = CatalogEntry.objects.filter(status__in=[Status.PUBLISHED, Status.RETIRED])
    return shown.aggregate(latest=Max("updated_at"))["latest"]


def _export_state() -> tuple[dict[str, Any], datetime | None]:
    """The published catalog's version (as _catalog_version) and when what the public sees last
    changed (a retired entry counts too), in one query."""
    published = Q(status=Status.PUBLISHED)
    shown = CatalogEntry.objects.filter(status__in=[Status.PUBLISHED, Status.RETIRED])
    live = published & Q(openness=Openness.OPEN, versions__is_live=True)
    state = shown.aggregate(
        count=Count("pk", distinct=True, filter=published),
        published=Max("published_at", filter=published),
        updated=Max("updated_at", filter=published),
        live=Sum("versions__pk", filter=live), changed=Max("updated_at"),
        sizes=Count("versions__download_sizes", distinct=True, filter=live),
    )  # fmt: skip
    return state, state.pop("changed")


def _export(
    request: HttpRequest, serialize: Callable[[Graph], str], key: str, publisher_name: str
) -> str:
    """The serialized catalog, rebuilt only when what the public sees has changed.

    rdflib needs some 15 s for 14,000 entries: too long to pay on every request to a public
    URL. A renamed department shows once the cached copy expires.
    """
    body = cache.get(key)
    if body is None:
        entries = catalog_entries_public().iterator(chunk_size=500)
        sizes = catalog_download_sizes()  # every downloadable entry, with what sizes are known
        graph = dcat.catalog_graph(
            entries=entries, base_url=request.build_absolute_uri("/"),
            publisher_name=publisher_name, downloadable=set(sizes), byte_sizes=sizes,
        )  # fmt: skip
        body = serialize(graph)
        cache.set(key, body, EXPORT_CACHE_SECONDS)
    return body


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _paged_selection(request: HttpRequest) -> CatalogEntryQuerySet:
    """The entries ``modified_since`` and ``q`` select; ValueError names a bad parameter."""
    entries = catalog_entries_public()
    since_text = request.GET.get("modified_since", "").strip()
    if since_text:
        since = parse_datetime(since_text) or _midnight(since_text)
        if since is None:
            raise ValueError("modified_since")
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        entries = entries.filter(updated_at__gte=since)
    q = request.GET.get("q", "")
    if len(q) > SEARCH_MAX_LENGTH:
        raise ValueError("q")
    return entries.search(q) if q.strip() else entries


def _midnight(text: str) -> datetime | None:
    try:
        day = parse_date(text)
    except ValueError:
        return None
    return datetime.combine(day, time.min) if day else None


def _paged(
    request: HttpRequest, serialize: Callable[[Graph], str], content_type: str
) -> HttpResponse:
    """One page of DCAT_PAGE_SIZE datasets as a hydra PagedCollection (modified_since, q)."""
    try:
        entries = _paged_selection(request)
    except ValueError as error:
        return _bad_request(_("Not a valid value of: %(name)s") % {"name": error.args[0]})
    raw_page = request.GET.get("page", "1")
    if not raw_page.isascii() or not raw_page.isdigit() or int(raw_page) < 1:
        return _bad_request(_("Not a valid value of: %(name)s") % {"name": "page"})
    base_url = request.build_absolute_uri("/")
    publisher_name = _bureau_name()
    version = sorted(_catalog_version(entries).items())
    etag = _etag(serialize, base_url, publisher_name, request.GET.urlencode(), version)
    modified = _last_modified()
    not_modified = get_conditional_response(request, etag=etag, last_modified=_timestamp(modified))
    if not_modified is not None:
        return not_modified
    paginator = Paginator(entries.order_by("pk"), DCAT_PAGE_SIZE, allow_empty_first_page=True)
    number = int(raw_page)
    if number > paginator.num_pages:
        raise Http404
    page = paginator.page(number)
    ids = [entry.pk for entry in page]
    sizes = catalog_download_sizes(entry_ids=ids)
    graph = dcat.catalog_graph(
        entries=page, base_url=base_url, publisher_name=publisher_name,
        downloadable=set(sizes), byte_sizes=sizes,
    )  # fmt: skip
    dcat.paged_collection(
        graph,
        dcat.PageLinks(
            this=_page_url(request, number), first=_page_url(request, 1),
            last=_page_url(request, paginator.num_pages),
            next=_page_url(request, number + 1) if page.has_next() else None,
            previous=_page_url(request, number - 1) if page.has_previous() else None,
            total=paginator.count, per_page=DCAT_PAGE_SIZE,
        ),
    )  # fmt: skip
    response = HttpResponse(serialize(graph), content_type=content_type)
    return _validators(response, etag, modified)


def _etag(*parts: object) -> str:
    return '"' + sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def _timestamp(moment: datetime | None) -> int | None:
    # HTTP dates have whole seconds: compared with a fraction, nothing would ever be unchanged.
    return int(moment.timestamp()) if moment else None


def _validators(response: HttpResponse, etag: str, modified: datetime | None) -> HttpResponse:
    response["ETag"] = etag
    if modified:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response


def _catalog_dcat(
    request: HttpRequest, serialize: Callable[[Graph], str], content_type: str
) -> HttpResponse:
    """The whole catalog (as before), or one page of it when a paging parameter is given."""
    if any(name in request.GET for name in PAGING_PARAMETERS):
        return _paged(request, serialize, content_type)
    publisher_name = _bureau_name()
    version, modified = _export_state()
    parts = (
        serialize.__name__,
        request.build_absolute_uri("/"),
        publisher_name,
        sorted(version.items()),
    )
    digest = sha256(repr(parts).encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=_timestamp(modified))
    if not_modified is not None:
        return not_modified
    body = _export(request, serialize, "catalog-dcat:" + digest, publisher_name)
    response = HttpResponse(body, content_type=content_type)
    return _validators(response, etag, modified)


def catalog_dcat_jsonld(request: HttpRequest) -> HttpResponse:
    return _catalog_dcat(request, dcat.catalog_jsonld, JSONLD)


def catalog_dcat_turtle(request: HttpRequest) -> HttpResponse:
    return _catalog_dcat(request, dcat.catalog_turtle, TURTLE)


def catalog_dcat_rdfxml(request: HttpRequest) -> HttpResponse:
    return _catalog_dcat(request, dcat.catalog_rdfxml, RDFXML)


def _entry_dcat(
    request: HttpRequest, identifier: str, serialize: Callable[[Graph], str], content_type: str
) -> HttpResponse:
    """One published entry's dataset, in the catalog that lists it."""
    entry = catalog_entry_public(identifier=identifier)
    sizes = catalog_download_sizes(entry_ids=[entry.pk])
    base_url = request.build_absolute_uri("/")
    publisher_name = _bureau_name()
    etag = _etag(
        serialize, base_url, publisher_name, entry.pk, entry.updated_at, sorted(sizes.items())
    )
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=_timestamp(entry.updated_at)
    )
    if not_modified is not None:
        return not_modified
    graph = dcat.catalog_graph(
        entries=[entry], base_url=base_url, publisher_name=publisher_name,
        downloadable=set(sizes), byte_sizes=sizes,
    )  # fmt: skip
    response = HttpResponse(serialize(graph), content_type=content_type)
    return _validators(response, etag, entry.updated_at)


def catalog_entry_dcat_turtle(request: HttpRequest, identifier: str) -> HttpResponse:
    return _entry_dcat(request, identifier, dcat.catalog_turtle, TURTLE)


def catalog_entry_dcat_jsonld(request: HttpRequest, identifier: str) -> HttpResponse:
    return _entry_dcat(request, identifier, dcat.catalog_jsonld, JSONLD)


def odrl_profile(request: HttpRequest) -> HttpResponse:
    """The page the portal's ODRL profile IRIs resolve to: each term, its kind and meaning."""
    context = {
        "terms": odrl.PROFILE_TERMS,
        "profile": odrl.profile_iri(request.build_absolute_uri("/")),
    }
    return render(request, "catalog/public/odrl_profile.html", context)
