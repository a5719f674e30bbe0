"""What anyone took from the open data: one record per download or open API call.

Separate from the operator API's usage records (apps.api.models.ApiUsage): nobody is
identified here, the caller's address is kept only as a salted hash (enough to tell repeated
callers apart, never to find them).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import CatalogEntry
from apps.datazone.models import DataVersion


class UseFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSONL = "jsonl", "JSON Lines"
    API_SCHEMA = "api_schema", _("open API: schema")
    API_JSON = "api_json", _("open API: JSON records")
    API_CSV = "api_csv", _("open API: CSV records")


DOWNLOAD_FORMATS = (UseFormat.CSV, UseFormat.XLSX, UseFormat.JSONL)
API_FORMATS = (UseFormat.API_SCHEMA, UseFormat.API_JSON, UseFormat.API_CSV)
# The downloads whose bytes are the same every time (DCAT's byteSize is known once one is sent).
SIZED_FORMATS = (UseFormat.CSV, UseFormat.JSONL)


class OpenDataUse(models.Model):
    entry = models.ForeignKey(
        CatalogEntry, on_delete=models.CASCADE, related_name="open_data_uses",
        verbose_name=_("catalog entry"),
    )  # fmt: skip
    version = models.ForeignKey(
        DataVersion, on_delete=models.SET_NULL, null=True, related_name="open_data_uses",
        verbose_name=_("data version"),
    )  # fmt: skip
    format = models.CharField(_("format"), max_length=12, choices=UseFormat.choices)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    address_hash = models.CharField(_("address (salted hash)"), max_length=64)
    used_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("open data use")
        verbose_name_plural = _("open data uses")
        indexes = [models.Index(fields=["entry", "used_at"])]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.format} {self.used_at:%Y-%m-%d %H:%M}"


class OpenDownloadSize(models.Model):
    """The size of a whole download of a version, learned when one was sent complete.

    A version's table never changes once loaded and CSV and JSON Lines are written the same
    way every time, so one complete download's size is every download's (DCAT's byteSize).
    XLSX is never recorded: its workbook carries the time it was written. A change to how a
    format is written must delete the sizes recorded before it (a data migration)."""

    version = models.ForeignKey(
        DataVersion, on_delete=models.CASCADE, related_name="download_sizes",
        verbose_name=_("data version"),
    )  # fmt: skip
    format = models.CharField(_("format"), max_length=12, choices=UseFormat.choices)
    bytes = models.PositiveBigIntegerField(_("bytes"))
    recorded_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("download size")
        verbose_name_plural = _("download sizes")
        constraints = [
            models.UniqueConstraint(fields=["version", "format"], name="opendata_size_once")
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.format} {self.bytes}"
