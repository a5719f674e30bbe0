"""A refused or abandoned upload keeps its error report, not its file; archive_versions deletes
what refused versions kept from before."""

import errno
import os
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from apps.datazone import services
from apps.datazone.models import DataVersion
from tests.datazone.conftest import GOOD_ROW, csv_bytes, good_rows, load

BAD_ROW = ["A9", "南明区", "twelve", *GOOD_ROW[3:]]


def _stored_files(settings) -> list[str]:
    return [p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def test_it_deletes_the_file_of_a_refused_upload_once_the_report_is_stored(
    entry, tmp_path, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = load(entry, csv_bytes([*good_rows(2), BAD_ROW]), tmp_path=tmp_path)
    version.refresh_from_db()
    assert version.status == "failed"
    assert version.error_count == 1 and version.errors[0]["row"]  # the report stays
    assert version.file.name == ""
    assert _stored_files(settings) == []


def test_a_refusal_that_does_not_commit_keeps_the_file(entry, tmp_path, settings):
    # Without a commit the deletion never runs: the version still points at an existing file.
    version = load(entry, csv_bytes([BAD_ROW]), tmp_path=tmp_path)
    assert version.status == "failed"
    assert len(_stored_files(settings)) == 1


def test_a_live_upload_keeps_its_file(entry, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = load(entry, csv_bytes(good_rows(2)), tmp_path=tmp_path)
    assert version.file.storage.exists(version.file.name)


def test_an_abandoned_load_loses_its_file(
    entry, department_member, tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    services.data_version_upload(
        entry=entry, actor=department_member, file=ContentFile(csv_bytes(good_rows(2)), "a.csv")
    )
    claimed = services.data_version_claim_next()
    DataVersion.objects.filter(pk=claimed.pk).update(worker="ghost:1", heartbeat_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.data_versions_recover_abandoned() == 1
    claimed.refresh_from_db()
    assert (claimed.status, claimed.file.name) == ("failed", "")
    assert _stored_files(settings) == []


def test_archive_versions_deletes_files_refused_versions_still_keep(
    entry, tmp_path, capsys, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    version = load(entry, csv_bytes([BAD_ROW]), tmp_path=tmp_path)
    # A version refused before refusals deleted their files still points at one.
    storage = DataVersion._meta.get_field("file").storage
    name = storage.save("datazone/old-refused.csv", ContentFile(b"old"))
    DataVersion.objects.filter(pk=version.pk).update(file=name)
    with translation.override("en"):
        call_command("archive_versions", "--dry-run")
    assert "1 files of refused uploads would be deleted" in capsys.readouterr().out
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        call_command("archive_versions")
    assert "1 files of refused uploads deleted" in capsys.readouterr().out
    version.refresh_from_db()
    assert version.file.name == ""
    assert not storage.exists(name)


def _disk_trouble(monkeypatch, code: int, *, written: bytes = b""):
    """The storage fails as a full (ENOSPC, part-way) or read-only (EROFS) disk does."""

    def fail(self, name, content):
        if written:
            path = Path(self.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(written)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(FileSystemStorage, "_save", fail)


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC])
def test_a_full_or_read_only_disk_is_a_clear_error_on_the_form(
    client, entry, department_member, settings, monkeypatch, code
):
    _disk_trouble(monkeypatch, code, written=b"school_code,na" if code == errno.ENOSPC else b"")
    client.force_login(department_member)
    response = client.post(
        reverse("datazone:versions", args=[entry.identifier]),
        {"file": SimpleUploadedFile("rows.csv", b"school_code,name\n1,a\n"), "encoding": "auto"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any("full or read-only" in str(e) or "已满或只读" in str(e) for e in errors), errors
    assert not DataVersion.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]  # nothing left


def test_load_rows_says_so_in_one_line_and_exits_non_zero(entry, tmp_path, monkeypatch):
    _disk_trouble(monkeypatch, errno.EROFS)
    source = tmp_path / "rows.csv"
    source.write_bytes(b"school_code,name\n1,a\n")
    with pytest.raises(CommandError) as refused:
        call_command("load_rows", entry.identifier, str(source))
    assert len(str(refused.value).splitlines()) == 1
    assert "Read-only file system" in str(refused.value)
    assert not DataVersion.objects.exists()
