"""Archiving earlier data versions: rows and files of versions beyond the newest N go, the live
version and every version's record stay."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.core.errors import IllegalTransition
from apps.datazone import services
from apps.datazone.models import DataVersion
from tests.datazone.conftest import csv_bytes, good_rows, load, tables


@pytest.fixture
def five_versions(entry, tmp_path) -> list[DataVersion]:
    """v1…v5 with 1…5 rows; v5 is live, the others superseded."""
    return [
        load(entry, csv_bytes(good_rows(n)), tmp_path=tmp_path, name=f"v{n}.csv")
        for n in range(1, 6)
    ]


def refreshed(versions: list[DataVersion]) -> list[DataVersion]:
    return [DataVersion.objects.get(pk=v.pk) for v in versions]


def test_it_keeps_the_live_and_the_newest_earlier_versions(
    five_versions, django_capture_on_commit_callbacks
):
    files = [v.file for v in five_versions]
    with django_capture_on_commit_callbacks(execute=True):
        archived = services.data_versions_archive(keep=2)
    assert sorted(v.number for v in archived) == [1, 2]
    v1, v2, v3, v4, v5 = refreshed(five_versions)
    assert [v.status for v in (v1, v2, v3, v4, v5)] == [
        "archived", "archived", "superseded", "superseded", "live",
    ]  # fmt: skip
    assert {v1.table_name, v2.table_name}.isdisjoint(tables())
    assert {v3.table_name, v4.table_name, v5.table_name} <= tables()
    assert [f.storage.exists(f.name) for f in files] == [False, False, True, True, True]
    # The record stays: what was loaded, when and by whom, and why it was archived.
    assert (v1.row_count, v1.sha256) == (1, five_versions[0].sha256)
    last = v1.history.first()
    assert (last.status, "2" in last.history_change_reason) == ("archived", True)


def test_files_stay_when_the_archiving_does_not_commit(five_versions):
    # Without a commit the on-commit deletions never run: a failed archive loses no file.
    services.data_versions_archive(keep=0)
    assert all(v.file.storage.exists(v.file.name) for v in five_versions)


def test_a_dry_run_changes_nothing(five_versions):
    listed = services.data_versions_archive(keep=3, dry_run=True)
    assert [v.number for v in listed] == [1]
    assert [v.status for v in refreshed(five_versions)].count("archived") == 0
    assert {v.table_name for v in five_versions} <= tables()


def test_keeping_none_archives_every_earlier_version_but_never_the_live_one(five_versions):
    services.data_versions_archive(keep=0)
    statuses = [v.status for v in refreshed(five_versions)]
    assert statuses == ["archived"] * 4 + ["live"]
    assert services.data_versions_archive(keep=0) == []  # nothing left to do


def test_an_archived_version_cannot_be_made_live_again(five_versions, approver):
    services.data_versions_archive(keep=0)
    with pytest.raises(IllegalTransition):
        services.data_version_rollback(version=five_versions[0], actor=approver, reason="回退")


def test_a_rolled_back_version_is_archived_like_a_superseded_one(five_versions, approver):
    v4 = five_versions[3]
    services.data_version_rollback(version=v4, actor=approver, reason="回退")  # v5 rolled back
    archived = services.data_versions_archive(keep=1)
    assert sorted(v.number for v in archived) == [1, 2, 3]
    statuses = {v.number: v.status for v in refreshed(five_versions)}
    assert (statuses[4], statuses[5]) == ("live", "rolled_back")


def test_the_command_lists_what_it_archives(five_versions, capsys):
    call_command("archive_versions", "--keep", "3", "--dry-run")
    out = capsys.readouterr().out
    assert f"{five_versions[0].entry.identifier} v1" in out and "v2" not in out
    assert DataVersion.objects.filter(status="archived").count() == 0
    call_command("archive_versions", "--keep", "3")
    assert DataVersion.objects.filter(status="archived").count() == 1


def test_the_command_refuses_a_negative_keep(five_versions):
    with pytest.raises(SystemExit) as stopped:
        call_command("archive_versions", "--keep", "-1")
    assert stopped.value.code == 2


def test_the_department_sees_archived_versions_on_its_versions_page(
    client, five_versions, department_member
):
    services.data_versions_archive(keep=3)
    client.force_login(department_member)
    page = client.get(reverse("datazone:versions", args=[five_versions[0].entry.identifier]))
    assert page.status_code == 200
    assert page.content.decode().count('class="badge status-retired"') == 1
    assert "已归档" in page.content.decode()
