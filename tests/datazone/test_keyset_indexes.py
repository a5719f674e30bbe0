"""Each filterable column is indexed together with the row order, ``(column, _row)``: a filtered
page in keyset order is an index range scan on that index at any depth, never a walk of the
primary key that filters rows out (issue: "Indexes that serve the keyset")."""

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from apps.api import query
from apps.datazone.selectors import live_table_for
from apps.datazone.storage import SCHEMA, keyset_index_name
from tests.datazone.conftest import csv_bytes, load, table_of

ROWS = 20_000
COLUMN_OF = {"eq": "district", "in": "code", "gte": "day"}

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)


def _rows() -> list[list[str]]:
    start = date(2024, 1, 1)
    return [
        [f"A{n}", f"d{n % 50:02d}", str(n % 97), "1.50", (start + timedelta(days=n % 365)).isoformat(),
         "2024-01-05 08:30", "是"]
        for n in range(1, ROWS + 1)
    ]  # fmt: skip


@pytest.fixture
def loaded(entry, tmp_path):
    version = load(entry, csv_bytes(_rows()), tmp_path=tmp_path)
    assert version.status == "live", version.errors
    return version


def _plan(entry, op: str, value, *, after_row: int) -> dict:
    table = live_table_for(entry=entry)
    column = table.column(COLUMN_OF[op])
    (statement,) = query.records_statements(
        table, columns=table.columns, conditions=[query.condition(column, op, value)],
        ordering=query.Ordering(None), position=query.Position(None, after_row), limit=101,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement.sql, statement.params)
        (explained,) = cursor.fetchone()
    explained = json.loads(explained) if isinstance(explained, str) else explained
    return explained[0]["Plan"]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.parametrize(
    ("op", "value"),
    # A district holds 2% of the rows (the benchmark's d07); a few codes; the last two days.
    [("eq", "d07"), ("in", ("A17", "A4242", "A19999")), ("gte", "2024-12-30")],
)
@pytest.mark.parametrize("depth", [0, 15_000])
def test_a_filtered_page_scans_the_keyset_index(entry, loaded, op, value, depth):
    nodes = list(_nodes(_plan(entry, op, value, after_row=depth)))
    scans = [n for n in nodes if "Scan" in n["Node Type"]]
    expected = keyset_index_name(table_of(loaded), COLUMN_OF[op])
    assert any(n.get("Index Name") == expected for n in scans), scans
    pkey_filtered = [
        n for n in scans if n.get("Index Name", "").endswith("_pkey") and "Filter" in n
    ]
    assert not pkey_filtered, pkey_filtered  # no walk of the primary key discarding rows


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_older_tables_get_their_keyset_indexes_built_concurrently(entry, loaded):
    table = table_of(loaded)
    qualified = f'{SCHEMA}."{table}"'
    with connection.cursor() as cursor:  # as the tables loaded before this change were made
        cursor.execute(f'DROP INDEX {SCHEMA}."{keyset_index_name(table, "district")}"')
        cursor.execute(f"CREATE INDEX old_district ON {qualified} (district)")
    call_command("keyset_indexes")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
            [SCHEMA, table],
        )
        indexes = dict(cursor.fetchall())
    assert "old_district" not in indexes
    assert "(district, _row)" in indexes[keyset_index_name(table, "district")]
    call_command("keyset_indexes")  # idempotent: nothing left to do
