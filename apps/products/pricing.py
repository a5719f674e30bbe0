"""The maximum allowed revenue of an operator for a year (发改价格〔2025〕65号, first tier):

    maximum allowed revenue = pricing cost + allowed profit + tax
    pricing cost            = reasonable cost − government subsidies
    reasonable cost         = platform build and operation + data transmission
                              + aggregation, storage and processing + labour + other
    allowed profit          = pricing cost × allowed profit rate
    allowed profit rate     ≤ 10-year treasury bond yield + 6 percentage points

Rates are percentages with two decimals (3.25 means 3.25 %). Money is yuan to the fen: the
allowed profit is the only product, rounded half up to the fen once; every other figure is a
sum or a difference of amounts already in fen, so the maximum is exact. Revenue above the
maximum is deducted from the next year's maximum (65号: "revenue above the maximum is deducted
from the next period's"), as a recorded figure (models.RevenueCeilingDeduction).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
# The margin allowed above the 10-year treasury bond yield, in percentage points (65号).
PROFIT_MARGIN_POINTS = Decimal(6)


def profit_rate_ceiling(treasury_yield: Decimal) -> Decimal:
    return treasury_yield + PROFIT_MARGIN_POINTS


@dataclass(frozen=True)
class Ceiling:
    reasonable_cost: Decimal
    pricing_cost: Decimal
    allowed_profit: Decimal
    maximum: Decimal


def ceiling_compute(
    *, costs: list[Decimal], subsidies: Decimal, profit_rate: Decimal, tax: Decimal
) -> Ceiling:
    reasonable = sum(costs, Decimal(0))
    pricing_cost = reasonable - subsidies
    profit = (pricing_cost * profit_rate / HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP)
    return Ceiling(reasonable, pricing_cost, profit, pricing_cost + profit + tax)
