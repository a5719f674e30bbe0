"""Versions: queueing, the live switch, all-or-nothing loading, recovery and the bureau rollback."""

import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import IllegalTransition, NotAllowed
from apps.datazone import services
from apps.datazone.models import DataVersion
from apps.datazone.selectors import live_table_for
from apps.datazone.storage import table_store
from tests.datazone.conftest import GOOD_ROW, csv_bytes, good_rows, load, rows_of, table_of, tables
from tests.factories import make_entry


def upload(entry, actor, content: bytes, name: str = "rows.csv") -> DataVersion:
    return services.data_version_upload(
        entry=entry, actor=actor, file=SimpleUploadedFile(name, content, "text/csv")
    )


def history(version: DataVersion) -> list[tuple[str, str | None, str]]:
    return [
        (
            record.status,
            record.history_user and record.history_user.username,
            record.history_change_reason,
        )
        for record in version.history.order_by("history_date", "history_id")
    ]


@pytest.fixture
def copies(monkeypatch):
    """Counts the batches written to version tables."""
    store_class = type(table_store())
    calls = []
    original = store_class.copy_rows

    def counting(self, table, names, rows):
        calls.append(len(rows))
        return original(self, table, names, rows)

    monkeypatch.setattr(store_class, "copy_rows", counting)
    return calls


# Queueing


def test_it_queues_an_upload_with_the_next_number(entry, department_member):
    first = upload(entry, department_member, csv_bytes([GOOD_ROW]))
    second = upload(entry, department_member, csv_bytes([GOOD_ROW]), name="b.xlsx")
    assert (first.number, first.status, first.file_format) == (1, "queued", "csv")
    assert (second.number, second.file_format) == (2, "xlsx")
    assert first.file.name.startswith(f"datazone/{entry.identifier}/")
    [(status, user, reason)] = history(first)
    assert (status, user) == ("queued", "dept_member")
    assert reason


def test_it_refuses_uploads_from_another_department(entry, other_department_member):
    with pytest.raises(NotAllowed):
        upload(entry, other_department_member, csv_bytes([GOOD_ROW]))
    assert not DataVersion.objects.exists()


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_it_takes_data_for_entries_that_can_still_be_published(
    department, department_member, reviewer, status
):
    entry = make_entry(
        department=department, actor=department_member, status=status, reviewer=reviewer
    )
    assert upload(entry, department_member, b"school_name\nx\n").status == "queued"


@pytest.mark.parametrize("status", ["rejected", "retired"])
def test_it_refuses_data_for_rejected_and_retired_entries(
    department, department_member, reviewer, status
):
    entry = make_entry(
        department=department, actor=department_member, status=status, reviewer=reviewer
    )
    with pytest.raises(IllegalTransition):
        upload(entry, department_member, b"school_name\nx\n")


def test_it_refuses_data_for_an_entry_without_fields(department, department_member):
    entry = make_entry(department=department, actor=department_member, fields=[])
    with pytest.raises(ValidationError):
        upload(entry, department_member, b"a\n1\n")


def test_it_refuses_an_over_size_upload(entry, department_member, settings):
    settings.DATAZONE_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError):
        upload(entry, department_member, csv_bytes([GOOD_ROW]))
    assert not DataVersion.objects.exists()


# The worker's side


def test_the_worker_claims_the_oldest_queued_version(entry, department_member):
    first = upload(entry, department_member, csv_bytes([GOOD_ROW]))
    upload(entry, department_member, csv_bytes([GOOD_ROW]))
    claimed = services.data_version_claim_next()
    assert claimed.pk == first.pk
    assert claimed.status == "loading"
    assert claimed.worker == services.this_worker()
    assert services.data_version_claim_next().number == 2
    assert services.data_version_claim_next() is None


def test_processing_a_claimed_version_makes_it_live(entry, department_member):
    upload(entry, department_member, csv_bytes(good_rows(3)))
    version = services.data_version_process(version=services.data_version_claim_next())
    assert (version.status, version.is_live, version.row_count) == ("live", True, 3)
    assert version.rows_processed == version.rows_total_estimate == 3
    assert version.percent == 100
    assert [status for status, _user, _reason in history(version)] == ["queued", "loading", "live"]


