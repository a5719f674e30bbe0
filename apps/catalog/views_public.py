"""The public side of the catalog: anyone may browse published entries, nobody logs in."""

from collections.abc import Callable
from hashlib import sha256
from typing import cast

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rdflib import Graph

from apps.organisations.models import Bureau

from . import dcat
from .choices import Openness
from .filters import CatalogEntryFilter, catalog_facets
from .models import CatalogEntryQuerySet
from .sections import entry_page_sections
from .selectors import catalog_download_formats, catalog_entries_public, catalog_entry_public

PAGE_SIZE = 20
# ?sort=: relevance (the default while searching), newest (the default otherwise), title.
SORTS = {
    "relevance": gettext_lazy("relevance"),
    "newest": gettext_lazy("newest"),
    "title": gettext_lazy("title"),
}
EXPORT_CACHE_SECONDS = 15 * 60


def catalog_list(request: HttpRequest) -> HttpResponse:
    filterset = CatalogEntryFilter(request.GET, queryset=catalog_entries_public())
    entries = cast(CatalogEntryQuerySet, filterset.qs)
    query = filterset.form.cleaned_data.get("q") or ""
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        sort = "relevance" if query else "newest"
    if sort == "relevance":
        entries = entries.ranked(query)
    elif sort == "title":
        entries = entries.order_by("title", "identifier")
    else:
        entries = entries.order_by("-published_at", "-created_at")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    formats = catalog_download_formats(entry_ids=[entry.pk for entry in page])
    context = {
        "filterset": filterset,
        "facets": catalog_facets(filterset=filterset),
        "page_obj": page,
        "query": query,
        "sort": sort,
        "sorts": [
            (value, label) for value, label in SORTS.items() if value != "relevance" or query
        ],
        "filtered": any(request.GET.get(name) for name in ("q", *filterset.filters, "sort")),
        "downloadable": filterset.form.cleaned_data.get("downloadable") is True,
        # Each entry of the page with the formats anyone may download it in (open data).
        "cards": [(entry, formats.get(entry.pk, [])) for entry in page],
    }
    # A hand-made URL with an unknown value: say which parameter, list without it.
    status = 400 if filterset.errors else 200
    return render(request, "catalog/public/list.html", context, status=status)


def catalog_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    entry = catalog_entry_public(identifier=identifier)
    context = {"entry": entry, "sections": entry_page_sections(request, entry)}
    return render(request, "catalog/public/detail.html", context)


def _bureau_name() -> str:
    # One bureau runs the portal; before it is set up, the generic name stands in.
    name = Bureau.objects.order_by("pk").values_list("name", flat=True).first()
    return name or _("City Data Bureau")


def _export_key(serialize: Callable[[Graph], str], base_url: str, publisher_name: str) -> str:
    # Publishing or retiring an entry changes the count or the latest publication time.
    # Data going live (or rolled back) changes which entries offer downloads: the sum of the
    # live versions' ids changes with it (the join gives each entry one row per version).
    version = catalog_entries_public().aggregate(
        count=Count("pk", distinct=True), published=Max("published_at"),
        updated=Max("updated_at"),
        live=Sum("versions__pk", filter=Q(openness=Openness.OPEN, versions__is_live=True)),
    )  # fmt: skip
    parts = (serialize.__name__, base_url, publisher_name, sorted(version.items()))
    return "catalog-dcat:" + sha256(repr(parts).encode()).hexdigest()


def _export(request: HttpRequest, serialize: Callable[[Graph], str]) -> str:
    """The serialized catalog, rebuilt only when what the public sees has changed.

    rdflib needs some 15 s for 14,000 entries: too long to pay on every request to a public
    URL. A renamed department shows once the cached copy expires.
    """
    base_url = request.build_absolute_uri("/")
    publisher_name = _bureau_name()
    key = _export_key(serialize, base_url, publisher_name)
    body = cache.get(key)
    if body is None:
        entries = catalog_entries_public().iterator(chunk_size=500)
        downloadable = set(catalog_entries_public().downloadable().values_list("pk", flat=True))
        graph = dcat.catalog_graph(
            entries=entries, base_url=base_url, publisher_name=publisher_name,
            downloadable=downloadable,
        )  # fmt: skip
        body = serialize(graph)
        cache.set(key, body, EXPORT_CACHE_SECONDS)
    return body


def catalog_dcat_jsonld(request: HttpRequest) -> HttpResponse:
    body = _export(request, dcat.catalog_jsonld)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")


def catalog_dcat_turtle(request: HttpRequest) -> HttpResponse:
    body = _export(request, dcat.catalog_turtle)
    return HttpResponse(body, content_type="text/turtle; charset=utf-8")
