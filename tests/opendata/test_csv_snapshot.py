"""The CSV PostgreSQL writes (one COPY on the live version's own table) never mixes in a version
that goes live while it is being sent. The new version is loaded on another connection, as
the data zone's worker does, while the COPY is running on the download's; so these tests
commit for real."""

import csv
import io
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from apps.datazone.selectors import live_table_for
from apps.opendata import values
from apps.opendata.models import OpenDataUse

from .conftest import ROWS, load_rows_open, open_rows

pytestmark = [
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has no COPY"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_new_version_going_live_mid_csv_download_never_mixes_into_it(
    client, loaded_open, tmp_path, monkeypatch
):
    monkeypatch.setattr(values, "CHUNK_BYTES", 1)  # a chunk per line: the COPY is still running
    url = reverse("opendata:download-csv", args=[loaded_open.identifier])
    response = client.get(url)
    chunks = iter(response.streaming_content)
    first = [next(chunks) for _ in range(3)]  # the BOM and the header, two rows
    live: list[int] = []

    def go_live() -> None:  # on its own connection, as the worker would
        try:
            newer = [[f"N{i:03d}", *row[1:]] for i, row in enumerate(open_rows(70))]
            load_rows_open(loaded_open, newer, tmp_path, name="newer.csv")
            live.append(live_table_for(entry=loaded_open).version.number)
        finally:
            connections.close_all()

    thread = threading.Thread(target=go_live)
    thread.start()
    thread.join(timeout=60)
    assert live == [2]  # version 2 went live while the download was open
    text = (b"".join(first) + b"".join(chunks)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == ROWS
    assert all(row[0].startswith("C") for row in rows)  # version 1's codes only
    assert OpenDataUse.objects.get().version.number == 1
