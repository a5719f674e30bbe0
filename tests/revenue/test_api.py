"""`/api/v1/revenue-reports/`: report proceeds and read them back with an API key."""

from decimal import Decimal

import pytest
from django.urls import resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from apps.api import services as api_services
from apps.api.models import UsageRecord
from apps.revenue.api import RevenueReportCreateApi, RevenueReportListApi
from apps.revenue.models import RevenueReport
from apps.revenue.money import current_period, period_label
from tests.revenue.conftest import LAST_MONTH, TWO_MONTHS_AGO, at, record_usage, submit

URL = "/api/v1/revenue-reports/"


@pytest.fixture
def api(client, operator_admin, authorization):
    _key, raw = api_services.api_key_create(actor=operator_admin, name="revenue")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _post(api, **body):
    payload = {"period": period_label(LAST_MONTH), "amount": "1234.50", "reference": "INV-9",
               **body}  # fmt: skip
    return api.post(URL, payload, content_type="application/json")


def test_the_path_is_named_and_documented(client):
    assert reverse("api-revenue-reports") == URL
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/revenue-reports/" in schema and "revenue_reports_create" in schema


def test_list_and_create_are_two_views_on_one_path(client):
    route = resolve(URL).func
    assert route.cls is RevenueReportListApi
    assert route.routes["GET"].cls is RevenueReportListApi
    assert route.routes["POST"].cls is RevenueReportCreateApi
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = schema["paths"][URL]
    assert {method: operations[method]["operationId"] for method in operations} == {
        "get": "revenue_reports_list",
        "post": "revenue_reports_create",
    }
    assert operations["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RevenueReportInputRequest"
    }


def test_a_method_neither_view_serves_answers_405_naming_both(api):
    response = api.put(URL, {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, POST, OPTIONS"
    assert api.get(URL)["Allow"] == "GET, POST, OPTIONS"


def test_it_creates_a_report_with_the_metered_fee(api, authorization):
    record_usage(authorization, at(LAST_MONTH), rows=200_000)  # 2,000.00 yuan at 0.01 a row
    response = _post(api, authorization=authorization.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "1234.50" and body["period"] == period_label(LAST_MONTH)
    assert body["metered"] == {"calls": 1, "rows": 200_000, "fee": "2000.00"}
    assert body["below_metered_fee"] is True
    assert body["status"] == "submitted" and body["settlement_period"] is None
    report = RevenueReport.objects.get()
    assert report.amount == Decimal("1234.50") and report.submitted_by.username == "op_admin"


def test_reporting_is_not_billed_as_use(api, authorization):
    _post(api, authorization=authorization.pk)
    api.get(URL)
    recorded = UsageRecord.objects.filter(endpoint="revenue_reports")
    assert recorded.count() == 2
    assert not recorded.filter(authorization__isnull=False).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 1234.5}, "amount"),  # a JSON number could be a float
        ({"amount": "12.345"}, "amount"),
        ({"amount": "-1.00"}, "amount"),
        ({"period": "2026-13"}, "period"),
        ({"period": period_label(current_period())}, "period"),
        ({"reference": ""}, "reference"),
    ],
)
def test_bad_input_answers_400_naming_the_field(api, authorization, body, field):
    response = _post(api, authorization=authorization.pk, **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_parameter", field)
    assert error["message"]


def test_another_operators_authorization_is_not_revealed(api, grant, rival, entry):
    other, member = rival
    theirs = grant(other, member, entry)
    response = _post(api, authorization=theirs.pk)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "authorization"
    assert _post(api, authorization=999_999).json() == response.json()


def test_a_second_report_for_the_month_is_a_conflict(api, authorization):
    assert _post(api, authorization=authorization.pk).status_code == 201
    response = _post(api, authorization=authorization.pk, amount="1.00")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "refused"
    assert RevenueReport.objects.get().amount == Decimal("1234.50")


def test_it_lists_the_callers_reports_only(
    api, authorization, operator_member, grant, rival, entry, django_assert_max_num_queries
):
    submit(authorization, operator_member, LAST_MONTH)
    submit(authorization, operator_member, TWO_MONTHS_AGO)
    other, member = rival
    submit(grant(other, member, entry), member, LAST_MONTH)
    with django_assert_max_num_queries(12):
        response = api.get(URL)
    assert response.status_code == 200
    assert [r["period"] for r in response.json()] == [
        period_label(LAST_MONTH), period_label(TWO_MONTHS_AGO),
    ]  # fmt: skip
    only = api.get(URL, {"period": period_label(TWO_MONTHS_AGO)}).json()
    assert len(only) == 1
    bad = api.get(URL, {"period": "soon"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "period"


def test_without_a_key_it_answers_401(client, db):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
