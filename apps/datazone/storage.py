"""One real, typed table per data version (the approach of CKAN's DataStore, library-notes §6).

PostgreSQL keeps the tables in their own schema, ``datazone."v<version id>"``, away from the
application's tables; SQLite (the quick start) keeps ``"datazone_v<version id>"`` in the main
database. This module is the only place that knows the difference. Every statement is composed
from identifiers (psycopg.sql.Identifier, or the backend's quote_name) and column types from a
fixed mapping, never from user text: field names are validated by the catalog
(``FIELD_NAME_PATTERN``) and table names are built from integers.

Each table has ``_row``, the row's position among the loaded rows (1, 2, …, row_count; blank
lines of the file are not counted), as its primary key, then one column per schema field.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

from apps.catalog.choices import FieldType

SCHEMA = "datazone"
ROW_COLUMN = "_row"
# Memory PostgreSQL may use to build each index of a freshly loaded table (server side).
INDEX_BUILD_MEMORY = "256MB"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    filterable: bool = False
    nullable: bool = True


class TableStore:
    """What ingest and the readers need from the database, whatever the vendor."""

    # The text each boolean is written as.
    boolean_values: tuple[Any, Any] = ("t", "f")

    def __init__(self, database: BaseDatabaseWrapper) -> None:
        self.database = database

    def table_name(self, version_id: int) -> str:
        raise NotImplementedError

    def qualified_name(self, table: str) -> str:
        """The table's quoted (and schema-qualified) name, safe to put into SQL."""
        raise NotImplementedError

    def create_table(self, table: str, columns: Sequence[Column]) -> None:
        raise NotImplementedError

    def copy_rows(self, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Append rows: each a sequence of normalized text (or None) in ``names`` order."""
        raise NotImplementedError

    def create_indexes(self, table: str, columns: Sequence[Column]) -> None:
        """The primary key and a B-tree on each filterable column together with the row order,
        ``(column, _row)``, built after loading: a filtered page in keyset order is then one
        index range scan at any depth, never a walk of the primary key that discards rows."""
        raise NotImplementedError

    def analyze(self, table: str) -> None:
        raise NotImplementedError

    def drop_table(self, table: str) -> None:
        raise NotImplementedError

    def existing_tables(self) -> set[str]:
        raise NotImplementedError

    def table_exists(self, table: str) -> bool:
        return table in self.existing_tables()

    def count_rows(self, table: str) -> int:
        with self.database.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.qualified_name(table)}")  # noqa: S608 - quoted name
            return int(cursor.fetchone()[0])

    def _execute(self, statement: str | sql.Composable, params: Sequence[Any] = ()) -> None:
        with self.database.cursor() as cursor:
            cursor.execute(statement, params)


class PostgresStore(TableStore):
    TYPES: ClassVar[dict[str, str]] = {
        FieldType.STRING: "text",
        FieldType.INTEGER: "bigint",
        FieldType.DECIMAL: "numeric",
        FieldType.DATE: "date",
        FieldType.DATETIME: "timestamptz",
        FieldType.BOOLEAN: "boolean",
    }

    def table_name(self, version_id: int) -> str:
        return f"v{int(version_id)}"

    def _identifier(self, table: str) -> sql.Identifier:
        return sql.Identifier(SCHEMA, table)

    def qualified_name(self, table: str) -> str:
        return self._identifier(table).as_string()

    def create_table(self, table: str, columns: Sequence[Column]) -> None:
        # The primary key comes after loading (create_indexes): COPY into a bare heap is faster.
        definitions = [sql.SQL("{} bigint NOT NULL").format(sql.Identifier(ROW_COLUMN))] + [
            sql.SQL("{} {}{}").format(
                sql.Identifier(column.name),
                sql.SQL(self.TYPES[column.data_type]),
                sql.SQL("" if column.nullable else " NOT NULL"),
            )
            for column in columns
        ]
        self._execute(
            sql.SQL("CREATE TABLE {} ({})").format(
                self._identifier(table), sql.SQL(", ").join(definitions)
            )
        )

    def copy_rows(self, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            self._identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with self.database.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def create_indexes(self, table: str, columns: Sequence[Column]) -> None:
        # Sorting a large table for a B-tree in memory rather than on disk is much faster; the
        # setting lasts until the end of the caller's transaction only.
        self._execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        self._execute(
            sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
                self._identifier(table), sql.Identifier(ROW_COLUMN)
            )
        )
        for column in columns:
            if column.filterable:
                self._execute(keyset_index_sql(table, column.name, concurrently=False))

    def analyze(self, table: str) -> None:
        self._execute(sql.SQL("ANALYZE {}").format(self._identifier(table)))

    def drop_table(self, table: str) -> None:
        self._execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._identifier(table)))

    def existing_tables(self) -> set[str]:
        with self.database.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s", [SCHEMA]
            )
            return {name for (name,) in cursor.fetchall()}


class SqliteStore(TableStore):
    TYPES: ClassVar[dict[str, str]] = {
        FieldType.STRING: "text",
        FieldType.INTEGER: "bigint",
        FieldType.DECIMAL: "numeric",
        FieldType.DATE: "date",
        FieldType.DATETIME: "datetime",  # ISO text in UTC, as Django stores datetimes there
        FieldType.BOOLEAN: "boolean",
    }
    boolean_values = (1, 0)

    def table_name(self, version_id: int) -> str:
        return f"{SCHEMA}_v{int(version_id)}"

    def qualified_name(self, table: str) -> str:
        return self.database.ops.quote_name(table)

    def create_table(self, table: str, columns: Sequence[Column]) -> None:
        quote = self.database.ops.quote_name
        # "integer primary key" makes _row SQLite's rowid: the cheapest key it has.
        definitions = [f"{quote(ROW_COLUMN)} integer PRIMARY KEY"] + [
            f"{quote(column.name)} {self.TYPES[column.data_type]}"
            + ("" if column.nullable else " NOT NULL")
            for column in columns
        ]
        self._execute(f"CREATE TABLE {quote(table)} ({', '.join(definitions)})")

    def copy_rows(self, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        quote = self.database.ops.quote_name
        # Identifiers quoted by the backend, values bound as parameters.
        statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(table), ", ".join(map(quote, names)), ", ".join(["%s"] * len(names))
        )
        with self.database.cursor() as cursor:
            # Rows stream from the upload: any iterable works, the stubs ask for a Sequence.
            cursor.executemany(statement, rows)  # type: ignore[arg-type]

    def create_indexes(self, table: str, columns: Sequence[Column]) -> None:
        quote = self.database.ops.quote_name
        for position, column in enumerate(columns):
            if column.filterable:
                self._execute(
                    f"CREATE INDEX {quote(f'{table}_{position}')} "
                    f"ON {quote(table)} ({quote(column.name)}, {quote(ROW_COLUMN)})"
                )

    def analyze(self, table: str) -> None:
        self._execute(f"ANALYZE {self.database.ops.quote_name(table)}")

    def drop_table(self, table: str) -> None:
        self._execute(f"DROP TABLE IF EXISTS {self.database.ops.quote_name(table)}")

    def existing_tables(self) -> set[str]:
        with self.database.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE %s ESCAPE '\\'",
                [f"{SCHEMA}\\_v%"],
            )
            return {name for (name,) in cursor.fetchall()}


def keyset_index_name(table: str, column: str) -> str:
    """A stable name per (table, column): the reindexing command finds what exists by it.
    PostgreSQL names are at most 63 bytes; field names are short (FIELD_NAME_PATTERN)."""
    return f"{table}_{column}_row_idx"[:63]


def keyset_index_sql(table: str, column: str, *, concurrently: bool) -> sql.Composed:
    return sql.SQL(
        "CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {table} ({column}, {row})"
    ).format(
        concurrently=sql.SQL("CONCURRENTLY " if concurrently else ""),
        name=sql.Identifier(keyset_index_name(table, column)),
        table=sql.Identifier(SCHEMA, table),
        column=sql.Identifier(column),
        row=sql.Identifier(ROW_COLUMN),
    )


def table_store(database: BaseDatabaseWrapper | None = None) -> TableStore:
    database = database or connection
    if database.vendor == "postgresql":
        return PostgresStore(database)
    if database.vendor == "sqlite":
        return SqliteStore(database)
    raise NotImplementedError(f"the data zone does not support {database.vendor}")
