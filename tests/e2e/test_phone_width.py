"""At 390 px (a phone) every main page of every role fits the screen: no page is wider than the
screen (wide tables scroll inside their own box), and the menu button opens the navigation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.authorizations import services
from apps.core.navigation import navigation_for
from tests.authorizations.conftest import AGREEMENT, apply, qualify, scope
from tests.conftest import PASSWORD
from tests.factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def data(settings, tmp_path, department, department_member, department_admin, operator,
         operator_admin, reviewer, approver):  # fmt: skip
    """A published entry with a long title, an authorization in force, an application waiting."""
    settings.MEDIA_ROOT = tmp_path
    qualify(operator, operator_admin, reviewer)
    entry = make_entry(department=department, actor=department_member, status="published",
                       reviewer=reviewer, title="全市中小学校学区划分及招生范围基本信息汇总表")  # fmt: skip
    scenario = services.scenario_create(
        operator=operator, actor=operator_admin,
        data={"title": "学区查询服务", "sector": "education", "description": "为家长提供学区查询。",
              "expected_product": "学区查询小程序", "use": "industry"},
    )  # fmt: skip
    application = apply(operator, operator_admin, entry, scenario)
    services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )
    services.application_approve(
        application=application, actor=approver, scope=scope(), agreement=AGREEMENT
    )
    second = make_entry(department=department, actor=department_member, status="published",
                        reviewer=reviewer, title="中小学生学籍信息")  # fmt: skip
    apply(operator, operator_admin, second, scenario,
          requested_until=timezone.localdate() + timedelta(days=100))  # fmt: skip


def _phone(browser, live_server, username: str | None):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    if username:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("[type=submit]")
    return page


def _too_wide(page, path: str) -> str | None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    width = page.evaluate("document.documentElement.scrollWidth")
    return f"{path}: {width} px" if width > PHONE["width"] else None


@pytest.mark.parametrize(
    "persona", [None, "reviewer", "approver", "department_admin", "department_member",
                "operator_admin"],
)  # fmt: skip
def test_every_main_page_of_every_role_fits_a_phone(browser, live_server, data, request, persona):
    user = request.getfixturevalue(persona) if persona else None
    pages = ["/", "/catalog/?q=教育", *(link.url for link in navigation_for(user))]
    page = _phone(browser, live_server, user.username if user else None)
    too_wide = [problem for path in dict.fromkeys(pages) if (problem := _too_wide(page, path))]
    assert not too_wide


def test_the_operator_home_has_a_menu_that_opens(browser, live_server, data):
    page = _phone(browser, live_server, "op_admin")
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    navigation = page.locator(".main-nav")
    assert not navigation.is_visible()
    page.click("#menu-button")
    assert navigation.is_visible()
    assert page.locator("#menu-button").get_attribute("aria-expanded") == "true"
    assert page.get_by_role("button", name="退出登录").is_visible()


def test_the_catalog_shows_results_first_and_folds_its_filters(browser, live_server, data):
    page = _phone(browser, live_server, None)
    page.goto("/catalog/")
    facets = page.locator("aside.facets")
    assert not facets.is_visible()
    results = page.locator(".catalog-results").bounding_box()
    assert results is not None and results["y"] < 900
    page.click("label.facets-button")
    assert facets.is_visible()
