"""Backup and restore, round trip: ``backup`` into a folder, ``pg_restore`` into a new database,
the files copied back, and ``verify_restore`` against the restored portal (a separate process,
as an operator would run it) — then the same check finds what a bad restore lost."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from apps.operations.backup import DUMP_NAME, MANIFEST_NAME, MEDIA_DIR
from tests.datazone.conftest import csv_bytes, good_rows, load, table_of

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are of PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _server() -> dict[str, str]:
    db = connection.settings_dict
    return {"host": db["HOST"] or "127.0.0.1", "port": str(db["PORT"] or 5432),
            "user": db["USER"] or "postgres"}  # fmt: skip


@pytest.fixture
def restored_database():
    name = f"portal_restore_{uuid.uuid4().hex[:8]}"
    server = _server()
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _verify_restore(database: str, media: Path, checkpoints: Path) -> subprocess.CompletedProcess:
    server = _server()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"postgres://{server['user']}@{server['host']}:{server['port']}/{database}",
        "MEDIA_ROOT": str(media),
        "AUDIT_CHECKPOINT_DIR": str(checkpoints),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "verify_restore"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_backup_restores_into_a_new_database_and_verifies(
    entry, department_member, settings, tmp_path, restored_database
):
    version = load(entry, csv_bytes(good_rows(7)), tmp_path=tmp_path, actor=department_member)
    assert version.status == "live" and version.file
    backup = tmp_path / "backup"

    call_command("backup", str(backup))

    manifest = json.loads((backup / MANIFEST_NAME).read_text())
    assert manifest["media_files"] >= 1
    assert (backup / MEDIA_DIR / version.file.name).is_file()
    server = _server()
    restore = subprocess.run(  # noqa: S603
        ["pg_restore", "--no-owner", "--host", server["host"], "--port", server["port"],  # noqa: S607
         "--username", server["user"], "--dbname", restored_database, str(backup / DUMP_NAME)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert restore.returncode == 0, restore.stderr
    media = tmp_path / "restored-media"
    shutil.copytree(backup / MEDIA_DIR, media)
    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()

    verified = _verify_restore(restored_database, media, checkpoints)
    assert verified.returncode == 0, verified.stderr
    with translation.override(settings.LANGUAGE_CODE):  # the command speaks the site's language
        complete = _("The restore is complete: %(summary)s") % {"summary": ""}
        short_table = _(
            "%(version)s: %(rows)s rows in its table, %(recorded)s recorded at loading"
        ) % {"version": version, "rows": 6, "recorded": 7}
    assert complete.strip() in verified.stdout

    # A restore that lost a file, and a data-zone table missing rows, are named.
    (media / version.file.name).unlink()
    dsn = f"host={server['host']} port={server['port']} user={server['user']} dbname={restored_database}"
    with psycopg.connect(dsn, autocommit=True) as restored:
        restored.execute(f'DELETE FROM datazone."{table_of(version)}" WHERE _row = 1')  # noqa: S608
    broken = _verify_restore(restored_database, media, checkpoints)
    assert broken.returncode == 1
    assert version.file.name in broken.stderr
    assert short_table in broken.stderr


def test_a_backup_goes_into_a_new_folder(db, tmp_path):
    target = tmp_path / "used"
    target.mkdir()
    (target / "something").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", str(target))
