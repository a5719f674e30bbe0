"""Versions as records: queue an upload, move a version's status, the bureau rollback, archiving."""

import contextlib
import os
import socket
from functools import partial
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from apps.accounts.models import User
from apps.catalog.listing_cache import catalog_listing_changed
from apps.catalog.models import CatalogEntry
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import SystemReason, history_attribute, system_reason

from .. import ingest
from ..choices import (
    ARCHIVABLE_STATUSES,
    COMPLETE_STATUSES,
    TRANSITIONS,
    UPLOAD_ENTRY_STATUSES,
    EncodingChoice,
    VersionStatus,
)
from ..models import DataVersion
from ..storage import table_store

ROLLBACK_PERMISSION = "datazone.rollback_dataversion"


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def data_version_upload(
    *, entry: CatalogEntry, actor: User, file: File, encoding: str = EncodingChoice.AUTO
) -> DataVersion:
    """A department member uploads rows for one of the department's entries: queued for the
    worker."""
    if actor.department_id is None or actor.department_id != entry.department_id:
        raise NotAllowed(_("Only members of the providing department may upload its data."))
    return create_version(
        entry=entry, actor=actor, file=file, filename=file.name or "", encoding=encoding,
        status=VersionStatus.QUEUED,
    )  # fmt: skip


def check_upload_size(size: int) -> None:
    limit = settings.DATAZONE_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is larger than the limit of %(limit)s bytes.") % {"limit": limit},
            code="too_large",
        )


def check_file_name(filename: str) -> str:
    file_format = ingest.file_format_of(filename)
    if file_format is None:
        raise ValidationError(
            _("Upload a CSV (.csv, .txt) or Excel (.xlsx) file; save older .xls files as .xlsx."),
            code="format",
        )
    return file_format


