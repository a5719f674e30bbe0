"""Department pages of the data zone: who may, who may not, upload, progress and the report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.datazone import services
from apps.datazone.models import DataVersion
from apps.datazone.storage import table_store
from tests.datazone.conftest import GOOD_ROW, csv_bytes, good_rows, load
from tests.factories import make_entry


def page_url(entry) -> str:
    return reverse("datazone:versions", args=[entry.identifier])


def progress_url(entry, number: int = 1) -> str:
    return reverse("datazone:progress", args=[entry.identifier, number])


def errors_url(entry, number: int = 1) -> str:
    return reverse("datazone:errors", args=[entry.identifier, number])


def post_file(client, entry, content: bytes, name: str = "rows.csv", **extra):
    data = {"file": SimpleUploadedFile(name, content, "text/csv"), "encoding": "auto", **extra}
    return client.post(page_url(entry), data)


@pytest.fixture
def member_client(client, department_member):
    client.force_login(department_member)
    return client


@pytest.fixture
def loaded(entry, tmp_path):
    return load(entry, csv_bytes(good_rows(3)), tmp_path=tmp_path)


# Who may and who may not


def test_it_sends_anonymous_visitors_to_log_in(client, entry, loaded):
    for url in (page_url(entry), progress_url(entry), errors_url(entry)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert post_file(client, entry, csv_bytes([GOOD_ROW])).status_code == 302
    assert DataVersion.objects.count() == 1


@pytest.mark.parametrize("persona", ["operator_member", "outsider", "reviewer"])
def test_it_refuses_users_without_a_department(client, request, entry, loaded, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in (page_url(entry), progress_url(entry), errors_url(entry)):
        assert client.get(url).status_code == 403
    assert post_file(client, entry, csv_bytes([GOOD_ROW])).status_code == 403
    assert DataVersion.objects.count() == 1


def test_another_departments_entry_is_not_found(client, entry, loaded, other_department_member):
    client.force_login(other_department_member)
    for url in (page_url(entry), progress_url(entry), errors_url(entry)):
        assert client.get(url).status_code == 404
    assert post_file(client, entry, csv_bytes([GOOD_ROW])).status_code == 404
    assert DataVersion.objects.count() == 1


def test_an_unknown_version_is_not_found(member_client, entry):
    assert member_client.get(progress_url(entry, 9)).status_code == 404
    assert member_client.get(errors_url(entry, 9)).status_code == 404


def test_uploads_need_the_csrf_token(client, entry, department_member):
    client.handler.enforce_csrf_checks = True
    client.force_login(department_member)
    assert post_file(client, entry, csv_bytes([GOOD_ROW])).status_code == 403
    assert not DataVersion.objects.exists()


# Uploading


def test_a_member_uploads_a_file_and_it_is_queued(member_client, entry, department_member):
    response = post_file(member_client, entry, csv_bytes([GOOD_ROW]), encoding="gb18030")
    assert response.status_code == 302
    assert response.url == page_url(entry)
    version = DataVersion.objects.get()
    assert (version.status, version.uploaded_by, version.requested_encoding) == (
        "queued", department_member, "gb18030",
    )  # fmt: skip
    page = member_client.get(page_url(entry))
    assert b'id="progress"' in page.content
    assert progress_url(entry).encode() in page.content
    assert b'http-equiv="refresh"' in page.content


def test_it_refuses_a_file_over_the_limit_before_storing_it(member_client, entry, settings):
    settings.DATAZONE_MAX_UPLOAD_BYTES = 100
    for size in (1_000, 200_000):  # refused by its bytes, then by the declared request length
        response = post_file(member_client, entry, b"x" * size)
        assert response.status_code == 413
        assert response.context["form"].has_error("file", "too_large")
    assert not DataVersion.objects.exists()


def test_it_refuses_an_unknown_file_type(member_client, entry):
    response = post_file(member_client, entry, b"x", name="rows.xls")
    assert response.status_code == 200
    assert response.context["form"].has_error("file", "format")
    assert not DataVersion.objects.exists()


def test_a_retired_entry_takes_no_upload(member_client, department, department_member, reviewer):
    entry = make_entry(
        department=department, actor=department_member, status="retired", reviewer=reviewer
    )
    page = member_client.get(page_url(entry))
    assert b'id="upload-form"' not in page.content
    response = post_file(member_client, entry, b"school_name\nx\n")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not DataVersion.objects.exists()


# Progress


def test_progress_reports_a_queued_version(member_client, entry, department_member):
    post_file(member_client, entry, csv_bytes([GOOD_ROW]))
    assert member_client.get(progress_url(entry)).json() == {
        "status": "queued", "rows_processed": 0, "rows_total_estimate": None, "percent": 0,
        "error_count": 0,
    }  # fmt: skip


def test_progress_reports_rows_during_and_after_the_load(
    member_client, entry, department_member, monkeypatch
):
    monkeypatch.setattr("apps.datazone.ingest.BATCH_SIZE", 100)
    store_class = type(table_store())
    original = store_class.copy_rows
    seen = []

    def copy_and_look(self, table, names, rows):
        original(self, table, names, rows)
        seen.append(member_client.get(progress_url(entry)).json())

    monkeypatch.setattr(store_class, "copy_rows", copy_and_look)
    services.data_version_upload(
        entry=entry, actor=department_member,
        file=SimpleUploadedFile("rows.csv", csv_bytes(good_rows(500))),
    )  # fmt: skip
    services.data_version_process(version=services.data_version_claim_next())
    # The progress a batch reports is committed after the batch: the next one sees it.
    assert [answer["status"] for answer in seen] == ["loading"] * 5
    assert [answer["rows_processed"] for answer in seen] == [0, 100, 200, 300, 400]
    assert all(answer["rows_total_estimate"] >= 400 for answer in seen[1:])
    assert 0 < seen[-1]["percent"] < 100
    assert member_client.get(progress_url(entry)).json() == {
        "status": "live", "rows_processed": 500, "rows_total_estimate": 500, "percent": 100,
        "error_count": 0,
    }  # fmt: skip


def test_progress_reports_a_refused_file(member_client, entry, tmp_path):
    load(entry, csv_bytes([["", *GOOD_ROW[1:]], GOOD_ROW]), tmp_path=tmp_path)
    answer = member_client.get(progress_url(entry)).json()
    assert (answer["status"], answer["error_count"]) == ("failed", 1)


# The report


def test_the_page_shows_the_errors_of_a_refused_file(member_client, entry, tmp_path):
    rows = [GOOD_ROW, ["", "南明区", "x", "", "", "", ""]]
    load(entry, csv_bytes(rows), tmp_path=tmp_path)
    page = member_client.get(page_url(entry))
    assert page.status_code == 200
    report = page.context["report"]
    assert [(error["row"], error["column"], error["value"]) for error in report] == [
        (3, "code", ""), (3, "quantity", "x"),
    ]  # fmt: skip
    assert all(error["text"] for error in report)
    assert b'id="report"' in page.content
    assert errors_url(entry).encode() in page.content


def test_the_error_report_downloads_as_csv_with_a_bom(member_client, entry, tmp_path):
    rows = [GOOD_ROW, ["A2", "南明区", "=1+1", "", "", "", ""]]
    load(entry, csv_bytes(rows), tmp_path=tmp_path)
    response = member_client.get(errors_url(entry))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"{entry.identifier}-v1-errors.csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("3,quantity,'=1+1,")  # never a formula when opened in Excel


def test_the_page_lists_versions_with_a_constant_number_of_queries(member_client, entry, tmp_path):
    load(entry, csv_bytes(good_rows(1)), tmp_path=tmp_path)
    load(entry, csv_bytes([["", *GOOD_ROW[1:]]]), tmp_path=tmp_path, name="bad.csv")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(page_url(entry)).status_code == 200
        return len(captured)

    few = queries()
    for number in range(10):
        load(entry, csv_bytes(good_rows(1)), tmp_path=tmp_path, name=f"{number}.csv")
    load(entry, csv_bytes([["", *GOOD_ROW[1:]]]), tmp_path=tmp_path, name="bad2.csv")
    assert queries() == few
    page = member_client.get(page_url(entry))
    assert len(page.context["versions"]) == 13
    assert sum(version.is_live for version in page.context["versions"]) == 1


def test_a_member_uploads_an_xlsx_file_that_the_worker_loads(member_client, entry, tmp_path):
    from tests.datazone.test_ingest import xlsx_bytes

    content = xlsx_bytes([["A1", "南明区", 3, 1.5, "2024-01-05", None, True]], tmp_path)
    response = post_file(member_client, entry, content, name="学校.xlsx")
    assert response.status_code == 302
    version = services.data_version_process(version=services.data_version_claim_next())
    assert (version.file_format, version.status, version.row_count) == ("xlsx", "live", 1)
    assert version.original_filename == "学校.xlsx"
