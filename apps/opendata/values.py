"""How a row of an open entry is written into each download format.

JSON Lines writes values exactly as the API's JSON does (apps.api.formats). CSV and XLSX keep
numbers as numbers, so the one writer (apps.core.exports) neutralizes only text that a
spreadsheet would run; dates and times are ISO 8601 text, yes/no is ``true``/``false`` in CSV.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from apps.api.formats import FORMATTERS, formatter
from apps.catalog.choices import FieldType
from apps.datazone.storage import Column

Row = tuple[Any, ...]


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
