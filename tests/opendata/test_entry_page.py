"""The entry page: the preview and downloads of an open entry, the way into a conditional one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.opendata.models import OpenDataUse
from tests.factories import UserFactory

from .conftest import OPEN_FIELDS, ROWS


def page(client, entry):
    return client.get(reverse("catalog:detail", args=[entry.identifier]))


def test_it_previews_the_first_20_rows_of_an_open_entry(client, loaded_open):
    response = page(client, loaded_open)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="open-data-preview"' in html
    assert "C020" in html and "C021" not in html
    head = html.split('id="open-data-preview"', 1)[1].split("</thead>", 1)[0]
    for field in OPEN_FIELDS:  # each column by its label, with the name programs use
        assert field["label"] in head and f'<code class="help">{field["name"]}</code>' in head
    assert f"<dd>{ROWS}</dd>" in html
    version = loaded_open.versions.get()
    assert version.sha256 in html
    for suffix in ("csv", "xlsx", "jsonl"):
        assert reverse(f"opendata:download-{suffix}", args=[loaded_open.identifier]) in html
    assert reverse("api-open-records", args=[loaded_open.identifier]) in html


def test_it_shows_uses_of_the_last_30_days(client, loaded_open):
    version = loaded_open.versions.get()
    now = timezone.now()
    for format, when in [("csv", now), ("jsonl", now), ("api_json", now),
                         ("csv", now - timedelta(days=31))]:  # fmt: skip
        OpenDataUse.objects.create(
            entry=loaded_open, version=version, format=format, rows=1, address_hash="x",
            used_at=when,
        )  # fmt: skip
    html = page(client, loaded_open).content.decode()
    assert "近 30 天：下载 2 次，开放接口调用 1 次。" in html


def test_it_offers_no_xlsx_above_what_a_sheet_holds(client, loaded_open, monkeypatch):
    from apps.opendata import selectors

    monkeypatch.setattr(selectors, "XLSX_MAX_ROWS", ROWS - 1)
    html = page(client, loaded_open).content.decode()
    assert reverse("opendata:download-xlsx", args=[loaded_open.identifier]) not in html
    assert "请下载 CSV 格式" in html


def test_an_open_entry_without_data_shows_metadata_only(client, open_entry):
    html = page(client, open_entry).content.decode()
    assert 'id="open-data"' not in html
    assert "download.csv" not in html


def test_a_closed_entry_shows_metadata_only(client, closed_entry):
    html = page(client, closed_entry).content.decode()
    assert 'id="open-data"' not in html and 'id="way-in"' not in html
    assert "C001" not in html


def test_an_operator_member_sees_apply_for_a_conditional_entry(
    client, conditional_entry, operator_member
):
    client.force_login(operator_member)
    html = page(client, conditional_entry).content.decode()
    url = reverse("operator_authorizations:application-create")
    assert f'href="{url}?entry={conditional_entry.identifier}"' in html
    assert "C001" not in html  # no row of a conditional entry is ever shown
    form = client.get(f"{url}?entry={conditional_entry.identifier}")
    assert form.status_code == 200
    assert conditional_entry.title in form.content.decode()


def test_an_operator_holding_an_authorization_sees_it_instead(
    client, grant, qualified, operator_member, conditional_entry
):
    authorization = grant(qualified, operator_member, conditional_entry)
    client.force_login(operator_member)
    html = page(client, conditional_entry).content.decode()
    assert f"第 {authorization.pk} 号授权" in html
    assert 'id="apply-for-authorization"' not in html


@pytest.mark.parametrize("who", ["anonymous", "department", "outsider"])
def test_anybody_else_reads_how_operators_qualify(
    client, conditional_entry, department_member, who
):
    if who == "department":
        client.force_login(department_member)
    elif who == "outsider":
        client.force_login(UserFactory(username="outsider_x"))
    html = page(client, conditional_entry).content.decode()
    assert 'id="way-in"' in html
    assert 'id="apply-for-authorization"' not in html
    assert "具备资质的运营主体" in html
