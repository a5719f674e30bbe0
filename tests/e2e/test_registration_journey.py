"""A department registers an entry; a reviewer accepts it, reviews it and opens the notice; an
anonymous visitor objects; the reviewer dismisses the objection; after the notice (the clock is
moved) the entry is registered and its result lookup code answers on /registrations/lookup/."""

from datetime import date, timedelta

import pytest

from apps.registration import clock
from apps.registration.models import Objection, Registration, RegistrationApplication
from tests.conftest import PASSWORD
from tests.factories import make_entry

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PDF = {"name": "登记材料.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 journey"}


class Clock:
    day = date(2026, 6, 1)


@pytest.fixture
def moved_clock(monkeypatch) -> type[Clock]:
    # The live server runs in this process: the procedure reads the same clock.
    monkeypatch.setattr(clock, "today", lambda: Clock.day)
    return Clock


def _log_in(page, username: str, path: str = "/accounts/login/") -> None:
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("[type=submit]")


def _decide(page, url: str, decision: str, reason: str = "") -> None:
    page.goto(url)
    with page.expect_navigation():
        page.click(f"a.decision-{decision}")
    if reason:
        page.fill("textarea[name=reason]", reason)
    with page.expect_navigation():
        page.click("input[type=submit]")


def test_an_entry_is_registered_through_notice_and_objection(
    browser, live_server, moved_clock, department, department_member, reviewer
):
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        title="公交站点客流统计",
    )  # fmt: skip
    member = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    _log_in(member, "dept_member")
    member.goto("/departments/registrations/new/")
    member.select_option("#id_entry", str(entry.pk))
    member.select_option("#id_kind", "first")
    member.fill("#id_summary", "各公交站点的日均上车人次，按月更新。")
    member.set_input_files("#id_documents", PDF)
    with member.expect_navigation():
        member.click("#registration-form button[type=submit]")
    application = RegistrationApplication.objects.get()
    assert "2026-06-04" in member.inner_text("#application-due")

    staff = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    _log_in(staff, "reviewer", "/admin/login/")
    change = f"/admin/registration/registrationapplication/{application.pk}/change/"
    _decide(staff, change, "accept")
    _decide(staff, change, "open_notice")
    application.refresh_from_db()
    assert application.status == "in_notice"

    visitor = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    ).new_page()
    visitor.goto("/registrations/")
    notice = visitor.locator(f"#notice-{application.pk}")
    assert "各公交站点的日均上车人次" in notice.inner_text()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    notice.locator("summary").click()
    prefix = f"#id_objection-{application.pk}"
    visitor.fill(f"{prefix}-name", "李四")
    visitor.fill(f"{prefix}-contact", "13800000000")
    visitor.fill(f"{prefix}-reasons", "客流口径与公交集团公布的不一致。")
    with visitor.expect_navigation():
        notice.locator("button[type=submit]").click()
    assert "异议已收到" in visitor.inner_text(".messages")
    objection = Objection.objects.get()

    _decide(
        staff, f"/admin/registration/objection/{objection.pk}/change/", "dismiss",
        "客流口径与目录条目说明一致，异议不成立。",
    )  # fmt: skip
    application.refresh_from_db()
    assert application.status == "in_notice"

    Clock.day = application.notice_ends + timedelta(days=1)  # the notice period has run out
    _decide(staff, change, "conclude")
    registration = Registration.objects.get()

    visitor.goto("/registrations/lookup/")
    visitor.fill("#id_code", registration.lookup_code)
    with visitor.expect_navigation():
        visitor.click(".lookup-form button[type=submit]")
    assert registration.code in visitor.inner_text("#lookup-result")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
