"""`/api/v1/products/` and `/api/v1/products/{id}/prices/`: an operator system lists products and
prices them with its API key; bad input is refused with the service's reason, naming the field."""

import pytest
from django.utils import timezone

from apps.api import services as api_services
from apps.products.models import ActualPrice, Product

from .conftest import set_cap

URL = "/api/v1/products/"


@pytest.fixture
def api(client, operator_admin, authorization):
    _key, raw = api_services.api_key_create(actor=operator_admin, name="products")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _create(api, authorization, **body):
    payload = {"name": "学区查询", "description": "按地址查询学区", "kind": "data_service",
               "authorizations": [authorization.pk], "scenario": authorization.scenario_id,
               "use": "industry", "fee_form": "per_call", "unit": "次", **body}  # fmt: skip
    return api.post(URL, payload, content_type="application/json")


def test_it_lists_a_product_for_review(api, authorization):
    response = _create(api, authorization)
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"
    assert [row["id"] for row in api.get(URL).json()] == [Product.objects.get().pk]


def test_a_charged_public_interest_product_is_refused(api, authorization):
    response = _create(api, authorization, use="public_interest")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "fee_form"


def test_another_operators_authorization_is_refused_with_the_reason(
    api, authorization, grant, rival, entry
):
    theirs = grant(*rival, entry)
    response = _create(api, authorization, authorizations=[theirs.pk])
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "authorizations"
    assert not Product.objects.exists()


def test_a_price_above_the_cap_is_refused_naming_the_cap(api, offered, approver):
    set_cap(offered, approver, "0.0500")
    today = timezone.localdate().isoformat()
    url = f"{URL}{offered.pk}/prices/"
    refused = api.post(url, {"amount": "0.0600", "effective_from": today},
                       content_type="application/json")  # fmt: skip
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "amount"
    assert "0.05" in refused.json()["error"]["message"]
    taken = api.post(url, {"amount": "0.0450", "effective_from": today},
                     content_type="application/json")  # fmt: skip
    assert taken.status_code == 201 and taken.json()["actual_price"] == "0.0450"
    assert ActualPrice.objects.count() == 1


def test_another_operators_product_is_not_found(client, offered, rival):
    other = rival[1]
    other.organisation_role = "admin"
    other.save()
    _key, raw = api_services.api_key_create(actor=other, name="rival")
    response = client.post(
        f"{URL}{offered.pk}/prices/", {"amount": "0.01", "effective_from": "2030-01-01"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip
    assert response.status_code == 404


def test_without_a_key_it_answers_401(client, db):
    assert client.get(URL).status_code == 401
