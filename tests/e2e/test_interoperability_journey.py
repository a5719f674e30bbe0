"""A harvester's operator reads how the catalog maps onto CKAN, follows the ODRL profile, and
opens an authorization's ODRL agreement from the disclosure page; on a phone, in both languages."""

import json

import pytest

from tests.authorizations.conftest import (
    AGREEMENT,
    entry,
    qualified,
    recommended,
    scenario,
    scope,
)

__all__ = ["entry", "qualified", "recommended", "scenario"]  # fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(("locale", "heading"), [("zh-CN", "面向其他目录的目录接口"),
                                                 ("en-US", "Catalog interfaces for other catalogs")])  # fmt: skip
def test_the_interfaces_read_on_a_phone(
    browser, live_server, recommended, approver, locale, heading
):
    from apps.authorizations import services

    services.application_approve(
        application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
    )
    language = "zh-hans" if locale == "zh-CN" else "en"
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale=locale,
        extra_http_headers={"Accept-Language": language},
    )  # fmt: skip
    page = context.new_page()
    page.goto("/catalog/")
    page.get_by_role("link", name="CKAN").click()
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("a[href='/policies/odrl/']").click()
    assert page.locator("#grantedFields").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/disclosure/")
    with page.expect_response(lambda response: response.url.endswith(".jsonld")) as info:
        page.locator("a[href$='.jsonld']").first.click()
    agreement = json.loads(info.value.body())
    assert "odrl:Agreement" in json.dumps(agreement)
    context.close()
