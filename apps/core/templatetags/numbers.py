"""Numbers as people read them, through Django's localization (the format files give the
separators): ``{{ amount|yuan }}`` → ¥12,345.67, ``{{ ratio|percent }}`` → 30%,
``{{ authorization|price_with_unit }}`` → ¥0.002 元/行, ``{{ rows|count }}`` → 400,000."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def _decimal(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@register.filter
def yuan(value: object) -> str:
    amount = _decimal(value)
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}¥" + number_format(abs(amount), 2, use_l10n=True, force_grouping=True)


@register.filter
def percent(value: object) -> str:
    ratio = _decimal(value)
    if ratio is None:
        return "—"
    shown = (ratio * 100).normalize()
    return number_format(shown, min(_places(shown), 2), use_l10n=True, force_grouping=True) + "%"


@register.filter
def count(value: object) -> str:
    number = _decimal(value)
    if number is None:
        return "—"
    return number_format(number, 0, use_l10n=True, force_grouping=True)


@register.filter
def price_with_unit(authorization: object) -> str:
    """The price with its unit: 元/次, 元/行, 元/月; a free authorization says so."""
    basis = getattr(authorization, "fee_basis", "")
    price = _decimal(getattr(authorization, "price", None))
    if basis == "free" or price is None or price == 0:
        return _("free of charge")
    places = min(max(2, _places(price.normalize())), 4)  # 0.002, 1,200.00
    shown = number_format(price, places, use_l10n=True, force_grouping=True)
    # Per fee basis (apps.authorizations.choices.FeeBasis): 元/次, 元/行, 元/月.
    units = {
        "per_call": _("yuan per call"),
        "per_row": _("yuan per row"),
        "flat": _("yuan per month"),
    }
    unit = units.get(str(basis)) or _("yuan")
    return f"{shown} {unit}"


@register.filter
def unit_price(value: object) -> str:
    """A unit price in yuan with as many places as it has, two to four: ¥0.005, ¥1,200.00."""
    price = _decimal(value)
    if price is None:
        return "—"
    places = min(max(2, _places(price.normalize())), 4)
    return "¥" + number_format(price, places, use_l10n=True, force_grouping=True)