def test_it_rechecks_the_size_limit_when_loading(entry, department_member, settings):
    upload(entry, department_member, csv_bytes(good_rows(3)))
    settings.DATAZONE_MAX_UPLOAD_BYTES = 10
    version = services.data_version_process(version=services.data_version_claim_next())
    assert version.status == "failed"
    assert version.errors[0]["reason"] == "too_large"


# Switching


def test_a_new_version_replaces_the_live_one_atomically(entry, tmp_path, department_member):
    first = load(entry, csv_bytes(good_rows(2)), tmp_path=tmp_path, actor=department_member)
    second = load(
        entry, csv_bytes(good_rows(3)), tmp_path=tmp_path, name="b.csv", actor=department_member
    )
    first.refresh_from_db()
    assert (first.status, first.is_live) == ("superseded", False)
    assert (second.status, second.is_live) == ("live", True)
    status, user, reason = history(first)[-1]
    assert (status, user) == ("superseded", "dept_member")
    assert "2" in reason
    # Superseded rows are kept: the bureau may make them live again.
    assert {table_of(first), table_of(second)} <= tables()
    assert live_table_for(entry=entry).version == second


def test_a_load_that_finishes_after_a_newer_one_is_superseded_at_once(entry, department_member):
    older = upload(entry, department_member, csv_bytes(good_rows(2)))
    newer = upload(entry, department_member, csv_bytes(good_rows(3)))
    claimed_older = services.data_version_claim_next()
    claimed_newer = services.data_version_claim_next()
    services.data_version_process(version=claimed_newer)
    older = services.data_version_process(version=claimed_older)
    newer.refresh_from_db()
    assert (older.status, newer.status) == ("superseded", "live")
    assert older.row_count == 2


def test_the_database_allows_one_live_version_per_entry(entry, tmp_path):
    first = load(entry, csv_bytes(good_rows(1)), tmp_path=tmp_path)
    load(entry, csv_bytes(good_rows(1)), tmp_path=tmp_path, name="b.csv")
    with pytest.raises(IntegrityError), transaction.atomic():
        DataVersion.objects.filter(pk=first.pk).update(is_live=True, status="live")


# All or nothing


def test_a_late_invalid_row_leaves_the_live_version_and_no_table(entry, tmp_path, copies):
    live = load(entry, csv_bytes(good_rows(3)), tmp_path=tmp_path)
    before = tables()
    rows = good_rows(60_000)
    rows[49_999][2] = "五十"  # row 50,001 of the file (the header is row 1)
    copies.clear()
    refused = load(entry, csv_bytes(rows), tmp_path=tmp_path, name="big.csv")
    assert copies == [20_000, 20_000]  # two batches were written before the bad row …
    assert refused.status == "failed"
    assert [(e["row"], e["column"], e["value"]) for e in refused.errors] == [
        (50_001, "quantity", "五十")
    ]
    assert tables() == before  # … and dropped with their table
    live.refresh_from_db()
    assert (live.status, live.is_live) == ("live", True)
    assert live_table_for(entry=entry).version == live
    assert len(rows_of(live)) == 3


def test_an_exception_during_the_load_drops_the_new_table(entry, tmp_path, monkeypatch):
    live = load(entry, csv_bytes(good_rows(3)), tmp_path=tmp_path)
    store_class = type(table_store())
    original = store_class.copy_rows
    batches = []

    def failing(self, table, names, rows):
        batches.append(table)
        if len(batches) == 2:
            raise RuntimeError("disk full")
        return original(self, table, names, rows)

    monkeypatch.setattr(store_class, "copy_rows", failing)
    monkeypatch.setattr("apps.datazone.ingest.BATCH_SIZE", 100)
    broken = load(entry, csv_bytes(good_rows(500)), tmp_path=tmp_path, name="b.csv")
    assert broken.status == "failed"
    assert broken.errors[0]["reason"] == "internal"
    assert table_of(broken) not in tables()
    live.refresh_from_db()
    assert live.is_live


def test_a_stop_request_puts_the_version_back_in_the_queue(entry, department_member, monkeypatch):
    monkeypatch.setattr("apps.datazone.ingest.BATCH_SIZE", 10)
    upload(entry, department_member, csv_bytes(good_rows(50)))
    version = services.data_version_process(
        version=services.data_version_claim_next(), should_stop=lambda: True
    )
    assert (version.status, version.rows_processed, version.worker) == ("queued", 0, "")
    assert table_of(version) not in tables()
    again = services.data_version_process(version=services.data_version_claim_next())
    assert (again.pk, again.status, again.row_count) == (version.pk, "live", 50)


