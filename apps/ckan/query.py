"""package_search's parameters (Solr syntax, as CKAN clients send it) turned into the catalog's
own queryset: the text search is the catalog's (CatalogEntryQuerySet.search), the filters are
plain ORM lookups, so nothing here searches on its own.

``fq`` is a list of ``field:value`` clauses, all of which must hold; ``-field:value`` negates
one, ``(a OR b)`` groups alternatives (ckanext-harvest wraps its clauses so); a value is a word,
a "quoted phrase" or a range ``[from TO to]`` with ``*`` for an open end.
"""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.catalog.models import CatalogEntryQuerySet
from apps.catalog.selectors import catalog_entries_public
from apps.core.exports import XLSX_MAX_ROWS
from apps.organisations.models import Department

from .errors import SearchQueryError, ValidationError
from .package import LICENSES, department_uuid

ROWS_DEFAULT = 10
ROWS_MAX = 1000
# CKAN's package_search fields and the entry's field each sorts on.
SORT_FIELDS = {
    "id": "uuid",
    "name": "identifier",
    "title": "title",
    "title_string": "title",
    "metadata_modified": "updated_at",
    "metadata_created": "created_at",
}
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
FACET_LIMIT_DEFAULT = 50

_CLAUSE = re.compile(
    r"""\s*(?P<neg>[-+]?)(?:(?P<group>\([^()]*\))|(?P<field>[a-z_]+):(?P<value>"[^"]*"|\[[^\]]*\]|[^\s()]+))"""
)
_RANGE = re.compile(r"^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$")


@dataclass(frozen=True)
class Search:
    queryset: CatalogEntryQuerySet
    start: int
    rows: int
    sort: str
    facet_fields: list[str]
    facet_limit: int


