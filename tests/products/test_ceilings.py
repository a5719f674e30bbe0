"""The maximum allowed revenue: the formula with exact decimals (property tests), the profit-rate
ceiling and negative costs refused, four eyes, and the carry-over of revenue above it."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from apps.core.errors import NotAllowed
from apps.products import services
from apps.products.models import MaximumAllowedRevenue, RevenueCeilingDeduction
from apps.products.pricing import ceiling_compute
from apps.products.selectors import ceiling_year
from apps.revenue.money import current_period, previous_period
from tests.revenue.conftest import submit, verified

from .conftest import offer, submit_product

fen = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
rate = st.decimals(min_value=0, max_value=Decimal("20.00"), places=2)


@given(
    costs=st.lists(fen, min_size=5, max_size=5),
    subsidy_share=st.integers(0, 100),
    profit_rate=rate,
    tax=fen,
)
def test_the_formula_is_exact_to_the_fen(costs, subsidy_share, profit_rate, tax):
    reasonable = sum(costs, Decimal(0))
    subsidies = (reasonable * subsidy_share / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    result = ceiling_compute(costs=costs, subsidies=subsidies, profit_rate=profit_rate, tax=tax)
    assert result.pricing_cost == reasonable - subsidies
    expected_profit = (result.pricing_cost * profit_rate / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert result.allowed_profit == expected_profit
    assert result.maximum == result.pricing_cost + result.allowed_profit + tax
    assert result.maximum.as_tuple().exponent >= -2  # never a fraction of a fen
    assert abs(result.allowed_profit - result.pricing_cost * profit_rate / 100) <= Decimal("0.005")


def test_a_worked_example():
    result = ceiling_compute(
        costs=[Decimal("1000000.00"), Decimal("200000.00"), Decimal("300000.00"),
               Decimal("400000.00"), Decimal("100000.00")],
        subsidies=Decimal("500000.00"), profit_rate=Decimal("7.85"), tax=Decimal("90000.00"),
    )  # fmt: skip
    assert (result.pricing_cost, result.allowed_profit, result.maximum) == (
        Decimal("1500000.00"), Decimal("117750.00"), Decimal("1707750.00"),
    )  # fmt: skip


def figures(**overrides) -> dict:
    return {
        "cost_platform": Decimal("600000.00"), "cost_transmission": Decimal("50000.00"),
        "cost_processing": Decimal("150000.00"), "cost_labour": Decimal("300000.00"),
        "cost_other": Decimal("20000.00"), "subsidies": Decimal("120000.00"),
        "treasury_yield": Decimal("1.85"), "yield_date": date(2026, 1, 5),
        "profit_rate": Decimal("7.50"), "tax": Decimal("60000.00"), "trial": False, **overrides,
    }  # fmt: skip


def propose(operator, member, year: int = 2025, **overrides) -> MaximumAllowedRevenue:
    return services.ceiling_propose(
        operator=operator, actor=member, year=year, figures=figures(**overrides)
    )


def test_the_operator_proposes_and_the_portal_computes(operator, operator_member):
    ceiling = propose(operator, operator_member)
    assert ceiling.pricing_cost == Decimal("1000000.00")
    assert ceiling.allowed_profit == Decimal("75000.00")
    assert ceiling.maximum == Decimal("1135000.00")
    assert ceiling.status == "proposed"


def test_a_profit_rate_above_the_ceiling_is_refused(operator, operator_member):
    with pytest.raises(ValidationError) as refused:
        propose(operator, operator_member, profit_rate=Decimal("7.86"))
    assert "7.85" in refused.value.message_dict["profit_rate"][0]


def test_negative_costs_are_refused(operator, operator_member):
    with pytest.raises(ValidationError) as refused:
        propose(operator, operator_member, cost_labour=Decimal("-1.00"))
    assert "cost_labour" in refused.value.message_dict


def test_the_database_refuses_a_rate_above_the_ceiling(operator, operator_member):
    ceiling = propose(operator, operator_member)
    with pytest.raises(IntegrityError), transaction.atomic():
        MaximumAllowedRevenue.objects.filter(pk=ceiling.pk).update(profit_rate=Decimal("9.00"))


def test_four_eyes(operator, operator_member, reviewer, approver):
    ceiling = propose(operator, operator_member)
    with pytest.raises(NotAllowed):
        services.ceiling_check(ceiling=ceiling, actor=operator_member)
    services.ceiling_check(ceiling=ceiling, actor=reviewer)
    with pytest.raises(NotAllowed):
        services.ceiling_approve(ceiling=ceiling, actor=reviewer)
    approved = services.ceiling_approve(ceiling=ceiling, actor=approver)
    assert (approved.status, approved.checked_by, approved.approved_by) == (
        "approved", reviewer, approver,
    )  # fmt: skip
    assert approved.history.latest().history_user == approver


def test_a_returned_proposal_is_corrected(operator, operator_member, reviewer):
    ceiling = propose(operator, operator_member)
    services.ceiling_return(ceiling=ceiling, actor=reviewer, reason="人工成本无依据")
    corrected = services.ceiling_correct(
        ceiling=ceiling, actor=operator_member, figures=figures(cost_labour=Decimal("200000.00"))
    )
    assert (corrected.status, corrected.maximum) == ("proposed", Decimal("1027500.00"))


def _approved(operator, member, reviewer, approver, year, **overrides):
    ceiling = propose(operator, member, year=year, **overrides)
    services.ceiling_check(ceiling=ceiling, actor=reviewer)
    return services.ceiling_approve(ceiling=ceiling, actor=approver)


def test_revenue_above_the_maximum_is_deducted_from_the_next_year(
    authorization, operator_member, reviewer, approver
):
    period = previous_period(current_period())
    year = period.year
    operator = authorization.operator
    ceiling = _approved(operator, operator_member, reviewer, approver, year,
                        cost_platform=Decimal("0.00"), cost_transmission=Decimal("0.00"),
                        cost_processing=Decimal("0.00"), cost_labour=Decimal("1000.00"),
                        cost_other=Decimal("0.00"), subsidies=Decimal("0.00"),
                        profit_rate=Decimal("0.00"), tax=Decimal("0.00"))  # fmt: skip
    assert ceiling.maximum == Decimal("1000.00")
    verified(authorization, operator_member, reviewer, period, amount="1500.25")
    deduction = services.revenue_ceiling_carry_over(ceiling=ceiling, actor=approver)
    assert (deduction.year, deduction.allowed, deduction.reported, deduction.amount) == (
        year + 1, Decimal("1000.00"), Decimal("1500.25"), Decimal("500.25"),
    )  # fmt: skip
    assert "65号" in deduction.rule
    # Recorded once: a second run returns the same record.
    assert services.revenue_ceiling_carry_over(ceiling=ceiling, actor=approver) == deduction
    summary = ceiling_year(operator_id=operator.pk, year=year)
    assert (summary.allowed, summary.reported, summary.above_by) == (
        Decimal("1000.00"), Decimal("1500.25"), Decimal("500.25"),
    )  # fmt: skip
    next_year = _approved(operator, operator_member, reviewer, approver, year + 1)
    assert ceiling_year(operator_id=operator.pk, year=year + 1).allowed == (
        next_year.maximum - Decimal("500.25")
    )


def test_revenue_within_the_maximum_records_nothing(operator, operator_member, reviewer, approver):
    ceiling = _approved(operator, operator_member, reviewer, approver, 2025)
    assert services.revenue_ceiling_carry_over(ceiling=ceiling, actor=approver) is None
    assert not RevenueCeilingDeduction.objects.exists()


def test_the_year_page_shows_revenue_against_the_ceiling(
    client, operator, operator_member, reviewer, approver
):
    _approved(operator, operator_member, reviewer, approver, 2025)
    client.force_login(operator_member)
    content = client.get(reverse("operator_products:ceiling-year", args=[2025])).content.decode()
    assert "¥1,135,000.00" in content


def test_a_report_is_broken_down_by_product_on_the_year_page(
    client, authorization, operator_member, reviewer
):
    product = offer(submit_product(authorization, operator_member), reviewer)
    period = previous_period(current_period())
    report = verified(authorization, operator_member, reviewer, period, amount="1000.00")
    client.force_login(operator_member)
    url = reverse("operator_products:report-breakdown", args=[report.pk])
    refused = client.post(url, {"product": product.pk, "amount": "1000.01"})
    assert refused.status_code == 200 and refused.context["form"].errors["amount"]
    assert client.post(url, {"product": product.pk, "amount": "600.00"}).status_code == 302
    page = client.get(reverse("operator_products:ceiling-year", args=[period.year]))
    assert page.context["by_product"] == [
        {"product_id": product.pk, "product__name": product.name, "total": Decimal("600.00")}
    ]


def test_another_operators_report_is_not_found(client, authorization, operator_member, rival):
    report = submit(authorization, operator_member, previous_period(current_period()))
    client.force_login(rival[1])
    assert (
        client.get(reverse("operator_products:report-breakdown", args=[report.pk])).status_code
        == 404
    )


def test_a_returned_proposal_is_corrected_on_the_year_page(
    client, operator, operator_member, reviewer
):
    ceiling = propose(operator, operator_member)
    services.ceiling_return(ceiling=ceiling, actor=reviewer, reason="人工成本无依据")
    client.force_login(operator_member)
    url = reverse("operator_products:ceiling-year", args=[2025])
    data = {name: str(value) for name, value in figures(cost_labour=Decimal("-5")).items()}
    data["trial"] = ""
    refused = client.post(url, data)
    assert refused.status_code == 200 and refused.context["form"].errors["cost_labour"]
    data["cost_labour"] = "200000.00"
    assert client.post(url, data).status_code == 302
    ceiling.refresh_from_db()
    assert (ceiling.status, ceiling.maximum) == ("proposed", Decimal("1027500.00"))
