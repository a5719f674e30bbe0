"""Revenue reports, settlements, revenue-share records and large-transaction support.

Money is yuan in DecimalField(14, 2); derived amounts follow the one rounding rule in money.py.
Revenue-share records and support rows are records the law expects to last
(../shared/domain.md): once settled they are never edited or deleted — not by ``save``, not by
``delete``, not by a QuerySet's ``update``/``delete``, not in the admin. A correction is a new
adjusting record that points at the original.
"""

from decimal import Decimal
from pathlib import PurePath
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.errors import DomainError

from .choices import ReportStatus
from .money import period_label

User = settings.AUTH_USER_MODEL
ZERO = Decimal("0")


def money_field(verbose_name: Any, **options: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **options)


class ImmutableRecord(DomainError):
    """A settled record was about to be edited or deleted (HTTP 409)."""

    status_code = 409


def report_upload_to(instance: "RevenueReport", filename: str) -> str:
    return f"revenue/{instance.operator_id}/{instance.period:%Y-%m}/{PurePath(filename).name}"


class RevenueReportQuerySet(models.QuerySet["RevenueReport"]):
    def below_metered_fee(self) -> "RevenueReportQuerySet":
        return self.filter(amount__lt=models.F("metered_fee"))


class RevenueReport(models.Model):
    """Proceeds an operator reports for one authorization and one month."""

    authorization = models.ForeignKey(
        "authorizations.Authorization",
        verbose_name=_("authorization"),
        on_delete=models.PROTECT,
        related_name="revenue_reports",
    )
    # The authorization's operator, kept on the row so "my reports" is one indexed filter.
    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="revenue_reports",
    )
    period = models.DateField(_("period"), help_text=_("The first day of the month reported."))
    amount = money_field(_("amount (yuan)"), validators=[MinValueValidator(ZERO)])
    reference = models.CharField(_("contract or invoice reference"), max_length=100)
    attachment = models.FileField(_("attachment"), upload_to=report_upload_to, blank=True)
    # Computed from usage records when the report is submitted (or corrected); a month is
    # reported only once it is over, so its usage no longer changes.
    metered_calls = models.PositiveBigIntegerField(_("successful calls"), default=0)
    metered_rows = models.PositiveBigIntegerField(_("rows returned"), default=0)
    metered_fee = money_field(_("metered fee (yuan)"), default=ZERO)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    review_reason = models.TextField(_("review comment"), blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted"))
    reviewed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    settlement = models.ForeignKey(
        "Settlement",
        verbose_name=_("settlement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )

    history = HistoricalRecords()
    objects = RevenueReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("revenue report")
        verbose_name_plural = _("revenue reports")
        ordering = ["-period", "-pk"]
        permissions = [("review_revenuereport", _("Can verify or return revenue reports"))]
        indexes = [
            models.Index(fields=["operator", "-period"], name="revenue_report_operator"),
            models.Index(fields=["status", "period"], name="revenue_report_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["authorization", "period"],
                name="revenue_report_once_per_period",
                violation_error_message=_(
                    "This authorization already has a report for this period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="revenue_report_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.operator} · {period_label(self.period)}"

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def below_metered_fee(self) -> bool:
        return self.amount < self.metered_fee

    @property
    def attachment_name(self) -> str:
        return PurePath(self.attachment.name or "").name if self.attachment else ""


class Settlement(models.Model):
    """One settled month. The unique period is the lock that makes settling idempotent: the row
    is created in the same transaction that writes the month's share records."""

    period = models.DateField(_("period"), unique=True)
    settled_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("settled by"),
    )
    settled_at = models.DateTimeField(_("settled"))
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    adjustment_count = models.PositiveIntegerField(_("adjustments"), default=0)
    total_amount = money_field(_("proceeds (yuan)"), default=ZERO)
    total_share = money_field(_("department shares (yuan)"), default=ZERO)
    total_retained = money_field(_("retained by operators (yuan)"), default=ZERO)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-period"]
        permissions = [("settle_settlement", _("Can settle a revenue period"))]

    def __str__(self) -> str:
        return period_label(self.period)

    @property
    def period_label(self) -> str:
        return period_label(self.period)


class RevenueShareRecordQuerySet(models.QuerySet["RevenueShareRecord"]):
    """Bulk writes are refused: they would bypass the guard in ``save`` and leave no history."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableRecord(_("Revenue-share records are never edited; adjust them instead."))

    def delete(self) -> NoReturn:
        raise ImmutableRecord(_("Revenue-share records are never deleted; adjust them instead."))

    def settled(self) -> "RevenueShareRecordQuerySet":
        return self.filter(settlement__isnull=False)

    def pending(self) -> "RevenueShareRecordQuerySet":
        return self.filter(settlement__isnull=True)


class RevenueShareRecord(models.Model):
    """The department's share of one report's proceeds (or of a correction to them).

    A settlement writes one original record per report. An adjusting record (``adjusts`` set)
    carries the difference a correction makes; it waits (no settlement) until the next period is
    settled, and from then on it is as immutable as the original.
    """

    report = models.ForeignKey(
        RevenueReport,
        verbose_name=_("revenue report"),
        on_delete=models.PROTECT,
        related_name="share_records",
    )
    authorization = models.ForeignKey(
        "authorizations.Authorization",
        verbose_name=_("authorization"),
        on_delete=models.PROTECT,
        related_name="revenue_share_records",
    )
    department = models.ForeignKey(
        "organisations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="revenue_share_records",
    )
    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="revenue_share_records",
    )
    # The ledger period: the month whose settlement wrote (or took up) this record.
    period = models.DateField(_("ledger period"), null=True, blank=True)
    settlement = models.ForeignKey(
        Settlement,
        verbose_name=_("settlement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="share_records",
    )
    amount = money_field(_("proceeds (yuan)"))
    ratio = models.DecimalField(_("department ratio"), max_digits=5, decimal_places=4)
    share = money_field(_("department share (yuan)"))
    retained = money_field(_("retained (yuan)"))
    adjusts = models.ForeignKey(
        "self",
        verbose_name=_("adjusts"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustments",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"))

    history = HistoricalRecords()
    objects = RevenueShareRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("revenue-share record")
        verbose_name_plural = _("revenue-share records")
        ordering = ["-period", "department", "pk"]
        permissions = [("adjust_revenuesharerecord", _("Can adjust settled revenue shares"))]
        indexes = [
            models.Index(fields=["department", "period"], name="revenue_share_department"),
            models.Index(fields=["operator", "period"], name="revenue_share_operator"),
        ]
        constraints = [
            # One original record per report: settling twice, or twice at once, cannot credit
            # the same proceeds twice (the database refuses the second row).
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(adjusts__isnull=True),
                name="revenue_share_one_original_per_report",
            ),
            models.CheckConstraint(
                condition=Q(adjusts__isnull=True) | ~Q(reason=""),
                name="revenue_share_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        label = period_label(self.period) if self.period else _("pending")
        return f"#{self.pk} {self.department} · {label} · {self.share}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._adding_or_pending():
            raise ImmutableRecord(
                _("A settled revenue-share record is never edited; adjust it instead.")
            )
        super().save(*args, **kwargs)

    def _adding_or_pending(self) -> bool:
        # The only update allowed: a pending adjustment taken up by a settlement (services).
        stored = type(self)._base_manager.filter(pk=self.pk).values("settlement_id").first()
        return stored is None or stored["settlement_id"] is None

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableRecord(_("Revenue-share records are never deleted; adjust them instead."))


# Large-transaction support (Guiyang programme, ../shared/seeds/004 item 7) -------------------


class LocalTaxStatus(models.Model):
    """Whether an operator pays tax locally: entered by the bureau from the tax certificate."""

    operator = models.OneToOneField(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="local_tax_status",
    )
    pays_tax_locally = models.BooleanField(_("pays tax locally"), default=False)
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("local tax status")
        verbose_name_plural = _("local tax statuses")
        ordering = ["operator__name"]

    def __str__(self) -> str:
        return str(self.operator)


class CertifiedTransactionAmount(models.Model):
    """An operator's annual transaction amount as certified by the data exchange."""

    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="certified_transaction_amounts",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = money_field(_("certified amount (yuan)"), validators=[MinValueValidator(ZERO)])
    certified_on = models.DateField(_("certified on"))
    reference = models.CharField(_("certificate reference"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certified transaction amount")
        verbose_name_plural = _("certified transaction amounts")
        ordering = ["-year", "operator__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "year"],
                name="certified_amount_once_per_year",
                violation_error_message=_("This operator already has a certified amount for "
                                          "this year."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="certified_amount_not_negative"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.operator} · {self.year}"


class TransactionSupportQuerySet(models.QuerySet["TransactionSupport"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableRecord(_("Recorded support is never edited."))

    def delete(self) -> NoReturn:
        raise ImmutableRecord(_("Recorded support is never deleted."))


class TransactionSupport(models.Model):
    """Support granted to one operator for one certified year, as computed and recorded."""

    operator = models.ForeignKey(
        "organisations.Operator",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="transaction_support",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    certified_amount = money_field(_("certified amount (yuan)"))
    support_amount = money_field(_("support (yuan)"))
    cumulative = money_field(_("cumulative support (yuan)"))
    first_qualified_year = models.PositiveSmallIntegerField(_("first qualified year"))
    first_qualified_on = models.DateField(_("first qualified on"))
    computed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("computed by"),
    )
    computed_at = models.DateTimeField(_("computed"))

    history = HistoricalRecords()
    objects = TransactionSupportQuerySet.as_manager()

    class Meta:
        verbose_name = _("large-transaction support")
        verbose_name_plural = _("large-transaction support")
        ordering = ["-year", "operator__name"]
        permissions = [("compute_transactionsupport", _("Can compute large-transaction support"))]
        constraints = [
            models.UniqueConstraint(fields=["operator", "year"], name="support_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.operator} · {self.year} · {self.support_amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecord(_("Recorded support is never edited."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableRecord(_("Recorded support is never deleted."))
