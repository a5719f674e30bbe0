"""load_rows (bureau loading) and the worker."""

import io
import os
import signal
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError

from apps.datazone import services
from apps.datazone.management.commands import datazone_worker
from apps.datazone.models import DataVersion, WorkerHeartbeat
from tests.datazone.conftest import GOOD_ROW, csv_bytes, good_rows, table_of, tables


@pytest.fixture
def rows_file(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(csv_bytes(good_rows(5)))
    return path


def test_load_rows_loads_a_file_and_makes_it_live(entry, rows_file, capsys):
    call_command("load_rows", entry.identifier, str(rows_file))
    version = DataVersion.objects.get()
    assert (version.status, version.row_count, version.uploaded_by) == ("live", 5, None)
    assert version.sha256 in capsys.readouterr().out


def test_load_rows_records_the_user_and_the_encoding(entry, tmp_path, approver):
    path = tmp_path / "gb.csv"
    path.write_bytes(
        csv_bytes([["甲1", "南明区"]], header=["编码", "所属区县"], encoding="gb18030")
    )
    call_command(
        "load_rows", entry.identifier, str(path), "--encoding", "gb18030", "--user", "approver"
    )
    version = DataVersion.objects.get()
    assert (version.status, version.source_encoding, version.uploaded_by) == (
        "live",
        "gb18030",
        approver,
    )


def test_load_rows_exits_non_zero_and_prints_the_errors_when_refused(entry, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes([GOOD_ROW, ["A2", "", "x", "", "", "", ""], ["A3", "", "", "", "1/2", "", ""]])
    )
    with pytest.raises(CommandError) as caught:
        call_command("load_rows", entry.identifier, str(path))
    assert caught.value.returncode == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2
    assert "3" in errors[0] and "quantity" in errors[0] and "'x'" in errors[0]
    assert "4" in errors[1] and "day" in errors[1]
    assert DataVersion.objects.get().status == "failed"


def test_load_rows_checks_the_size_before_reading(entry, rows_file, settings):
    settings.DATAZONE_MAX_UPLOAD_BYTES = 10
    with pytest.raises(CommandError):
        call_command("load_rows", entry.identifier, str(rows_file))
    assert not DataVersion.objects.exists()


@pytest.mark.parametrize(
    ("identifier", "name", "options"),
    [
        ("EDU-99999", "rows.csv", []),
        (None, "missing.csv", []),
        (None, "rows.csv", ["--user", "nobody"]),
    ],
)
def test_load_rows_refuses_unknown_entries_files_and_users(
    entry, rows_file, identifier, name, options
):
    with pytest.raises(CommandError):
        call_command(
            "load_rows", identifier or entry.identifier, str(rows_file.parent / name), *options
        )
    assert not DataVersion.objects.exists()


def test_load_rows_refuses_a_retired_entry(department, department_member, reviewer, rows_file):
    from tests.factories import make_entry

    retired = make_entry(
        department=department, actor=department_member, status="retired", reviewer=reviewer
    )
    with pytest.raises(CommandError):
        call_command("load_rows", retired.identifier, str(rows_file))


def _queue(entry, actor, count: int) -> DataVersion:
    return services.data_version_upload(
        entry=entry, actor=actor, file=SimpleUploadedFile("rows.csv", csv_bytes(good_rows(count)))
    )


def test_the_worker_loads_the_queue_and_exits_with_once(entry, department_member):
    _queue(entry, department_member, 2)
    _queue(entry, department_member, 3)
    previous = signal.getsignal(signal.SIGTERM)
    call_command("datazone_worker", "--once")
    assert list(DataVersion.objects.order_by("number").values_list("status", "row_count")) == [
        ("superseded", 2), ("live", 3),
    ]  # fmt: skip
    assert signal.getsignal(signal.SIGTERM) is previous


def test_the_worker_stops_cleanly_on_sigterm(entry, department_member, monkeypatch):
    _queue(entry, department_member, 2)
    claim = services.data_version_claim_next

    def claim_then_terminate():
        version = claim()
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the version loads
        return version

    monkeypatch.setattr(services, "data_version_claim_next", claim_then_terminate)
    call_command("datazone_worker", "--interval", "60")  # without --once: returns only if stopped
    version = DataVersion.objects.get()
    # Stopped between batches: the version waits in the queue for the next start.
    assert (version.status, version.rows_processed) == ("queued", 0)
    assert table_of(version) not in tables()


def test_the_worker_fails_loads_abandoned_by_a_dead_worker(entry, department_member):
    _queue(entry, department_member, 2)
    version = services.data_version_claim_next()
    DataVersion.objects.filter(pk=version.pk).update(worker="ghost:1", heartbeat_at=None)
    call_command("datazone_worker", "--once")
    version.refresh_from_db()
    assert version.status == "failed"


def _outage(calls: int, then):
    """A service that fails as an unreachable database does for its first ``calls`` calls."""
    seen = {"n": 0}

    def call(*args, **kwargs):
        seen["n"] += 1
        if seen["n"] <= calls:
            raise OperationalError("server closed the connection unexpectedly")
        return then(*args, **kwargs)

    return call, seen


def test_the_worker_outlives_an_outage_in_any_of_its_loops(entry, department_member, monkeypatch):
    _queue(entry, department_member, 2)
    recover, recovered = _outage(2, services.data_versions_recover_abandoned)
    claim, claimed = _outage(2, services.data_version_claim_next)
    stop = threading.Event()
    process = services.data_version_process

    def process_then_stop(**kwargs):
        version = process(**kwargs)
        stop.set()
        return version

    monkeypatch.setattr(services, "data_versions_recover_abandoned", recover)
    monkeypatch.setattr(services, "data_version_claim_next", claim)
    monkeypatch.setattr(services, "data_version_process", process_then_stop)
    errors = io.StringIO()
    worker = datazone_worker.Command(stdout=io.StringIO(), stderr=errors)
    monkeypatch.setattr(datazone_worker, "BACKOFF_MAX_SECONDS", 0.01)
    worker._run(stop, once=False, interval=0.001)
    err = errors.getvalue()
    # The abandoned-load check failed twice (it used to kill the worker), then the queue poll.
    assert recovered["n"] >= 3 and claimed["n"] >= 3
    assert DataVersion.objects.get().status == "live"
    assert err.count("cannot reach the database or the files (1)") == 1
    assert "working again after 4 failed attempt(s)" in err
    assert WorkerHeartbeat.objects.filter(pid=os.getpid()).exists()


def test_with_once_an_outage_fails_loudly(db, monkeypatch):
    claim, _seen = _outage(1, services.data_version_claim_next)
    monkeypatch.setattr(services, "data_version_claim_next", claim)
    with pytest.raises(OperationalError):
        call_command("datazone_worker", "--once")
