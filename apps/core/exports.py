"""The one writer for every CSV and XLSX the portal hands out.

No formula leaves the portal: a text cell that a spreadsheet would run (it begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is neutralized — in CSV with a leading
apostrophe, which spreadsheets show as text; in XLSX the cell is written as a string explicitly
and marked "quote prefix", so Excel shows it as typed and never evaluates it. Numbers stay
numbers. CSV starts with a BOM so spreadsheet programs in China read UTF-8 right, and is
streamed row by row; XLSX is written in openpyxl's write-only mode.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
# Rows of data an Excel sheet holds: 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def plain(value: Any) -> Any:
    """Lazy translations become the text they stand for; other values stay as they are."""
    return str(value) if isinstance(value, Promise) else value


def csv_text(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula."""
    value = plain(value)
    return f"'{value}" if is_formula_like(value) else value


class _Echo:
    """csv.writer writes into this and gets the line back, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


# Cells that csv_text always returns as they are: checked by exact type, the common case first.
_NEVER_FORMULA = frozenset({int, float, Decimal, bool, type(None)})


def csv_lines(rows: Iterable[Iterable[Any]], *, line_end: str = "\r\n") -> Iterator[str]:
    """The rows as CSV lines, the first one after a BOM; every text cell neutralized. Lines end
    in CRLF (RFC 4180) unless ``line_end`` says otherwise.

    The same cells as ``csv_text`` on every value, without a call per cell for plain text and
    numbers (a whole-table download writes millions of cells)."""
    writer = csv.writer(_Echo(), lineterminator=line_end)
    never, starts = _NEVER_FORMULA, FORMULA_STARTS
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(
            [
                value
                if type(value) in never
                else (("'" + value if value.startswith(starts) else value)
                      if type(value) is str else csv_text(value))
                for value in row
            ]
        )  # fmt: skip


def csv_response(name: str, rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A CSV answered whole (the pages' own exports: a few thousand rows at most)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    for line in csv_lines(rows):
        response.write(line)
    return response


def csv_streaming_response(name: str, rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """A CSV streamed row by row at constant memory, whatever the number of rows."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def xlsx_cells(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Cell]:
    cells = []
    for value in map(plain, values):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would take "=…" for a formula
            cell.quotePrefix = is_formula_like(value)
        elif isinstance(value, Decimal) and value.as_tuple().exponent == -2:
            cell.number_format = MONEY_FORMAT
        cells.append(cell)
    return cells


@dataclass
class Sheet:
    title: str
    rows: Iterable[Iterable[Any]] = field(default_factory=list)


def xlsx_response(name: str, sheets: Iterable[Sheet]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])  # Excel's limit for a sheet name
        for row in spec.rows:
            sheet.append(xlsx_cells(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def xlsx_file_response(name: str, sheets: Iterable[Sheet]) -> FileResponse:
    """An XLSX of any size at constant memory: openpyxl's write-only sheets spool their rows to
    temporary files, the workbook is assembled in a temporary file, and that file is streamed."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])  # Excel's limit for a sheet name
        for row in spec.rows:
            sheet.append(xlsx_cells(sheet, row))
    # Removed once the response has sent (and closed) it; never shared with anyone else.
    target = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(target)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_CONTENT_TYPE
    )
