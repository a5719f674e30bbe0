"""Backup and the check after a restore (README, "Backup and restore").

A backup is a folder holding ``portal.dump`` (``pg_dump -Fc`` of the whole database: the
application's tables and the ``datazone`` schema of loaded rows), ``media/`` (MEDIA_ROOT) and
``manifest.json``. The files are copied *after* the dump: files are written before the rows that
name them and never changed afterwards, so every file the dump refers to is in the copy (the copy
may hold a few newer ones, which nothing refers to).

After a restore, ``restore_check`` proves the portal is whole: the audit chain verifies, every
live data-zone version has its table with the row count recorded when it was loaded, and every
file a row refers to exists.
"""

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import FileField
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.selectors import audit_chain_check
from apps.datazone.models import DataVersion
from apps.datazone.storage import table_store

DUMP_NAME = "portal.dump"
MEDIA_DIR = "media"
MANIFEST_NAME = "manifest.json"


class BackupError(Exception):
    """The backup could not be made; the message says why."""


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    if connection.vendor != "postgresql":
        raise BackupError(_("Backups are made of PostgreSQL; this database is %(vendor)s.")
                          % {"vendor": connection.vendor})  # fmt: skip
    db = connection.settings_dict
    arguments = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432)]
    if db["USER"]:
        arguments += ["--username", db["USER"]]
    environment = {**os.environ}
    if db["PASSWORD"]:
        environment["PGPASSWORD"] = db["PASSWORD"]
    return arguments, environment


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def backup_create(*, target: Path) -> dict[str, object]:
    """Dump the database, then copy MEDIA_ROOT, into the empty or new folder ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(_("%(target)s is not empty: a backup goes into a new folder.")
                          % {"target": target})  # fmt: skip
    arguments, environment = _pg_environment()
    target.mkdir(parents=True, exist_ok=True)
    dump = target / DUMP_NAME
    started = timezone.now()
    command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *arguments,
               connection.settings_dict["NAME"]]  # fmt: skip
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
    if finished.returncode != 0:
        raise BackupError(_("pg_dump failed: %(error)s") % {"error": finished.stderr.strip()})
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, target / MEDIA_DIR, dirs_exist_ok=True)
    else:
        (target / MEDIA_DIR).mkdir()
    files = sum(1 for path in (target / MEDIA_DIR).rglob("*") if path.is_file())
    manifest: dict[str, object] = {
        "started": started.isoformat(),
        "finished": timezone.now().isoformat(),
        "database": connection.settings_dict["NAME"],
        "dump": DUMP_NAME,
        "dump_sha256": _sha256(dump),
        "media_files": files,
    }
    (target / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


# After a restore -----------------------------------------------------------------------------


@dataclass
class RestoreCheck:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    audit_entries: int = 0
    live_versions: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def referenced_files() -> Iterator[tuple[str, str]]:
    """(model label, file name) for every file a row refers to, streamed model by model."""
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, FileField):
                names = (
                    model._default_manager.exclude(**{model_field.name: ""})
                    .values_list(model_field.name, flat=True)
                    .iterator(chunk_size=2000)
                )
                for name in names:
                    yield model._meta.label, name


def _check_audit(result: RestoreCheck) -> None:
    chain = audit_chain_check()
    result.audit_entries = chain.entries
    if chain.intact:
        return
    if chain.problem == "truncated":  # an older backup: what came after it is not in it
        result.warnings.append(chain.reason)
    else:
        result.problems.append(_("Audit chain: %(reason)s") % {"reason": chain.reason})


def _check_live_versions(result: RestoreCheck) -> None:
    store = table_store()
    for version in DataVersion.objects.live().select_related("entry").iterator(chunk_size=500):
        result.live_versions += 1
        table = store.table_name(version.pk)
        if not store.table_exists(table):
            result.problems.append(_("%(version)s: its table %(table)s is missing")
                                   % {"version": version, "table": table})  # fmt: skip
            continue
        rows = store.count_rows(table)
        if rows != version.row_count:
            result.problems.append(
                _("%(version)s: %(rows)s rows in its table, %(recorded)s recorded at loading")
                % {"version": version, "rows": rows, "recorded": version.row_count}
            )


def _check_files(result: RestoreCheck) -> None:
    media = Path(settings.MEDIA_ROOT)
    for label, name in referenced_files():
        result.files += 1
        if not (media / name).is_file():
            result.problems.append(_("%(model)s refers to %(file)s, which is not in MEDIA_ROOT")
                                   % {"model": label, "file": name})  # fmt: skip


def restore_check() -> RestoreCheck:
    result = RestoreCheck()
    _check_audit(result)
    _check_live_versions(result)
    _check_files(result)
    return result