def test_recovery_fails_loads_whose_worker_died(entry, department_member):
    upload(entry, department_member, csv_bytes(good_rows(2)))
    version = services.data_version_claim_next()
    table_store().create_table(table_of(version), [])
    DataVersion.objects.filter(pk=version.pk).update(worker=f"{socket.gethostname()}:99999999")
    assert services.data_versions_recover_abandoned() == 1
    version.refresh_from_db()
    assert version.status == "failed"
    assert version.errors[0]["reason"] == "interrupted"
    assert table_of(version) not in tables()


def test_recovery_leaves_running_loads_alone(entry, department_member):
    upload(entry, department_member, csv_bytes(good_rows(2)))
    upload(entry, department_member, csv_bytes(good_rows(2)))
    mine = services.data_version_claim_next()
    elsewhere = services.data_version_claim_next()
    DataVersion.objects.filter(pk=elsewhere.pk).update(worker="other-host:12")
    assert services.data_versions_recover_abandoned() == 0
    later = timezone.now() + services.ABANDONED_AFTER + timedelta(minutes=1)
    # A worker on another host is judged by its last progress; this process is alive.
    assert services.data_versions_recover_abandoned(now=later) == 1
    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (mine.status, elsewhere.status) == ("loading", "failed")


# Rollback


@pytest.fixture
def two_versions(entry, tmp_path):
    first = load(entry, csv_bytes(good_rows(2)), tmp_path=tmp_path)
    second = load(entry, csv_bytes(good_rows(4)), tmp_path=tmp_path, name="b.csv")
    first.refresh_from_db()
    return first, second


@pytest.mark.parametrize("persona", ["approver", "reviewer"])
def test_the_bureau_rolls_back_to_an_earlier_version(request, two_versions, persona):
    actor = request.getfixturevalue(persona)
    first, second = two_versions
    services.data_version_rollback(version=first, actor=actor, reason="第2版数据有误")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.is_live) == ("live", True)
    assert (second.status, second.is_live) == ("rolled_back", False)
    assert history(first)[-1] == ("live", persona, "第2版数据有误")
    assert history(second)[-1] == ("rolled_back", persona, "第2版数据有误")
    assert live_table_for(entry=first.entry).version == first
    assert len(rows_of(first)) == 2


def test_a_rolled_back_version_can_be_made_live_again(approver, two_versions):
    first, second = two_versions
    services.data_version_rollback(version=first, actor=approver, reason="核对中")
    services.data_version_rollback(version=second, actor=approver, reason="核对无误")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("rolled_back", "live")


@pytest.mark.parametrize("persona", ["auditor", "department_member", "operator_member", "outsider"])
def test_only_reviewers_and_approvers_roll_back(request, two_versions, persona):
    first, _second = two_versions
    with pytest.raises(NotAllowed):
        services.data_version_rollback(
            version=first, actor=request.getfixturevalue(persona), reason="x"
        )
    first.refresh_from_db()
    assert first.status == "superseded"


def test_a_rollback_needs_a_reason(approver, two_versions):
    with pytest.raises(ValidationError):
        services.data_version_rollback(version=two_versions[0], actor=approver, reason="  ")


def test_only_complete_versions_that_are_not_live_can_be_made_live(
    approver, two_versions, entry, tmp_path, department_member
):
    failed = load(entry, csv_bytes([["", *GOOD_ROW[1:]]]), tmp_path=tmp_path, name="c.csv")
    queued = upload(entry, department_member, csv_bytes([GOOD_ROW]))
    for version in (failed, queued, two_versions[1]):
        with pytest.raises(IllegalTransition):
            services.data_version_rollback(version=version, actor=approver, reason="x")


def test_live_table_for_an_entry_without_data_is_none(entry):
    assert live_table_for(entry=entry) is None


def test_live_table_describes_the_table(entry, tmp_path):
    version = load(entry, csv_bytes(good_rows(4)), tmp_path=tmp_path)
    live = live_table_for(entry=entry)
    assert live.row_count == 4
    assert [column.name for column in live.columns] == [
        f["name"] for f in entry.fields.values("name")
    ]
    assert live.column("day").filterable and not live.column("code").nullable
    assert table_of(version) in live.sql_name
