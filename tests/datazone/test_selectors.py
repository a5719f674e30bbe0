"""The data zone's reads: a version's error report, and which entries have live rows."""

from apps.datazone import selectors
from tests.datazone.conftest import GOOD_ROW, csv_bytes, load
from tests.factories import make_entry


def test_a_failed_versions_errors_are_read_although_the_list_defers_them(entry, tmp_path):
    bad = [GOOD_ROW[0], GOOD_ROW[1], "十二", *GOOD_ROW[3:]]
    refused = load(entry, csv_bytes([GOOD_ROW, bad]), tmp_path=tmp_path)
    listed = selectors.data_versions_of_entry(entry=entry).get()
    assert "errors" in listed.get_deferred_fields()
    errors = selectors.data_version_errors(version=listed)
    assert errors == refused.errors
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(3, "quantity", "十二")]


def test_only_entries_with_a_live_version_have_live_data(
    entry, department, department_member, reviewer, tmp_path
):
    empty = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    load(entry, csv_bytes([GOOD_ROW]), tmp_path=tmp_path)
    assert selectors.entries_with_live_data(entry_ids=[entry.pk, empty.pk]) == {entry.pk}
    assert selectors.entries_with_live_data(entry_ids=[]) == set()
