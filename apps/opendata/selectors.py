"""Reads of the open data: which entries anyone may take rows from, and their rows.

The rule (../shared/domain.md, openness): only a published 无条件开放 (open) entry with a live
version serves rows. Anything else — unknown, conditional, not open, core, unpublished, no live
data — is the same 404, so the answer never says whether a closed entry has data.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connections, transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import User
from apps.api.access import Scope
from apps.api.query import quote
from apps.catalog.choices import Openness, Status
from apps.catalog.models import CatalogEntry
from apps.catalog.selectors import catalog_entries_public
from apps.core import exports
from apps.datazone.replicas import read_rows, rows_database
from apps.datazone.selectors import LiveTable, live_table_for
from apps.datazone.storage import ROW_COLUMN, Column

from .models import API_FORMATS, DOWNLOAD_FORMATS, OpenDataUse

PREVIEW_ROWS = 20
# Rows fetched from the server-side cursor at a time: memory stays flat whatever the table.
FETCH_ROWS = 2000
XLSX_MAX_ROWS = exports.XLSX_MAX_ROWS
USAGE_DAYS = 30


def open_entry_scope(*, entry: CatalogEntry) -> Scope | None:
    """Every field of a published open entry's live version, or None when it serves no rows.

    Personal fields are never in an open entry (catalog.services.check_entry_rules)."""
    if entry.openness != Openness.OPEN or entry.status != Status.PUBLISHED:
        return None
    table = live_table_for(entry=entry)
    if table is None:
        return None
    return Scope(entry=entry, table=table, fields=tuple(c.name for c in table.columns))


def open_scope_of(*, identifier: str) -> Scope:
    """The open entry's scope, or 404 for every other case alike."""
    if "\x00" in identifier:  # PostgreSQL refuses NUL in a parameter: no such entry
        raise Http404
    entry = catalog_entries_public().filter(identifier=identifier, openness=Openness.OPEN).first()
    scope = None if entry is None else open_entry_scope(entry=entry)
    if scope is None:
        raise Http404
    return scope


def _rows_sql(table: LiveTable, columns: Sequence[Column], limit: int | None) -> str:
    names = ", ".join(quote(column.name) for column in columns)
    order = f" ORDER BY {quote(ROW_COLUMN)}"
    tail = "" if limit is None else f" LIMIT {int(limit)}"
    return f"SELECT {names} FROM {table.sql_name}{order}{tail}"  # noqa: S608 - quoted names only


def open_rows_preview(*, scope: Scope) -> list[tuple[Any, ...]]:
    statement = _rows_sql(scope.table, scope.table.columns, PREVIEW_ROWS)

    def read(using: str) -> list[tuple[Any, ...]]:
        with connections[using].cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall()

    return read_rows(version=scope.table.version, read=read)


def open_rows_stream(*, scope: Scope) -> Iterator[tuple[Any, ...]]:
    """Every row of the live version in order, read lazily.

    One statement on a server-side cursor (PostgreSQL) inside a transaction: the version's
    rows are in a table of its own, which never changes once loaded, and the cursor reads it
    from one snapshot, so a newer version going live meanwhile never mixes into the file.
    Closing the generator (the client went away and the server closed the response) leaves
    the transaction, which closes the cursor and stops the query on the server. Read from the
    replica once it has replayed the version (apps/datazone/replicas.py).
    """
    statement = _rows_sql(scope.table, scope.table.columns, None)
    using = rows_database(version=scope.table.version)
    with transaction.atomic(using=using), connections[using].chunked_cursor() as cursor:
        cursor.execute(statement)
        while rows := cursor.fetchmany(FETCH_ROWS):
            yield from rows


@dataclass(frozen=True)
class OpenDataUsage:
    downloads: int = 0
    api_calls: int = 0
    rows: int = 0


def open_data_usage_of_entries(
    *, entry_ids: Sequence[int], days: int = USAGE_DAYS
) -> dict[int, OpenDataUsage]:
    """Downloads, open API calls and rows served per entry in the last ``days`` days."""
    since = timezone.now() - timedelta(days=days)
    counts: dict[int, dict[str, int]] = {}
    uses = OpenDataUse.objects.filter(entry_id__in=list(entry_ids), used_at__gte=since)
    for row in uses.values("entry_id", "format").annotate(calls=Count("pk"), rows=Sum("rows")):
        figures = counts.setdefault(row["entry_id"], {"downloads": 0, "api_calls": 0, "rows": 0})
        if row["format"] in DOWNLOAD_FORMATS:
            figures["downloads"] += row["calls"]
        elif row["format"] in API_FORMATS:
            figures["api_calls"] += row["calls"]
        figures["rows"] += row["rows"] or 0
    return {pk: OpenDataUsage(**figures) for pk, figures in counts.items()}


def open_data_usage_of_department(*, user: User) -> list[tuple[CatalogEntry, OpenDataUsage]]:
    """The department's own open entries with their uses of the last USAGE_DAYS days; another
    department's, or a user outside any department, sees none."""
    if user.department_id is None:
        return []
    entries = list(
        CatalogEntry.objects.of_department(user.department_id)
        .filter(openness=Openness.OPEN)
        .only("pk", "identifier", "title")
        .order_by("identifier")
    )
    usage = open_data_usage_of_entries(entry_ids=[entry.pk for entry in entries])
    return [(entry, usage.get(entry.pk, OpenDataUsage())) for entry in entries]
