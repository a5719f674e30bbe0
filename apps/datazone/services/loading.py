"""Loading a version: the worker's queue, the all-or-nothing load, the live switch, recovery.

Loading runs outside any long transaction: batches go into the new version's own table, which
nobody reads until the switch, and progress is committed after each batch so the page can show
it. Whatever stops a load (a refused row, an exception, a shutdown, a dead worker) drops that
table, so nothing partial remains; the live version stays live until the new one is complete and
then changes in one short transaction (issue 4, "All or nothing").
"""

import hashlib
import logging
import os
import socket
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import SystemReason, system_reason

from .. import ingest
from ..choices import EncodingChoice, VersionStatus, row_count_changes_much
from ..models import DataVersion
from ..notify import version_finished
from ..reports import make_error
from ..storage import Column, TableStore, table_store
from .versions import (
    check_upload_size,
    create_version,
    data_version_file_discarded,
    lock_version,
    mark_claimed,
    move_version,
)

logger = logging.getLogger(__name__)

# A load that has reported no progress for this long belongs to a worker that died.
ABANDONED_AFTER = timedelta(minutes=15)
Progress = Callable[[int, int | None], None]


def data_version_claim_next() -> DataVersion | None:
    """The oldest queued version, now loading and owned by this process; None if none waits.

    Several workers may poll at once: SKIP LOCKED (PostgreSQL) hands each a different version.
    """
    with transaction.atomic():
        queue = DataVersion.objects.filter(status=VersionStatus.QUEUED).order_by(
            "uploaded_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            queue = queue.select_for_update(skip_locked=True)
        version = queue.first()
        if version is None:
            return None
        mark_claimed(version)
        return move_version(
            version, VersionStatus.LOADING, actor=version.uploaded_by,
            reason=gettext_lazy("loading"),
            started_at=version.started_at, heartbeat_at=version.heartbeat_at, worker=version.worker,
        )  # fmt: skip


def data_version_load_file(
    *,
    entry: CatalogEntry,
    path: Path,
    encoding: str = EncodingChoice.AUTO,
    actor: User | None = None,
    progress: Progress | None = None,
) -> DataVersion:
    """Bureau loading (``load_rows``) and the demo: store the file as a new version and load it
    now, in this process, with the same validation as an upload."""
    check_upload_size(path.stat().st_size)
    with open(path, "rb") as stream:
        version = create_version(
            entry=entry, actor=actor, file=File(stream, name=path.name), filename=path.name,
            encoding=encoding, status=VersionStatus.LOADING,
        )  # fmt: skip
    return data_version_process(version=version, progress=progress)


def data_version_process(
    *,
    version: DataVersion,
    should_stop: Callable[[], bool] = lambda: False,
    progress: Progress | None = None,
) -> DataVersion:
    """Load a version that is loading and owned by this process; returns it live, superseded,
    failed, or queued again when ``should_stop`` asked to stop. Call it outside transactions."""
    store = table_store()
    table = store.table_name(version.pk)
    try:
        return _load(version, store, table, should_stop, progress)
    except ingest.Interrupted:
        store.drop_table(table)
        return _requeue(version)
    except Exception:
        logger.exception("loading data version %s failed", version.pk)
        _drop_quietly(store, table)
        return _fail(version, [make_error("internal")], 1)


def _load(
    version: DataVersion,
    store: TableStore,
    table: str,
    should_stop: Callable[[], bool],
    progress: Progress | None,
) -> DataVersion:
    path = Path(version.file.path)
    version.sha256 = _checksum(path)
    version.columns = _schema_snapshot(version.entry)
    DataVersion.objects.filter(pk=version.pk).update(sha256=version.sha256, columns=version.columns)
    if path.stat().st_size > settings.DATAZONE_MAX_UPLOAD_BYTES:
        return _fail(
            version, [make_error("too_large", limit=settings.DATAZONE_MAX_UPLOAD_BYTES)], 1
        )
    try:
        source = ingest.open_source(path, version.file_format, version.requested_encoding)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return _fail(
            version, [make_error("unreadable", format=version.get_file_format_display())], 1
        )
    fields = [ingest.SchemaField(**column) for column in version.columns]
    columns = [Column(f.name, f.data_type, f.filterable, f.nullable) for f in fields]
    try:
        result = ingest.Ingest(
            source, fields, write=_TableWriter(store, table, columns),
            report=_reporter(version, progress), boolean_values=store.boolean_values,
            should_stop=should_stop,
        ).run()  # fmt: skip
    finally:
        source.close()
    version.source_encoding = result.encoding
    if result.refused:
        store.drop_table(table)
        return _fail(version, result.errors, result.error_count)
    DataVersion.objects.filter(pk=version.pk).update(heartbeat_at=timezone.now())
    with transaction.atomic():
        store.create_indexes(table, columns)
        store.analyze(table)
    return _switch_live(version, table=table, rows=result.rows)


class _TableWriter:
    """Creates the version's table at the first batch (a file refused at its header never
    touches the database), then appends each batch in its own short transaction."""

    def __init__(self, store: TableStore, table: str, columns: list[Column]) -> None:
        self.store, self.table, self.columns = store, table, columns
        self.created = False

    def __call__(self, names: Any, rows: list[list[Any]]) -> None:
        with transaction.atomic():
            if not self.created:
                # Leftovers of an earlier attempt at this very version, if a drop failed.
                self.store.drop_table(self.table)
                self.store.create_table(self.table, self.columns)
                self.created = True
            self.store.copy_rows(self.table, names, rows)


def _reporter(version: DataVersion, progress: Progress | None) -> Progress:
    def report(rows: int, estimate: int | None) -> None:
        # A plain UPDATE: progress is not history (library-notes §3), and it commits at once.
        DataVersion.objects.filter(pk=version.pk).update(
            rows_processed=rows, rows_total_estimate=estimate, heartbeat_at=timezone.now()
        )
        if progress is not None:
            progress(rows, estimate)

    return report


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _schema_snapshot(entry: CatalogEntry) -> list[dict[str, Any]]:
    rows = entry.fields.order_by("position", "pk").values(
        "name", "label", "data_type", "nullable", "filterable"
    )
    return [dict(row) for row in rows]


def _drop_quietly(store: TableStore, table: str) -> None:
    try:
        store.drop_table(table)
    except Exception:
        # The connection may be gone; the next worker start drops the table (recovery).
        logger.exception("could not drop %s", table)


@transaction.atomic
def _switch_live(loaded: DataVersion, *, table: str, rows: int) -> DataVersion:
    """The atomic switch: lock the entry's versions, unset the old live one, set the new one.

    A load that finishes after a newer version went live is superseded at once: the newest
    complete upload is the live one.
    """
    versions = _locked_versions(loaded)
    current = next((v for v in versions if v.is_live), None)
    version = next(v for v in versions if v.pk == loaded.pk)
    done = {
        "table_name": table, "row_count": rows, "rows_processed": rows,
        "rows_total_estimate": rows, "finished_at": timezone.now(), "sha256": loaded.sha256,
        "columns": loaded.columns, "source_encoding": loaded.source_encoding,
    }  # fmt: skip
    actor = version.uploaded_by
    if current is not None and current.number > version.number:
        return move_version(
            version, VersionStatus.SUPERSEDED, actor=actor,
            reason=system_reason(
                gettext_noop("loaded after version %(number)s went live"), number=current.number
            ),
            **done,
        )  # fmt: skip
    if (
        current is not None
        and actor is not None
        and actor.department_id is not None  # the bureau's own loads are not held
        and row_count_changes_much(live_rows=current.row_count, new_rows=rows)
    ):
        held = move_version(
            version, VersionStatus.HELD, actor=actor,
            reason=system_reason(
                gettext_noop("held: %(rows)s rows where version %(number)s has %(live)s"),
                rows=rows, number=current.number, live=current.row_count or 0,
            ),
            **done,
        )  # fmt: skip
        version_finished(version=held, live_rows=current.row_count or 0)
        return held
    return go_live(versions, version, actor=actor, reason=gettext_lazy("loaded"), **done)


def go_live(
    versions: list[DataVersion], version: DataVersion, *, actor: User | None,
    reason: str | Promise | SystemReason, **changes: Any,
) -> DataVersion:  # fmt: skip
    """Make ``version`` live among its entry's locked ``versions``: the live one and any older
    upload still held for confirmation are superseded."""
    for other in versions:
        if other.is_live or (other.status == VersionStatus.HELD and other.number < version.number):
            move_version(
                other, VersionStatus.SUPERSEDED, actor=actor,
                reason=system_reason(
                    gettext_noop("superseded by version %(number)s"), number=version.number
                ),
            )  # fmt: skip
    live = move_version(version, VersionStatus.LIVE, actor=actor, reason=reason, **changes)
    version_finished(version=live)
    return live


@transaction.atomic
def data_version_confirm(*, version: DataVersion, actor: User) -> DataVersion:
    """The department confirms that a held upload goes live despite its changed row count."""
    _check_member(version, actor)
    versions = _locked_versions(version)
    target = next(v for v in versions if v.pk == version.pk)
    if target.status != VersionStatus.HELD:
        raise IllegalTransition(_("Only an upload awaiting confirmation can be confirmed."))
    return go_live(
        versions, target, actor=actor, reason=gettext_lazy("confirmed by the department")
    )


@transaction.atomic
def data_version_discard(*, version: DataVersion, actor: User) -> DataVersion:
    """The department discards a held upload: its rows and file are deleted, the live version
    stays live."""
    _check_member(version, actor)
    target = next(v for v in _locked_versions(version) if v.pk == version.pk)
    if target.status != VersionStatus.HELD:
        raise IllegalTransition(_("Only an upload awaiting confirmation can be discarded."))
    store = table_store()
    if target.table_name and store.table_exists(target.table_name):
        store.drop_table(target.table_name)
    return move_version(
        target, VersionStatus.DISCARDED, actor=actor,
        reason=gettext_lazy("discarded by the department"),
        **data_version_file_discarded(target),
    )  # fmt: skip


def _check_member(version: DataVersion, actor: User) -> None:
    if actor.department_id is None or actor.department_id != version.entry.department_id:
        raise NotAllowed(_("Only members of the providing department may upload its data."))


def _locked_versions(version: DataVersion) -> list[DataVersion]:
    return list(
        DataVersion.objects.select_for_update().filter(entry_id=version.entry_id).order_by("pk")
    )


def _fail(version: DataVersion, errors: list[dict[str, Any]], error_count: int) -> DataVersion:
    with transaction.atomic():
        locked = lock_version(version)
        failed = move_version(
            locked, VersionStatus.FAILED, actor=locked.uploaded_by,
            reason=system_reason(gettext_noop("refused: %(count)s errors"), count=error_count),
            errors=errors, error_count=error_count, finished_at=timezone.now(),
            sha256=version.sha256, columns=version.columns,
            source_encoding=version.source_encoding, **data_version_file_discarded(locked),
        )  # fmt: skip
        version_finished(version=failed)
        return failed


def _requeue(version: DataVersion) -> DataVersion:
    with transaction.atomic():
        locked = lock_version(version)
        return move_version(
            locked, VersionStatus.QUEUED, actor=locked.uploaded_by,
            reason=gettext_lazy("the worker stopped; queued again"), rows_processed=0,
            rows_total_estimate=None, started_at=None, heartbeat_at=None, worker="",
        )  # fmt: skip


# Recovery


def data_versions_recover_abandoned(*, now: datetime | None = None) -> int:
    """Drop the tables of loads whose worker died and mark them failed; returns how many.

    A load is abandoned when its worker ran on this host and is gone, or when it has reported
    no progress for ABANDONED_AFTER (a worker on another host).
    """
    now = now or timezone.now()
    store = table_store()
    recovered = 0
    for version in DataVersion.objects.filter(status=VersionStatus.LOADING):
        if not _abandoned(version, now):
            continue
        store.drop_table(store.table_name(version.pk))
        with transaction.atomic():
            locked = lock_version(version)
            if locked.status != VersionStatus.LOADING or not _abandoned(locked, now):
                continue
            move_version(
                locked, VersionStatus.FAILED, actor=locked.uploaded_by,
                reason=gettext_lazy("the worker stopped during the load"),
                errors=[make_error("interrupted")], error_count=1, finished_at=now,
                **data_version_file_discarded(locked),
            )  # fmt: skip
            recovered += 1
    return recovered


def _abandoned(version: DataVersion, now: datetime) -> bool:
    host, _sep, pid = version.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _process_alive(int(pid))
    return version.heartbeat_at is None or version.heartbeat_at < now - ABANDONED_AFTER


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
