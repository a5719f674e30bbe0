"""``check`` (and so every start) fails while a fee basis has no pricing rule, before any month is
metered: the tests catch it too, but a deployment must not bill 0.00 or crash mid-report."""

from decimal import Decimal
from typing import Any

from django.core.checks import CheckMessage, Error, register

from apps.authorizations.choices import FeeBasis

from .money import NoFeeRule, metered_fee


def fee_bases_without_a_rule() -> list[str]:
    missing = []
    for basis in FeeBasis:
        try:
            metered_fee(fee_basis=basis, price=Decimal(1), calls=1, rows=1, in_force_in_period=True)
        except NoFeeRule:
            missing.append(str(basis))
    return missing


@register()
def check_every_fee_basis_has_a_rule(**kwargs: Any) -> list[CheckMessage]:
    return [
        Error(
            f"The fee basis '{basis}' has no rule in apps/revenue/money.py metered_fee.",
            hint="Add its rule to metered_fee and its expected fee to the money tests.",
            id="revenue.E001",
        )
        for basis in fee_bases_without_a_rule()
    ]
