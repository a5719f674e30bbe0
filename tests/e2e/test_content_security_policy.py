"""Pages work under the Content-Security-Policy: no script or style is blocked."""

import pytest

from tests.conftest import PASSWORD
from tests.factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _violations(page) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return messages


def _log_in(page, username: str, path: str) -> None:
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("[type=submit]")


def test_public_pages_and_api_docs(browser, live_server, department, department_member, reviewer):
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    page = browser.new_context(base_url=live_server.url).new_page()
    violations = _violations(page)
    for path in ("/", "/catalog/", f"/catalog/{entry.identifier}/", "/disclosure/", "/scenarios/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.select_option("#language-select", "en")  # the language switch runs from portal.js
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)  # Swagger UI really rendered
    assert violations == []


def test_department_form_and_admin(browser, live_server, department, department_member, reviewer):
    entry = make_entry(department=department, actor=department_member, status="submitted")
    page = browser.new_context(base_url=live_server.url).new_page()
    violations = _violations(page)
    _log_in(page, "dept_member", "/accounts/login/")
    page.goto("/departments/catalog/new/")
    page.click("[data-formset-add]")  # formset.js adds a row
    assert page.locator("[data-formset-row]").count() == 4
    admin = browser.new_context(base_url=live_server.url).new_page()
    violations += _violations(admin)
    _log_in(admin, "reviewer", "/admin/login/")
    admin.goto(f"/admin/catalog/catalogentry/{entry.pk}/change/")
    admin.goto("/admin/catalog/catalogentry/")
    admin.wait_for_load_state("networkidle")
    assert violations == []
