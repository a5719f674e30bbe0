"""SQL of the operator data endpoints, over an entry's live table (apps/datazone/storage.py).

What may reach the SQL text: the table's own quoted name (LiveTable.sql_name), names of the
table's columns (validated by the catalog, then quoted by the backend) and fixed keywords. Every
value a client or a row filter gives is parsed by its column's type first and then bound as a
parameter. User text is only ever used to *look up* a Column; never put into a statement.

Order and NULLs: rows are ordered by one column, then by ``_row`` in the same direction, with
NULLs last whichever the direction. A page is read as up to two index-friendly segments —
the non-NULL values in order, then the NULL ones by ``_row`` — so a keyset position is a plain
row-value comparison and page N costs what page 1 costs (never OFFSET, never COUNT).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from psycopg import errors as psycopg_errors

from apps.catalog.choices import FieldType
from apps.datazone.converters import Invalid, converter_for
from apps.datazone.replicas import read_rows
from apps.datazone.selectors import LiveTable
from apps.datazone.storage import ROW_COLUMN, Column

NUMERIC_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL})
COMPARISONS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
# Operators a client may use in ``name__<op>=value`` (``name=value`` is eq); the row filter of
# an authorization may also use ne (authorizations.choices.FilterOperator).
CLIENT_OPERATORS = frozenset({"eq", "gt", "gte", "lt", "lte", "in", "contains", "isnull"})
METRICS = frozenset({"count", "sum", "avg", "min", "max"})
# Statements that may scan a whole table are cancelled after this long (PostgreSQL).
STATEMENT_TIMEOUT_MS = 10_000


class BadValue(ValueError):
    """A value that is not valid for its column's type."""


@dataclass(frozen=True)
class Condition:
    column: Column
    op: str
    value: Any  # typed; a tuple for "in", a bool for "isnull"


@dataclass(frozen=True)
class Ordering:
    column: Column | None  # None: by _row alone
    descending: bool = False

    @property
    def name(self) -> str:
        if self.column is None:
            return ROW_COLUMN
        return ("-" if self.descending else "") + self.column.name


@dataclass(frozen=True)
class Position:
    """Where the previous page ended: the ordering column's value (None when NULL) and _row."""

    value: Any
    row: int


@dataclass(frozen=True)
class Metric:
    function: str
    column: Column | None = None  # None for count

    @property
    def name(self) -> str:
        return self.function if self.column is None else f"{self.function}:{self.column.name}"


@dataclass
class Statement:
    sql: str
    params: list[Any] = field(default_factory=list)


# Values ------------------------------------------------------------------------------------------


def parse_value(column: Column, raw: Any) -> Any:
    """A value as the database compares it, from the forms a CSV cell may take (converters.py):
    the same rules as ingest, so a filter accepts exactly what a file could have held."""
    text = _as_text(raw)
    convert = converter_for(column.data_type, nullable=False, boolean_values=(True, False))
    try:
        normalized = convert(text)
        return _typed(column.data_type, normalized)
    except (Invalid, ValueError, ArithmeticError) as error:  # OverflowError: dates near year 1
        raise BadValue(str(error)) from None


def _as_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float):
        return repr(raw)
    if isinstance(raw, int | str | Decimal):
        return str(raw)
    raise BadValue("not a scalar")


def _typed(data_type: str, normalized: Any) -> Any:
    if data_type == FieldType.INTEGER:
        return int(normalized)
    if data_type == FieldType.DECIMAL:
        return Decimal(normalized)
    if data_type == FieldType.DATE:
        return date.fromisoformat(normalized)
    if data_type == FieldType.DATETIME:
        # Stored in UTC (as text on SQLite, where only the same form compares right).
        return datetime.fromisoformat(normalized).astimezone(UTC)
    return normalized  # text, or True/False


def condition(column: Column, op: str, raw: Any) -> Condition:
    """A condition from its raw operand(s); raises BadValue."""
    if op == "isnull":
        return Condition(column, op, _parse_flag(raw))
    if op == "in":
        values = tuple(parse_value(column, part) for part in raw)
        if not values:
            raise BadValue("empty list")
        return Condition(column, op, values)
    if op == "contains":
        if column.data_type != FieldType.STRING or not isinstance(raw, str) or not raw:
            raise BadValue("contains needs a text field and some text")
        return Condition(column, op, parse_value(column, raw))
    return Condition(column, op, parse_value(column, raw))


def _parse_flag(raw: Any) -> bool:
    word = _as_text(raw).strip().lower()
    if word in ("true", "1"):
        return True
    if word in ("false", "0"):
        return False
    raise BadValue("expected true or false")


