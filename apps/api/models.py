"""API keys of operators, the usage record of every call, and the daily quota counters.

Usage and quota rows are written on every call: they carry no simple-history (../shared/
library-notes.md §3) and quota counters are only ever changed by atomic conditional updates.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self) -> "ApiKeyQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """A key is shown once; the database keeps its visible prefix and a SHA-256 of the secret."""

    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="api_keys",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    authorizations = models.ManyToManyField(
        "authorizations.Authorization",
        verbose_name=_("limited to authorizations"),
        blank=True,
        related_name="api_keys",
        help_text=_("Leave empty to let the key use every authorization of the operator."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["last_used_at", "secret_hash"])
    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class UsageRecord(models.Model):
    """One API call, refused ones included: the basis of usage pages, metering and fees."""

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, null=True, related_name="+")
    operator = models.ForeignKey(
        "organisations.Operator", on_delete=models.PROTECT, null=True, related_name="+"
    )
    authorization = models.ForeignKey(
        "authorizations.Authorization",
        on_delete=models.PROTECT,
        null=True,
        related_name="usage_records",
    )
    endpoint = models.CharField(max_length=40)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    parameters = models.JSONField(default=dict)
    status_code = models.PositiveSmallIntegerField()
    rows = models.PositiveIntegerField(default=0)
    cells = models.PositiveBigIntegerField(default=0)
    latency_ms = models.FloatField(default=0)
    # The client had gone before the whole response was written: recorded, never charged.
    disconnected = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        indexes = [
            models.Index(fields=["authorization", "created_at"], name="usage_authorization_time"),
            models.Index(fields=["operator", "created_at"], name="usage_operator_time"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code} {self.created_at:%Y-%m-%d %H:%M:%S}"


class LostUsage(models.Model):
    """Calls that left no usage record: the in-memory buffer that keeps records while the
    database is unreachable was full (``API_USAGE_BUFFER_SIZE``); written once it is back."""

    count = models.PositiveBigIntegerField()
    first_lost_at = models.DateTimeField()
    last_lost_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lost usage records")
        verbose_name_plural = _("lost usage records")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.count} lost {self.first_lost_at:%Y-%m-%d %H:%M:%S}"


class DailyUsage(models.Model):
    """Rows and calls per authorization and day; the row quota is enforced on this row."""

    authorization = models.ForeignKey(
        "authorizations.Authorization", on_delete=models.PROTECT, related_name="daily_usage"
    )
    day = models.DateField()
    rows = models.PositiveBigIntegerField(default=0)
    calls = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authorization", "day"], name="daily_usage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.authorization_id} {self.day}: {self.rows}"
