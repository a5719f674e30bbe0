"""Downloads of an open entry's live version: CSV, XLSX and JSON Lines, at URLs a script can
fetch (/catalog/<identifier>/download.csv …). Every other entry answers 404 (selectors)."""

from collections.abc import Iterator

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _

from apps.api.access import Scope
from apps.core.exports import Sheet, csv_lines, xlsx_file_response

from . import selectors, services
from .models import SIZED_FORMATS, UseFormat
from .values import CSV_LINE_END, Counted, Sent, chunked, json_lines, table_rows


def download_name(scope: Scope) -> str:
    """The file's name: the entry's identifier and the version's number."""
    return f"{scope.entry.identifier}-v{scope.table.version.number}"


def _counted_after_close(
    request: HttpRequest,
    response: HttpResponseBase,
    scope: Scope,
    format: str,
    rows: Counted | selectors.CsvCopy,
    sent: Sent | None = None,
) -> HttpResponseBase:
    """Record the use when the server closes the response: after the body has gone, with the
    rows actually sent (fewer when the client went away); and, for a file ``sent`` whole, its
    size (DCAT's byteSize)."""
    address = services.address_hash(request)
    version_id = scope.table.version.pk

    def record() -> None:
        services.open_data_use_record(
            entry_id=scope.entry.pk, version_id=version_id, format=format, rows=rows.count,
            address=address,
        )  # fmt: skip
        if sent is not None and sent.finished and format in SIZED_FORMATS:
            services.open_download_size_record(
                version_id=version_id, format=format, size=sent.bytes
            )

    # Django's list of callbacks run when the response is closed (not in the type stubs).
    response._resource_closers.extend([rows.close, record])  # type: ignore[attr-defined]
    return response


def download_csv(request: HttpRequest, identifier: str) -> HttpResponseBase:
    """PostgreSQL writes the file (selectors.CsvCopy); on SQLite the Python writer writes the
    same bytes. Lines end in LF either way."""
    scope = selectors.open_scope_of(identifier=identifier)
    copied = selectors.open_csv_copy(scope=scope)
    if copied is not None:
        rows: Counted | selectors.CsvCopy = copied
        content: Iterator[bytes] = iter(copied)
    else:
        rows = Counted(selectors.open_rows_stream(scope=scope))
        lines = csv_lines(table_rows(scope.table.columns, rows), line_end=CSV_LINE_END)
        content = chunked(lines)
    sent = Sent(content)
    response = StreamingHttpResponse(sent, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(scope)}.csv"'
    return _counted_after_close(request, response, scope, UseFormat.CSV, rows, sent)


def download_jsonl(request: HttpRequest, identifier: str) -> HttpResponseBase:
    scope = selectors.open_scope_of(identifier=identifier)
    rows = Counted(selectors.open_rows_stream(scope=scope))
    sent = Sent(chunked(json_lines(scope.table.columns, rows)))
    response = StreamingHttpResponse(sent, content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(scope)}.jsonl"'
    return _counted_after_close(request, response, scope, UseFormat.JSONL, rows, sent)


def download_xlsx(request: HttpRequest, identifier: str) -> HttpResponseBase:
    scope = selectors.open_scope_of(identifier=identifier)
    if scope.table.row_count > selectors.XLSX_MAX_ROWS:
        return HttpResponse(
            _("This version has more rows than an Excel sheet holds; download the CSV instead."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    rows = Counted(selectors.open_rows_stream(scope=scope))
    sheet = Sheet(scope.entry.identifier, table_rows(scope.table.columns, rows, spreadsheet=True))
    response = xlsx_file_response(download_name(scope), [sheet])
    return _counted_after_close(request, response, scope, UseFormat.XLSX, rows)
