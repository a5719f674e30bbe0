"""Downloads of an open entry's live version: contents, names, streaming, version switch, counts."""

import csv
import io
import json

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from apps.api.formats import RowsJSONRenderer, json_rows
from apps.core.exports import csv_lines
from apps.datazone.selectors import live_table_for
from apps.opendata import selectors, values
from apps.opendata.models import OpenDataUse, OpenDownloadSize

from .conftest import OPEN_FIELDS, ROWS, load_rows_open, open_rows

NAMES = [field["name"] for field in OPEN_FIELDS]


def download(client, identifier: str, suffix: str):
    return client.get(reverse(f"opendata:download-{suffix}", args=[identifier]))


def body(response) -> bytes:
    """The whole body; the test client closes a streamed response once it is read, as the
    server does (which runs the use record)."""
    return b"".join(response.streaming_content)


def client_goes_away(response) -> None:
    """Stop reading and close the response, as the server does when the client disconnects:
    the test client's wrapper around the body closes it without closing the test's
    database connection."""
    response._iterator.close()


def live_json(entry) -> list[dict]:
    """The live version's rows as the API writes them, read straight from its table."""
    table = live_table_for(entry=entry)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(NAMES)} FROM {table.sql_name} ORDER BY _row")  # noqa: S608
        rows = json_rows(table.columns, cursor.fetchall())
    return json.loads(RowsJSONRenderer().render(rows))


def test_it_downloads_the_whole_live_version_as_csv_with_a_bom(client, loaded_open):
    response = download(client, loaded_open.identifier, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{loaded_open.identifier}-v1.csv"'
    )
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    assert "\r" not in text  # lines end in LF, whichever database writes the file
    assert text.count("\n") == ROWS + 1
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == NAMES
    assert len(rows) == ROWS + 1
    expected = live_json(loaded_open)
    for line, record in zip(rows[1:], expected, strict=True):
        as_text = [
            "" if v is None else ("true" if v is True else "false" if v is False else str(v))
            for v in record.values()
        ]
        assert line == as_text


def test_it_downloads_json_lines_equal_to_the_live_version(client, loaded_open):
    response = download(client, loaded_open.identifier, "jsonl")
    assert response["Content-Disposition"].endswith(f'filename="{loaded_open.identifier}-v1.jsonl"')
    lines = body(response).decode().splitlines()
    assert [json.loads(line) for line in lines] == live_json(loaded_open)


def test_it_downloads_xlsx_equal_to_the_live_version(client, loaded_open):
    response = download(client, loaded_open.identifier, "xlsx")
    assert response.status_code == 200
    assert 'filename="' + f'{loaded_open.identifier}-v1.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == NAMES
    assert len(rows) == ROWS + 1
    expected = live_json(loaded_open)
    codes = [row[0] for row in rows[1:]]
    assert codes == [record["code"] for record in expected]
    quantities = [row[2] for row in rows[1:]]
    assert quantities == [record["quantity"] for record in expected]


def test_it_refuses_xlsx_above_what_a_sheet_holds(client, loaded_open, monkeypatch):
    monkeypatch.setattr(selectors, "XLSX_MAX_ROWS", ROWS - 1)
    response = download(client, loaded_open.identifier, "xlsx")
    assert response.status_code == 404
    assert "CSV" in response.content.decode()


def test_it_neutralizes_formulas_in_text_cells(client, open_entry, tmp_path):
    rows = open_rows(2)
    rows[0][1] = '=HYPERLINK("http://evil")'
    load_rows_open(open_entry, rows, tmp_path)
    text = body(download(client, open_entry.identifier, "csv")).decode()
    assert "'=HYPERLINK" in text


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "jsonl"])
def test_it_answers_404_for_every_entry_that_is_not_open_with_data(
    client, suffix, open_entry, conditional_entry, closed_entry
):
    for identifier in (open_entry.identifier, conditional_entry.identifier,
                       closed_entry.identifier, "no-such-entry"):  # fmt: skip
        assert download(client, identifier, suffix).status_code == 404
    assert not OpenDataUse.objects.exists()


