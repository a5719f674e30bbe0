"""Reads of the open data: which entries anyone may take rows from, and their rows.

The rule (../shared/domain.md, openness): only a published 无条件开放 (open) entry with a live
version serves rows. Anything else — unknown, conditional, not open, core, unpublished, no live
data — is the same 404, so the answer never says whether a closed entry has data.
"""

import select
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import OperationalError, connection, connections, transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone
from psycopg import pq

from apps.accounts.models import User
from apps.api.access import Scope
from apps.api.access_cache import access_cache
from apps.api.query import quote
from apps.catalog.choices import Openness, Status
from apps.catalog.models import CatalogEntry
from apps.catalog.selectors import catalog_entries_public
from apps.core import exports
from apps.datazone.replicas import read_rows, rows_database
from apps.datazone.selectors import LiveTable, live_table_for
from apps.datazone.storage import ROW_COLUMN, Column

from . import values
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
    """The open entry's scope, or 404 for every other case alike.

    A scope found before is reused while neither the entry, its department nor its versions
    have changed (the operator API's access cache, apps/api/access_cache.py, which PostgreSQL
    tells of every committed change to them): a call pays for its page, not for finding the
    entry and its live version again. A 404 is never kept."""
    if "\x00" in identifier:  # PostgreSQL refuses NUL in a parameter: no such entry
        raise Http404

    def load() -> Scope | None:
        public = catalog_entries_public().filter(identifier=identifier, openness=Openness.OPEN)
        entry = public.first()
        return None if entry is None else open_entry_scope(entry=entry)

    scope = access_cache.fetch(("open", identifier), load)
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


BOM = "\ufeff".encode()


class CsvCopy:
    """The live version's whole CSV written by PostgreSQL (``COPY (SELECT …) TO STDOUT``), in
    chunks of about values.CHUNK_BYTES, the BOM first: the database formats every cell
    (values.csv_copy_statement), Python only passes bytes on, at constant memory.

    ``count`` is the rows handed on so far (PostgreSQL sends each line of a COPY as one
    message, so they are counted exactly, the header aside). As with ``open_rows_stream``, one
    statement reads the version's own table from one snapshot, and closing the stream (the
    client went away) cancels the COPY on the server and leaves the transaction. Read from the
    replica once it has replayed the version (apps/datazone/replicas.py)."""

    def __init__(self, scope: Scope) -> None:
        self.statement = values.csv_copy_statement(scope.table.sql_name, scope.table.columns)
        self.using = rows_database(version=scope.table.version)
        self.count = 0
        self._chunks = self._copy()

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._chunks.close()

    def _copy(self) -> Generator[bytes]:
        size = values.CHUNK_BYTES
        buffer, lines, header = bytearray(BOM), 0, 1
        with transaction.atomic(using=self.using), connections[self.using].cursor() as cursor:
            cursor.execute(values.DATE_STYLE)
            # psycopg's own cursor: Django's wrapper has no copy(). psycopg starts the COPY and,
            # should the stream be closed early, cancels it on the server and drains it.
            with cursor.cursor.copy(self.statement):
                for line in _copy_lines(cursor.cursor.connection.pgconn):
                    buffer += line
                    lines += 1
                    if len(buffer) >= size:
                        yield bytes(buffer)
                        buffer.clear()
                        self.count += lines - header
                        lines = header = 0
            if buffer:
                yield bytes(buffer)
            self.count += lines - header


def _copy_lines(pgconn: Any) -> Iterator[memoryview]:
    """The lines of a running ``COPY … TO STDOUT``, read straight from libpq (psycopg.pq).

    psycopg's own Copy iteration goes through its wait loop once per line, which made reading
    1,000,000 lines take about 1.7× as long as psql does; here lines already received are taken
    one after another and the socket is waited on (without the GIL) only when none is left.
    The COPY's final result is read here too: an error the server sends ends the stream."""
    readable = select.poll()  # poll, not select(): any descriptor number, however many are open
    readable.register(pgconn.socket, select.POLLIN)
    while True:
        size, line = pgconn.get_copy_data(1)  # 1: never block, 0 when nothing has arrived
        if size > 0:
            yield line
        elif size == 0:
            readable.poll()
            pgconn.consume_input()
        else:
            break
    failed = None
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK:
            failed = result
    if size == -2 or failed is not None:
        message = failed.error_message if failed is not None else pgconn.error_message
        raise OperationalError(bytes(message).decode(errors="replace").strip())


def open_csv_copy(*, scope: Scope) -> CsvCopy | None:
    """The CSV written by the database, or None where it cannot (SQLite: the Python writer)."""
    return CsvCopy(scope) if connection.vendor == "postgresql" else None


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
