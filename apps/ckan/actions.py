"""The read-only actions of CKAN's action API, over the published catalog only.

Each action takes the request's parameters and the site, and returns CKAN's ``result``; its
docstring is what ``help_show`` answers. Every read goes through the catalog's public selectors,
so a draft, a returned or a retired entry never appears.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from apps.catalog.choices import Openness, Sector
from apps.catalog.models import CatalogEntry, CatalogEntryQuerySet
from apps.catalog.selectors import catalog_download_formats, catalog_entries_public
from apps.core.exports import XLSX_MAX_ROWS
from apps.organisations.models import Department

from .errors import NotFound, ValidationError
from .package import (
    LICENSES,
    Site,
    department_name,
    department_uuid,
    group_dict,
    organization_dict,
    package_dict,
    sector_uuid,
)
from .query import Search, package_search_query, whole_number

# The CKAN version whose action API these answers follow (clients read it from status_show).
CKAN_VERSION = "2.10.4"
LIST_LIMIT_MAX = 1000

type Action = Callable[[dict[str, Any], Site], Any]


def _packages(entries: list[CatalogEntry], site: Site) -> list[dict[str, Any]]:
    formats = catalog_download_formats(entry_ids=[entry.pk for entry in entries])
    return [package_dict(e, formats=formats.get(e.pk, []), site=site) for e in entries]


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None or str(value).strip() == "":
        message = _("Missing value")
        raise ValidationError(message, **{name: [message]})
    return str(value).strip()


def _tag_counts(queryset: CatalogEntryQuerySet, limit: int) -> list[tuple[str, int]]:
    """Entries per keyword in one query (keywords are a JSON list on the entry)."""
    sql, params = queryset.order_by().values("keywords").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tag, COUNT(*) FROM ({sql}) AS matched "  # noqa: S608 - the ORM's own SQL
            "CROSS JOIN LATERAL jsonb_array_elements_text(matched.keywords) AS tag "
            "GROUP BY tag ORDER BY COUNT(*) DESC, tag LIMIT %s",
            [*params, limit],
        )
        return [(tag, count) for tag, count in cursor.fetchall()]


def _format_counts(queryset: CatalogEntryQuerySet) -> list[tuple[str, int]]:
    live = Q(openness=Openness.OPEN, versions__is_live=True)
    counts = queryset.order_by().aggregate(
        downloadable=Count("pk", filter=live, distinct=True),
        xlsx=Count("pk", filter=live & Q(versions__row_count__lte=XLSX_MAX_ROWS), distinct=True),
    )
    rows = [
        ("CSV", counts["downloadable"]),
        ("JSON Lines", counts["downloadable"]),
        ("XLSX", counts["xlsx"]),
    ]
    return [(name, count) for name, count in rows if count]


def _facet_counts(search: Search, field: str) -> list[tuple[str, str, int]]:
    """(name, display name, count) of one facet, most entries first."""
    queryset = search.queryset.order_by()
    if field == "organization":
        departments = queryset.values_list("department__code", "department__name")
        rows = departments.annotate(n=Count("pk"))
        counts = [(code.lower(), name, n) for code, name, n in rows]
    elif field == "groups":
        sectors = queryset.values_list("sector").annotate(n=Count("pk"))
        counts = [(sector, str(Sector(sector).label), n) for sector, n in sectors]
    elif field == "tags":
        counts = [(tag, tag, n) for tag, n in _tag_counts(queryset, search.facet_limit)]
    elif field == "res_format":
        counts = [(name, name, n) for name, n in _format_counts(queryset)]
    else:  # license_id
        totals: dict[str, int] = {}
        for row in queryset.values("openness").annotate(n=Count("pk")):
            license_id = LICENSES[Openness(row["openness"])][0]
            totals[license_id] = totals.get(license_id, 0) + row["n"]
        counts = [(license_id, license_id, n) for license_id, n in totals.items()]
    counts.sort(key=lambda item: (-item[2], item[0]))
    return counts[: search.facet_limit]


def package_search(params: dict[str, Any], site: Site) -> dict[str, Any]:
    """Searches the published catalog entries.

    q: words of the title, description, keywords or identifier; fq: filters (organization:,
    groups:, tags:, res_format:, license_id:, name:, id:, metadata_modified:[from TO to],
    metadata_created:[from TO to]); rows (default 10, at most 1000); start; sort (id,
    name, title, metadata_modified, metadata_created with asc or desc); facet.field (a JSON
    list of organization, groups, tags, res_format, license_id) and facet.limit.
    """
    search = package_search_query(params)
    count = search.queryset.count()
    page = list(search.queryset[search.start : search.start + search.rows]) if search.rows else []
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field in search.facet_fields:
        counts = _facet_counts(search, field)
        facets[field] = {name: n for name, _display, n in counts}
        search_facets[field] = {
            "title": field,
            "items": [{"name": n, "display_name": d, "count": c} for n, d, c in counts],
        }
    return {
        "count": count,
        "sort": search.sort,
        "facets": facets,
        "search_facets": search_facets,
        "results": _packages(page, site),
    }


def _entry(value: str) -> CatalogEntry:
    lookup = Q(identifier=value.upper())
    if _is_uuid(value):
        lookup |= Q(uuid=value)
    entry = catalog_entries_public().filter(lookup).first()
    if entry is None:
        raise NotFound(_("Not found"))
    return entry


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def package_show(params: dict[str, Any], site: Site) -> dict[str, Any]:
    """One published catalog entry. id: its UUID, its name or its identifier."""
    return _packages([_entry(_required(params, "id"))], site)[0]


def _limit_offset(params: dict[str, Any]) -> tuple[int, int]:
    limit = whole_number(params, "limit", LIST_LIMIT_MAX, 0, LIST_LIMIT_MAX)
    offset = whole_number(params, "offset", 0, 0, 10**9)
    return limit, offset


def package_list(params: dict[str, Any], site: Site) -> list[str]:
    """The names of the published catalog entries, in name order. limit (at most 1000), offset."""
    limit, offset = _limit_offset(params)
    identifiers = (
        catalog_entries_public().order_by("identifier").values_list("identifier", flat=True)
    )
    return [identifier.lower() for identifier in identifiers[offset : offset + limit]]


def _published_counts(field: str) -> dict[Any, int]:
    rows = catalog_entries_public().order_by().values(field).annotate(n=Count("pk"))
    return {row[field]: row["n"] for row in rows}


def _truthy(params: dict[str, Any], name: str) -> bool:
    return str(params.get(name, "")).lower() in {"true", "1", "yes", "on"}


def organization_list(params: dict[str, Any], site: Site) -> list[Any]:
    """The providing departments, by name (their codes, lower-case). all_fields: whole objects
    with package_count (the published entries). limit, offset."""
    limit, offset = _limit_offset(params)
    departments = list(Department.objects.order_by("code")[offset : offset + limit])
    if not _truthy(params, "all_fields"):
        return [department_name(department) for department in departments]
    counts = _published_counts("department_id")
    return [organization_dict(d, package_count=counts.get(d.pk, 0)) for d in departments]


def _department(value: str) -> Department:
    for department in Department.objects.all():
        if value in {department_name(department), department.code, department_uuid(department.pk)}:
            return department
    raise NotFound(_("Not found"))


def organization_show(params: dict[str, Any], site: Site) -> dict[str, Any]:
    """One providing department. id: its name, code or id. include_datasets: its published
    entries too (at most 1000)."""
    department = _department(_required(params, "id"))
    entries = catalog_entries_public().filter(department=department).order_by("identifier")
    result = organization_dict(department, package_count=entries.count())
    if _truthy(params, "include_datasets"):
        result["packages"] = _packages(list(entries[:LIST_LIMIT_MAX]), site)
    return result


def group_list(params: dict[str, Any], site: Site) -> list[Any]:
    """The sectors, by name. all_fields: whole objects with package_count."""
    if not _truthy(params, "all_fields"):
        return list(Sector.values)
    counts = _published_counts("sector")
    return [group_dict(sector, package_count=counts.get(sector, 0)) for sector in Sector.values]


def group_show(params: dict[str, Any], site: Site) -> dict[str, Any]:
    """One sector. id: its name or id. include_datasets: its published entries too."""
    value = _required(params, "id")
    sector = next((s for s in Sector.values if value in {s, sector_uuid(s)}), None)
    if sector is None:
        raise NotFound(_("Not found"))
    entries = catalog_entries_public().filter(sector=sector).order_by("identifier")
    result = group_dict(sector, package_count=entries.count())
    if _truthy(params, "include_datasets"):
        result["packages"] = _packages(list(entries[:LIST_LIMIT_MAX]), site)
    return result


def tag_list(params: dict[str, Any], site: Site) -> list[Any]:
    """The keywords of the published catalog entries. query: only those containing it."""
    tags = [tag for tag, _count in _tag_counts(catalog_entries_public(), 10**6)]
    query = str(params.get("query") or "")
    tags = sorted(tag for tag in tags if query in tag)
    if _truthy(params, "all_fields"):
        return [
            {"id": None, "name": tag, "display_name": tag, "vocabulary_id": None} for tag in tags
        ]
    return tags


def status_show(params: dict[str, Any], site: Site) -> dict[str, Any]:
    """What this site is and which CKAN action API it follows."""
    return {
        "site_title": _("Public Data Portal"),
        "site_description": _("City Data Bureau · public data authorized operation"),
        "site_url": site.base_url,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": [],
    }


def help_show(params: dict[str, Any], site: Site) -> str:
    """What an action does and takes. name: the action."""
    name = _required(params, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(_("Action function not found"))
    return (action.__doc__ or "").strip()


ACTIONS: dict[str, Action] = {
    "package_search": package_search,
    "package_show": package_show,
    "package_list": package_list,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "group_show": group_show,
    "tag_list": tag_list,
    "status_show": status_show,
    "help_show": help_show,
}
