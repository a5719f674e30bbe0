"""Shared set-up for data-zone tests: an entry with one field of every type, files to load."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from apps.datazone import services
from apps.datazone.models import DataVersion
from apps.datazone.storage import table_store
from tests.factories import make_entry

ALL_TYPES = [
    {"name": "code", "label": "编码", "data_type": "string", "nullable": False, "filterable": True},
    {"name": "district", "label": "所属区县", "data_type": "string", "filterable": True},
    {"name": "quantity", "label": "数量", "data_type": "integer"},
    {"name": "amount", "label": "金额", "data_type": "decimal"},
    {"name": "day", "label": "日期", "data_type": "date", "filterable": True},
    {"name": "seen_at", "label": "记录时间", "data_type": "datetime"},
    {"name": "open", "label": "是否开放", "data_type": "boolean"},
]
HEADER = [field["name"] for field in ALL_TYPES]
GOOD_ROW = ["A1", "南明区", "12", "3.50", "2024-01-05", "2024-01-05 08:30", "是"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def entry(department, department_member, reviewer):
    return make_entry(
        department=department, actor=department_member, status="published",
        reviewer=reviewer, fields=ALL_TYPES,
    )  # fmt: skip


def csv_bytes(
    rows: list[list[Any]], *, encoding: str = "utf-8", header: list[str] | None = None
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER if header is None else header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def good_rows(count: int) -> list[list[str]]:
    return [[f"A{number}", *GOOD_ROW[1:]] for number in range(1, count + 1)]


def load(
    entry, content: bytes, *, tmp_path: Path, name: str = "rows.csv", encoding: str = "auto",
    actor=None, **options: Any,
) -> DataVersion:  # fmt: skip
    """Load a file the way the bureau does (synchronously), returning the finished version."""
    path = tmp_path / name
    path.write_bytes(content)
    return services.data_version_load_file(
        entry=entry, path=path, encoding=encoding, actor=actor, **options
    )


def tables() -> set[str]:
    """The version tables that exist, read from the database's own catalog."""
    return table_store().existing_tables()


def table_of(version: DataVersion) -> str:
    return table_store().table_name(version.pk)


def rows_of(version: DataVersion) -> list[tuple[Any, ...]]:
    name = table_store().qualified_name(version.table_name)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {name} ORDER BY _row")  # noqa: S608 - our own table name
        return cursor.fetchall()


def reasons(version: DataVersion) -> list[tuple[int | None, str, str]]:
    return [(error["row"], error["column"], error["reason"]) for error in version.errors]
