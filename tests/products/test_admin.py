"""The bureau's admin: record the two reviews, set cap prices, withdraw; check and approve the
maximum allowed revenue with four eyes, carry revenue above it over; publish the bureau's
disclosure. Every refusal says why; who lacks the role gets a 403 naming it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.products import services
from apps.products.models import AnnualDisclosure, CapPrice, ProductReview

from .conftest import offer, review_document, submit_product
from .test_ceilings import propose

PRODUCTS = "/admin/products/product/"
CEILINGS = "/admin/products/maximumallowedrevenue/"


def test_a_reviewer_records_both_reviews_from_the_change_page(client, reviewer, product):
    client.force_login(reviewer)
    page = client.get(f"{PRODUCTS}{product.pk}/change/").content.decode()
    assert "decision-review" in page and "decision-cap" not in page
    for kind in ("security", "compliance"):
        response = client.post(f"{PRODUCTS}{product.pk}/review/", {
            "kind": kind, "outcome": "passed", "reason": "符合要求", "document": review_document(),
        })  # fmt: skip
        assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == "offered" and ProductReview.objects.count() == 2


def test_a_review_without_its_document_is_refused_on_the_form(client, reviewer, product):
    client.force_login(reviewer)
    response = client.post(f"{PRODUCTS}{product.pk}/review/",
                           {"kind": "security", "outcome": "passed", "reason": "符合要求"})  # fmt: skip
    assert response.status_code == 200 and response.context["form"].errors["document"]
    assert not ProductReview.objects.exists()


def test_the_cap_is_the_approvers(client, reviewer, approver, offered):
    client.force_login(reviewer)
    assert client.get(f"{PRODUCTS}{offered.pk}/cap/").status_code == 403
    client.force_login(approver)
    today = timezone.localdate()
    response = client.post(f"{PRODUCTS}{offered.pk}/cap/",
                           {"amount": "0.05", "effective_from": today.isoformat()})  # fmt: skip
    assert response.status_code == 302
    assert CapPrice.objects.get().amount == Decimal("0.05")


def test_a_public_interest_cap_above_zero_is_refused_in_the_admin(
    client, approver, reviewer, authorization, operator_member
):
    free = offer(
        submit_product(authorization, operator_member, use="public_interest", fee_form="free"),
        reviewer,
    )
    client.force_login(approver)
    response = client.post(f"{PRODUCTS}{free.pk}/cap/", {
        "amount": "1", "effective_from": timezone.localdate().isoformat(),
    })  # fmt: skip
    assert response.status_code == 200 and response.context["form"].errors["amount"]
    assert not CapPrice.objects.exists()


def test_the_bureau_withdraws_with_a_reason(client, reviewer, offered):
    client.force_login(reviewer)
    refused = client.post(f"{PRODUCTS}{offered.pk}/decide/withdraw/", {"reason": ""})
    assert refused.status_code == 200
    client.post(f"{PRODUCTS}{offered.pk}/decide/withdraw/", {"reason": "存在安全隐患"})
    offered.refresh_from_db()
    assert offered.status == "withdrawn"


def test_four_eyes_in_the_admin(client, operator, operator_member, reviewer, approver):
    ceiling = propose(operator, operator_member)
    # One person holding both roles checks, and is then stopped before approving.
    both = approver
    both.groups.add(Group.objects.get(name="reviewer"))
    client.force_login(both)
    assert client.post(f"{CEILINGS}{ceiling.pk}/decide/check/", {"reason": ""}).status_code == 302
    page = client.get(f"{CEILINGS}{ceiling.pk}/decide/approve/")
    assert "Four eyes" in page.content.decode() or "双人复核" in page.content.decode()
    client.post(f"{CEILINGS}{ceiling.pk}/decide/approve/", {"reason": ""})
    ceiling.refresh_from_db()
    assert ceiling.status == "checked"


def test_the_carry_over_action_records_the_deduction_once(
    client, operator, operator_member, reviewer, approver
):
    ceiling = propose(operator, operator_member)
    services.ceiling_check(ceiling=ceiling, actor=reviewer)
    services.ceiling_approve(ceiling=ceiling, actor=approver)
    client.force_login(approver)
    response = client.post(
        CEILINGS, {"action": "carry_over_selected", "_selected_action": [ceiling.pk]}
    )
    assert response.status_code == 302  # within the maximum: said, nothing recorded


@pytest.mark.parametrize("who", ["reviewer", "auditor"])
def test_only_approvers_publish_the_bureaus_disclosure(client, who, request, approver):
    disclosure = services.disclosure_prepare(
        year=timezone.localdate().year - 1, operator=None, actor=approver
    )
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"/admin/products/annualdisclosure/{disclosure.pk}/decide/publish/",
                       {"reason": ""}).status_code == 403  # fmt: skip
    client.force_login(approver)
    client.post(f"/admin/products/annualdisclosure/{disclosure.pk}/decide/publish/", {"reason": ""})
    assert AnnualDisclosure.objects.get().status == "published"


def test_every_products_admin_page_opens_for_the_auditor(client, auditor, offered, approver):
    services.cap_price_set(product=offered, actor=approver, amount=Decimal("1"),
                           effective_from=timezone.localdate() + timedelta(days=1))  # fmt: skip
    client.force_login(auditor)
    for model in ("product", "productreview", "capprice", "actualprice",
                  "maximumallowedrevenue", "revenueceilingdeduction", "productrevenue",
                  "annualdisclosure"):  # fmt: skip
        assert client.get(f"/admin/products/{model}/").status_code == 200, model
    assert client.get(f"{PRODUCTS}{offered.pk}/change/").status_code == 200
    review = ProductReview.objects.first()
    document = client.get(f"/admin/products/productreview/{review.pk}/document/")
    assert b"".join(document.streaming_content).startswith(b"%PDF")
