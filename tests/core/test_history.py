import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from apps.catalog.models import CatalogEntry
from apps.core.history import history_attribute, history_reason, system_reason
from tests.factories import make_entry


def test_it_records_the_user_and_the_reason_on_the_next_history_row(department, reviewer):
    entry = make_entry(department=department)
    history_attribute(entry, user=reviewer, reason="标题有误，已更正")
    entry.title = "更正后的标题"
    entry.save()

    record = entry.history.first()
    assert (record.title, record.history_user, record.history_change_reason) == (
        "更正后的标题",
        reviewer,
        "标题有误，已更正",
    )


def test_a_reason_the_system_writes_is_stored_language_neutral(department, reviewer):
    entry = make_entry(department=department)
    history_attribute(entry, user=reviewer, reason=gettext_lazy("edited"))
    entry.save()

    stored = entry.history.first().history_change_reason
    assert stored == "sys:edited"
    with translation.override("zh-hans"):
        assert history_reason(stored) == "编辑"
    with translation.override("en"):
        assert history_reason(stored) == "edited"


def test_no_user_records_no_author_and_no_reason_keeps_the_earlier_one(department, reviewer):
    entry = make_entry(department=department)
    history_attribute(entry, user=reviewer, reason="第一次更正")
    entry.save()
    history_attribute(entry, user=None)
    entry.save()

    record = entry.history.first()
    assert (record.history_user, record.history_change_reason) == (None, "第一次更正")


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-hans", "已被版本 3 替代"), ("en", "superseded by version 3")]
)
def test_a_system_reason_with_figures_is_shown_in_the_readers_language(department, language, shown):
    entry_reason = system_reason(gettext_noop("superseded by version %(number)s"), number=3)
    entry = make_entry(department=department)
    history_attribute(entry, user=None, reason=entry_reason)
    entry.save()
    stored = entry.history.first().history_change_reason
    assert stored == 'sys:superseded by version %(number)s|{"number":3}'
    with translation.override(language):
        assert history_reason(stored) == shown


def test_what_a_person_wrote_is_shown_as_written():
    with translation.override("en"):
        assert history_reason("标题有误，已更正") == "标题有误，已更正"
        assert history_reason(None) == ""


def test_the_admin_history_shows_the_systems_reasons_in_the_readers_language(
    client, department, department_member, reviewer
):
    entry = make_entry(department=department, actor=department_member)
    client.force_login(reviewer)
    url = reverse("admin:catalog_catalogentry_history", args=[entry.pk])
    page = client.get(url).text
    assert "创建" in page
    assert "意见" not in page  # the kind of change has its own heading
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        page = client.get(url).text
    assert "created" in page
    assert "创建" not in page


def test_the_migration_converts_the_reasons_already_written(department):
    migration = importlib.import_module(
        "apps.core.migrations.0001_history_reasons_language_neutral"
    )
    entry = make_entry(department=department)
    history = CatalogEntry.history.model
    rows = history.objects.filter(id=entry.pk)
    for reason in ("创建", "已被版本 3 替代", "submitted", "标题有误"):
        row = rows.first()
        row.pk = None
        row.history_change_reason = reason
        row.save()
    migration.convert(apps, None)
    stored = set(rows.values_list("history_change_reason", flat=True))
    assert {
        "sys:created",
        'sys:superseded by version %(number)s|{"number":3}',
        "sys:submitted",
        "标题有误",
    } <= stored


def test_an_audit_entrys_details_show_the_systems_reason_in_the_readers_language():
    from apps.core.admin_decisions import readable_json

    details = {"status": "live", "reason": 'sys:superseded by version %(number)s|{"number":3}'}
    with translation.override("en"):
        assert "superseded by version 3" in readable_json(details)
    with translation.override("zh-hans"):
        assert "已被版本 3 替代" in readable_json(details)
