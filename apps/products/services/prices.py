"""Cap prices and actual prices (65号, second and third tier): the bureau sets a cap per product
and fee form, the operator charges at or below it from a date. Prices are never edited: each
change is a new price with its own effective date, so the old one stays visible.

The rule "actual ≤ cap" is held three times: here (with a message that names the cap), by the
check constraint on ``ActualPrice`` and by its (cap, cap amount) foreign key (models.py)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute

from ..choices import CeilingStatus, ProductStatus
from ..models import ActualPrice, CapPrice, MaximumAllowedRevenue, Product
from ..selectors import cap_in_force, price_in_force

PRICE = "products.price_product"
PRICEABLE = {ProductStatus.SUBMITTED, ProductStatus.OFFERED}


def _check_date(effective_from: date) -> None:
    if effective_from < timezone.localdate():
        raise ValidationError(
            {"effective_from": _("A price takes effect today or later, never in the past.")},
            code="past",
        )


def _check_amount(amount: Decimal) -> None:
    if amount < 0:
        raise ValidationError({"amount": _("A price is not negative.")}, code="negative")


def _is_trial(product: Product, on: date) -> bool:
    return MaximumAllowedRevenue.objects.filter(
        operator_id=product.operator_id, year=on.year, status=CeilingStatus.APPROVED, trial=True
    ).exists()


@transaction.atomic
def cap_price_set(
    *, product: Product, actor: User, amount: Decimal, effective_from: date, reason: str = ""
) -> CapPrice:
    """The bureau sets the cap from a date. An actual price above the new cap is lowered to it
    from the same date, as a recorded price of its own (never silently)."""
    if actor.bureau_id is None or not actor.has_perm(PRICE):
        raise NotAllowed(_("Only bureau approvers may set cap prices."))
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.status not in PRICEABLE:
        raise IllegalTransition(
            _("A product %(status)s gets no cap price.") % {"status": product.get_status_display()}
        )
    _check_amount(amount)
    _check_date(effective_from)
    if product.is_free and amount != 0:
        raise ValidationError(
            {"amount": _("A public-interest product is free: its cap is 0.")}, code="free"
        )
    cap = CapPrice(
        product=product, fee_form=product.fee_form, amount=amount, effective_from=effective_from,
        reason=reason.strip(), set_by=actor, set_at=timezone.now(),
    )  # fmt: skip
    cap.full_clean(exclude=["product", "set_by"])
    history_attribute(cap, user=actor, reason=reason.strip() or _("cap price set"))
    cap.save()
    _lower_to_cap(product, cap, actor)
    return cap


def _lower_to_cap(product: Product, cap: CapPrice, actor: User) -> None:
    current = price_in_force(product=product, on=cap.effective_from)
    later = ActualPrice.objects.filter(product=product, effective_from__gt=cap.effective_from)
    for price in [p for p in [current, *later] if p is not None and p.amount > cap.amount]:
        lowered = ActualPrice(
            product=product, cap=cap, cap_amount=cap.amount, amount=cap.amount,
            effective_from=max(price.effective_from, cap.effective_from), trial=price.trial,
            reason=_("lowered to the new cap price"), set_by=actor, set_at=timezone.now(),
        )  # fmt: skip
        history_attribute(lowered, user=actor, reason=lowered.reason)
        lowered.save()


@transaction.atomic
def actual_price_set(
    *, product: Product, actor: User, amount: Decimal, effective_from: date, reason: str = ""
) -> ActualPrice:
    """The operator sets its actual price from a date, at or below the cap in force then."""
    if actor.operator_id is None or actor.operator_id != product.operator_id:
        raise NotAllowed(_("Only the operator's own members may set its prices."))
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.status != ProductStatus.OFFERED:
        raise IllegalTransition(_("Only an offered product has a price."))
    _check_amount(amount)
    _check_date(effective_from)
    cap = cap_in_force(product=product, on=effective_from)
    if cap is None:
        raise ValidationError(
            {"amount": _("The bureau has set no cap price for this product from that date yet.")},
            code="no_cap",
        )
    if amount > cap.amount:
        raise ValidationError(
            {"amount": _("The price is above the cap price of %(cap)s yuan in force from "
                         "%(date)s; set it at or below the cap.")
                       % {"cap": localize(cap.amount), "date": localize(cap.effective_from)}},
            code="above_cap",
        )  # fmt: skip
    price = ActualPrice(
        product=product, cap=cap, cap_amount=cap.amount, amount=amount,
        effective_from=effective_from, trial=_is_trial(product, effective_from),
        reason=reason.strip(), set_by=actor, set_at=timezone.now(),
    )  # fmt: skip
    history_attribute(price, user=actor, reason=reason.strip() or _("actual price set"))
    price.save()
    # A lower cap already announced for a later date lowers this price from that date too.
    later_caps = CapPrice.objects.filter(product=product, effective_from__gt=effective_from)
    for later in later_caps.order_by("effective_from", "pk"):
        _lower_to_cap(product, later, actor)
    return price
