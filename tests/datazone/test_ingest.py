"""Reading files against the field schema: types, headers, encodings, formats, refusals."""

import hashlib
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from openpyxl import Workbook

from apps.datazone.models import DataVersion
from tests.datazone.conftest import (
    GOOD_ROW,
    HEADER,
    csv_bytes,
    good_rows,
    load,
    reasons,
    rows_of,
    table_of,
    tables,
)


def indexed_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
                "WHERE n.nspname = 'datazone' AND c.relname = %s",
                [table],
            )
            return {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT name FROM pragma_index_list(%s)", [table])
        indexes = [name for (name,) in cursor.fetchall()]
        columns = set()
        for index in indexes:
            cursor.execute("SELECT name FROM pragma_index_info(%s)", [index])
            columns |= {name for (name,) in cursor.fetchall()}
        return columns | {"_row"}  # _row is the rowid itself


# Types


def test_it_loads_every_type_into_typed_columns(entry, tmp_path):
    version = load(entry, csv_bytes([GOOD_ROW]), tmp_path=tmp_path)
    assert version.status == "live"
    [row] = rows_of(version)
    row_number, code, district, quantity, amount, day, seen_at, is_open = row
    assert (row_number, code, district, quantity) == (1, "A1", "南明区", 12)
    assert Decimal(str(amount)) == Decimal("3.5")
    assert str(day) == "2024-01-05"
    assert str(seen_at) == "2024-01-05 00:30:00+00:00"  # 08:30 in Asia/Shanghai
    assert bool(is_open) is True


def test_it_stores_nulls_for_empty_values_of_fields_that_may_be_empty(entry, tmp_path):
    version = load(entry, csv_bytes([["A1", "", "", "", "", "", ""]]), tmp_path=tmp_path)
    assert rows_of(version) == [(1, "A1", None, None, None, None, None, None)]


def test_it_reports_each_invalid_value_with_its_row_column_and_reason(entry, tmp_path):
    rows = [
        GOOD_ROW,
        ["", "南明区", "x", "1.2.3", "2023-02-29", "soon", "maybe"],
        GOOD_ROW,
    ]
    version = load(entry, csv_bytes(rows), tmp_path=tmp_path)
    assert version.status == "failed"
    assert reasons(version) == [
        (3, "code", "required"),
        (3, "quantity", "integer"),
        (3, "amount", "decimal"),
        (3, "day", "date"),
        (3, "seen_at", "datetime"),
        (3, "open", "boolean"),
    ]
    assert version.errors[1]["value"] == "x"
    assert version.error_count == 6
    assert table_of(version) not in tables()


def test_it_counts_rows_as_a_spreadsheet_does_blank_lines_included(entry, tmp_path):
    content = csv_bytes([GOOD_ROW]) + b"\n,,,,,,\nA2,,x,,,,\n"
    version = load(entry, content, tmp_path=tmp_path)
    assert reasons(version) == [(5, "quantity", "integer")]


def test_it_skips_blank_lines(entry, tmp_path):
    content = csv_bytes([GOOD_ROW]) + b"\n\n" + b",,,,,,\n" + b"A2,,,,,,\n"
    version = load(entry, content, tmp_path=tmp_path)
    assert version.status == "live"
    assert version.row_count == 2
    assert [row[:2] for row in rows_of(version)] == [(1, "A1"), (2, "A2")]


def test_it_stops_the_report_at_one_hundred_errors(entry, tmp_path):
    rows = [[f"A{n}", "", "not a number", "", "", "", ""] for n in range(150)]
    version = load(entry, csv_bytes(rows), tmp_path=tmp_path)
    assert version.status == "failed"
    assert len(version.errors) == 100
    assert version.error_count == 100
    assert version.errors_truncated
    assert version.errors[-1]["row"] == 101


def test_it_refuses_rows_with_another_number_of_values(entry, tmp_path):
    content = csv_bytes([GOOD_ROW]) + b"A2,x\n" + b"A3,,,,,,,extra\n"
    version = load(entry, content, tmp_path=tmp_path)
    assert reasons(version) == [(3, "", "row_length"), (4, "", "row_length")]
    assert version.errors[0]["params"] == {"expected": 7, "found": 2}


# Header


def test_it_matches_headings_by_label_ignoring_case_spaces_and_order(entry, tmp_path):
    header = ["是否开放", " CODE ", "数 量", "所属区县", "Amount", "日期", "记录时间"]
    row = ["否", "B7", "3", "云岩区", "1", "2024/2/3", "2024-02-03 10:00"]
    version = load(entry, csv_bytes([row], header=header), tmp_path=tmp_path)
    assert version.status == "live"
    [stored] = rows_of(version)
    assert stored[:4] == (1, "B7", "云岩区", 3)
    assert bool(stored[7]) is False


def test_it_loads_a_missing_column_as_empty_when_the_field_may_be_empty(entry, tmp_path):
    version = load(
        entry, csv_bytes([["A1", "南明区"]], header=["code", "district"]), tmp_path=tmp_path
    )
    assert version.status == "live"
    assert rows_of(version) == [(1, "A1", "南明区", None, None, None, None, None)]


def test_it_refuses_a_file_without_a_required_column(entry, tmp_path):
    version = load(entry, csv_bytes([GOOD_ROW[1:]], header=HEADER[1:]), tmp_path=tmp_path)
    assert version.status == "failed"
    assert reasons(version) == [(1, "code", "missing_column")]
    assert table_of(version) not in tables()


def test_it_refuses_a_column_that_is_not_in_the_schema(entry, tmp_path):
    version = load(
        entry, csv_bytes([[*GOOD_ROW, "x"]], header=[*HEADER, "remark"]), tmp_path=tmp_path
    )
    assert reasons(version) == [(1, "remark", "unknown_column")]


@pytest.mark.parametrize("second", ["code", "编码", "Code"])
def test_it_refuses_a_column_given_twice(entry, tmp_path, second):
    version = load(
        entry, csv_bytes([[*GOOD_ROW, "A"]], header=[*HEADER, second]), tmp_path=tmp_path
    )
    assert reasons(version) == [(1, second, "duplicate_column")]


def test_it_refuses_a_column_without_heading_but_ignores_trailing_empty_ones(entry, tmp_path):
    refused = load(
        entry, csv_bytes([["A1", "", "1"]], header=["code", "", "quantity"]), tmp_path=tmp_path
    )
    assert reasons(refused) == [(1, "#2", "empty_header")]
    trailing = load(
        entry,
        csv_bytes([[*GOOD_ROW, "", ""]], header=[*HEADER, "", " "]),
        tmp_path=tmp_path,
        name="b.csv",
    )
    assert trailing.status == "live"


def test_it_refuses_an_empty_file(entry, tmp_path):
    version = load(entry, b"", tmp_path=tmp_path)
    assert reasons(version) == [(None, "", "empty_file")]


def test_it_refuses_a_file_with_only_a_header(entry, tmp_path):
    version = load(entry, csv_bytes([]), tmp_path=tmp_path)
    assert reasons(version) == [(None, "", "no_rows")]


def test_it_refuses_malformed_quoting_with_the_row_number(entry, tmp_path):
    content = csv_bytes(good_rows(3)) + b'A4,"broken"quote,1,,,,\n' + csv_bytes(good_rows(1))
    version = load(entry, content, tmp_path=tmp_path)
    assert version.status == "failed"
    assert reasons(version) == [(5, "", "malformed")]
    assert table_of(version) not in tables()


# Encodings


def test_it_reads_utf8(entry, tmp_path):
    version = load(entry, csv_bytes([GOOD_ROW]), tmp_path=tmp_path)
    assert version.source_encoding == "utf-8"
    assert rows_of(version)[0][2] == "南明区"


def test_it_reads_utf8_with_a_bom(entry, tmp_path):
    version = load(entry, b"\xef\xbb\xbf" + csv_bytes([GOOD_ROW]), tmp_path=tmp_path)
    assert version.status == "live"
    assert version.source_encoding == "utf-8-sig"
    assert rows_of(version)[0][1] == "A1"


@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
def test_it_detects_gb18030_and_gbk(entry, tmp_path, codec):
    header = ["编码", "所属区县", "数量"]
    version = load(
        entry,
        csv_bytes([["甲1", "观山湖区", "5"]], encoding=codec, header=header),
        tmp_path=tmp_path,
    )
    assert version.status == "live"
    assert version.source_encoding == "gb18030"
    assert rows_of(version)[0][1:3] == ("甲1", "观山湖区")


def test_it_takes_the_uploaders_choice_of_encoding(entry, tmp_path):
    content = csv_bytes(
        [["甲1", "观山湖区", "5"]], encoding="gb18030", header=["编码", "所属区县", "数量"]
    )
    chosen = load(entry, content, tmp_path=tmp_path, encoding="gb18030")
    assert (chosen.status, chosen.source_encoding) == ("live", "gb18030")
    wrong = load(entry, content, tmp_path=tmp_path, encoding="utf-8", name="b.csv")
    assert reasons(wrong) == [(1, "", "encoding")]


def test_it_reports_bytes_that_break_the_encoding_late_in_the_file(entry, tmp_path):
    rows = good_rows(40_000)  # about 1.6 MB: past the sample the encoding is guessed from
    content = csv_bytes(rows) + "A0,南明区,1,,,,\n".encode("gb18030")
    version = load(entry, content, tmp_path=tmp_path)
    assert version.source_encoding == "utf-8"
    assert reasons(version) == [(40_002, "", "encoding")]
    assert table_of(version) not in tables()


# XLSX


def xlsx_bytes(rows: list[list], tmp_path, header=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or ["编码", "所属区县", "数量", "金额", "日期", "记录时间", "是否开放"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "made.xlsx"
    workbook.save(path)
    return path.read_bytes()


def test_it_reads_xlsx_with_typed_cells(entry, tmp_path):
    rows = [
        ["A1", "南明区", 12, 3.5, datetime(2024, 1, 5), datetime(2024, 1, 5, 8, 30), True],  # noqa: DTZ001
        ["A2", None, 7.0, Decimal("1.25"), date(2024, 2, 3), datetime(2024, 2, 3), False],  # noqa: DTZ001
        ["A3", "花溪区", "8", "2.5", "2024/03/04", "2024-03-04 09:00", "否"],
    ]
    version = load(entry, xlsx_bytes(rows, tmp_path), tmp_path=tmp_path, name="rows.xlsx")
    assert version.status == "live", version.errors
    assert version.file_format == "xlsx"
    stored = rows_of(version)
    assert [row[:4] for row in stored] == [
        (1, "A1", "南明区", 12),
        (2, "A2", None, 7),
        (3, "A3", "花溪区", 8),
    ]
    assert [str(row[5]) for row in stored] == ["2024-01-05", "2024-02-03", "2024-03-04"]
    assert str(stored[1][6]) == "2024-02-02 16:00:00+00:00"  # midnight in Asia/Shanghai


def test_it_refuses_invalid_xlsx_cells_with_their_row(entry, tmp_path):
    rows = [["A1", "南明区", 1.5, 1, datetime(2024, 1, 5, 10, 0), None, None]]  # noqa: DTZ001
    version = load(entry, xlsx_bytes(rows, tmp_path), tmp_path=tmp_path, name="rows.xlsx")
    assert reasons(version) == [(2, "quantity", "integer"), (2, "day", "date")]


def test_it_refuses_a_file_that_is_not_xlsx(entry, tmp_path):
    version = load(entry, b"not a zip", tmp_path=tmp_path, name="rows.xlsx")
    assert version.status == "failed"
    assert reasons(version) == [(None, "", "unreadable")]


# The file itself


def test_it_records_checksum_size_rows_and_file_name(entry, tmp_path, department_member):
    content = csv_bytes(good_rows(3))
    version = load(entry, content, tmp_path=tmp_path, name="学校.csv", actor=department_member)
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.size_bytes == len(content)
    assert version.row_count == 3
    assert version.original_filename == "学校.csv"
    assert version.uploaded_by == department_member
    assert version.finished_at >= version.started_at >= version.uploaded_at


def test_it_indexes_the_filterable_fields(entry, tmp_path):
    version = load(entry, csv_bytes(good_rows(2)), tmp_path=tmp_path)
    assert indexed_columns(version.table_name) == {"_row", "code", "district", "day"}


def test_it_refuses_an_over_size_file_before_reading_it(entry, tmp_path, settings):
    settings.DATAZONE_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        load(entry, csv_bytes(good_rows(10)), tmp_path=tmp_path)
    assert caught.value.code == "too_large"
    assert not DataVersion.objects.exists()


def test_it_refuses_an_unknown_file_type(entry, tmp_path):
    with pytest.raises(ValidationError) as caught:
        load(entry, b"x", tmp_path=tmp_path, name="rows.xls")
    assert caught.value.code == "format"


def test_it_refuses_a_value_longer_than_the_csv_reader_takes(entry, tmp_path):
    content = csv_bytes([GOOD_ROW]) + b"A2," + b"x" * 200_000 + b",,,,,\n"
    version = load(entry, content, tmp_path=tmp_path)
    assert reasons(version) == [(3, "", "field_too_long")]


def test_it_refuses_a_file_without_line_breaks_without_reading_it_whole(
    entry, tmp_path, monkeypatch
):
    monkeypatch.setattr("apps.datazone.ingest.MAX_LINE_BYTES", 1000)
    content = csv_bytes([GOOD_ROW]) + b"A2," + b"x" * 5000
    version = load(entry, content, tmp_path=tmp_path)
    assert reasons(version) == [(3, "", "line_too_long")]
