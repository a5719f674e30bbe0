"""How the data endpoints write values out: JSON values by column type, and CSV pages."""

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.dateparse import parse_datetime

from apps.catalog.choices import FieldType
from apps.datazone.storage import Column

Formatter = Callable[[Any], Any]


def _decimal_text(value: Any) -> str:
    return str(value)


def _date_text(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _datetime_text(value: Any) -> str:
    # SQLite hands back text for computed values (min/max); PostgreSQL a datetime.
    if isinstance(value, str):
        value = parse_datetime(value) or value
    return value if isinstance(value, str) else value.isoformat()


def _identity(value: Any) -> Any:
    return value


FORMATTERS: dict[str, Formatter] = {
    FieldType.STRING: _identity,
    FieldType.INTEGER: _identity,
    FieldType.DECIMAL: _decimal_text,  # text, so no client reads an exact figure as a float
    FieldType.DATE: _date_text,
    FieldType.DATETIME: _datetime_text,
    FieldType.BOOLEAN: bool,  # SQLite stores 1/0
}


def formatter(column: Column) -> Formatter:
    convert = FORMATTERS[column.data_type]
    if convert is _identity:  # strings and integers go out as read (None included)
        return convert
    return lambda value: None if value is None else convert(value)


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_rows(columns: Sequence[Column], rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    names = [column.name for column in columns]
    formats = [formatter(column) for column in columns]
    return [
        {name: fmt(value) for name, fmt, value in zip(names, formats, row, strict=False)}
        for row in rows
    ]


def csv_response(
    columns: Sequence[Column], rows: Sequence[tuple[Any, ...]], next_url: str | None
) -> HttpResponse:
    formats = [formatter(column) for column in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF line ends
    writer.writerow([column.name for column in columns])
    writer.writerows(
        [csv_text(fmt(value)) for fmt, value in zip(formats, row, strict=False)] for row in rows
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return response
