"""What a client asks the dataset endpoints, parsed and checked against the grant.

Every name a client gives is looked up among the live table's columns and the granted fields
(an unknown field, a field outside the grant, an unknown parameter: 400 naming it); every value
is parsed by its column's type (query.parse_value). The result is Columns and Conditions, which
query.py turns into SQL. The records cursor is here too: a signed, opaque position.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext as _

from apps.catalog.choices import FieldType
from apps.core.api_errors import ApiError, bad_parameter, invalid_cursor
from apps.datazone.storage import Column

from . import query
from .access import Grant, Scope
from .query import Condition, Metric, Ordering, Position

DEFAULT_PAGE_SIZE = 100
MAX_FILTERS = 20
MAX_LIST_VALUES = 100
MAX_GROUP_BY = 5
MAX_METRICS = 20
CURSOR_SALT = "apps.api.records.cursor"
RECORDS_PARAMETER_NAMES = frozenset(
    {"fields", "ordering", "page_size", "cursor", "format", "authorization"}
)
AGGREGATE_PARAMETER_NAMES = frozenset({"group_by", "metrics", "authorization"})
AUTHORIZATION_ONLY = frozenset({"authorization"})


# Request parsing --------------------------------------------------------------------------------


def unknown_parameter(name: str) -> ApiError:
    return ApiError(
        "unknown_parameter",
        _("Unknown parameter “%(parameter)s”.") % {"parameter": name},
        field=name,
    )


def invalid_value(name: str) -> ApiError:
    return bad_parameter(
        name, _("The value of “%(parameter)s” is not valid.") % {"parameter": name}
    )


def single_values(parameters: QueryDict) -> dict[str, str]:
    """Each parameter's one value; a parameter given twice is ambiguous and refused."""
    values = {}
    for name, items in parameters.lists():
        if len(items) > 1:
            raise bad_parameter(name, _("Give “%(parameter)s” once.") % {"parameter": name})
        values[name] = items[0]
    return values


def refuse_unknown(parameters: QueryDict, *, allowed: frozenset[str]) -> None:
    for name in single_values(parameters):
        if name not in allowed:
            raise unknown_parameter(name)


def granted_column(grant: Scope, name: str) -> Column:
    column = grant.table.column(name)
    if column is None:
        raise ApiError(
            "unknown_field",
            _("This catalog entry has no field “%(field)s”.") % {"field": name},
            field=name,
        )
    grant.require(name)
    return column


def _names(raw: str, parameter: str) -> list[str]:
    names = raw.split(",")
    if not all(names):
        raise bad_parameter(parameter, _("Separate field names with single commas."))
    return list(dict.fromkeys(names))


def filter_target(grant: Scope, key: str) -> tuple[Column, str]:
    """``name`` → (column, "eq"); ``name__op`` → (column, op). Field names may hold "__"."""
    if grant.table.column(key) is not None:
        return granted_column(grant, key), "eq"
    name, separator, op = key.rpartition("__")
    if not separator or op not in query.CLIENT_OPERATORS:
        raise unknown_parameter(key)
    return granted_column(grant, name), op


def parse_filters(
    grant: Scope, values: dict[str, str], reserved: frozenset[str]
) -> list[Condition]:
    conditions = []
    for key, raw in values.items():
        if key in reserved:
            continue
        column, op = filter_target(grant, key)
        operand: Any = raw.split(",") if op == "in" else raw
        if op == "in" and len(operand) > MAX_LIST_VALUES:
            raise bad_parameter(key, _("At most %(count)s values.") % {"count": MAX_LIST_VALUES})
        try:
            conditions.append(query.condition(column, op, operand))
        except query.BadValue:
            raise invalid_value(key) from None
    if len(conditions) > MAX_FILTERS:
        raise bad_parameter("filters", _("At most %(count)s filters.") % {"count": MAX_FILTERS})
    return conditions


def row_filter(grant: Grant) -> list[Condition]:
    """The authorization's row filter; a call it cannot be applied to is refused, never run
    without it."""
    try:
        return query.row_filter_conditions(grant.table, grant.row_filter)
    except query.BadValue:
        raise scope_unavailable() from None


def scope_unavailable() -> ApiError:
    return ApiError(
        "scope_unavailable",
        _(
            "The grant cannot be applied to the catalog entry's current data; "
            "contact the data bureau."
        ),
        status_code=409,
    )


# Records cursor ---------------------------------------------------------------------------------

_ENCODERS: list[tuple[type, str, Any]] = [
    (bool, "b", bool),
    (int, "i", int),
    (float, "f", repr),
    (Decimal, "d", str),
    (datetime, "T", datetime.isoformat),
    (date, "D", date.isoformat),
    (str, "s", str),
]
_DECODERS: dict[str, Any] = {
    "b": bool, "i": int, "f": float, "d": Decimal, "T": datetime.fromisoformat,
    "D": date.fromisoformat, "s": str,
}  # fmt: skip


