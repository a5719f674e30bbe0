"""Give data-zone tables loaded before keyset indexes their ``(column, _row)`` indexes.

New loads build them (storage.create_indexes). Older tables have a B-tree on the column alone,
which makes PostgreSQL walk the primary key and discard rows for a filtered page. This builds
each missing ``(column, _row)`` index with ``CREATE INDEX CONCURRENTLY`` (reads and loads go on
meanwhile), then drops the single-column index it replaces, also concurrently. Run it outside a
transaction (the management command does); it is idempotent and safe to stop and run again.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from psycopg import sql

from ..storage import ROW_COLUMN, SCHEMA, keyset_index_name, keyset_index_sql


@dataclass(frozen=True)
class IndexUpgrade:
    table: str
    column: str
    old_index: str


def _single_column_indexes() -> Iterator[IndexUpgrade]:
    """Every non-unique one-column B-tree on a data-zone table, except on _row itself."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, a.attname, i.relname
            FROM pg_index x
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
            WHERE n.nspname = %s AND x.indnatts = 1 AND NOT x.indisprimary
              AND NOT x.indisunique AND a.attname <> %s
            ORDER BY t.relname, a.attname
            """,
            [SCHEMA, ROW_COLUMN],
        )
        rows = cursor.fetchall()
    for table, column, index in rows:
        yield IndexUpgrade(table, column, index)


def data_version_indexes_upgrade(*, dry_run: bool = False) -> list[IndexUpgrade]:
    """Replace each single-column index of a data-zone table by its keyset index."""
    if connection.vendor != "postgresql":
        return []  # SQLite tables are the quick start's: rebuilt by loading again
    upgrades = list(_single_column_indexes())
    if dry_run:
        return upgrades
    with connection.cursor() as cursor:
        for upgrade in upgrades:
            cursor.execute(keyset_index_sql(upgrade.table, upgrade.column, concurrently=True))
            cursor.execute(
                sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(
                    sql.Identifier(SCHEMA, upgrade.old_index)
                )
            )
    return upgrades


__all__ = ["IndexUpgrade", "data_version_indexes_upgrade", "keyset_index_name"]
