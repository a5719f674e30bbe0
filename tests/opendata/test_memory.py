"""A download streams at constant memory: the serving process never holds the table."""

import tracemalloc

from django.db import connection
from django.urls import reverse

from apps.datazone.selectors import live_table_for
from apps.opendata import values

EXTRA_ROWS = 100_000
COLUMNS = "_row, code, district, quantity, amount, day, seen_at, open"
VALUES = "n, 'X' || n, '南明区', n % 7, 1.25, '2024-01-05', '2024-01-05 08:00:00+00', {flag}"


def grow(table, first: int, last: int) -> None:
    """Add rows to the version's table in the database itself (loading them through ingest
    would take minutes)."""
    if connection.vendor == "postgresql":
        select = VALUES.format(flag="true")
        statement = (
            f"INSERT INTO {table.sql_name} ({COLUMNS}) "  # noqa: S608 - our own table
            f"SELECT {select} FROM generate_series({first}, {last}) AS n"
        )
    else:
        select = VALUES.format(flag="1")
        statement = (
            f"INSERT INTO {table.sql_name} ({COLUMNS}) "  # noqa: S608 - our own table
            f"WITH RECURSIVE g(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM g "
            f"WHERE n < {last}) SELECT {select} FROM g"
        )
    with connection.cursor() as cursor:
        cursor.execute(statement)


def test_a_large_download_streams_at_constant_memory(client, loaded_open):
    table = live_table_for(entry=loaded_open)
    grow(table, table.row_count + 1, table.row_count + EXTRA_ROWS)
    response = client.get(reverse("opendata:download-csv", args=[loaded_open.identifier]))
    tracemalloc.start()
    try:
        sent = lines = chunks = 0
        for chunk in response.streaming_content:
            sent += len(chunk)
            lines += chunk.count(b"\n")
            chunks += 1
            assert len(chunk) < values.CHUNK_BYTES + 1000  # about CHUNK_BYTES, a line more
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == 1 + table.row_count + EXTRA_ROWS  # the header, every row
    assert sent > 5_000_000
    assert chunks <= sent // values.CHUNK_BYTES + 1  # large writes, never one per line
    assert peak < 3_000_000, peak  # a fraction of the file: rows are held a batch at a time
