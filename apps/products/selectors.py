"""Reads of products, prices, ceilings and disclosures, each with its visibility rule: the
public sees offered (and once-offered) products and published disclosures; an operator's members
see their own operator's; bureau staff read everything in the admin."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import User
from apps.authorizations.models import Authorization
from apps.organisations.models import Operator
from apps.revenue.choices import ReportStatus
from apps.revenue.models import RevenueReport
from apps.revenue.selectors import annual_report

from .choices import CeilingStatus, DisclosureStatus, ProductStatus
from .models import (
    ActualPrice,
    AnnualDisclosure,
    CapPrice,
    MaximumAllowedRevenue,
    Product,
    ProductRevenue,
    ProductReview,
    RevenueCeilingDeduction,
)

# Revenue that counts against the maximum: what the bureau has verified (settled included).
COUNTED = [ReportStatus.VERIFIED, ReportStatus.SETTLED]


def cap_in_force(*, product: Product, on: date) -> CapPrice | None:
    caps = CapPrice.objects.filter(product=product).in_force(on)
    return caps.order_by("-effective_from", "-pk").first()


def price_in_force(*, product: Product, on: date) -> ActualPrice | None:
    prices = ActualPrice.objects.filter(product=product).in_force(on)
    return prices.order_by("-effective_from", "-pk").first()


def _latest(model: type[CapPrice] | type[ActualPrice], on: date, field: str) -> Subquery:
    rows = model.objects.filter(product=OuterRef("pk"), effective_from__lte=on)
    return Subquery(rows.order_by("-effective_from", "-pk").values(field)[:1])


def with_prices(products: QuerySet[Product], on: date) -> QuerySet[Product]:
    """Each product with the cap and the actual price in force on ``on`` (one query)."""
    return products.annotate(
        cap_amount=_latest(CapPrice, on, "amount"),
        cap_from=_latest(CapPrice, on, "effective_from"),
        price_amount=_latest(ActualPrice, on, "amount"),
        price_from=_latest(ActualPrice, on, "effective_from"),
        price_trial=_latest(ActualPrice, on, "trial"),
    )


def price_list(*, on: date | None = None) -> QuerySet[Product]:
    """The public price list: every offered product with its prices in force."""
    products = Product.objects.offered().select_related("operator")
    return with_prices(products, on or timezone.localdate()).order_by("operator__name", "name")


def product_public(*, pk: int) -> Product:
    try:
        return Product.objects.public().select_related("operator", "scenario").get(pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None


def price_history(*, product: Product) -> dict[str, list[Any]]:
    """Every cap and actual price of the product, newest first, each with the date it ended."""
    caps = CapPrice.objects.filter(product=product).order_by("effective_from", "pk")
    prices = ActualPrice.objects.filter(product=product).order_by("effective_from", "pk")
    return {"caps": _with_ends(list(caps)), "prices": _with_ends(list(prices))}


@dataclass(frozen=True)
class PriceSpan:
    price: Any
    until: date | None  # the day before the next price took effect; None: still in force
    upcoming: bool = False  # takes effect after today


def _with_ends(prices: list[Any]) -> list[PriceSpan]:
    spans = []
    for index, price in enumerate(prices):
        following = prices[index + 1] if index + 1 < len(prices) else None
        until = None
        if following is not None:
            until = date.fromordinal(max(following.effective_from.toordinal() - 1,
                                         price.effective_from.toordinal()))  # fmt: skip
        spans.append(PriceSpan(price, until, price.effective_from > timezone.localdate()))
    return list(reversed(spans))


# The operator's own ------------------------------------------------------------------------


def products_of_operator(*, user: User) -> QuerySet[Product]:
    products = Product.objects.filter(operator_id=user.operator_id or 0)
    return with_prices(products, timezone.localdate()).order_by("name", "pk")


def product_of_operator(*, user: User, pk: int) -> Product:
    """The operator's own product, or 404 (another operator's is not revealed)."""
    try:
        return Product.objects.select_related("operator", "scenario").get(
            pk=pk, operator_id=user.operator_id or 0
        )
    except Product.DoesNotExist:
        raise Http404 from None


def reviews_of(*, product: Product) -> QuerySet[ProductReview]:
    return product.reviews.select_related("reviewer").order_by("-review_round", "kind")


def authorizations_for_products(*, operator_id: int | None) -> QuerySet[Authorization]:
    return (
        Authorization.objects.in_force().filter(operator_id=operator_id or 0)
        .select_related("entry", "scenario").order_by("pk")
    )  # fmt: skip


def reported_revenue(*, operator_id: int, year: int) -> Decimal:
    """The operator's verified revenue reported for months of ``year``."""
    total = RevenueReport.objects.filter(
        operator_id=operator_id, status__in=COUNTED,
        period__gte=date(year, 1, 1), period__lte=date(year, 12, 31),
    ).aggregate(total=Sum("amount"))["total"]  # fmt: skip
    return total or Decimal("0.00")