def test_it_serves_nothing_of_a_retired_open_entry(client, loaded_open, reviewer):
    from apps.catalog.services import catalog_entry_transition

    catalog_entry_transition(entry=loaded_open, actor=reviewer, to_status="retired", comment="停用")
    assert download(client, loaded_open.identifier, "csv").status_code == 404


def test_it_records_each_download_after_the_response(client, loaded_open):
    response = download(client, loaded_open.identifier, "csv")
    assert not OpenDataUse.objects.exists()  # nothing before the body has gone
    body(response)
    use = OpenDataUse.objects.get()
    assert (use.entry, use.version.number, use.format, use.rows) == (loaded_open, 1, "csv", ROWS)
    assert len(use.address_hash) == 64
    assert "127.0.0.1" not in use.address_hash


def test_a_new_version_going_live_mid_download_never_mixes_into_the_file(
    client, loaded_open, tmp_path, monkeypatch
):
    monkeypatch.setattr(selectors, "FETCH_ROWS", 5)
    monkeypatch.setattr(values, "CHUNK_BYTES", 1)  # a chunk per line: the stream is still open
    response = download(client, loaded_open.identifier, "jsonl")
    chunks = iter(response.streaming_content)
    first = [next(chunks) for _ in range(3)]
    newer = [[f"N{i:03d}", *row[1:]] for i, row in enumerate(open_rows(70))]
    load_rows_open(loaded_open, newer, tmp_path, name="newer.csv")
    assert live_table_for(entry=loaded_open).version.number == 2
    lines = (b"".join(first) + b"".join(chunks)).decode().splitlines()
    codes = [json.loads(line)["code"] for line in lines]
    assert len(codes) == ROWS
    assert all(code.startswith("C") for code in codes)
    assert OpenDataUse.objects.get().version.number == 1


def test_an_abandoned_download_closes_its_cursor(client, loaded_open, monkeypatch):
    monkeypatch.setattr(selectors, "FETCH_ROWS", 5)
    monkeypatch.setattr(values, "CHUNK_BYTES", 200)  # a few lines a chunk
    response = download(client, loaded_open.identifier, "csv")
    chunks = iter(response.streaming_content)
    written = next(chunks)
    next(chunks)  # the chunk being written when the client went away: not counted as sent
    client_goes_away(response)
    use = OpenDataUse.objects.get()
    assert 0 < use.rows < ROWS
    if connection.vendor == "postgresql":  # exact: the rows in the chunk written, not the header
        assert use.rows == written.count(b"\n") - 1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # neither a cursor nor a COPY is left running
            cursor.execute("SELECT count(*) FROM pg_cursors")
            assert cursor.fetchone()[0] == 0
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%%' "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT 1")  # the connection is usable again
        assert cursor.fetchone() == (1,)


def python_csv(entry) -> bytes:
    """The download as the Python writer writes it (SQLite's path) from the live version."""
    scope = selectors.open_scope_of(identifier=entry.identifier)
    rows = values.table_rows(scope.table.columns, selectors.open_rows_stream(scope=scope))
    return b"".join(values.chunked(csv_lines(rows, line_end=values.CSV_LINE_END)))


# code, district, quantity, amount, day, seen_at, open: what a CSV must get right. No empty
# text: the data zone stores an empty cell as NULL.
VARIED = [
    ("=1+2", None, -5, "1.250", "2024-02-29", "2024-01-05 08:00:00.5+00", True),
    ("+x", None, 0, "-0.5", "0099-01-01", "2024-06-30 23:59:59.000001+08", False),
    ("-5", "a,b", 9223372036854775807, "123456789012345.678901", "9999-12-31", None, None),
    ("@a", 'say "hi"', None, "0.000001", None, "1999-12-31 23:59:59+00", True),
    ("\tx", "two\nlines", 1, "100", "2024-01-01", "2024-01-05 08:00:00.123+05:30", True),
    ("\ry", " lead", 2, None, "2024-01-02", "2024-03-01 00:00:00+00", False),
    ("C-1", "南明区 '引号'", 3, "0", "2024-01-03", "2024-03-01 00:00:00.000010+00", True),
]


