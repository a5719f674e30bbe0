"""Data products and services (数据产品和服务), their reviews, cap prices and actual prices, the
operators' maximum allowed revenue with its carry-over deduction, the breakdown of revenue
reports by product, and the annual disclosure (../shared/domain.md; 65号, 27号).

Reviews, prices, approved ceilings, deductions and published disclosures are records the law
expects to last: never edited in place and never deleted; a change is a new record with its own
dates, so the old one stays visible.
"""

from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.authorizations.choices import Use
from apps.core.errors import DomainError

from .choices import (
    CeilingStatus,
    DisclosureStatus,
    FeeForm,
    ProductKind,
    ProductStatus,
    ReviewKind,
    ReviewOutcome,
)
from .pricing import PROFIT_MARGIN_POINTS

User = settings.AUTH_USER_MODEL
ZERO = Decimal("0")


class ImmutableRecord(DomainError):
    """A lasting record was about to be edited or deleted (HTTP 409)."""

    status_code = 409


def money_field(verbose_name: Any, **options: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **options)


def price_field(verbose_name: Any, **options: Any) -> models.DecimalField:
    # Unit prices go to the hundredth of a fen (a price per call may be 0.0050 yuan).
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=4, **options)


def rate_field(verbose_name: Any, **options: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **options)


class LastingQuerySet(models.QuerySet[Any]):
    """Bulk writes are refused: they would bypass ``save`` and leave no history."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableRecord(_("This record is never edited; record a new one instead."))

    def delete(self) -> NoReturn:
        raise ImmutableRecord(_("This record is never deleted."))


class LastingRecord(models.Model):
    """Written once, never edited or deleted."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRecord(_("This record is never edited; record a new one instead."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableRecord(_("This record is never deleted."))


# Products and their reviews ------------------------------------------------------------------


class ProductQuerySet(models.QuerySet["Product"]):
    def offered(self) -> "ProductQuerySet":
        return self.filter(status=ProductStatus.OFFERED)

    def public(self) -> "ProductQuerySet":
        """Products the public may see: offered now, or offered once and withdrawn since."""
        return self.filter(status__in=[ProductStatus.OFFERED, ProductStatus.WITHDRAWN]).filter(
            offered_on__isnull=False
        )