@transaction.atomic
def create_version(
    *,
    entry: CatalogEntry,
    actor: User | None,
    file: File,
    filename: str,
    encoding: str,
    status: str,
) -> DataVersion:
    check_upload_size(file.size or 0)
    file_format = check_file_name(filename)
    if encoding not in EncodingChoice.values:
        raise ValidationError(_("Choose a known encoding."), code="encoding")
    # The entry row is the lock that hands out version numbers one at a time.
    entry = CatalogEntry.objects.select_for_update().get(pk=entry.pk)
    _check_entry_takes_data(entry)
    number = (entry.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = DataVersion(
        entry=entry, number=number, status=status, file_format=file_format,
        requested_encoding=encoding, original_filename=PurePath(filename).name[-255:],
        size_bytes=file.size or 0, uploaded_by=actor,
    )  # fmt: skip
    if status == VersionStatus.LOADING:
        mark_claimed(version)
    _store_file(version, file)
    history_attribute(version, user=actor, reason=gettext_lazy("uploaded"))
    version.save()
    return version


def _store_file(version: DataVersion, file: File) -> None:
    """The upload into MEDIA_ROOT; a full or read-only disk is the uploader's clear error, and
    a part-written file is removed (the transaction takes the version row back)."""
    storage = version.file.storage
    name = version.file.field.generate_filename(version, version.original_filename)  # unique
    try:
        version.file.name = storage.save(name, file, max_length=version.file.field.max_length)
    except OSError as error:
        with contextlib.suppress(OSError):
            if storage.exists(name):
                storage.delete(name)
        raise ValidationError(
            _(
                "The file could not be stored (%(reason)s): the data zone's storage is full or "
                "read-only. Nothing was saved; please tell the portal's administrators."
            )
            % {"reason": error.strerror or type(error).__name__},
            code="storage",
        ) from error


def _check_entry_takes_data(entry: CatalogEntry) -> None:
    if entry.status not in UPLOAD_ENTRY_STATUSES:
        raise IllegalTransition(
            _("A %(status)s entry takes no new data.") % {"status": entry.get_status_display()}
        )
    if not entry.fields.exists():
        raise ValidationError(_("Describe the entry's fields before uploading data."), "no_fields")


def move_version(
    version: DataVersion,
    to_status: str,
    *,
    actor: User | None,
    reason: str | Promise | SystemReason,
    **changes: Any,
) -> DataVersion:
    """Change a locked version's status: check the move, save what changed, record who and why."""
    if to_status not in TRANSITIONS[version.status]:
        raise IllegalTransition(
            _("A %(current)s version cannot become %(target)s.")
            % {"current": version.get_status_display(), "target": VersionStatus(to_status).label}
        )
    version.status = to_status
    was_live, version.is_live = version.is_live, to_status == VersionStatus.LIVE
    for name, value in changes.items():
        setattr(version, name, value)
    history_attribute(version, user=actor, reason=reason)
    version.save(update_fields=["status", "is_live", *changes])
    if version.is_live != was_live:
        # The public catalog's "has downloadable data" counts change with it.
        catalog_listing_changed()
    return version


def lock_version(version: DataVersion) -> DataVersion:
    # No select_related: on PostgreSQL it would lock the joined entry and user rows too.
    return DataVersion.objects.select_for_update().get(pk=version.pk)


def mark_claimed(version: DataVersion) -> None:
    now = timezone.now()
    version.started_at, version.heartbeat_at, version.worker = now, now, this_worker()


@transaction.atomic
def data_version_rollback(*, version: DataVersion, actor: User, reason: str) -> DataVersion:
    """The bureau makes an earlier complete version live again, saying why (issue 4, §5)."""
    if actor.bureau_id is None or not actor.has_perm(ROLLBACK_PERMISSION):
        raise NotAllowed(_("Only bureau reviewers and approvers may roll data versions back."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for this decision.")}, code="reason")
    versions = list(
        DataVersion.objects.select_for_update().filter(entry_id=version.entry_id).order_by("pk")
    )
    target = next(v for v in versions if v.pk == version.pk)
    if target.status not in COMPLETE_STATUSES or target.is_live:
        raise IllegalTransition(
            _("A %(status)s version cannot be made live again.")
            % {"status": target.get_status_display()}
        )
    store = table_store()
    if not store.table_exists(target.table_name):
        raise IllegalTransition(_("The rows of this version are no longer stored."))
    current = next((v for v in versions if v.is_live), None)
    if current is not None:
        move_version(current, VersionStatus.ROLLED_BACK, actor=actor, reason=reason)
    return move_version(target, VersionStatus.LIVE, actor=actor, reason=reason)


def data_versions_archive(
    *, keep: int, actor: User | None = None, dry_run: bool = False
) -> list[DataVersion]:
    """Delete the rows and files of earlier versions beyond the newest ``keep`` per entry.

    The live version is never touched, nor the ``keep`` newest earlier complete versions (the
    ones a rollback may still need). An archived version keeps its record — number, rows,
    SHA-256, uploader, times, history — so what was published when stays answerable. Each entry
    is archived in its own transaction; files are deleted only once it has committed.
    """
    if keep < 0:
        raise ValidationError({"keep": _("Keep zero or more earlier versions.")})
    archivable = DataVersion.objects.filter(status__in=ARCHIVABLE_STATUSES)
    entries = list(archivable.values_list("entry_id", flat=True).distinct().order_by("entry_id"))
    archived: list[DataVersion] = []
    for entry_id in entries:
        archived += _archive_entry(entry_id, keep=keep, actor=actor, dry_run=dry_run)
    return archived


def _archive_entry(
    entry_id: int, *, keep: int, actor: User | None, dry_run: bool
) -> list[DataVersion]:
    with transaction.atomic():
        versions = list(
            DataVersion.objects.select_for_update(of=("self",))  # not the joined entry
            .select_related("entry")
            .filter(entry_id=entry_id, status__in=ARCHIVABLE_STATUSES)
            .order_by("-number")[keep:]
        )
        if dry_run:
            return versions
        store = table_store()
        reason = system_reason(
            gettext_noop("archived: only the %(keep)d newest earlier versions are kept"), keep=keep
        )
        for version in versions:
            if version.table_name and store.table_exists(version.table_name):
                store.drop_table(version.table_name)
            move_version(version, VersionStatus.ARCHIVED, actor=actor, reason=reason)
            transaction.on_commit(partial(_delete_file, version.file.name))
        return versions


def data_version_file_discarded(version: DataVersion) -> dict[str, Any]:
    """The changes that forget a refused or abandoned upload's file; the file itself is deleted
    once they have committed, so a rollback never leaves a version pointing at nothing. Its error
    report is on the version, so the file is no longer needed (and may hold personal data)."""
    transaction.on_commit(partial(_delete_file, version.file.name))
    return {"file": ""}


def data_versions_failed_files_delete(*, dry_run: bool = False) -> int:
    """Delete the files that refused versions still keep (refused before their files were
    deleted on refusal); returns how many."""
    leftovers = DataVersion.objects.filter(status=VersionStatus.FAILED).exclude(file="")
    names = list(leftovers.values_list("pk", "file"))
    if dry_run:
        return len(names)
    for pk, name in names:
        with transaction.atomic():
            if DataVersion.objects.filter(pk=pk, file=name).update(file=""):
                transaction.on_commit(partial(_delete_file, name))
    return len(names)


def _delete_file(name: str | None) -> None:
    if name:
        DataVersion._meta.get_field("file").storage.delete(name)
