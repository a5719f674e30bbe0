"""Stream a CSV or XLSX file against an entry's field schema and hand valid rows out in batches.

Memory stays bounded whatever the file size: the file is read as a stream (CSV decoded line by
line, openpyxl in read-only mode) and at most one batch of converted rows is held.
All or nothing (issue 4): at the first invalid row nothing more is written; the scan goes on only
to collect the first ERROR_LIMIT errors for the report, and the caller throws away what was
written. This module knows nothing of the database: ``write(names, rows)`` stores a batch,
``report(rows, estimate)`` records progress.
"""

import codecs
import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import call, itemgetter
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from .choices import ENCODING_LABELS, EncodingChoice, FileFormat
from .converters import Converter, Invalid, converter_for
from .models import ERROR_LIMIT
from .reports import make_error
from .storage import ROW_COLUMN

BATCH_SIZE = 20_000
# How much of a CSV file the encoding is guessed from.
SAMPLE_BYTES = 1024 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024
EXTENSIONS = {".csv": FileFormat.CSV, ".txt": FileFormat.CSV, ".xlsx": FileFormat.XLSX}

Write = Callable[[Sequence[str], list[list[Any]]], None]
Report = Callable[[int, int | None], None]


class Interrupted(Exception):
    """The worker was asked to stop between two batches."""


class LineTooLong(csv.Error):
    """A CSV line longer than MAX_LINE_BYTES: not a table a person exported."""


@dataclass(frozen=True)
class SchemaField:
    name: str
    label: str
    data_type: str
    nullable: bool = True
    filterable: bool = False


@dataclass
class Result:
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    encoding: str = ""

    def refuse(self, error: dict[str, Any]) -> None:
        self.error_count += 1
        if len(self.errors) < ERROR_LIMIT:
            self.errors.append(error)

    @property
    def refused(self) -> bool:
        return self.error_count > 0

    @property
    def full(self) -> bool:
        return self.error_count >= ERROR_LIMIT


def file_format_of(filename: str) -> str | None:
    """The format by the file name's extension; None for a file the data zone cannot read."""
    return EXTENSIONS.get(PurePath(filename).suffix.lower())


def detect_encoding(path: Path, choice: str) -> str:
    """A BOM decides; else the uploader's choice; else UTF-8 if the first megabyte decodes as
    UTF-8, and GB18030 (a superset of GBK, as Chinese government exports often are) if not."""
    with open(path, "rb") as stream:
        head = stream.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if choice != EncodingChoice.AUTO:
        return str(choice)
    try:
        # Incremental: a character cut in two at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SAMPLE_BYTES)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


class CsvSource:
    def __init__(self, path: Path, encoding: str) -> None:
        self.encoding = encoding
        self.size = path.stat().st_size
        self._binary: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()

    def records(self) -> Iterator[list[str]]:
        # strict: broken quoting is an error with a row number, not a silently merged row.
        return csv.reader(self._lines(), strict=True)

    def _lines(self) -> Iterator[str]:
        """Decoded line by line, so a byte the encoding refuses is reported at its own row (a
        newline byte is never part of a UTF-8 or GB18030 character); a line is read only up to
        MAX_LINE_BYTES, so a file without line breaks cannot fill the memory."""
        readline, encoding = self._binary.readline, self.encoding
        while line := readline(MAX_LINE_BYTES):
            if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
                raise LineTooLong
            yield line.decode(encoding)

    def estimate(self, rows: int) -> int | None:
        consumed = self._binary.tell()
        return max(rows, rows * self.size // consumed) if consumed else None

    def close(self) -> None:
        self._binary.close()


class XlsxSource:
    encoding = ""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook

        self._workbook = load_workbook(path, read_only=True, data_only=True)
        self._sheet = self._workbook.worksheets[0]

    def records(self) -> Iterator[list[str]]:
        for values in self._sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in values]

    def estimate(self, rows: int) -> int | None:
        declared = self._sheet.max_row  # from the sheet's dimension record, when it has one
        return max(rows, declared - 1) if declared else None

    def close(self) -> None:
        self._workbook.close()


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold, for the same converters."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def open_source(path: Path, file_format: str, encoding_choice: str) -> CsvSource | XlsxSource:
    if file_format == FileFormat.XLSX:
        return XlsxSource(path)
    return CsvSource(path, detect_encoding(path, encoding_choice))


def _picker(indexes: list[int], width: int) -> Callable[[list[str]], Sequence[str]] | None:
    """The cells of a row in schema order; None when the file's columns are in that order."""
    if indexes == list(range(width)):
        return None
    if len(indexes) == 1:
        return lambda cells: (cells[indexes[0]],)
    return itemgetter(*indexes)


def _key(heading: str) -> str:
    """Headings match names and labels ignoring letter case, spaces and a stray BOM."""
    return "".join(heading.replace("\ufeff", "").split()).casefold()


