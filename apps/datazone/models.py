"""Versions of a catalog entry's rows. The rows themselves live in one real table per version
(storage.py); this model is the record of each upload and which version is live."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import ENCODING_LABELS, EncodingChoice, FileFormat, VersionStatus

# How many row errors a refused file's report keeps (the "first 100 errors").
ERROR_LIMIT = 100


def upload_path(version: "DataVersion", filename: str) -> str:
    """A fresh name under MEDIA_ROOT/datazone/: the uploader's file name is data, not a path."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"datazone/{version.entry.identifier}/{uuid.uuid4().hex}{suffix}"


class DataVersionQuerySet(models.QuerySet["DataVersion"]):
    def live(self) -> "DataVersionQuerySet":
        return self.filter(is_live=True)

    def pending(self) -> "DataVersionQuerySet":
        return self.filter(status__in=[VersionStatus.QUEUED, VersionStatus.LOADING])


class DataVersion(models.Model):
    entry = models.ForeignKey(
        "catalog.CatalogEntry",
        verbose_name=_("catalog entry"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.QUEUED
    )
    is_live = models.BooleanField(_("live"), default=False)
    file = models.FileField(_("file"), upload_to=upload_path, max_length=200)
    original_filename = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, choices=FileFormat.choices)
    requested_encoding = models.CharField(
        _("encoding asked for"),
        max_length=20,
        choices=EncodingChoice.choices,
        default=EncodingChoice.AUTO,
    )
    source_encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The field schema the rows were validated against and the table was built from.
    columns = models.JSONField(_("columns"), default=list, blank=True)
    row_count = models.BigIntegerField(_("rows"), null=True, blank=True)
    rows_processed = models.BigIntegerField(_("rows processed"), default=0)
    rows_total_estimate = models.BigIntegerField(_("estimated rows"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors found"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the bureau loaded the file from the command line."),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("load started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("load finished"), null=True, blank=True)
    table_name = models.CharField(_("table"), max_length=100, blank=True)
    # Which worker process loads the version ("host:pid") and when it last reported progress:
    # how a restarted worker tells an abandoned load from a running one.
    worker = models.CharField(_("worker"), max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    # Progress counters and the error report change often or are large; they stay off history
    # (../shared/library-notes.md §3).
    history = HistoricalRecords(
        excluded_fields=["rows_processed", "rows_total_estimate", "heartbeat_at", "errors"]
    )
    objects = DataVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")
        ordering = ["entry", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="datazone_version_number"),
            # At most one live version per entry: the switch unsets the old before setting the new.
            models.UniqueConstraint(
                fields=["entry"], condition=Q(is_live=True), name="datazone_one_live_version"
            ),
            models.CheckConstraint(
                condition=Q(is_live=True, status=VersionStatus.LIVE)
                | (Q(is_live=False) & ~Q(status=VersionStatus.LIVE)),
                name="datazone_live_flag_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="datazone_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "uploaded_at"], name="datazone_queue")]
        permissions = [("rollback_dataversion", _("Can make an earlier data version live again"))]

    def __str__(self) -> str:
        return f"{self.entry.identifier} v{self.number}"

    @property
    def is_pending(self) -> bool:
        return self.status in (VersionStatus.QUEUED, VersionStatus.LOADING)

    @property
    def percent(self) -> int:
        """Progress for the bar: exact when finished, capped below 100 while loading."""
        if self.status in (
            VersionStatus.HELD, VersionStatus.LIVE, VersionStatus.SUPERSEDED,
            VersionStatus.ROLLED_BACK,
        ):  # fmt: skip
            return 100
        if not self.rows_total_estimate:
            return 0
        return min(99, self.rows_processed * 100 // self.rows_total_estimate)

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.source_encoding, self.source_encoding)

    @property
    def errors_truncated(self) -> bool:
        return self.error_count >= ERROR_LIMIT


class WorkerHeartbeat(models.Model):
    """A data-zone worker process saying it is alive; ``/readyz`` reads the newest beat."""

    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        constraints = [
            models.UniqueConstraint(
                fields=["host", "pid"], name="datazone_heartbeat_one_per_process"
            )
        ]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