def add_rows(table, rows) -> None:
    columns = "_row, code, district, quantity, amount, day, seen_at, open"
    with connection.cursor() as cursor:
        for number, row in enumerate(rows, table.row_count + 1):
            cursor.execute(
                f"INSERT INTO {table.sql_name} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                [number, *row],
            )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no COPY")
def test_the_csv_postgresql_writes_is_the_python_writers_byte_for_byte(client, loaded_open):
    add_rows(live_table_for(entry=loaded_open), VARIED)
    written = body(download(client, loaded_open.identifier, "csv"))
    assert written == python_csv(loaded_open)
    text = written.decode()
    for cell in ("'=1+2", "'+x", "'-5", "'@a", "'\tx", "'\ry", '"say ""hi"""', '"two\nlines"'):
        assert cell in text
    assert "2024-01-05T08:00:00.500000+00:00" in text
    assert "2024-06-30T15:59:59.000001+00:00,true" not in text  # the row's flag is false
    assert ",-5,1.250," in text  # a number that starts with - is no formula: kept as it is


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no COPY")
def test_a_tiny_decimal_is_written_in_plain_notation(client, loaded_open):
    """The one deliberate difference from the Python writer (which writes 1E-7)."""
    add_rows(live_table_for(entry=loaded_open), [("X1", None, 1, "0.0000001", None, None, None)])
    text = body(download(client, loaded_open.identifier, "csv")).decode()
    assert text.endswith("\nX1,,1,0.0000001,,,\n")
    assert b"1E-7" in python_csv(loaded_open)


def test_a_table_of_one_field_keeps_its_empty_cells(client, department, department_member,
                                                    reviewer, tmp_path):  # fmt: skip
    from apps.datazone import services as datazone_services
    from tests.factories import make_entry

    field = {"name": "note", "label": "备注", "data_type": "string"}
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=[field], openness="open", title="单列开放数据",
    )  # fmt: skip
    path = tmp_path / "one.csv"
    path.write_bytes("note\n甲\n乙\n".encode())
    datazone_services.data_version_load_file(entry=entry, path=path)
    table = live_table_for(entry=entry)
    with connection.cursor() as cursor:  # ingest skips a row with no value at all: add one
        cursor.execute(f"INSERT INTO {table.sql_name} (_row, note) VALUES (3, NULL)")  # noqa: S608
    written = body(download(client, entry.identifier, "csv"))
    assert written == python_csv(entry)
    rows = list(csv.reader(io.StringIO(written.decode()[1:])))
    assert rows == [["note"], ["甲"], ["乙"], [""]]  # the empty row is "", not a lost empty line


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_a_whole_download_records_its_size(client, loaded_open, suffix):
    sent = body(download(client, loaded_open.identifier, suffix))
    size = OpenDownloadSize.objects.get()
    assert (size.version.number, size.format, size.bytes) == (1, suffix, len(sent))
    assert body(download(client, loaded_open.identifier, suffix)) == sent  # the same bytes
    assert OpenDownloadSize.objects.count() == 1  # recorded once


def test_an_abandoned_or_xlsx_download_records_no_size(client, loaded_open, monkeypatch):
    monkeypatch.setattr(values, "CHUNK_BYTES", 200)
    response = download(client, loaded_open.identifier, "csv")
    next(iter(response.streaming_content))
    client_goes_away(response)
    body(download(client, loaded_open.identifier, "xlsx"))  # carries the time it was written
    assert OpenDataUse.objects.count() == 2
    assert not OpenDownloadSize.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no COPY")
def test_an_error_the_server_sends_mid_copy_ends_the_stream_with_it(db):
    from django.db import OperationalError, transaction

    statement = "COPY (SELECT 1 / (n - 3) FROM generate_series(1, 10) AS n) TO STDOUT"
    lines = []
    with (
        pytest.raises(OperationalError, match="division by zero"),
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(statement),
    ):
        lines.extend(bytes(line) for line in selectors._copy_lines(cursor.cursor.connection.pgconn))
    assert lines == [b"0\n", b"-1\n"]  # the rows before the failing one
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the connection is usable again
        assert cursor.fetchone() == (1,)