class Product(models.Model):
    """One data product or service an operator lists in its agreement."""

    operator = models.ForeignKey(
        "organisations.Operator", verbose_name=_("operator"), on_delete=models.PROTECT,
        related_name="products",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=20, choices=ProductKind.choices)
    # Fixed when the product is listed: drawing on other data is another product.
    authorizations = models.ManyToManyField(
        "authorizations.Authorization", verbose_name=_("authorizations drawn on"),
        related_name="products",
    )  # fmt: skip
    scenario = models.ForeignKey(
        "authorizations.Scenario", verbose_name=_("scenario"), on_delete=models.PROTECT,
        related_name="products",
    )  # fmt: skip
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    fee_form = models.CharField(_("fee form"), max_length=20, choices=FeeForm.choices)
    unit = models.CharField(
        _("unit"), max_length=50, blank=True,
        help_text=_("What one price buys, e.g. 1,000 calls, one report, one month, 1 GB."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=ProductStatus.choices,
        default=ProductStatus.SUBMITTED,
    )  # fmt: skip
    # Each submission is reviewed anew: reviews carry the round they belong to.
    review_round = models.PositiveSmallIntegerField(_("review round"), default=1)
    status_reason = models.TextField(_("reason of the last change"), blank=True)
    submitted_by = models.ForeignKey(
        User, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    offered_on = models.DateField(_("offered since"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("data product or service")
        verbose_name_plural = _("data products and services")
        ordering = ["operator__name", "name", "pk"]
        permissions = [
            ("review_product", _("Can record the reviews of data products")),
            ("price_product", _("Can set cap prices of data products")),
        ]
        indexes = [
            models.Index(fields=["operator", "status"], name="product_operator"),
            models.Index(fields=["status", "submitted_at"], name="product_status"),
        ]
        constraints = [
            # Public-interest use is free, industry use is charged in one of four forms (65号).
            models.CheckConstraint(
                condition=(Q(use=Use.PUBLIC_INTEREST) & Q(fee_form=FeeForm.FREE))
                | (Q(use=Use.INDUSTRY) & ~Q(fee_form=FeeForm.FREE)),
                name="product_fee_form_matches_use",
                violation_error_message=_(
                    "A public-interest product is free; an industry product has a fee form."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.operator})"

    @property
    def is_free(self) -> bool:
        return self.fee_form == FeeForm.FREE


def review_upload_to(instance: "ProductReview", filename: str) -> str:
    return f"products/{instance.product_id}/reviews/{PurePath(filename).name}"


class ProductReview(LastingRecord):
    """A security or business-compliance review the bureau recorded for one review round."""

    product = models.ForeignKey(
        Product, verbose_name=_("data product or service"), on_delete=models.PROTECT,
        related_name="reviews",
    )  # fmt: skip
    review_round = models.PositiveSmallIntegerField(_("review round"))
    kind = models.CharField(_("review"), max_length=20, choices=ReviewKind.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices)
    reason = models.TextField(_("reason"))
    document = models.FileField(_("review document"), upload_to=review_upload_to)
    reviewer = models.ForeignKey(
        User, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"))

    history = HistoricalRecords()
    objects = LastingQuerySet.as_manager()

    class Meta:
        verbose_name = _("product review")
        verbose_name_plural = _("product reviews")
        ordering = ["product", "-review_round", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "review_round", "kind"], name="product_review_once_per_round",
                violation_error_message=_("This review is recorded already for this round."),
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="product_review_has_reason"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.product.name} · {self.get_kind_display()} · {self.get_outcome_display()}"

    @property
    def document_name(self) -> str:
        return PurePath(self.document.name or "").name


# Prices --------------------------------------------------------------------------------------


class PriceQuerySet(LastingQuerySet):
    def in_force(self, on: date) -> "PriceQuerySet":
        return self.filter(effective_from__lte=on)


class CapPrice(LastingRecord):
    """The cap the authorizing body sets for one product (65号, second tier), from a date."""

    product = models.ForeignKey(
        Product, verbose_name=_("data product or service"), on_delete=models.PROTECT,
        related_name="cap_prices",
    )  # fmt: skip
    fee_form = models.CharField(_("fee form"), max_length=20, choices=FeeForm.choices)
    amount = price_field(_("cap price (yuan)"), validators=[MinValueValidator(ZERO)])
    effective_from = models.DateField(_("effective from"))
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(
        User, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("set"))

    history = HistoricalRecords()
    objects = PriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("cap price")
        verbose_name_plural = _("cap prices")
        ordering = ["product", "-effective_from", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cap_price_not_negative"),
            models.CheckConstraint(
                condition=~Q(fee_form=FeeForm.FREE) | Q(amount=0), name="cap_price_free_is_zero",
                violation_error_message=_("A public-interest product is free: its cap is 0."),
            ),
            # The target of the actual price's (cap, cap amount) foreign key (migration 0002).
            models.UniqueConstraint(fields=["id", "amount"], name="cap_price_id_amount"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.product.name} ≤ {self.amount} ({self.effective_from})"


class ActualPrice(LastingRecord):
    """The price the operator charges, at or below the cap in force when it takes effect.

    The database holds the rule: ``amount ≤ cap_amount`` is a check, and (cap, cap_amount)
    references the cap's (id, amount) on PostgreSQL (migration 0002), so a price cannot claim
    a cap other than the one it names."""

    product = models.ForeignKey(
        Product, verbose_name=_("data product or service"), on_delete=models.PROTECT,
        related_name="actual_prices",
    )  # fmt: skip
    cap = models.ForeignKey(
        CapPrice, verbose_name=_("cap price"), on_delete=models.PROTECT, related_name="+"
    )
    cap_amount = price_field(_("cap price (yuan)"))
    amount = price_field(_("actual price (yuan)"), validators=[MinValueValidator(ZERO)])
    effective_from = models.DateField(_("effective from"))
    # The operator's maximum allowed revenue for the year is a trial figure (65号: an operator
    # without a full year of operation works under trial prices).
    trial = models.BooleanField(_("trial price"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(
        User, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("set"))

    history = HistoricalRecords()
    objects = PriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("actual price")
        verbose_name_plural = _("actual prices")
        ordering = ["product", "-effective_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="actual_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=F("cap_amount")), name="actual_price_within_cap",
                violation_error_message=_("The actual price is above the cap price."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.product.name}: {self.amount} ({self.effective_from})"


# The maximum allowed revenue -----------------------------------------------------------------


class MaximumAllowedRevenue(models.Model):
    """An operator's maximum allowed revenue for one year (65号, first tier; pricing.py).

    Proposed by the operator with its cost items, checked by a bureau reviewer and approved by a
    different person (four eyes); once approved it is never edited."""

    operator = models.ForeignKey(
        "organisations.Operator", verbose_name=_("operator"), on_delete=models.PROTECT,
        related_name="maximum_allowed_revenues",
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("year"))
    cost_platform = money_field(_("platform build and operation (yuan)"))
    cost_transmission = money_field(_("data transmission (yuan)"))
    cost_processing = money_field(_("aggregation, storage and processing (yuan)"))
    cost_labour = money_field(_("labour (yuan)"))
    cost_other = money_field(_("other costs (yuan)"))
    subsidies = money_field(_("government subsidies (yuan)"))
    treasury_yield = rate_field(_("10-year treasury bond yield (%)"))
    yield_date = models.DateField(_("yield as of"))
    profit_rate = rate_field(_("allowed profit rate (%)"))
    tax = money_field(_("tax (yuan)"))
    trial = models.BooleanField(
        _("trial figure"), default=False,
        help_text=_("The operator has not operated a full year yet."),
    )  # fmt: skip
    pricing_cost = money_field(_("pricing cost (yuan)"))
    allowed_profit = money_field(_("allowed profit (yuan)"))
    maximum = money_field(_("maximum allowed revenue (yuan)"))
    status = models.CharField(
        _("status"), max_length=20, choices=CeilingStatus.choices,
        default=CeilingStatus.PROPOSED,
    )  # fmt: skip
    review_reason = models.TextField(_("review comment"), blank=True)
    proposed_by = models.ForeignKey(
        User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"))
    checked_by = models.ForeignKey(
        User, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+",
        null=True, blank=True,
    )  # fmt: skip
    approved_by = models.ForeignKey(
        User, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+",
        null=True, blank=True,
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("maximum allowed revenue")
        verbose_name_plural = _("maximum allowed revenues")
        ordering = ["-year", "operator__name"]
        permissions = [
            ("check_maximumallowedrevenue", _("Can check maximum allowed revenues")),
            ("approve_maximumallowedrevenue", _("Can approve maximum allowed revenues")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "year"], name="maximum_revenue_once_per_year",
                violation_error_message=_(
                    "This operator already has a maximum allowed revenue for this year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(cost_platform__gte=0) & Q(cost_transmission__gte=0)
                & Q(cost_processing__gte=0) & Q(cost_labour__gte=0) & Q(cost_other__gte=0)
                & Q(subsidies__gte=0) & Q(tax__gte=0) & Q(pricing_cost__gte=0)
                & Q(profit_rate__gte=0) & Q(allowed_profit__gte=0),
                name="maximum_revenue_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(profit_rate__lte=F("treasury_yield") + PROFIT_MARGIN_POINTS),
                name="maximum_revenue_profit_rate_ceiling",
                violation_error_message=_(
                    "The allowed profit rate is above the treasury yield plus 6 points."
                ),
            ),
            models.CheckConstraint(
                condition=Q(maximum=F("pricing_cost") + F("allowed_profit") + F("tax")),
                name="maximum_revenue_is_the_sum",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("checked_by")),
                name="maximum_revenue_four_eyes",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.operator} · {self.year}"

    @property
    def reasonable_cost(self) -> Decimal:
        return (
            self.cost_platform + self.cost_transmission + self.cost_processing
            + self.cost_labour + self.cost_other
        )  # fmt: skip


class RevenueCeilingDeduction(LastingRecord):
    """Revenue above a year's maximum, deducted from the next year's maximum (65号), with the
    figures it was computed from."""

    operator = models.ForeignKey(
        "organisations.Operator", verbose_name=_("operator"), on_delete=models.PROTECT,
        related_name="revenue_ceiling_deductions",
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("year deducted from"))
    excess_year = models.PositiveSmallIntegerField(_("year above the maximum"))
    ceiling = models.ForeignKey(
        MaximumAllowedRevenue, verbose_name=_("maximum allowed revenue"),
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    allowed = money_field(_("allowed revenue of that year (yuan)"))
    reported = money_field(_("reported revenue (yuan)"))
    amount = money_field(_("deduction (yuan)"))
    rule = models.TextField(_("rule"))
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+",
        null=True, blank=True,
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded"))

    history = HistoricalRecords()
    objects = LastingQuerySet.as_manager()

    class Meta:
        verbose_name = _("revenue ceiling deduction")
        verbose_name_plural = _("revenue ceiling deductions")
        ordering = ["-year", "operator__name"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "year"], name="deduction_once_per_year"),
            models.CheckConstraint(
                condition=Q(amount=F("reported") - F("allowed")) & Q(amount__gt=0),
                name="deduction_is_the_excess",
            ),
            models.CheckConstraint(
                condition=Q(year=F("excess_year") + 1), name="deduction_from_next_year"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.operator} · {self.year} · −{self.amount}"


class ProductRevenue(LastingRecord):
    """The part of one revenue report that one product earned (the report's breakdown)."""

    report = models.ForeignKey(
        "revenue.RevenueReport", verbose_name=_("revenue report"), on_delete=models.PROTECT,
        related_name="product_lines",
    )  # fmt: skip
    product = models.ForeignKey(
        Product, verbose_name=_("data product or service"), on_delete=models.PROTECT,
        related_name="revenue_lines",
    )  # fmt: skip
    amount = money_field(_("amount (yuan)"), validators=[MinValueValidator(ZERO)])
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    history = HistoricalRecords()
    objects = LastingQuerySet.as_manager()

    class Meta:
        verbose_name = _("revenue by product")
        verbose_name_plural = _("revenue by product")
        ordering = ["report", "product"]
        constraints = [
            models.UniqueConstraint(fields=["report", "product"], name="product_revenue_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="product_revenue_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.report_id} · {self.product.name} · {self.amount}"


# The annual disclosure -----------------------------------------------------------------------


class AnnualDisclosure(models.Model):
    """What the implementing body (``operator`` empty: the bureau) or one operator discloses for
    a year, due by 31 March of the next year. Published, its content is a snapshot that never
    changes."""

    year = models.PositiveSmallIntegerField(_("year"))
    operator = models.ForeignKey(
        "organisations.Operator", verbose_name=_("operator"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="annual_disclosures",
        help_text=_("Empty: the data bureau's disclosure as the implementing body."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=DisclosureStatus.choices,
        default=DisclosureStatus.DRAFT,
    )  # fmt: skip
    due_on = models.DateField(_("due on"))
    statement = models.TextField(_("statement"), blank=True)
    content = models.JSONField(_("content"), default=dict, blank=True, editable=False)
    published_by = models.ForeignKey(
        User, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+",
        null=True, blank=True,
    )  # fmt: skip
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual disclosure")
        verbose_name_plural = _("annual disclosures")
        ordering = ["-year", "operator__name"]
        permissions = [("publish_annualdisclosure", _("Can publish the bureau's disclosure"))]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "operator"], name="disclosure_once_per_operator_year"
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(operator__isnull=True),
                name="disclosure_once_per_bureau_year",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        who = self.operator.name if self.operator else _("data bureau")
        return f"{self.year} · {who}"
