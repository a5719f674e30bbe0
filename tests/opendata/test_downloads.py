"""Downloads of an open entry's live version: contents, names, streaming, version switch, counts."""

import csv
import io
import json

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from apps.api.formats import RowsJSONRenderer, json_rows
from apps.datazone.selectors import live_table_for
from apps.opendata import selectors
from apps.opendata.models import OpenDataUse

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
    response = download(client, loaded_open.identifier, "csv")
    chunks = iter(response.streaming_content)
    for _ in range(4):  # the BOM, the header, two rows
        next(chunks)
    client_goes_away(response)
    use = OpenDataUse.objects.get()
    assert 0 < use.rows < ROWS
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors")
            assert cursor.fetchone()[0] == 0
