from django.utils.translation import gettext_lazy

from apps.core.history import history_attribute
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


def test_it_stores_a_lazy_reason_as_text(department, reviewer):
    entry = make_entry(department=department)
    history_attribute(entry, user=reviewer, reason=gettext_lazy("edited"))
    entry.save()

    assert entry.history.first().history_change_reason == "编辑"


def test_no_user_records_no_author_and_no_reason_keeps_the_earlier_one(department, reviewer):
    entry = make_entry(department=department)
    history_attribute(entry, user=reviewer, reason="第一次更正")
    entry.save()
    history_attribute(entry, user=None)
    entry.save()

    record = entry.history.first()
    assert (record.history_user, record.history_change_reason) == (None, "第一次更正")
