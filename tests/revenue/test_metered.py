"""Metered fees per fee basis, from successful calls of the month in the portal's time zone."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.revenue.money import NoFeeRule
from apps.revenue.selectors import metered_usage, metered_usage_table
from tests.revenue.conftest import LAST_MONTH, TWO_MONTHS_AGO, at, record_usage


@pytest.fixture
def used(authorization):
    record_usage(authorization, at(LAST_MONTH), rows=1001, calls=3)  # 3 calls × 1001 rows
    record_usage(authorization, at(LAST_MONTH), rows=500, status=403)  # refused: never billed
    record_usage(authorization, at(LAST_MONTH), rows=500, status=429)
    record_usage(authorization, at(TWO_MONTHS_AGO), rows=7)
    return authorization


@pytest.mark.parametrize(
    ("basis", "price", "fee"),
    [
        ("per_call", "0.1250", "0.38"),  # 3 × 0.125 = 0.375 → 0.38 (half up)
        ("per_row", "0.0010", "3.00"),  # 3003 × 0.001 = 3.003 → 3.00
        ("flat", "199.9950", "200.00"),  # the price once a month, to the fen
        ("free", "0", "0.00"),
    ],
)
def test_each_fee_basis(used, basis, price, fee):
    used.fee_basis, used.price = basis, Decimal(price)
    usage = metered_usage(authorization=used, period=LAST_MONTH)
    assert (usage.calls, usage.rows, usage.fee) == (3, 3003, Decimal(fee))


def test_an_unknown_fee_basis_stops_the_metering_instead_of_billing_nothing(used):
    used.fee_basis = "per_gigabyte"  # a basis added to the choices but not to the money rules
    with pytest.raises(NoFeeRule):
        metered_usage(authorization=used, period=LAST_MONTH)


def test_only_successful_calls_count(used):
    usage = metered_usage(authorization=used, period=TWO_MONTHS_AGO)
    assert (usage.calls, usage.rows) == (1, 7)


def test_months_are_counted_in_local_time(authorization):
    # 23:30 on the last day in Shanghai is still that month, though UTC is 8 hours behind.
    end = at(LAST_MONTH, day=1) + timedelta(days=40)
    first_of_next = end.replace(day=1, hour=0, minute=30)
    last_evening = first_of_next - timedelta(hours=1)
    record_usage(authorization, last_evening, rows=10)
    record_usage(authorization, first_of_next, rows=20)
    assert metered_usage(authorization=authorization, period=LAST_MONTH).rows == 10


def test_a_flat_fee_needs_the_authorization_in_force(authorization):
    authorization.fee_basis, authorization.price = "flat", Decimal("100")
    long_ago = LAST_MONTH.replace(year=LAST_MONTH.year - 3)
    assert metered_usage(authorization=authorization, period=long_ago).fee == 0
    assert metered_usage(authorization=authorization, period=LAST_MONTH).fee == Decimal("100.00")


def test_the_table_matches_single_months(used, django_assert_num_queries):
    with django_assert_num_queries(1):
        table = metered_usage_table(authorizations=[used], periods=[LAST_MONTH, TWO_MONTHS_AGO])
    for period in (LAST_MONTH, TWO_MONTHS_AGO):
        assert table[used.pk, period] == metered_usage(authorization=used, period=period)
