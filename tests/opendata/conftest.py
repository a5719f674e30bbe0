"""Shared set-up for open data: a published open entry with rows loaded through the data zone
(every field type, no personal field: an open entry never has one), and one of each other kind.
"""

import csv
import io

import pytest

from apps.datazone import services as datazone_services
from tests.api.conftest import FIELDS, grant, load_rows, make_rows, qualified

__all__ = ["grant", "qualified"]  # fixtures shared with the operator API tests
from tests.factories import make_entry

OPEN_FIELDS = [field for field in FIELDS if field.get("sensitivity") is None]
ROWS = 45


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # The rate has its own test; here many calls come from one address.
    settings.OPEN_API_RATE = "100000/min"


def open_rows(count: int = ROWS) -> list[list[str]]:
    return [row[: len(OPEN_FIELDS)] for row in make_rows(count)]


@pytest.fixture
def open_entry(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=OPEN_FIELDS, openness="open", title="公共自行车站点",
    )  # fmt: skip


@pytest.fixture
def loaded_open(open_entry, tmp_path):
    load_rows_open(open_entry, open_rows(), tmp_path)
    return open_entry


def load_rows_open(entry, rows: list[list[str]], tmp_path, name: str = "open.csv"):
    """Load rows into the open entry's live version, synchronously."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([field["name"] for field in OPEN_FIELDS])
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode())
    version = datazone_services.data_version_load_file(entry=entry, path=path)
    assert version.status == "live", version.errors
    return version


@pytest.fixture
def conditional_entry(department, department_member, reviewer, tmp_path):
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=FIELDS, openness="conditional", title="有条件开放数据",
    )  # fmt: skip
    load_rows(entry, make_rows(10), tmp_path, name="conditional.csv")
    return entry


@pytest.fixture
def closed_entry(department, department_member, reviewer, tmp_path):
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=FIELDS, openness="not_open", title="不予开放数据",
    )  # fmt: skip
    load_rows(entry, make_rows(10), tmp_path, name="closed.csv")
    return entry


@pytest.fixture
def open_entry_without_data(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=OPEN_FIELDS, openness="open", title="尚无数据的开放条目",
    )  # fmt: skip
