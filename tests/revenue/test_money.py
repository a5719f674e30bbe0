"""The rounding rule: for any amounts and ratios, shares and retained amounts sum exactly."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from apps.authorizations.choices import FeeBasis
from apps.revenue import checks
from apps.revenue.money import (
    FEN,
    BadPeriod,
    NoFeeRule,
    adjustment_split,
    metered_fee,
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


# What each fee basis bills for 3 calls and 3003 rows at 0.125 yuan, in a month it is in force.
# Keyed by every FeeBasis member: a new basis fails here until it has a rule and an expectation.
FEE_FOR_EACH_BASIS = {
    FeeBasis.FREE: Decimal("0.00"),
    FeeBasis.PER_CALL: Decimal("0.38"),  # 3 × 0.125 = 0.375 → 0.38 (half up)
    FeeBasis.PER_ROW: Decimal("375.38"),  # 3003 × 0.125 = 375.375 → 375.38
    FeeBasis.FLAT: Decimal("0.13"),  # the price once a month, to the fen
}


@pytest.mark.parametrize("basis", list(FeeBasis))
def test_every_fee_basis_has_a_rule(basis):
    fee = metered_fee(
        fee_basis=basis, price=Decimal("0.125"), calls=3, rows=3003, in_force_in_period=True
    )
    assert fee == FEE_FOR_EACH_BASIS[basis]


class FeeBasisWithANewMember(models.TextChoices):
    PER_GIGABYTE = "per_gigabyte", "per gigabyte"


def test_a_fee_basis_without_a_rule_raises_instead_of_billing_nothing():
    with pytest.raises(NoFeeRule, match="per_gigabyte"):
        metered_fee(
            fee_basis=FeeBasisWithANewMember.PER_GIGABYTE, price=Decimal("0.125"), calls=3,
            rows=3003, in_force_in_period=True,
        )  # fmt: skip


def test_the_system_check_names_a_fee_basis_without_a_rule(monkeypatch):
    assert checks.check_every_fee_basis_has_a_rule() == []
    monkeypatch.setattr(checks, "FeeBasis", FeeBasisWithANewMember)
    [error] = checks.check_every_fee_basis_has_a_rule()
    assert error.id == "revenue.E001"
    assert "'per_gigabyte'" in error.msg
