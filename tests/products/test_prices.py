"""Cap prices and actual prices: the cap is the bureau's, the price the operator's, at or below
the cap — refused in the service naming the cap, and refused by the database itself."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import IllegalTransition, NotAllowed
from apps.products.models import ActualPrice, CapPrice, ImmutableRecord
from apps.products.selectors import price_history, price_in_force

from .conftest import offer, set_cap, set_price, submit_product

TODAY = timezone.localdate


def test_the_operator_prices_at_or_below_the_cap(offered, approver, operator_member):
    set_cap(offered, approver, "0.0500")
    price = set_price(offered, operator_member, "0.0500")
    assert (price.amount, price.cap_amount) == (Decimal("0.0500"), Decimal("0.0500"))
    assert price.history.latest().history_user == operator_member


def test_a_price_above_the_cap_is_refused_naming_the_cap(offered, approver, operator_member):
    set_cap(offered, approver, "0.0500")
    with pytest.raises(ValidationError) as refused:
        set_price(offered, operator_member, "0.0600")
    message = refused.value.message_dict["amount"][0]
    assert "0.05" in message
    assert not ActualPrice.objects.exists()


def test_without_a_cap_there_is_no_price(offered, operator_member):
    with pytest.raises(ValidationError):
        set_price(offered, operator_member, "0.01")


def test_a_product_not_yet_offered_has_no_price(product, approver, operator_member):
    set_cap(product, approver, "1.00")
    with pytest.raises(IllegalTransition):
        set_price(product, operator_member, "0.50")


def test_a_public_interest_cap_above_zero_is_refused(
    authorization, operator_member, reviewer, approver
):
    free = offer(
        submit_product(authorization, operator_member, use="public_interest", fee_form="free"),
        reviewer,
    )
    with pytest.raises(ValidationError) as refused:
        set_cap(free, approver, "0.01")
    assert "amount" in refused.value.message_dict
    assert set_cap(free, approver, "0").amount == 0


def test_negative_and_past_prices_are_refused(offered, approver):
    with pytest.raises(ValidationError):
        set_cap(offered, approver, "-1")
    with pytest.raises(ValidationError):
        set_cap(offered, approver, "1", TODAY() - timedelta(days=1))


def test_only_approvers_set_caps_and_only_the_operator_prices(
    offered, reviewer, approver, operator_member, rival
):
    with pytest.raises(NotAllowed):
        set_cap(offered, reviewer, "1")
    with pytest.raises(NotAllowed):
        set_cap(offered, operator_member, "1")
    set_cap(offered, approver, "1")
    with pytest.raises(NotAllowed):
        set_price(offered, rival[1], "1")


def test_the_database_refuses_a_price_above_its_cap(offered, approver, operator_member):
    cap = set_cap(offered, approver, "1.0000")
    row = {"product": offered, "cap": cap, "effective_from": TODAY(), "set_by": operator_member,
           "set_at": timezone.now()}  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ActualPrice(**row, cap_amount=Decimal("1.0000"), amount=Decimal("1.0001")).save()
    # Claiming a higher cap amount than the cap has is refused too (PostgreSQL).
    with pytest.raises(IntegrityError), transaction.atomic():
        ActualPrice(**row, cap_amount=Decimal("9.0000"), amount=Decimal("5.0000")).save()


def test_the_database_refuses_a_free_cap_above_zero(product, approver):
    free_fee_form = "free"
    with pytest.raises(IntegrityError), transaction.atomic():
        CapPrice(product=product, fee_form=free_fee_form, amount=Decimal("1"),
                 effective_from=TODAY(), set_by=approver, set_at=timezone.now()).save()  # fmt: skip


def test_every_price_change_stays_visible_with_its_dates(offered, approver, operator_member):
    tomorrow = TODAY() + timedelta(days=1)
    set_cap(offered, approver, "2.00")
    set_price(offered, operator_member, "1.50")
    set_price(offered, operator_member, "1.20", tomorrow)
    history = price_history(product=offered)
    assert [span.price.amount for span in history["prices"]] == [Decimal("1.2"), Decimal("1.5")]
    assert history["prices"][1].until == TODAY()
    assert history["prices"][0].until is None and history["prices"][0].upcoming
    assert not history["prices"][1].upcoming
    assert price_in_force(product=offered, on=TODAY()).amount == Decimal("1.5")


def test_a_lower_cap_lowers_the_price_on_the_record(offered, approver, operator_member):
    set_cap(offered, approver, "2.00")
    set_price(offered, operator_member, "1.80")
    tomorrow = TODAY() + timedelta(days=1)
    set_cap(offered, approver, "1.00", tomorrow)
    assert price_in_force(product=offered, on=TODAY()).amount == Decimal("1.8")
    lowered = price_in_force(product=offered, on=tomorrow)
    assert (lowered.amount, lowered.effective_from) == (Decimal("1.00"), tomorrow)
    assert ActualPrice.objects.count() == 2


def test_prices_are_never_edited(offered, approver, operator_member):
    set_cap(offered, approver, "2.00")
    price = set_price(offered, operator_member, "1.80")
    with pytest.raises(ImmutableRecord):
        price.save()
    with pytest.raises(ImmutableRecord):
        ActualPrice.objects.all().update(amount=0)


def test_a_lower_cap_announced_for_later_lowers_a_new_price_from_its_date(
    offered, approver, operator_member
):
    later = TODAY() + timedelta(days=10)
    set_cap(offered, approver, "5.00")
    set_cap(offered, approver, "3.00", later)
    set_price(offered, operator_member, "4.00")
    assert price_in_force(product=offered, on=TODAY()).amount == Decimal("4.00")
    lowered = price_in_force(product=offered, on=later)
    assert (lowered.amount, lowered.effective_from) == (Decimal("3.00"), later)
