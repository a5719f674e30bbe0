"""Listing a product, its two reviews, withdrawal (with its authorization too): who may, who may
not, bad input refused with its reason, the history written."""

import pytest
from django.core.exceptions import ValidationError

from apps.authorizations import services as authorization_services
from apps.core.errors import IllegalTransition, NotAllowed
from apps.products import services
from apps.products.models import Product

from .conftest import offer, review, submit_product


def test_it_lists_a_product_awaiting_review(product, operator_member):
    assert product.status == "submitted"
    assert list(product.authorizations.all()) == [product.authorizations.get()]
    latest = product.history.latest()
    assert latest.history_user == operator_member
    assert latest.history_change_reason


def test_it_refuses_another_operators_authorization_with_the_reason(
    authorization, operator_member, grant, rival, entry
):
    other, other_member = rival
    theirs = grant(other, other_member, entry)
    with pytest.raises(ValidationError) as refused:
        services.product_submit(
            operator=authorization.operator, actor=operator_member,
            data={"name": "x", "description": "y", "kind": "report", "use": "industry",
                  "fee_form": "per_call"},
            authorizations=[theirs], scenario=authorization.scenario,
        )  # fmt: skip
    assert "authorizations" in refused.value.message_dict


def test_it_refuses_a_charged_public_interest_product(authorization, operator_member):
    with pytest.raises(ValidationError) as refused:
        submit_product(authorization, operator_member, use="public_interest", fee_form="per_call")
    assert "fee_form" in refused.value.message_dict


def test_it_refuses_a_rival_member(authorization, rival):
    _other, other_member = rival
    with pytest.raises(NotAllowed):
        submit_product(authorization, other_member)


def test_it_offers_a_product_once_both_reviews_passed(product, reviewer):
    review(product, reviewer, "security")
    product.refresh_from_db()
    assert product.status == "submitted"
    review(product, reviewer, "compliance")
    product.refresh_from_db()
    assert product.status == "offered"
    assert product.offered_on is not None


def test_it_refuses_a_product_that_fails_a_review(product, reviewer):
    review(product, reviewer, "security", "failed")
    product.refresh_from_db()
    assert product.status == "refused"


def test_it_refuses_the_same_review_twice(product, reviewer):
    review(product, reviewer, "security")
    with pytest.raises(ValidationError):
        review(product, reviewer, "security")


def test_only_bureau_reviewers_record_reviews(product, operator_member, auditor):
    for outsider in (operator_member, auditor):
        with pytest.raises(NotAllowed):
            review(product, outsider, "security")


def test_it_needs_a_reason_and_a_document(product, reviewer):
    with pytest.raises(ValidationError) as refused:
        services.product_review_record(
            product=product, actor=reviewer, kind="security", outcome="passed", reason=" ",
            document=None,
        )  # fmt: skip
    assert "reason" in refused.value.message_dict


def test_a_refused_product_is_reviewed_anew_after_resubmission(product, reviewer, operator_member):
    review(product, reviewer, "security", "failed")
    services.product_resubmit(product=product, actor=operator_member, description="改进后")
    product.refresh_from_db()
    assert (product.status, product.review_round) == ("submitted", 2)
    offer(product, reviewer)
    assert product.status == "offered"


def test_a_product_is_withdrawn_with_its_suspended_authorization(offered, approver):
    authorization = offered.authorizations.get()
    authorization_services.authorization_suspend(
        authorization=authorization, actor=approver, reason="安全检查"
    )
    offered.refresh_from_db()
    assert offered.status == "withdrawn"
    assert f"#{authorization.pk}" in offered.status_reason
    assert offered.history.latest().history_user == approver


def test_the_operator_withdraws_its_product(offered, operator_member):
    services.product_withdraw(product=offered, actor=operator_member, reason="")
    offered.refresh_from_db()
    assert offered.status == "withdrawn"
    with pytest.raises(IllegalTransition):
        services.product_withdraw(product=offered, actor=operator_member, reason="")


def test_the_bureau_withdraws_with_a_reason(offered, reviewer):
    with pytest.raises(ValidationError):
        services.product_withdraw(product=offered, actor=reviewer, reason="")
    services.product_withdraw(product=offered, actor=reviewer, reason="安全隐患")
    assert Product.objects.get(pk=offered.pk).status == "withdrawn"