def row_filter_conditions(
    table: LiveTable, row_filter: Iterable[dict[str, Any]]
) -> list[Condition]:
    """The authorization's row filter as conditions; raises BadValue when it cannot be applied
    to the live version (a field gone, a value of another type): the caller must refuse."""
    conditions = []
    for item in row_filter:
        column = table.column(str(item.get("field")))
        op, value = item.get("op"), item.get("value")
        if column is None or op not in (*COMPARISONS, "in") or (op == "in") != _is_list(value):
            raise BadValue(f"row filter condition {item!r}")
        conditions.append(condition(column, op, value))
    return conditions


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


# SQL pieces ----------------------------------------------------------------------------------


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _contains_sql(column_sql: str) -> str:
    # A function, not LIKE: the client's text needs no escaping of % and _.
    if connection.vendor == "postgresql":
        return f"strpos({column_sql}, %s) > 0"
    return f"instr({column_sql}, %s) > 0"


def condition_sql(item: Condition) -> Statement:
    column_sql = quote(item.column.name)
    if item.op == "isnull":
        return Statement(f"{column_sql} IS {'' if item.value else 'NOT '}NULL")
    if item.op == "in":
        marks = ", ".join(["%s"] * len(item.value))
        return Statement(f"{column_sql} IN ({marks})", list(item.value))
    if item.op == "contains":
        return Statement(_contains_sql(column_sql), [item.value])
    return Statement(f"{column_sql} {COMPARISONS[item.op]} %s", [item.value])


def where_sql(conditions: Sequence[Condition], extra: Sequence[Statement] = ()) -> Statement:
    parts = [condition_sql(item) for item in conditions] + list(extra)
    if not parts:
        return Statement("")
    return Statement(
        " WHERE " + " AND ".join(f"({part.sql})" for part in parts),
        [param for part in parts for param in part.params],
    )


# Records ---------------------------------------------------------------------------------------


def records_statements(
    table: LiveTable,
    *,
    columns: Sequence[Column],
    conditions: Sequence[Condition],
    ordering: Ordering,
    position: Position | None,
    limit: int,
) -> list[Statement]:
    """The statements that read one page: run them in order, stop once ``limit`` rows are in.

    Each selects ``columns``, then the ordering column, then _row. One statement when ordering by
    _row or by a column that cannot be NULL; else the non-NULL segment and the NULL segment.
    """
    select = ", ".join([*(quote(c.name) for c in columns), _order_sql(ordering), quote(ROW_COLUMN)])
    head = f"SELECT {select} FROM {table.sql_name}"  # noqa: S608 - quoted names only, see top
    return [
        _page(head, [*conditions], extra, order_by, limit)
        for extra, order_by in _segments(ordering, position)
    ]


def _order_sql(ordering: Ordering) -> str:
    return quote(ordering.column.name if ordering.column else ROW_COLUMN)


def _page(
    head: str, conditions: list[Condition], extra: list[Statement], order_by: str, limit: int
) -> Statement:
    where = where_sql(conditions, extra)
    return Statement(f"{head}{where.sql} ORDER BY {order_by} LIMIT %s", [*where.params, limit])


def _segments(ordering: Ordering, position: Position | None) -> list[tuple[list[Statement], str]]:
    """(extra conditions, ORDER BY) of each segment a page is read from, in reading order."""
    row = quote(ROW_COLUMN)
    direction, compare = ("DESC", "<") if ordering.descending else ("ASC", ">")
    after_row = [Statement(f"{row} {compare} %s", [position.row])] if position else []
    if ordering.column is None:
        return [(after_row, f"{row} {direction}")]
    column, nullable = quote(ordering.column.name), ordering.column.nullable
    nulls = [Statement(f"{column} IS NULL")]
    if position is not None and position.value is None:  # the last page ended among the NULLs
        return [(nulls + after_row, f"{row} {direction}")]
    values = [Statement(f"{column} IS NOT NULL")] if nullable else []
    if position is not None:
        values.append(
            Statement(f"({column}, {row}) {compare} (%s, %s)", [position.value, position.row])
        )
    segments = [(values, f"{column} {direction}, {row} {direction}")]
    return [*segments, (nulls, f"{row} {direction}")] if nullable else segments


def run_page(
    statements: Sequence[Statement], limit: int, *, using: str = DEFAULT_DB_ALIAS
) -> list[tuple[Any, ...]]:
    """Rows of a page, up to ``limit`` (callers pass page size + 1 to learn if more follow)."""
    rows: list[tuple[Any, ...]] = []
    with connections[using].cursor() as cursor:
        for statement in statements:
            if len(rows) >= limit:
                break
            statement.params[-1] = limit - len(rows)
            cursor.execute(statement.sql, statement.params)
            rows.extend(cursor.fetchall())
    return rows


