"""An operator reports a month's revenue in the web form; a reviewer verifies it and settles the
month in the admin; the providing department sees its share record and the chart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.authorizations import services as authorization_services
from apps.revenue.models import RevenueReport, RevenueShareRecord, Settlement
from apps.revenue.money import current_period, period_label, previous_period
from tests.authorizations.conftest import AGREEMENT, apply, qualify, scope
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


def test_a_reported_month_becomes_the_departments_share(
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
        scope=scope(valid_from=now - timedelta(days=120), revenue_share_ratio=Decimal("0.3")),
    )  # fmt: skip
    month = period_label(previous_period(current_period()))

    # The operator reports last month's proceeds with the invoice attached.
    operator_page = _page(browser, live_server, "op_admin")
    operator_page.goto("/operator/revenue/new/")
    operator_page.select_option("#id_authorization", str(authorization.pk))
    operator_page.select_option("#id_period", month)
    operator_page.fill("#id_amount", "8888.88")
    operator_page.fill("#id_reference", "FP-2026-0001")
    operator_page.set_input_files(
        "#id_attachment",
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}],
    )
    _submit(operator_page, "#report-form [type=submit]")
    report = RevenueReport.objects.filter(authorization=authorization).first()
    assert report is not None, operator_page.locator("main").inner_text()
    assert report.status == "submitted" and report.attachment

    # A reviewer verifies it, then settles the month from the report list.
    reviewer_page = _page(browser, live_server, "reviewer", "/admin/login/")
    reviewer_page.goto(f"/admin/revenue/revenuereport/{report.pk}/change/")
    _submit(reviewer_page, "a.decision-verify")
    _submit(reviewer_page, "input[type=submit]")
    report.refresh_from_db()
    assert report.status == "verified"
    reviewer_page.goto("/admin/revenue/revenuereport/")
    reviewer_page.check(f"input[name=_selected_action][value='{report.pk}']")
    reviewer_page.select_option("select[name=action]", "settle_selected")
    _submit(reviewer_page, "button[name=index]")
    # Settling cannot be undone: a page first says what it will write.
    assert "8,888.88" in reviewer_page.locator("#settle-preview").inner_text()
    _submit(reviewer_page, "#confirm-settle")
    assert Settlement.objects.filter(period__isnull=False).count() == 1
    record = RevenueShareRecord.objects.get(report=report)
    assert record.share == Decimal("2666.66")  # 8888.88 × 0.3 = 2666.664, to the fen

    # The department sees its share record and the chart.
    department_page = _page(browser, live_server, "dept_member")
    department_page.goto("/departments/revenue/")
    assert department_page.locator("#share-records").get_by_text("¥2,666.66").first.is_visible()
    assert department_page.locator("#total-share").inner_text().endswith("¥2,666.66")
    assert department_page.locator("svg.usage-chart rect").count() >= 1
