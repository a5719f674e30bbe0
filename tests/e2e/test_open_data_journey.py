"""An anonymous visitor finds an open entry, previews it and downloads its CSV; an operator
member opens a conditional entry and applies for it from its page."""

import csv
import io

import pytest

from apps.organisations.models import Operator
from tests.conftest import PASSWORD
from tests.opendata.conftest import (
    ROWS,
    closed_entry,
    conditional_entry,
    loaded_open,
    open_entry,
)

__all__ = ["closed_entry", "conditional_entry", "loaded_open", "open_entry"]  # fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_visitor_downloads_an_open_entry_and_an_operator_applies_for_a_conditional_one(
    browser, live_server, loaded_open, conditional_entry, operator_member
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    visitor = context.new_page()
    visitor.goto("/catalog/?q=公共自行车")
    visitor.get_by_text(loaded_open.title).first.click()
    visitor.wait_for_url(f"**/catalog/{loaded_open.identifier}/")
    assert visitor.locator("#open-data-preview tbody tr").count() == 20
    # At phone width nothing pushes the page sideways: wide tables scroll in their own box.
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    with visitor.expect_download() as started:
        visitor.click("#open-data-downloads a:text-is('CSV')")
    download = started.value
    assert download.suggested_filename == f"{loaded_open.identifier}-v1.csv"
    with open(download.path(), "rb") as file:
        content = file.read()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel in China reads UTF-8 by
    assert b"\r" not in content  # lines end in LF
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["code", "district"]
    assert len(rows) == ROWS + 1
    context.close()

    # A full company name, as real operators have, in the signed-in header.
    Operator.objects.filter(pk=operator_member.operator_id).update(
        name="贵阳市大数据产业发展与公共数据运营有限责任公司"
    )
    operator = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    ).new_page()
    operator.goto("/accounts/login/")
    operator.fill("input[name=username]", operator_member.username)
    operator.fill("input[name=password]", PASSWORD)
    with operator.expect_navigation():
        operator.click("[type=submit]")
    operator.goto(f"/catalog/{conditional_entry.identifier}/")
    # Signed in, the header carries the user's name and organisation: it wraps on a phone.
    assert operator.evaluate("document.documentElement.scrollWidth") <= 390
    with operator.expect_navigation():
        operator.click("#apply-for-authorization")
    assert f"entry={conditional_entry.identifier}" in operator.url
    assert operator.get_by_text(conditional_entry.title).first.is_visible()