# Aggregates ------------------------------------------------------------------------------------


def aggregate_statement(
    table: LiveTable,
    *,
    group_by: Sequence[Column],
    metrics: Sequence[Metric],
    conditions: Sequence[Condition],
    min_group: int,
    max_groups: int,
) -> Statement:
    """Groups with at least ``min_group`` rows, in group order, at most ``max_groups`` + 1 of
    them (one more tells the caller the list was cut), then one summary row (kind 1) whose
    count is the number of groups suppressed. Result columns: kind, group values…, row count,
    metric values… — one statement, so the groups are computed once."""
    keys = [quote(c.name) for c in group_by]
    key_aliases = [f"g{i}" for i in range(len(keys))]
    metric_aliases = [f"m{i}" for i in range(len(metrics))]
    where = where_sql(conditions)
    inner = ", ".join(
        [f"{k} AS {a}" for k, a in zip(keys, key_aliases, strict=True)]
        + ["count(*) AS n"]
        + [f"{_metric_sql(m)} AS {a}" for m, a in zip(metrics, metric_aliases, strict=True)]
    )
    group_clause = f" GROUP BY {', '.join(keys)}" if keys else ""
    visible_columns = ", ".join([*key_aliases, "n", *metric_aliases])
    order = ", ".join(f"{a} NULLS LAST" for a in key_aliases) or "n"
    summary = ", ".join(
        ["1", *(["NULL"] * len(key_aliases)), "count(*)", *(["NULL"] * len(metric_aliases))]
    )
    sql = (
        f"WITH grouped AS (SELECT {inner} FROM {table.sql_name}{where.sql}{group_clause}) "  # noqa: S608 - quoted names only
        f"SELECT * FROM (SELECT 0 AS kind, {visible_columns} FROM (SELECT * FROM grouped "
        f"WHERE n >= %s ORDER BY {order} LIMIT %s) AS visible "
        f"UNION ALL SELECT {summary} FROM grouped WHERE n < %s) AS result ORDER BY kind, {order}"
    )
    return Statement(sql, [*where.params, min_group, max_groups + 1, min_group])


def _metric_sql(metric: Metric) -> str:
    if metric.column is None:
        return "count(*)"
    return f"{metric.function}({quote(metric.column.name)})"


def run_statement(statement: Statement, *, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
    with connections[using].cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return cursor.fetchall()


# Verification ----------------------------------------------------------------------------------


def verify_statement(table: LiveTable, *, conditions: Sequence[Condition], cap: int) -> Statement:
    """How many rows match, counted only up to ``cap`` + 1: the answer never needs more."""
    where = where_sql(conditions)
    return Statement(
        f"SELECT count(*) FROM (SELECT 1 FROM {table.sql_name}{where.sql} LIMIT %s) AS hits",  # noqa: S608 - quoted names only
        [*where.params, cap + 1],
    )


# Running statements ----------------------------------------------------------------------------


class QueryTimeout(Exception):
    """A statement ran past STATEMENT_TIMEOUT_MS and was cancelled by the database."""


class QueryValueError(Exception):
    """The database refused a bound value (parsing should have caught it first)."""


@contextmanager
def guarded(*, slow: bool, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the statements of one call so that nothing a client asks can fail as a server error.

    ``slow``: the statements may scan a whole table (aggregates, filters or orderings on
    unindexed fields); on PostgreSQL they get a statement timeout, which SET LOCAL keeps to this
    transaction. Inside an outer transaction (tests, ATOMIC_REQUESTS) a savepoint keeps a refused
    statement from breaking it, so the usage record can still be written.
    """
    database = connections[using]
    timeout = slow and database.vendor == "postgresql"
    atomic = timeout or database.in_atomic_block
    wrapper = transaction.atomic(using=using) if atomic else nullcontext()
    try:
        with wrapper:
            if timeout:
                with database.cursor() as cursor:
                    cursor.execute(f"SET LOCAL statement_timeout = {int(STATEMENT_TIMEOUT_MS)}")
            yield
    except OperationalError as error:
        if isinstance(error.__cause__, psycopg_errors.QueryCanceled):
            raise QueryTimeout from None
        raise
    except DataError as error:
        raise QueryValueError(str(error)) from None


def run_rows[T](table: LiveTable, read: Callable[[str], T], *, slow: bool) -> T:
    """``read(alias)`` guarded, on the database that serves the live table's rows: a replica
    that has replayed its version, else the primary (apps/datazone/replicas.py)."""

    def attempt(using: str) -> T:
        with guarded(slow=slow, using=using):
            return read(using)

    return read_rows(version=table.version, read=attempt)