def match_header(
    header: Sequence[str], fields: Sequence[SchemaField]
) -> tuple[list[tuple[int, SchemaField]], int, list[dict[str, Any]]]:
    """Which column holds each field; the header's width; the errors that refuse the file.

    A missing column is refused only when its field may not be empty; the others load as NULL.
    """
    lookup = {_key(field.name): field for field in fields}
    for known in fields:
        lookup.setdefault(_key(known.label), known)
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1  # spreadsheets export trailing empty headings
    found: dict[str, int] = {}
    errors = []
    for index, heading in enumerate(header[:width]):
        schema_field = lookup.get(_key(heading))
        if not _key(heading):
            errors.append(make_error("empty_header", row=1, column=f"#{index + 1}"))
        elif schema_field is None:
            errors.append(make_error("unknown_column", row=1, column=heading))
        elif schema_field.name in found:
            errors.append(make_error("duplicate_column", row=1, column=heading))
        else:
            found[schema_field.name] = index
    errors += [
        make_error("missing_column", row=1, column=f.name)
        for f in fields
        if f.name not in found and not f.nullable
    ]
    return [(found[f.name], f) for f in fields if f.name in found], width, errors


class Ingest:
    """One pass over a file: header, then rows in batches; returns what happened."""

    def __init__(
        self,
        source: CsvSource | XlsxSource,
        fields: Sequence[SchemaField],
        *,
        write: Write,
        report: Report,
        boolean_values: tuple[Any, Any] = ("t", "f"),
        should_stop: Callable[[], bool] = lambda: False,
        batch_size: int | None = None,
    ) -> None:
        self.source, self.fields = source, fields
        self.write, self.report, self.should_stop = write, report, should_stop
        self.boolean_values = boolean_values
        self.batch_size = batch_size or BATCH_SIZE
        self.result = Result(encoding=source.encoding)

    def run(self) -> Result:
        records = self.source.records()
        try:
            header = next(records, None)
        except (csv.Error, UnicodeDecodeError) as error:
            self._reader_error(error, 1)
            return self.result
        if header is None:
            self.result.refuse(make_error("empty_file"))
            return self.result
        plan, width, header_errors = match_header(header, self.fields)
        for header_error in header_errors:
            self.result.refuse(header_error)
        if not self.result.refused:
            self._rows(records, plan, width)
        if not self.result.refused and self.result.rows == 0:
            self.result.refuse(make_error("no_rows"))
        return self.result

    def _reader_error(self, error: Exception, row: int) -> None:
        """The reader itself failed: the file cannot be read past this row."""
        if isinstance(error, UnicodeDecodeError):
            label = ENCODING_LABELS.get(self.source.encoding, self.source.encoding)
            self.result.refuse(make_error("encoding", row=row, encoding=label))
        elif isinstance(error, LineTooLong):
            self.result.refuse(make_error("line_too_long", row=row))
        else:
            reason = "field_too_long" if "field larger" in str(error) else "malformed"
            self.result.refuse(make_error(reason, row=row))

    def _rows(
        self, records: Iterator[list[str]], plan: list[tuple[int, SchemaField]], width: int
    ) -> None:
        """The hot loop: locals only, the converters applied by map() in C."""
        converters = [
            converter_for(f.data_type, nullable=f.nullable, boolean_values=self.boolean_values)
            for _index, f in plan
        ]
        pick = _picker([index for index, _field in plan], width)
        names = [f.name for _index, f in plan] + [ROW_COLUMN]
        batch: list[list[Any]] = []
        batch_size, rows, row_number = self.batch_size, 0, 1
        try:
            for cells in records:
                row_number += 1
                if len(cells) != width:
                    fitted = self._fit(cells, width, row_number)
                    if fitted is None:
                        continue
                    cells = fitted
                elif not any(cells):
                    continue  # a blank line
                try:
                    values = list(map(call, converters, cells if pick is None else pick(cells)))
                except Invalid:
                    self._refuse_row(cells, converters, plan, row_number)
                    if self.result.full:
                        break
                    continue
                rows += 1
                values.append(rows)
                batch.append(values)
                if len(batch) >= batch_size:
                    self._flush(names, batch, rows)
                    batch = []
        except (csv.Error, UnicodeDecodeError) as error:
            self._reader_error(error, row_number + 1)
        self.result.rows = rows
        if batch:
            self._flush(names, batch, rows)

    def _fit(self, cells: list[str], width: int, row_number: int) -> list[str] | None:
        """A row of another width: blank → skipped; extra empty cells → dropped; else refused."""
        if not any(cell.strip() for cell in cells):
            return None
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            return cells[:width]
        self.result.refuse(
            make_error("row_length", row=row_number, expected=width, found=len(cells))
        )
        return None

    def _refuse_row(
        self,
        cells: list[str],
        converters: list[Converter],
        plan: list[tuple[int, SchemaField]],
        row_number: int,
    ) -> None:
        for convert, (index, schema_field) in zip(converters, plan, strict=True):
            try:
                convert(cells[index])
            except Invalid as invalid:
                self.result.refuse(
                    make_error(
                        invalid.reason, row=row_number, column=schema_field.name, value=cells[index]
                    )
                )

    def _flush(self, names: list[str], batch: list[list[Any]], rows: int) -> None:
        # After the first refusal nothing more is written: the scan only collects errors.
        if not self.result.refused:
            self.write(names, batch)
        self.report(rows, self.source.estimate(rows))
        if self.should_stop():
            raise Interrupted
