"""An upload whose row count differs from the live version's by more than half waits for the
department's confirmation before it goes live (a 5-row file once replaced 2,934 live rows)."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent, EventKind
from apps.core.errors import IllegalTransition, NotAllowed
from apps.datazone import services
from apps.datazone.choices import row_count_changes_much
from apps.datazone.models import DataVersion
from apps.notifications.models import Notification
from tests.datazone.conftest import csv_bytes, good_rows, load, table_of, tables


def page_url(entry) -> str:
    return reverse("datazone:versions", args=[entry.identifier])


def confirm_url(version) -> str:
    return reverse("datazone:confirm", args=[version.entry.identifier, version.number])


@pytest.fixture
def live(entry, tmp_path, department_member):
    return load(entry, csv_bytes(good_rows(40)), tmp_path=tmp_path, actor=department_member)


@pytest.fixture
def held(entry, tmp_path, department_member, live):
    return load(
        entry, csv_bytes(good_rows(5)), tmp_path=tmp_path, name="five.csv",
        actor=department_member,
    )  # fmt: skip


def status(version) -> str:
    return DataVersion.objects.get(pk=version.pk).status


@pytest.mark.parametrize(
    ("live_rows", "new_rows", "held"),
    [(40, 20, False), (40, 19, True), (40, 60, False), (40, 61, True), (None, 5, False),
     (0, 5, False), (2934, 5, True)],
)  # fmt: skip
def test_more_than_half_either_way_is_held(live_rows, new_rows, held):
    assert row_count_changes_much(live_rows=live_rows, new_rows=new_rows) is held


def test_a_much_smaller_upload_waits_and_the_live_version_stays_live(live, held):
    assert held.status == "held"
    assert not held.is_live
    assert status(live) == "live"
    assert table_of(held) in tables()  # loaded and ready: confirming needs no second load


def test_an_upload_of_a_similar_size_goes_live_at_once(entry, tmp_path, department_member, live):
    version = load(entry, csv_bytes(good_rows(30)), tmp_path=tmp_path, actor=department_member)
    assert version.status == "live"
    assert status(live) == "superseded"


def test_the_bureaus_own_loads_are_not_held(entry, tmp_path, live):
    assert load(entry, csv_bytes(good_rows(5)), tmp_path=tmp_path).status == "live"


def test_the_page_states_both_counts_and_asks_to_confirm(client, department_member, live, held):
    client.force_login(department_member)
    page = client.get(page_url(held.entry)).text
    assert 'id="held"' in page
    assert "版本 2 有 5 行；当前生效的版本 1 有 40 行" in page
    assert confirm_url(held) in page


def test_the_department_confirms_and_the_upload_goes_live(
    client, department_member, live, held, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url(held), {"decision": "confirm"})
    assert response.status_code == 302
    assert (status(held), status(live)) == ("live", "superseded")
    event = AuditEvent.objects.filter(kind=EventKind.DATA_VERSION_CHANGED).latest("pk")
    assert event.details["change"] == "live"
    assert event.details["number"] == held.number


def test_the_department_discards_and_the_rows_are_deleted(
    client, department_member, live, held, django_capture_on_commit_callbacks
):
    client.force_login(department_member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_url(held), {"decision": "discard"})
    assert (status(held), status(live)) == ("discarded", "live")
    assert table_of(held) not in tables()
    assert DataVersion.objects.get(pk=held.pk).file == ""
    event = AuditEvent.objects.filter(kind=EventKind.DATA_VERSION_CHANGED).latest("pk")
    assert event.details["change"] == "discarded"


def test_another_department_and_the_bureau_may_not_answer(
    client, other_department_member, reviewer, held
):
    client.force_login(other_department_member)
    assert client.post(confirm_url(held), {"decision": "confirm"}).status_code == 404
    client.force_login(reviewer)
    assert client.post(confirm_url(held), {"decision": "confirm"}).status_code == 403
    with pytest.raises(NotAllowed):
        services.data_version_confirm(version=held, actor=reviewer)
    assert status(held) == "held"


def test_confirming_needs_a_post(client, department_member, held):
    client.force_login(department_member)
    assert client.get(confirm_url(held)).status_code == 405


def test_only_a_held_upload_can_be_confirmed(client, department_member, live, held):
    services.data_version_confirm(version=held, actor=department_member)
    with pytest.raises(IllegalTransition):
        services.data_version_confirm(version=held, actor=department_member)
    client.force_login(department_member)
    response = client.post(confirm_url(live), {"decision": "discard"}, follow=True)
    assert "只有待确认的上传才能放弃" in response.text
    assert status(live) == "superseded"


def test_a_newer_upload_going_live_supersedes_the_held_one(
    entry, tmp_path, department_member, live, held
):
    newer = load(entry, csv_bytes(good_rows(38)), tmp_path=tmp_path, actor=department_member)
    assert newer.status == "live"
    assert (status(held), status(live)) == ("superseded", "superseded")


def test_the_department_is_told_that_an_upload_waits_for_its_confirmation(
    live, held, department_member, other_department_member, operator_member
):
    [told] = Notification.objects.filter(kind="upload_held")
    assert told.recipient == department_member
    assert (told.params["rows"], told.params["live"]) == ("5", "40")
    assert told.url == page_url(held.entry)
    for outsider in (other_department_member, operator_member):
        assert not Notification.objects.filter(recipient=outsider, kind="upload_held").exists()
