"""Statuses and controlled lists of the data zone (../shared/domain.md, "Data zone table")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.catalog.choices import Status as EntryStatus


class VersionStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    LOADING = "loading", _("loading")
    FAILED = "failed", _("refused")
    HELD = "held", _("awaiting confirmation")
    LIVE = "live", _("live")
    SUPERSEDED = "superseded", _("superseded")
    ROLLED_BACK = "rolled_back", _("rolled back")
    ARCHIVED = "archived", _("archived")
    DISCARDED = "discarded", _("discarded")


# A version's life: queued → loading → live (then superseded by a newer upload, or rolled back by
# the bureau, and made live again by a bureau rollback; once older than the versions kept,
# archived: its rows and file are deleted, its record stays) or → failed. A load the worker
# stops for a shutdown goes back to the queue; a load that finishes after a newer version went
# live is superseded at once. A department's upload whose row count differs much from the live
# version's is held until the department confirms it (→ live) or discards it (its rows and file
# are deleted); a newer version going live supersedes it. Anything else is refused.
TRANSITIONS: dict[str, set[str]] = {
    VersionStatus.QUEUED: {VersionStatus.LOADING, VersionStatus.FAILED},
    VersionStatus.LOADING: {
        VersionStatus.HELD,
        VersionStatus.LIVE,
        VersionStatus.SUPERSEDED,
        VersionStatus.FAILED,
        VersionStatus.QUEUED,
    },
    VersionStatus.HELD: {VersionStatus.LIVE, VersionStatus.SUPERSEDED, VersionStatus.DISCARDED},
    VersionStatus.LIVE: {VersionStatus.SUPERSEDED, VersionStatus.ROLLED_BACK},
    VersionStatus.SUPERSEDED: {VersionStatus.LIVE, VersionStatus.ARCHIVED},
    VersionStatus.ROLLED_BACK: {VersionStatus.LIVE, VersionStatus.ARCHIVED},
    VersionStatus.FAILED: set(),
    VersionStatus.ARCHIVED: set(),
    VersionStatus.DISCARDED: set(),
}
# Versions whose table is complete: the ones a rollback may make live again.
COMPLETE_STATUSES = {VersionStatus.LIVE, VersionStatus.SUPERSEDED, VersionStatus.ROLLED_BACK}


def row_count_changes_much(*, live_rows: int | None, new_rows: int) -> bool:
    """A new upload whose row count differs from the live version's by more than half of it (a
    5-row file once replaced 2,934 live rows) waits for the department's confirmation."""
    if not live_rows:
        return False
    return abs(new_rows - live_rows) * 2 > live_rows


PENDING_STATUSES = {VersionStatus.QUEUED, VersionStatus.LOADING}
# Earlier complete versions: kept for rollback until archiving deletes their rows.
ARCHIVABLE_STATUSES = {VersionStatus.SUPERSEDED, VersionStatus.ROLLED_BACK}

# Rows may be uploaded while the entry can still be, or is, published, so the data is ready at
# publication; a rejected or retired entry takes no new data.
UPLOAD_ENTRY_STATUSES = {
    EntryStatus.DRAFT,
    EntryStatus.SUBMITTED,
    EntryStatus.RETURNED,
    EntryStatus.PUBLISHED,
}


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class EncodingChoice(models.TextChoices):
    """What the uploader says about a CSV file's text encoding."""

    AUTO = "auto", _("detect automatically")
    UTF8 = "utf-8", _("UTF-8 (with or without BOM)")
    GB18030 = "gb18030", _("GB18030 / GBK")


# The codec a CSV file was read with, as the versions page names it.
ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "gb18030": "GB18030"}
