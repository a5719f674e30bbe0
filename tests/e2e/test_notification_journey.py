"""A reviewer returns an entry in the admin (after the second factor); the department member sees
the header's count at 1, opens the notification and lands on the entry; the same message reached
a real SMTP server by email."""

import pytest
from django.core.management import call_command

from apps.catalog.models import CatalogEntry
from apps.twofactor.demo import demo_totp_code, give_demo_authenticator
from tests.conftest import PASSWORD
from tests.factories import make_entry
from tests.notifications.conftest import parts, smtp_server, subject  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _submit(page, form: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} [type=submit]")


def _log_in(page, username: str, path: str) -> None:
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    _submit(page, "#login-form" if "/admin/" in path else "main form")


def test_a_returned_entry_reaches_the_member_in_the_portal_and_by_email(
    browser,
    live_server,
    settings,
    smtp_server,  # noqa: F811 - the fixture imported above
    department,
    department_member,
    reviewer,
):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    settings.PORTAL_URL = live_server.url
    department_member.email = "dept_member@edu.example.cn"
    department_member.save()
    entry = make_entry(department=department, actor=department_member, status="submitted")
    give_demo_authenticator(reviewer)

    admin_page = browser.new_context(base_url=live_server.url).new_page()
    _log_in(admin_page, "reviewer", "/admin/login/")
    admin_page.fill("input[name=code]", demo_totp_code())
    _submit(admin_page, "#verify-form")
    admin_page.goto(f"/admin/catalog/catalogentry/{entry.pk}/change/")
    with admin_page.expect_navigation():
        admin_page.click("a.decision-return")
    admin_page.fill("textarea[name=reason]", "请补充字段说明")
    with admin_page.expect_navigation():
        admin_page.click("input[type=submit]")
    entry.refresh_from_db()
    assert entry.status == "returned"

    call_command("send_notifications", "--once")  # what the sender beside the server does

    member = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    _log_in(member, "dept_member", "/accounts/login/")
    assert member.locator("#notification-count").inner_text().startswith("1")
    with member.expect_navigation():
        member.click("#notification-bell")
    item = member.locator(".notification.unread").first
    assert f"目录条目 {entry.identifier} 已被退回" in item.inner_text()
    assert "请补充字段说明" in item.inner_text()
    with member.expect_navigation():
        item.locator("button").click()
    assert member.url.endswith(f"/departments/catalog/{entry.identifier}/")
    assert member.locator("#notification-count").count() == 0  # read now

    [message] = smtp_server.messages
    assert message["To"] == "dept_member@edu.example.cn"
    assert entry.identifier in subject(message)
    assert (
        f"{live_server.url}/departments/catalog/{entry.identifier}/" in parts(message)["text/plain"]
    )
    assert CatalogEntry.objects.get(pk=entry.pk).review_comment == "请补充字段说明"
