"""An operator applies, the department consents, a reviewer recommends and another approver
approves in the admin; the authorization appears on the public disclosure page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.authorizations.models import Application
from tests.authorizations.conftest import qualify
from tests.conftest import PASSWORD
from tests.factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


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


def test_an_application_becomes_a_disclosed_authorization(
    browser, live_server, settings, tmp_path, department, department_member,
    department_admin, operator, operator_admin, reviewer, approver,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    qualify(operator, operator_admin, reviewer)
    entry = make_entry(department=department, actor=department_member, status="published",
                       reviewer=reviewer, title="全市中小学校学区信息")  # fmt: skip

    # The operator describes a scenario and applies.
    operator_page = _page(browser, live_server, "op_admin")
    operator_page.goto("/operator/scenarios/new/")
    operator_page.fill("#id_title", "学区查询服务")
    operator_page.select_option("#id_sector", "education")
    operator_page.fill("#id_description", "为家长提供学区查询。")
    operator_page.fill("#id_expected_product", "学区查询小程序")
    operator_page.select_option("#id_use", "industry")
    _submit(operator_page, "form.submit-form [type=submit]")
    operator_page.goto(f"/operator/applications/new/?entry={entry.identifier}")
    operator_page.check("#requested-fields input[value=school_name]")
    operator_page.check("#requested-fields input[value=district]")
    operator_page.select_option("#id_scenario", label="学区查询服务")
    operator_page.fill("#id_purpose", "学区划分分析")
    today = timezone.localdate()
    operator_page.fill("#id_requested_from", today.isoformat())
    operator_page.fill("#id_requested_until", (today + timedelta(days=365)).isoformat())
    operator_page.fill("#id_expected_daily_calls", "1000")
    _submit(operator_page, "#application-form [type=submit]")
    application = Application.objects.filter(entry=entry).first()
    assert application is not None, operator_page.locator("main").inner_text()
    assert application.status == "submitted"

    # The providing department agrees.
    department_page = _page(browser, live_server, "dept_admin")
    department_page.goto(f"/departments/applications/{application.pk}/")
    department_page.check("input[name=decision][value=agree]")
    _submit(department_page, "form [type=submit].primary")
    application.refresh_from_db()
    assert application.status == "department_agreed"

    # A reviewer recommends, a different approver approves with the final scope.
    reviewer_page = _page(browser, live_server, "reviewer", "/admin/login/")
    reviewer_page.goto(f"/admin/authorizations/application/{application.pk}/change/")
    _submit(reviewer_page, "a.decision-recommend_approval")
    _submit(reviewer_page, "input[type=submit]")
    application.refresh_from_db()
    assert application.status == "recommended"

    approver_page = _page(browser, live_server, "approver", "/admin/login/")
    approver_page.goto(f"/admin/authorizations/application/{application.pk}/change/")
    _submit(approver_page, "a.decision-approve")
    approver_page.fill("#id_daily_row_quota", "5000")
    approver_page.select_option("#id_fee_basis", "per_row")
    approver_page.fill("#id_price", "0.01")
    approver_page.fill("#id_data_scope", "学校名称、所属区县")
    _submit(approver_page, "input[type=submit]")
    application.refresh_from_db()
    assert application.status == "approved", approver_page.locator(".errors").all_inner_texts()

    public_page = browser.new_context(base_url=live_server.url).new_page()
    public_page.goto("/disclosure/")
    assert public_page.get_by_text("全市中小学校学区信息").first.is_visible()
    assert public_page.get_by_text("学区查询服务").first.is_visible()
