"""The error report of a refused file: what each reason code means, and the report as CSV.

Errors are stored as ``{"row", "column", "value", "reason"}`` (plus ``"params"`` for reasons with
placeholders) with ``reason`` a code, so the page and the download speak the reader's language,
whatever language the worker ran in. ``row`` is the row number as a spreadsheet shows the file
(the header is row 1), or None for an error about the whole file.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.exports import csv_text

REASONS: dict[str, Promise] = {
    "required": _("A value is required."),
    "nul": _("The text contains a NUL character."),
    "integer": _("Not a whole number."),
    "integer_range": _("The number is too large for a whole-number field."),
    "decimal": _("Not a decimal number."),
    "date": _("Not a date (write YYYY-MM-DD, YYYY/MM/DD or YYYY年MM月DD日)."),
    "datetime": _(
        "Not a date and time (write YYYY-MM-DD HH:MM, optionally with seconds and a time zone)."
    ),
    "boolean": _("Not a yes/no value (write true/false, yes/no, 1/0 or 是/否)."),
    "row_length": _("The row has %(found)s values; the header has %(expected)s columns."),
    "missing_column": _("A column that may not be empty is missing from the header."),
    "unknown_column": _("The column is not in the entry's field schema."),
    "duplicate_column": _("The column appears more than once in the header."),
    "empty_header": _("A column has no heading."),
    "empty_file": _("The file is empty."),
    "no_rows": _("The file has a header but no rows."),
    "encoding": _("The file is not valid %(encoding)s text from this row on."),
    "malformed": _("Broken CSV quoting or line structure."),
    "field_too_long": _("A value is longer than the CSV reader accepts (128 KB)."),
    "line_too_long": _("A line is longer than 16 MB: is this really a CSV table?"),
    "unreadable": _("The file cannot be read as %(format)s."),
    "too_large": _("The file is larger than the limit of %(limit)s bytes."),
    "interrupted": _("The load was interrupted; upload the file again."),
    "internal": _("The load failed because of an error in the portal; the bureau was told."),
}
VALUE_SHOWN_CHARACTERS = 200


def make_error(
    reason: str, *, row: int | None = None, column: str = "", value: Any = "", **params: Any
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "row": row,
        "column": column,
        "value": str(value)[:VALUE_SHOWN_CHARACTERS] if value is not None else "",
        "reason": reason,
    }
    if params:
        error["params"] = params
    return error


def describe(error: dict[str, Any]) -> str:
    """The reason in the active language."""
    message = REASONS.get(error["reason"])
    if message is None:
        return str(error["reason"])
    return str(message) % error["params"] if "params" in error else str(message)


def described(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**error, "text": describe(error)} for error in errors]


def errors_csv(errors: list[dict[str, Any]]) -> Iterator[str]:
    """The report as CSV text in chunks, starting with a BOM so spreadsheets read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([gettext("Row"), gettext("Column"), gettext("Value"), gettext("Reason")])
    yield "\ufeff" + buffer.getvalue()
    for error in errors:
        buffer.seek(0)
        buffer.truncate()
        row = "" if error["row"] is None else error["row"]
        writer.writerow([row, csv_text(error["column"]), csv_text(error["value"]), describe(error)])
        yield buffer.getvalue()
