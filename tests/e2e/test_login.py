import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_a_department_member_logs_in_and_sees_the_home_page_in_both_languages(
    page, department_member
):
    _log_in(page, "dept_member")

    page.wait_for_url("**/")
    assert page.locator("h1").inner_text().startswith("欢迎")
    assert page.locator("#next-actions").get_by_text("查看我的单位").is_visible()
    assert page.get_by_role("link", name="我的单位", exact=True).is_visible()

    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert page.locator("#next-actions").get_by_text("See my organisation").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_wrong_password_shows_an_error_on_the_form(page, department_member):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "dept_member")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".errors").is_visible()