def deduction_into(*, operator_id: int, year: int) -> Decimal:
    found = RevenueCeilingDeduction.objects.filter(operator_id=operator_id, year=year).first()
    return found.amount if found is not None else Decimal("0.00")


@dataclass(frozen=True)
class CeilingYear:
    """An operator's year against its ceiling, as the year page shows it."""

    year: int
    ceiling: MaximumAllowedRevenue | None
    deduction_in: RevenueCeilingDeduction | None  # from the year before
    deduction_out: RevenueCeilingDeduction | None  # into the year after
    reported: Decimal

    @property
    def allowed(self) -> Decimal | None:
        if self.ceiling is None or self.ceiling.status != CeilingStatus.APPROVED:
            return None
        return self.ceiling.maximum - (self.deduction_in.amount if self.deduction_in else 0)

    @property
    def above_by(self) -> Decimal:
        allowed = self.allowed
        return max(self.reported - allowed, Decimal("0.00")) if allowed is not None else Decimal(0)


def ceiling_year(*, operator_id: int, year: int) -> CeilingYear:
    rows = RevenueCeilingDeduction.objects.filter(
        operator_id=operator_id, year__in=[year, year + 1]
    )
    deductions = {deduction.year: deduction for deduction in rows}
    return CeilingYear(
        year=year,
        ceiling=MaximumAllowedRevenue.objects.filter(operator_id=operator_id, year=year).first(),
        deduction_in=deductions.get(year),
        deduction_out=deductions.get(year + 1),
        reported=reported_revenue(operator_id=operator_id, year=year),
    )


def ceilings_of_operator(*, user: User) -> QuerySet[MaximumAllowedRevenue]:
    return MaximumAllowedRevenue.objects.filter(operator_id=user.operator_id or 0).order_by("-year")


def ceiling_of_operator(*, user: User, pk: int) -> MaximumAllowedRevenue:
    try:
        return MaximumAllowedRevenue.objects.get(pk=pk, operator_id=user.operator_id or 0)
    except MaximumAllowedRevenue.DoesNotExist:
        raise Http404 from None


def reports_of_year(*, operator_id: int, year: int) -> QuerySet[RevenueReport]:
    """The operator's revenue reports of the months of ``year``, with their product lines."""
    return (
        RevenueReport.objects.filter(
            operator_id=operator_id, period__gte=date(year, 1, 1), period__lte=date(year, 12, 31)
        )
        .select_related("authorization__entry")
        .prefetch_related("product_lines__product")
        .order_by("period", "pk")
    )


def revenue_by_product(*, operator_id: int, year: int) -> list[Any]:
    """The year's verified revenue broken down by product: one row per product with its sum."""
    return list(
        ProductRevenue.objects.filter(
            report__operator_id=operator_id, report__status__in=COUNTED,
            report__period__gte=date(year, 1, 1), report__period__lte=date(year, 12, 31),
        )
        .values("product_id", "product__name")
        .annotate(total=Sum("amount"))
        .order_by("product__name")
    )  # fmt: skip


def products_for_report(*, report: RevenueReport) -> QuerySet[Product]:
    return Product.objects.filter(
        operator_id=report.operator_id, authorizations=report.authorization_id
    ).order_by("name")


# The annual disclosure ---------------------------------------------------------------------


def _year_span(year: int) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (datetime.combine(date(year, 1, 1), time.min, tzinfo=zone),
            datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=zone))  # fmt: skip


