"""The public price list, its CSV and each product's page; the operator's product pages: who may
see what, bad input refused on the form with its reason, query counts constant as data grows,
and the exports equal to the pages."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.products.models import Product

from .conftest import offer, set_cap, set_price, submit_product


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


@pytest.fixture
def priced(offered, approver, operator_member) -> Product:
    set_cap(offered, approver, "0.0500")
    set_price(offered, operator_member, "0.0400")
    return offered


def test_the_price_list_shows_offered_products_with_cap_and_price(client, priced, product):
    response = client.get(reverse("products:prices"))
    content = response.content.decode()
    assert priced.name in content and "¥0.05" in content and "¥0.04" in content
    assert list(response.context["products"]) == [priced]


def test_products_awaiting_review_are_not_public(client, product):
    assert product not in client.get(reverse("products:prices")).context["products"]
    assert client.get(reverse("products:product", args=[product.pk])).status_code == 404


def test_the_filters_narrow_the_list(client, priced):
    assert (
        priced
        in client.get(reverse("products:prices"), {"fee_form": "per_call"}).context["products"]
    )
    assert not client.get(reverse("products:prices"), {"fee_form": "per_volume"}).context[
        "products"
    ]
    assert not client.get(reverse("products:prices"), {"q": "无此产品"}).context["products"]


def test_the_csv_equals_the_page_and_runs_no_formula(
    client, authorization, operator_member, reviewer, approver
):
    risky = offer(submit_product(authorization, operator_member, name="=HYPERLINK(1)"), reviewer)
    set_cap(risky, approver, "1.0000")
    set_price(risky, operator_member, "0.8000")
    page = client.get(reverse("products:prices")).context["products"]
    rows = list(csv.reader(io.StringIO(_body(client.get(reverse("products:prices-csv"))))))
    assert len(rows) == 1 + len(page)
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert (Decimal(rows[1][5]), Decimal(rows[1][6])) == (Decimal("1"), Decimal("0.8"))


def test_the_price_list_takes_constant_queries(
    client, authorization, operator_member, reviewer, approver, django_assert_max_num_queries
):
    for number in range(6):
        product = offer(
            submit_product(authorization, operator_member, name=f"产品{number}"), reviewer
        )
        set_cap(product, approver, "1.00")
        set_price(product, operator_member, "0.90")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("products:prices"))
    assert len(response.context["products"]) == 6


def test_a_products_page_shows_its_price_history(client, priced, operator_member):
    set_price(priced, operator_member, "0.0300", timezone.localdate() + timedelta(days=3))
    content = client.get(reverse("products:product", args=[priced.pk])).content.decode()
    assert "¥0.04" in content and "¥0.03" in content


# The operator's pages -----------------------------------------------------------------------


def test_the_operator_lists_a_product_through_the_form(client, authorization, operator_member):
    client.force_login(operator_member)
    response = client.post(reverse("operator_products:create"), {
        "name": "学区报告", "description": "年度报告", "kind": "report",
        "authorizations": [authorization.pk], "scenario": authorization.scenario_id,
        "use": "industry", "fee_form": "per_quantity", "unit": "份",
    })  # fmt: skip
    product = Product.objects.get()
    assert response.status_code == 302 and product.status == "submitted"


def test_the_form_refuses_a_charged_public_interest_product(client, authorization, operator_member):
    client.force_login(operator_member)
    response = client.post(reverse("operator_products:create"), {
        "name": "学区报告", "description": "年度报告", "kind": "report",
        "authorizations": [authorization.pk], "scenario": authorization.scenario_id,
        "use": "public_interest", "fee_form": "per_call",
    })  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["fee_form"]
    assert not Product.objects.exists()


def test_the_price_form_refuses_a_price_above_the_cap(client, offered, approver, operator_member):
    set_cap(offered, approver, "0.0500")
    client.force_login(operator_member)
    url = reverse("operator_products:price", args=[offered.pk])
    today = timezone.localdate().isoformat()
    refused = client.post(url, {"amount": "0.06", "effective_from": today})
    assert refused.status_code == 400
    assert "0.05" in refused.context["price_form"].errors["amount"][0]
    assert client.post(url, {"amount": "0.045", "effective_from": today}).status_code == 302


def test_another_operators_product_is_not_found(client, offered, rival):
    client.force_login(rival[1])
    assert client.get(reverse("operator_products:detail", args=[offered.pk])).status_code == 404


@pytest.mark.parametrize("who", ["department_member", "reviewer", "outsider"])
def test_only_operators_have_product_pages(client, who, request, db):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("operator_products:list")).status_code == 403


def test_the_operators_pages_take_constant_queries(
    client, authorization, operator_member, reviewer, approver, django_assert_max_num_queries
):
    products = []
    for number in range(5):
        product = offer(
            submit_product(authorization, operator_member, name=f"产品{number}"), reviewer
        )
        set_cap(product, approver, "1.00")
        set_price(product, operator_member, "0.90")
        products.append(product)
    client.force_login(operator_member)
    with django_assert_max_num_queries(16):
        listed = client.get(reverse("operator_products:list"))
    assert len(listed.context["products"]) == 5
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("operator_products:detail", args=[products[0].pk])).status_code
            == 200
        )
    with django_assert_max_num_queries(10):
        assert client.get(reverse("products:product", args=[products[0].pk])).status_code == 200
