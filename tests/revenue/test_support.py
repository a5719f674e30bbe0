"""Large-transaction support: the rule's edges (seeds/004 item 7; services/support.py)."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.core.errors import NotAllowed
from apps.revenue.choices import SupportOutcome
from apps.revenue.models import CertifiedTransactionAmount, LocalTaxStatus, TransactionSupport
from apps.revenue.services import transaction_support_compute
from apps.revenue.services.support import one_year_after


def certify(operator, year: int, amount: str, certified_on: date, *, local: bool = True):
    LocalTaxStatus.objects.update_or_create(operator=operator, defaults={"pays_tax_locally": local})
    return CertifiedTransactionAmount.objects.create(
        operator=operator, year=year, amount=Decimal(amount), certified_on=certified_on
    )


def compute(year: int, actor=None):
    return {d.operator.pk: d for d in transaction_support_compute(year=year, actor=actor)}


def test_exactly_the_threshold_is_not_more_than_it(operator):
    certify(operator, 2025, "5000000.00", date(2026, 1, 20))
    decision = compute(2025)[operator.pk]
    assert (decision.outcome, decision.support_amount) == (SupportOutcome.NOT_ABOVE_THRESHOLD, 0)
    assert not TransactionSupport.objects.exists()


def test_a_fen_above_the_threshold_gets_one_percent(operator):
    certify(operator, 2025, "5000000.01", date(2026, 1, 20))
    decision = compute(2025)[operator.pk]
    assert decision.outcome == SupportOutcome.GRANTED
    assert decision.support_amount == Decimal("50000.00")  # 50,000.0001 to the fen
    record = TransactionSupport.objects.get()
    assert (record.cumulative, record.first_qualified_year) == (Decimal("50000.00"), 2025)
    assert record.first_qualified_on == date(2026, 1, 20)


def test_an_operator_that_does_not_pay_tax_locally_gets_nothing(operator):
    certify(operator, 2025, "90000000.00", date(2026, 1, 20), local=False)
    assert compute(2025)[operator.pk].outcome == SupportOutcome.NOT_LOCAL
    LocalTaxStatus.objects.all().delete()  # no status recorded at all: not local either
    assert compute(2025)[operator.pk].outcome == SupportOutcome.NOT_LOCAL


def test_the_cap_is_reached_across_two_years(operator):
    certify(operator, 2025, "80000000.00", date(2026, 1, 20))
    certify(operator, 2026, "50000000.00", date(2027, 1, 19))  # the last day of the window
    assert compute(2025)[operator.pk].support_amount == Decimal("800000.00")
    second = compute(2026)[operator.pk]
    assert (second.outcome, second.support_amount) == (SupportOutcome.GRANTED, Decimal("200000.00"))
    assert second.record.cumulative == Decimal("1000000.00")
    assert second.record.first_qualified_year == 2025


def test_nothing_is_left_once_the_cap_is_reached(operator):
    certify(operator, 2025, "150000000.00", date(2026, 1, 20))  # 1% = 1.5 million: capped
    certify(operator, 2026, "6000000.00", date(2026, 12, 1))
    assert compute(2025)[operator.pk].support_amount == Decimal("1000000.00")
    assert compute(2026)[operator.pk].outcome == SupportOutcome.CAP_REACHED


def test_outside_the_one_year_window(operator):
    certify(operator, 2025, "6000000.00", date(2026, 1, 20))
    certify(operator, 2026, "7000000.00", date(2027, 1, 20))  # one year after: outside
    compute(2025)
    assert compute(2026)[operator.pk].outcome == SupportOutcome.OUTSIDE_WINDOW
    assert TransactionSupport.objects.count() == 1


def test_the_window_counts_from_first_qualifying_not_from_the_first_certificate(operator):
    certify(operator, 2024, "4000000.00", date(2025, 1, 10))  # below: does not start it
    certify(operator, 2025, "6000000.00", date(2026, 1, 20))
    assert compute(2025)[operator.pk].outcome == SupportOutcome.GRANTED


def test_a_leap_day_window_ends_on_the_first_of_march():
    assert one_year_after(date(2024, 2, 29)) == date(2025, 3, 1)


def test_computing_again_changes_nothing(operator):
    certify(operator, 2025, "6000000.00", date(2026, 1, 20))
    compute(2025)
    again = compute(2025)[operator.pk]
    assert (again.outcome, again.support_amount) == (
        SupportOutcome.ALREADY_RECORDED, Decimal("60000.00"),
    )  # fmt: skip
    assert TransactionSupport.objects.count() == 1


def test_thresholds_rate_and_cap_are_settings(operator, settings):
    settings.REVENUE_SUPPORT_THRESHOLD = Decimal("100")
    settings.REVENUE_SUPPORT_RATE = Decimal("0.5")
    settings.REVENUE_SUPPORT_CAP = Decimal("70")
    certify(operator, 2025, "200.00", date(2026, 1, 20))
    assert compute(2025)[operator.pk].support_amount == Decimal("70.00")


def test_only_approvers_compute(operator, reviewer, approver, operator_member):
    certify(operator, 2025, "6000000.00", date(2026, 1, 20))
    for who in (reviewer, operator_member):
        with pytest.raises(NotAllowed):
            compute(2025, who)
    assert compute(2025, approver)[operator.pk].record.computed_by == approver


def test_the_command_lists_and_records(operator):
    certify(operator, 2025, "6000000.00", date(2026, 1, 20))
    out = StringIO()
    call_command("compute_transaction_support", "2025", stdout=out)
    assert operator.credit_code in out.getvalue() and "60000.00" in out.getvalue()
    assert TransactionSupport.objects.count() == 1
    with pytest.raises(CommandError, match="YYYY"):
        call_command("compute_transaction_support", "25")
