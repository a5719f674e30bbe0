"""The bureau's admin carries the portal's name and colours; decisions are primary buttons."""

from django.urls import reverse


def test_the_admin_carries_the_portals_name(client, reviewer):
    client.force_login(reviewer)
    text = client.get(reverse("admin:index")).text
    assert "市大数据管理局 · 公共数据授权运营平台" in text
    assert "Django" not in text.split("<body")[1]
    assert "css/admin.css" in text


def test_the_admin_login_page_too(client, db):
    text = client.get(reverse("admin:login")).text
    assert "公共数据授权运营平台" in text
    assert "Django 管理" not in text


def test_djangos_untranslated_strings_read_in_chinese(client, reviewer):
    from django.db.models.fields import BLANK_CHOICE_LABEL

    assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"
    client.force_login(reviewer)
    text = client.get(reverse("admin:catalog_catalogentry_changelist")).text
    assert "Filter by" not in text
    assert "date-hierarchy-label" in text
    assert "按提交时间筛选" in text