def _encode(value: Any) -> list[Any] | None:
    """The last row's ordering value exactly as the database gave it, so that binding it back
    compares equal (a float stays a float on SQLite, a Decimal a Decimal on PostgreSQL)."""
    if value is None:
        return None
    tag, encode = next((tag, fn) for kind, tag, fn in _ENCODERS if isinstance(value, kind))
    return [tag, encode(value)]


def cursor_dump(grant: Scope, ordering: Ordering, value: Any, row: int) -> str:
    payload = [grant.table.version.pk, ordering.name, _encode(value), row]
    return signing.dumps(payload, salt=CURSOR_SALT, compress=True)


def cursor_load(token: str, grant: Scope, ordering: Ordering) -> Position:
    """The position a cursor stands for; a forged, altered or foreign cursor answers 400
    invalid_cursor, as the catalog's does."""
    try:
        version, name, value, row = signing.loads(token, salt=CURSOR_SALT)
        if version != grant.table.version.pk:
            raise invalid_cursor(_("The data changed since this cursor was made; start again."))
        if name != ordering.name or not isinstance(row, int):
            raise ValueError(name)
        decoded = None if value is None else _DECODERS[value[0]](value[1])
    except (signing.BadSignature, ValueError, TypeError, KeyError, IndexError):
        raise invalid_cursor() from None
    return Position(decoded, row)


@dataclass(frozen=True)
class RecordsRequest:
    columns: list[Column]
    conditions: list[Condition]  # the client's filters
    ordering: Ordering
    page_size: int
    position: Position | None
    as_csv: bool


def parse_records(grant: Scope, values: dict[str, str]) -> RecordsRequest:
    fields = values.get("fields")
    names = list(grant.fields) if fields is None else _names(fields, "fields")
    columns = [granted_column(grant, name) for name in names]
    ordering = parse_ordering(grant, values.get("ordering"))
    page_size = _page_size(values.get("page_size"))
    output = values.get("format", "json")
    if output not in ("json", "csv"):
        raise invalid_value("format")
    cursor = values.get("cursor")
    position = None if cursor is None else cursor_load(cursor, grant, ordering)
    conditions = parse_filters(grant, values, RECORDS_PARAMETER_NAMES)
    return RecordsRequest(columns, conditions, ordering, page_size, position, output == "csv")


def parse_ordering(grant: Scope, raw: str | None) -> Ordering:
    if raw is None:
        return Ordering(None)
    descending = raw.startswith("-")
    name = raw[1:] if descending else raw
    if not name or "," in name:
        raise bad_parameter("ordering", _("Order by one granted field, “-” first for descending."))
    return Ordering(granted_column(grant, name), descending)


def _page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= settings.API_MAX_PAGE_SIZE:
        raise bad_parameter(
            "page_size",
            _("Give a whole number from 1 to %(max)s.") % {"max": settings.API_MAX_PAGE_SIZE},
        )
    return int(raw)


def parse_metrics(grant: Scope, raw: str | None) -> list[Metric]:
    metrics = []
    for item in _names("count" if raw is None else raw, "metrics"):
        function, _sep, name = item.partition(":")
        if function not in query.METRICS or (function == "count") != (name == ""):
            raise invalid_value("metrics")
        column = granted_column(grant, name) if name else None
        if function in ("sum", "avg") and column and column.data_type not in query.NUMERIC_TYPES:
            raise bad_parameter("metrics", _("sum and avg need a numeric field."))
        if function in ("min", "max") and column and column.data_type == FieldType.BOOLEAN:
            raise bad_parameter("metrics", _("min and max need a field that has an order."))
        metrics.append(Metric(function, column))
    if len(metrics) > MAX_METRICS:
        raise bad_parameter("metrics", _("At most %(count)s metrics.") % {"count": MAX_METRICS})
    return metrics


def parse_group_by(grant: Scope, raw: str | None) -> list[Column]:
    if raw is None:
        return []
    columns = [granted_column(grant, name) for name in _names(raw, "group_by")]
    if len(columns) > MAX_GROUP_BY:
        raise bad_parameter("group_by", _("At most %(count)s fields.") % {"count": MAX_GROUP_BY})
    return columns


def match_conditions(grant: Scope, match: dict[str, Any]) -> list[Condition]:
    conditions = []
    for name, value in match.items():
        column = granted_column(grant, name)
        try:
            if value is None:
                conditions.append(Condition(column, "isnull", True))
            else:
                conditions.append(query.condition(column, "eq", value))
        except query.BadValue:
            raise invalid_value(f"match.{name}") from None
    return conditions


def is_slow(conditions: Sequence[Condition], *columns: Column | None) -> bool:
    """Whether a statement may scan the table: it filters or orders on an unindexed field."""
    used = [c.column for c in conditions] + [c for c in columns if c is not None]
    return not all(column.filterable for column in used)
