"""An operator lists a product; a reviewer records its security and business-compliance reviews
in the admin; an approver sets its cap; the operator's price above the cap is refused, one below
it is taken; the public price list shows both."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.authorizations import services as authorization_services
from apps.products.models import ActualPrice, Product
from tests.authorizations.conftest import AGREEMENT, apply, qualify, scope
from tests.conftest import PASSWORD
from tests.factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PDF = {"name": "审查意见.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 review"}


def _page(browser, live_server, username: str, login_path: str = "/accounts/login/"):
    page = browser.new_context(base_url=live_server.url).new_page()
    page.set_default_timeout(10_000)
    page.goto(login_path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("[type=submit]")
    return page


def _submit(page, selector: str = "[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


def _review(page, product: Product, kind: str) -> None:
    page.goto(f"/admin/products/product/{product.pk}/change/")
    _submit(page, "a.decision-review")
    page.select_option("#id_kind", kind)
    page.select_option("#id_outcome", "passed")
    page.fill("#id_reason", "符合要求。")
    page.set_input_files("#id_document", files=[PDF])
    _submit(page, "input[type=submit].default")


def test_a_listed_product_is_reviewed_capped_priced_and_published(
    browser, live_server, settings, tmp_path, department, department_member, department_admin,
    operator, operator_admin, reviewer, approver,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    qualify(operator, operator_admin, reviewer)
    entry = make_entry(department=department, actor=department_member, status="published",
                       reviewer=reviewer, title="全市中小学校学区信息")  # fmt: skip
    scenario = authorization_services.scenario_create(
        operator=operator, actor=operator_admin,
        data={"title": "学区查询服务", "sector": "education", "description": "学区查询",
              "expected_product": "学区查询小程序", "use": "industry"},
    )  # fmt: skip
    application = apply(operator, operator_admin, entry, scenario)
    authorization_services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    authorization_services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )
    now = timezone.now()
    authorization = authorization_services.application_approve(
        application=application, actor=approver, agreement=AGREEMENT,
        scope=scope(valid_from=now - timedelta(days=1)),
    )  # fmt: skip

    # The operator lists the product.
    operator_page = _page(browser, live_server, "op_admin")
    operator_page.goto("/operator/products/new/")
    operator_page.fill("#id_name", "学区查询接口")
    operator_page.fill("#id_description", "按地址返回所属学区，不返回学生明细。")
    operator_page.select_option("#id_kind", "data_service")
    operator_page.check(f"input[name=authorizations][value='{authorization.pk}']")
    operator_page.select_option("#id_scenario", str(scenario.pk))
    operator_page.select_option("#id_use", "industry")
    operator_page.select_option("#id_fee_form", "per_call")
    operator_page.fill("#id_unit", "次")
    _submit(operator_page, "#product-form [type=submit]")
    product = Product.objects.get()
    assert product.status == "submitted"

    # A reviewer records both reviews in the admin; the product is offered.
    reviewer_page = _page(browser, live_server, "reviewer", "/admin/login/")
    _review(reviewer_page, product, "security")
    _review(reviewer_page, product, "compliance")
    product.refresh_from_db()
    assert product.status == "offered"

    # An approver sets the cap.
    approver_page = _page(browser, live_server, "approver", "/admin/login/")
    approver_page.goto(f"/admin/products/product/{product.pk}/change/")
    _submit(approver_page, "a.decision-cap")
    approver_page.fill("#id_amount", "0.05")
    _submit(approver_page, "input[type=submit].default")
    assert product.cap_prices.get().amount == Decimal("0.05")

    # The operator's price above the cap is refused, naming it; one below it is taken.
    operator_page.goto(f"/operator/products/{product.pk}/")
    operator_page.fill("#id_amount", "0.06")
    _submit(operator_page, "#price-form [type=submit]")
    assert "0.05" in operator_page.locator("#price-form .field-error").inner_text()
    assert not ActualPrice.objects.exists()
    operator_page.fill("#id_amount", "0.045")
    _submit(operator_page, "#price-form [type=submit]")
    assert ActualPrice.objects.get().amount == Decimal("0.045")

    # The public price list shows the cap and the price.
    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto("/prices/")
    row = public.locator(f"#prices tr[data-product='{product.pk}']")
    assert row.locator(".cap").inner_text() == "¥0.05"
    assert row.locator(".price").inner_text().startswith("¥0.045")
