"""Settlement: share records per verified report, a balanced ledger, idempotence, adjustments."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import translation

from apps.core.errors import IllegalTransition, NotAllowed
from apps.revenue import services
from apps.revenue.choices import ReportStatus
from apps.revenue.models import RevenueShareRecord, Settlement
from apps.revenue.money import current_period, period_label
from tests.revenue.conftest import (
    LAST_MONTH,
    THREE_MONTHS_AGO,
    TWO_MONTHS_AGO,
    submit,
    verified,
)


@pytest.fixture
def month(grant, authorization, qualified, operator_member, entry, reviewer):
    """Last month: two verified reports at awkward ratios, one still awaiting verification."""
    other = grant(qualified, operator_member, entry, revenue_share_ratio=Decimal("0.3333"))
    verified(authorization, operator_member, reviewer, amount="1000.01")
    verified(other, operator_member, reviewer, amount="0.05")
    submit(authorization, operator_member, TWO_MONTHS_AGO)  # not verified: not settled
    return authorization, other


def _balance(period):
    records = RevenueShareRecord.objects.filter(period=period)
    sums = records.aggregate(amount=Sum("amount"), share=Sum("share"), retained=Sum("retained"))
    return sums["amount"], sums["share"] + sums["retained"]


def test_it_writes_one_record_per_verified_report(month, reviewer, department):
    result = services.settlement_run(period=LAST_MONTH, actor=reviewer)
    assert result.created
    records = RevenueShareRecord.objects.order_by("amount")
    assert [(r.amount, r.ratio, r.share, r.retained) for r in records] == [
        (Decimal("0.05"), Decimal("0.3333"), Decimal("0.02"), Decimal("0.03")),
        (Decimal("1000.01"), Decimal("0.3000"), Decimal("300.00"), Decimal("700.01")),
    ]
    assert {r.department for r in records} == {department}
    settlement = result.settlement
    assert (settlement.report_count, settlement.total_amount) == (2, Decimal("1000.06"))
    assert settlement.total_share + settlement.total_retained == settlement.total_amount
    amount, balanced = _balance(LAST_MONTH)
    assert amount == balanced
    assert not RevenueShareRecord.objects.filter(report__status=ReportStatus.SUBMITTED).exists()
    assert all(r.report.status == ReportStatus.SETTLED for r in records)
    assert records[0].history.get().history_user == reviewer


def test_settling_twice_changes_nothing(month, reviewer):
    services.settlement_run(period=LAST_MONTH, actor=reviewer)
    before = list(RevenueShareRecord.objects.values_list("pk", "share"))
    again = services.settlement_run(period=LAST_MONTH, actor=reviewer)
    assert not again.created
    assert list(RevenueShareRecord.objects.values_list("pk", "share")) == before
    assert Settlement.objects.count() == 1


def test_a_late_report_is_settled_with_the_next_month(authorization, operator_member, reviewer):
    services.settlement_run(period=THREE_MONTHS_AGO, actor=reviewer)
    late = verified(authorization, operator_member, reviewer, THREE_MONTHS_AGO, "50.00")
    services.settlement_run(period=TWO_MONTHS_AGO, actor=reviewer)
    record = late.share_records.get()
    assert (record.period, record.report.period) == (TWO_MONTHS_AGO, THREE_MONTHS_AGO)


def test_only_bureau_staff_settle_and_only_months_that_are_over(month, operator_member, auditor):
    for who in (operator_member, auditor):
        with pytest.raises(NotAllowed):
            services.settlement_run(period=LAST_MONTH, actor=who)
    with pytest.raises(ValidationError):
        services.settlement_run(period=current_period(), actor=None)
    assert not Settlement.objects.exists()


def test_an_adjustment_points_at_the_original_and_settles_later(
    authorization, operator_member, reviewer, approver
):
    verified(authorization, operator_member, reviewer, TWO_MONTHS_AGO, "1000.00")
    services.settlement_run(period=TWO_MONTHS_AGO, actor=reviewer)
    original = RevenueShareRecord.objects.get()
    adjustment = services.revenue_share_adjust(
        record=original, corrected_amount=Decimal("800.05"), reason="发票更正", actor=approver
    )
    assert (adjustment.adjusts, adjustment.settlement, adjustment.period) == (original, None, None)
    assert (adjustment.amount, adjustment.share, adjustment.retained) == (
        Decimal("-199.95"), Decimal("-59.98"), Decimal("-139.97"),
    )  # fmt: skip
    assert original.share + adjustment.share == Decimal("240.02")  # 800.05 × 0.3, half up
    # Re-settling the original's month does not take it; the next month does.
    services.settlement_run(period=TWO_MONTHS_AGO, actor=reviewer)
    adjustment.refresh_from_db()
    assert adjustment.settlement is None
    services.settlement_run(period=LAST_MONTH, actor=reviewer)
    adjustment.refresh_from_db()
    assert adjustment.period == LAST_MONTH
    assert adjustment.settlement.adjustment_count == 1
    amount, balanced = _balance(LAST_MONTH)
    assert amount == balanced == Decimal("-199.95")
    original.refresh_from_db()
    assert original.amount == Decimal("1000.00")  # the original is untouched


def test_adjustments_are_refused_when_they_make_no_sense(
    authorization, operator_member, reviewer, approver
):
    verified(authorization, operator_member, reviewer, TWO_MONTHS_AGO, "10.00")
    services.settlement_run(period=TWO_MONTHS_AGO, actor=reviewer)
    original = RevenueShareRecord.objects.get()
    with pytest.raises(NotAllowed):
        services.revenue_share_adjust(
            record=original, corrected_amount=Decimal("9"), reason="x", actor=reviewer
        )
    with pytest.raises(ValidationError):
        services.revenue_share_adjust(
            record=original, corrected_amount=Decimal("9"), reason=" ", actor=approver
        )
    with pytest.raises(ValidationError):
        services.revenue_share_adjust(
            record=original, corrected_amount=Decimal("10.00"), reason="无变化", actor=approver
        )
    adjustment = services.revenue_share_adjust(
        record=original, corrected_amount=Decimal("9"), reason="更正", actor=approver
    )
    with pytest.raises(IllegalTransition):
        services.revenue_share_adjust(
            record=adjustment, corrected_amount=Decimal("8"), reason="更正", actor=approver
        )


def test_the_command_settles_a_month(month):
    out = StringIO()
    call_command("settle_period", period_label(LAST_MONTH), stdout=out)
    assert "settled" in out.getvalue()
    assert Settlement.objects.get().settled_by is None
    call_command("settle_period", period_label(LAST_MONTH), stdout=out)
    assert "already settled" in out.getvalue()
    assert RevenueShareRecord.objects.count() == 2


def test_the_command_records_who_settled(month, reviewer):
    call_command("settle_period", period_label(LAST_MONTH), "--by", "reviewer", stdout=StringIO())
    assert Settlement.objects.get().settled_by == reviewer


@pytest.mark.parametrize("bad", ["2026-13", "2026/10", "october", "2026-1"])
def test_the_command_refuses_a_bad_period(db, bad):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("settle_period", bad)


def test_the_command_refuses_a_month_not_over(db):
    with translation.override("en"), pytest.raises(CommandError, match="over"):
        call_command("settle_period", period_label(current_period()))
