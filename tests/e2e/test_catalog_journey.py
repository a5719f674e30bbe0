"""A department member describes a dataset, a reviewer publishes it, the public finds it."""

import pytest

from apps.catalog.models import CatalogEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIELDS = [
    ("stop_id", "站点编号", "string"),
    ("stop_name", "站点名称", "string"),
    ("daily_boardings", "日均上车人次", "integer"),
]


def _log_in(page, username: str, path: str = "/accounts/login/") -> None:
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("[type=submit]")


def _describe_entry(page) -> None:
    page.goto("/departments/catalog/new/")
    page.fill("#id_title", "全市公交站点客流统计")
    page.fill("#id_description", "各公交站点的日均上车人次。")
    page.select_option("#id_sector", "transport")
    page.fill("#id_keywords", "公交、客流")
    page.select_option("#id_update_frequency", "monthly")
    page.fill("#id_contact_name", "王工")
    page.select_option("#id_grade", "general")
    page.select_option("#id_openness", "conditional")
    for index, (name, label, data_type) in enumerate(FIELDS):
        page.fill(f"#id_fields-{index}-name", name)
        page.fill(f"#id_fields-{index}-label", label)
        page.select_option(f"#id_fields-{index}-data_type", data_type)
    with page.expect_navigation():
        page.click("button[value=submit]")


def test_an_entry_goes_from_a_department_form_to_the_public_catalog(
    browser, live_server, department_member, reviewer
):
    department_page = browser.new_context(base_url=live_server.url).new_page()
    _log_in(department_page, "dept_member")
    _describe_entry(department_page)
    entry = CatalogEntry.objects.get(title="全市公交站点客流统计")
    assert entry.status == "submitted"
    assert list(entry.fields.values_list("name", flat=True)) == [name for name, *_ in FIELDS]

    admin_page = browser.new_context(base_url=live_server.url).new_page()
    _log_in(admin_page, "reviewer", "/admin/login/")
    admin_page.goto(f"/admin/catalog/catalogentry/{entry.pk}/change/")
    with admin_page.expect_navigation():
        admin_page.click("a.decision-publish")
    with admin_page.expect_navigation():
        admin_page.click("input[type=submit]")
    entry.refresh_from_db()
    assert entry.status == "published"

    public_page = browser.new_context(base_url=live_server.url).new_page()
    public_page.goto("/catalog/?q=站点客流")
    assert public_page.get_by_text("全市公交站点客流统计").first.is_visible()
    public_page.goto(f"/catalog/{entry.identifier}/")
    assert public_page.get_by_text("daily_boardings").first.is_visible()
