"""Work queues in the browser: the department administrator sees the application waiting for its
opinion on the home page, gives it, and the count drops to 0; an approver who recommended an
application is told before any form that another approver must decide."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.authorizations.models import Application, Scenario
from tests.conftest import PASSWORD
from tests.factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _signed_in(browser, live_server, username: str, *, locale: str = "zh-CN", admin=False):
    page = browser.new_context(base_url=live_server.url, locale=locale).new_page()
    page.set_default_timeout(10_000)
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("[type=submit]")
    return page


def _application(department, department_member, operator_admin, reviewer, **fields):
    entry = make_entry(department=department, actor=department_member, status="published",
                       reviewer=reviewer, title="全市中小学校学区信息")  # fmt: skip
    scenario = Scenario.objects.create(
        operator=operator_admin.operator, title="学区查询服务", sector="education",
        description="为家长提供学区查询。", expected_product="学区查询小程序", use="industry",
        created_by=operator_admin,
    )  # fmt: skip
    today = timezone.localdate()
    return Application.objects.create(
        operator=operator_admin.operator, entry=entry, scenario=scenario,
        requested_fields=["school_name"], purpose="学区划分分析", requested_from=today,
        requested_until=today + timedelta(days=365), expected_daily_calls=1000,
        applicant=operator_admin, **fields,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "waiting", "none_left"),
    [
        ("zh-CN", "1 份申请待您出具意见", "0 份申请待您出具意见"),
        ("en-US", "1 application awaiting your opinion", "0 applications awaiting your opinion"),
    ],
)
def test_the_department_gives_the_waiting_opinion_from_its_home_page(
    browser, live_server, department, department_member, department_admin, operator_admin,
    reviewer, locale, waiting, none_left,
):  # fmt: skip
    application = _application(department, department_member, operator_admin, reviewer)
    page = _signed_in(browser, live_server, "dept_admin", locale=locale)
    if locale.startswith("en"):
        with page.expect_navigation():
            page.select_option("#language-select", "en")
    queue = page.locator('[data-queue="applications_awaiting_opinion"]')
    assert waiting in queue.inner_text()
    with page.expect_navigation():
        queue.locator("li a").first.click()
    assert page.url.endswith(f"/departments/applications/{application.pk}/")
    page.check("input[name=decision][value=agree]")
    with page.expect_navigation():
        page.click("form [type=submit].primary")
    application.refresh_from_db()
    assert application.status == "department_agreed"
    page.goto("/")
    assert none_left in page.locator('[data-queue="applications_awaiting_opinion"]').inner_text()


def test_the_approver_who_recommended_is_told_at_once_that_another_must_decide(
    browser, live_server, department, department_member, operator_admin, reviewer, approver
):
    application = _application(
        department, department_member, operator_admin, reviewer, status="recommended",
        recommendation="approve", recommended_by=approver, recommended_at=timezone.now(),
    )  # fmt: skip
    page = _signed_in(browser, live_server, "approver", admin=True)
    page.goto(f"/admin/authorizations/application/{application.pk}/change/")
    assert "另一名审批员" in page.locator(".decision-barrier").inner_text()
    page.goto(f"/admin/authorizations/application/{application.pk}/approve/")
    assert "另一名审批员" in page.locator(".decision-barrier").inner_text()
    assert page.locator("form input[name=fee_basis], form select[name=fee_basis]").count() == 0
