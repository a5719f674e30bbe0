"""How a row of an open entry is written into each download format.

JSON Lines writes values exactly as the API's JSON does (apps.api.formats). CSV and XLSX keep
numbers as numbers, so the one writer (apps.core.exports) neutralizes only text that a
spreadsheet would run; dates and times are ISO 8601 text, yes/no is ``true``/``false`` in CSV.

On PostgreSQL the CSV download is written by the database itself (``COPY … TO STDOUT``, see
``csv_copy_statement``): each cell is turned into the same text in SQL. The file is the one the
Python writer makes (SQLite) byte for byte, but for one deliberate difference: a decimal below
0.000001 is written in plain notation (``0.0000001``) where Python writes ``1E-7``. Lines end
in LF on both databases (PostgreSQL's COPY writes LF; the Python writer is told to).
"""

import json
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import Any

from apps.api.formats import FORMATTERS, formatter
from apps.api.query import quote
from apps.catalog.choices import FieldType
from apps.core.exports import FORMULA_STARTS
from apps.datazone.storage import ROW_COLUMN, Column

Row = tuple[Any, ...]
# Lines end in LF in every CSV download, whichever database writes it (PostgreSQL's COPY does).
CSV_LINE_END = "\n"
# Each chunk handed to the server holds about this much of the file, never one line at a time.
CHUNK_BYTES = 64 * 1024


def _keep(value: Any) -> Any:
    return value


def _flag_text(value: Any) -> Any:
    return "true" if value else "false"


def _cell_converter(column: Column, *, spreadsheet: bool) -> Callable[[Any], Any]:
    if column.data_type in (FieldType.DATE, FieldType.DATETIME):
        convert = FORMATTERS[column.data_type]
    elif column.data_type == FieldType.BOOLEAN:
        convert = bool if spreadsheet else _flag_text
    else:
        return _keep  # text and numbers, None included
    return lambda value: None if value is None else convert(value)


def table_rows(
    columns: Sequence[Column], rows: Iterable[Row], *, spreadsheet: bool = False
) -> Iterator[list[Any]]:
    """The header, then each row with its cells converted for CSV (or XLSX: ``spreadsheet``)."""
    converters = [_cell_converter(column, spreadsheet=spreadsheet) for column in columns]
    # Only the cells that change are converted; the others pass as they are.
    changed = [(i, convert) for i, convert in enumerate(converters) if convert is not _keep]
    width = len(columns)
    yield [column.name for column in columns]
    for row in rows:
        cells = list(row)
        if len(cells) != width:
            raise ValueError(f"a row of {len(cells)} cells for {width} columns")
        for i, convert in changed:
            cells[i] = convert(cells[i])
        yield cells


def json_lines(columns: Sequence[Column], rows: Iterable[Row]) -> Iterator[str]:
    names = [column.name for column in columns]
    formats = [formatter(column) for column in columns]
    for row in rows:
        record = {name: fmt(value) for name, fmt, value in zip(names, formats, row, strict=True)}
        yield json.dumps(record, ensure_ascii=False) + "\n"


class Counted:
    """Rows passed through, counted as they go (the use record says how many were sent)."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.count += 1
            yield row

    def close(self) -> None:
        """Stop reading now (the client went away): ends the query on the server."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


def chunked(lines: Iterable[str | bytes], size: int | None = None) -> Iterator[bytes]:
    """The lines as UTF-8, joined into chunks of about ``size`` bytes (CHUNK_BYTES): the server
    makes a few large writes instead of one per line."""
    size = CHUNK_BYTES if size is None else size
    buffer = bytearray()
    for line in lines:
        buffer += line.encode() if isinstance(line, str) else line
        if len(buffer) >= size:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


# The first characters that make a spreadsheet run a text cell, as their code points: ascii()
# of the cell's first character compared with integers is the cheapest test PostgreSQL has.
_FORMULA_CODES = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
_CELL_SQL: dict[str, str] = {
    # A leading apostrophe, as apps.core.exports writes it. The data zone never stores empty
    # text (an empty cell is NULL, datazone.converters), so NULL and '' need no telling apart.
    FieldType.STRING: (
        f"CASE WHEN ascii({{c}}) IN ({_FORMULA_CODES}) THEN chr(39) || {{c}} ELSE {{c}} END"
    ),
    FieldType.INTEGER: "{c}",
    FieldType.DECIMAL: "{c}",
    FieldType.DATE: "{c}",  # ISO 8601 under DATE_STYLE
    # isoformat() in UTC: the microseconds only when there are any.
    FieldType.DATETIME: (
        """replace(to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), """
        "'.000000+', '+')"
    ),
    FieldType.BOOLEAN: "CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END",
}
# Set for the statement's transaction: dates written as ISO 8601 (YYYY-MM-DD), as Python does.
DATE_STYLE = "SET LOCAL DateStyle TO 'ISO, YMD'"


def csv_copy_statement(table_sql_name: str, columns: Sequence[Column]) -> str:
    """``COPY … TO STDOUT`` of the whole table in row order (PostgreSQL), every cell written as
    ``table_rows`` and ``apps.core.exports.csv_lines`` write it, the field names as the header.
    Only quoted identifiers and fixed SQL go into it."""
    cells = []
    for column in columns:
        cell = _CELL_SQL[column.data_type].format(c=quote(column.name))
        if len(columns) == 1:  # Python writes a lone empty cell as "" (an empty line is no row)
            cell = f"coalesce(({cell})::text, '')"
        cells.append(f"{cell} AS {quote(column.name)}")
    select = f"SELECT {', '.join(cells)} FROM {table_sql_name} ORDER BY {quote(ROW_COLUMN)}"  # noqa: S608 - quoted names only
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER true)"


class Sent:
    """Chunks passed on, their bytes counted once the server has written them (it asks for the
    next one); ``finished`` once the last one has gone: the file went out whole."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = chunks
        self.bytes = 0
        self.finished = False
        self._passing = self._pass()

    def __iter__(self) -> Iterator[bytes]:
        return self._passing

    def _pass(self) -> Generator[bytes]:
        for chunk in self.chunks:
            yield chunk
            self.bytes += len(chunk)
        self.finished = True

    def close(self) -> None:
        """Stop passing chunks on, and stop what makes them (the response closes it)."""
        self._passing.close()
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()