def operators_active_in(*, year: int) -> QuerySet[Operator]:
    """Operators that held an authorization at some moment of ``year``."""
    start, end = _year_span(year)
    held = Authorization.objects.filter(valid_from__lt=end, valid_until__gt=start)
    return Operator.objects.filter(pk__in=held.values("operator_id")).order_by("name")


def _authorization_row(authorization: Authorization) -> dict[str, Any]:
    return {
        "id": authorization.pk, "operator": authorization.operator.name,
        "entry": authorization.entry.identifier, "title": authorization.entry.title,
        "scenario": authorization.scenario.title,
        "valid_from": authorization.valid_from.date().isoformat(),
        "valid_until": authorization.valid_until.date().isoformat(),
        "status": authorization.status,
    }  # fmt: skip


def _price_rows(products: QuerySet[Product], on: date, *, caps: bool) -> list[dict[str, Any]]:
    rows = []
    for product in with_prices(products.select_related("operator"), on):
        amount = product.cap_amount if caps else product.price_amount  # type: ignore[attr-defined]
        if amount is None:
            continue
        since = product.cap_from if caps else product.price_from  # type: ignore[attr-defined]
        rows.append({
            "product_id": product.pk, "product": product.name, "operator": product.operator.name,
            "fee_form": product.fee_form, "unit": product.unit, "amount": str(amount),
            "effective_from": since.isoformat(),
            "trial": bool(not caps and product.price_trial),  # type: ignore[attr-defined]
        })  # fmt: skip
    return rows


def disclosure_content(*, year: int, operator: Operator | None) -> dict[str, Any]:
    """What the disclosure for ``year`` says, as published (codes, not labels: the page shows
    them in the reader's language)."""
    end = date(year, 12, 31)
    start_at, end_at = _year_span(year)
    if operator is None:
        granted = (
            Authorization.objects.filter(created_at__gte=start_at, created_at__lt=end_at)
            .select_related("operator", "entry", "scenario").order_by("pk")
        )  # fmt: skip
        products = Product.objects.filter(offered_on__isnull=False, offered_on__lte=end)
        return {
            "authorizations": [_authorization_row(a) for a in granted],
            "cap_prices": _price_rows(products, end, caps=True),
        }
    held = (
        Authorization.objects.filter(operator=operator)
        .filter(valid_from__lt=end_at, valid_until__gt=start_at)
        .select_related("operator", "entry", "scenario").order_by("pk")
    )  # fmt: skip
    products = Product.objects.filter(operator=operator).exclude(offered_on__isnull=True)
    business = annual_report(operator=operator, year=year)
    return {
        "operator": {"name": operator.name, "credit_code": operator.credit_code},
        "resources": [_authorization_row(a) for a in held],
        "products": [
            {
                "id": p.pk,
                "name": p.name,
                "kind": p.kind,
                "use": p.use,
                "fee_form": p.fee_form,
                "status": p.status,
            }
            for p in products.order_by("name", "pk")
        ],
        "prices": _price_rows(products, end, caps=False),
        "business": {
            "revenue": str(business.revenue),
            "calls": business.calls,
            "rows": business.rows,
            "fees": str(business.fees),
            "shares_paid": str(business.shares_paid),
        },
    }


def disclosures_published(*, year: int) -> QuerySet[AnnualDisclosure]:
    return (
        AnnualDisclosure.objects.filter(year=year, status=DisclosureStatus.PUBLISHED)
        .select_related("operator").order_by(F("operator__name").asc(nulls_first=True))
    )  # fmt: skip


def disclosure_years() -> list[int]:
    published = AnnualDisclosure.objects.filter(status=DisclosureStatus.PUBLISHED)
    return sorted(set(published.values_list("year", flat=True)), reverse=True)


def disclosures_of_operator(*, user: User) -> QuerySet[AnnualDisclosure]:
    return AnnualDisclosure.objects.filter(operator_id=user.operator_id or 0).order_by("-year")


def disclosure_of_operator(*, user: User, pk: int) -> AnnualDisclosure:
    try:
        return AnnualDisclosure.objects.get(pk=pk, operator_id=user.operator_id or 0)
    except AnnualDisclosure.DoesNotExist:
        raise Http404 from None


def products_awaiting_review() -> QuerySet[Product]:
    return Product.objects.filter(status=ProductStatus.SUBMITTED)