def whole_number(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    text = str(raw)
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        message = _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        raise ValidationError(message, **{name: [message]})
    return int(text)


def _invalid(message: str) -> SearchQueryError:
    return SearchQueryError(_("Search Query is invalid: %(reason)s") % {"reason": message})


def _moment(text: str) -> datetime | None:
    if text == "*":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(_("“%(value)s” is not an ISO 8601 time.") % {"value": text}) from None
    # Solr's times are UTC; one without an offset is read as UTC too.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _time_range(column: str, value: str) -> Q:
    match = _RANGE.match(value)
    if not match:
        raise _invalid(_("A time is filtered by a range: [from TO to]."))
    start, end = _moment(match[1]), _moment(match[2])
    condition = Q()
    if start:
        condition &= Q(**{f"{column}__gte": start})
    if end:
        condition &= Q(**{f"{column}__lte": end})
    return condition


def _res_format(value: str) -> Q:
    downloadable = catalog_entries_public().downloadable()
    if value.upper() in {"CSV", "JSON LINES", "JSONL"}:
        return Q(pk__in=downloadable.values("pk"))
    if value.upper() == "XLSX":
        fits = downloadable.filter(versions__row_count__lte=XLSX_MAX_ROWS)
        return Q(pk__in=fits.values("pk"))
    return Q(pk__in=[])


def _owner_org(value: str) -> Q:
    ids = {department_uuid(pk): pk for pk in Department.objects.values_list("pk", flat=True)}
    return Q(department_id=ids.get(value, 0))


def _license(value: str) -> Q:
    return Q(openness__in=[o for o, (license_id, _t) in LICENSES.items() if license_id == value])


def _field_condition(field: str, value: str) -> Q:
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    match field:
        case "organization":
            return Q(department__code=value.upper())
        case "owner_org":
            return _owner_org(value)
        case "groups":
            return Q(sector=value)
        case "tags":
            return Q(keywords__contains=[value])
        case "res_format":
            return _res_format(value)
        case "license_id":
            return _license(value)
        case "name":
            return Q(identifier=value.upper())
        case "id":
            return Q(uuid=_uuid(value))
        case "metadata_modified":
            return _time_range("updated_at", value)
        case "metadata_created":
            return _time_range("created_at", value)
        # What CKAN clients add to say "public, active datasets only": every entry here is.
        case "dataset_type" | "type":
            return Q() if value == "dataset" else Q(pk__in=[])
        case "capacity":
            return Q() if value == "public" else Q(pk__in=[])
        case "state":
            return Q() if value == "active" else Q(pk__in=[])
    raise _invalid(_("“%(field)s” cannot be filtered on.") % {"field": field})


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _clauses(text: str, *, any_of: bool) -> Q:
    """All the clauses of ``text`` (or any one of them, in a group joined by OR)."""
    condition: Q | None = None
    position = 0
    while True:
        while True:  # blanks and the joining words between clauses
            connective = re.match(r"\s*(?:(?:AND|OR)\s+)?", text[position:])
            if not connective or not connective.group():
                break
            position += connective.end()
        if position >= len(text):
            break
        match = _CLAUSE.match(text, position)
        if not match:
            raise _invalid(_("“%(text)s” is not a field:value filter.") % {"text": text})
        position = match.end()
        clause = _group(match["group"]) if match["group"] else None
        if clause is None:
            clause = _field_condition(match["field"], match["value"])
        if match["neg"] == "-":
            clause = ~clause
        if condition is None:
            condition = clause
        else:
            condition = (condition | clause) if any_of else (condition & clause)
    return condition if condition is not None else Q()


def _group(group: str) -> Q:
    inner = group[1:-1]
    return _clauses(inner, any_of=bool(re.search(r"\bOR\b", inner)))


def _filters(fq: str) -> Q:
    outside_groups = re.sub(r"\([^()]*\)", " ", fq)
    return _clauses(fq, any_of=bool(re.search(r"\bOR\b", outside_groups)))


def _ordering(sort: str) -> list[str]:
    ordering: list[str] = []
    for part in sort.split(","):
        words = part.split()
        if not words:
            continue
        direction = words[1].lower() if len(words) > 1 else "asc"
        if len(words) > 2 or direction not in {"asc", "desc"}:
            raise _invalid(_("Sort by “field asc” or “field desc”."))
        if words[0] == "score":
            continue  # every match scores the same here: the next key orders them
        column = SORT_FIELDS.get(words[0])
        if column is None:
            raise _invalid(_("“%(field)s” cannot be sorted on.") % {"field": words[0]})
        ordering.append(("-" if direction == "desc" else "") + column)
    # The UUID is unique: pages cut by start/rows never overlap nor leave a gap.
    return [*ordering, "uuid"]


def _facet_fields(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    fields = raw
    if isinstance(raw, str):
        try:
            fields = json.loads(raw)
        except ValueError:
            fields = [raw]
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        message = _("Give a JSON list of field names.")
        raise ValidationError(message, **{"facet.field": [message]})
    unknown = [field for field in fields if field not in FACET_FIELDS]
    if unknown:
        raise _invalid(_("“%(field)s” cannot be a facet.") % {"field": unknown[0]})
    return fields


def package_search_query(params: dict[str, Any]) -> Search:
    """The published entries the parameters select, in the order they ask, with the page."""
    queryset = catalog_entries_public()
    q = str(params.get("q") or "").strip()
    if q and q != "*:*":
        queryset = queryset.search(q)
    fq = params.get("fq")
    if isinstance(fq, list):
        fq = " ".join(str(clause) for clause in fq)
    if fq:
        queryset = queryset.filter(_filters(str(fq)))
    sort = str(params.get("sort") or "score desc, metadata_modified desc")
    queryset = queryset.order_by(*_ordering(sort))
    return Search(
        queryset=queryset,
        start=whole_number(params, "start", 0, 0, 10**9),
        rows=whole_number(params, "rows", ROWS_DEFAULT, 0, ROWS_MAX),
        sort=sort,
        facet_fields=_facet_fields(params.get("facet.field")),
        facet_limit=_facet_limit(params),
    )


def _facet_limit(params: dict[str, Any]) -> int:
    raw = params.get("facet.limit")
    if str(raw) == "-1":
        return 10**6
    return whole_number(params, "facet.limit", FACET_LIMIT_DEFAULT, 0, 10**6)
