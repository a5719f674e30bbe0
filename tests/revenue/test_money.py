"""The rounding rule: for any amounts and ratios, shares and retained amounts sum exactly."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.revenue.money import (
    FEN,
    BadPeriod,
    adjustment_split,
    next_period,
    parse_period,
    previous_period,
    split_share,
    to_fen,
)

amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)
signed_amounts = st.decimals(
    min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"), places=2
)
ratios = st.decimals(min_value=0, max_value=1, places=4)


@given(amount=amounts, ratio=ratios)
def test_share_plus_retained_is_the_amount_exactly(amount, ratio):
    split = split_share(amount, ratio)
    assert split.share + split.retained == amount
    assert split.share == split.share.quantize(FEN)
    assert split.retained == split.retained.quantize(FEN)
    assert 0 <= split.share <= amount
    assert abs(split.share - amount * ratio) <= Decimal("0.005")


@given(records=st.lists(st.tuples(signed_amounts, ratios), max_size=50))
def test_a_ledger_of_any_records_balances(records):
    splits = [split_share(amount, ratio) for amount, ratio in records]
    total = sum((amount for amount, _ratio in records), Decimal(0))
    assert (
        sum((s.share for s in splits), Decimal(0)) + sum((s.retained for s in splits), Decimal(0))
        == total
    )


@given(original=amounts, corrections=st.lists(amounts, min_size=1, max_size=5), ratio=ratios)
def test_adjustments_end_exactly_where_a_correct_report_would(original, corrections, ratio):
    first = split_share(original, ratio)
    amounts, shares, retained = [original], [first.share], [first.retained]
    for corrected in corrections:
        difference, split = adjustment_split(
            corrected_amount=corrected, ratio=ratio, amount_so_far=sum(amounts),
            share_so_far=sum(shares),
        )  # fmt: skip
        assert split.share + split.retained == difference
        amounts.append(difference)
        shares.append(split.share)
        retained.append(split.retained)
        assert sum(amounts) == corrected
        assert sum(shares) == split_share(corrected, ratio).share
        assert sum(shares) + sum(retained) == corrected


def test_halves_round_away_from_zero():
    assert to_fen(Decimal("0.005")) == Decimal("0.01")
    assert to_fen(Decimal("-0.005")) == Decimal("-0.01")
    assert split_share(Decimal("0.05"), Decimal("0.5")) == split_share(
        Decimal("0.05"), Decimal("0.5")
    )
    assert split_share(Decimal("0.05"), Decimal("0.5")).share == Decimal("0.03")
    assert split_share(Decimal("0.05"), Decimal("0.5")).retained == Decimal("0.02")


def test_periods_parse_and_step():
    assert parse_period("2026-10") == date(2026, 10, 1)
    assert next_period(date(2026, 12, 1)) == date(2027, 1, 1)
    assert previous_period(date(2026, 1, 1)) == date(2025, 12, 1)
    for bad in ("2026-13", "2026-1", "26-10", "2026/10", "", "1999-01"):
        with pytest.raises(BadPeriod):
            parse_period(bad)
