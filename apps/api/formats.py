"""How the data endpoints write values out: JSON values by column type, and CSV pages."""

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson
from django.db import connection
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer

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


def _exact_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)  # never a float: no client reads an exact figure approximately
    if isinstance(value, Promise):
        return str(value)  # a translated message
    raise TypeError(f"{type(value).__name__} is not JSON")


class RowsJSONRenderer(JSONRenderer):
    """Pages of rows written by orjson (in C, values included): the records endpoints' JSON.
    Everything else in the API keeps DRF's renderer (its datetimes end in "Z"; rows keep
    "+00:00", as they always had)."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_exact_text)


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_rows(columns: Sequence[Column], rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The rows as objects for ``RowsJSONRenderer``. psycopg hands back values whose JSON the
    renderer writes exactly as FORMATTERS would (booleans; dates and datetimes in ISO 8601 as
    ``isoformat``; decimals as exact text), so on PostgreSQL no value passes through Python."""
    names = [column.name for column in columns]
    if connection.vendor == "postgresql":
        return [dict(zip(names, row, strict=False)) for row in rows]
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
