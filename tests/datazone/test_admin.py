"""The bureau's view of versions in the admin, and the rollback it makes there."""

import pytest
from django.urls import reverse

from tests.datazone.conftest import csv_bytes, good_rows, load

CHANGELIST = reverse("admin:datazone_dataversion_changelist")


@pytest.fixture
def two_versions(entry, tmp_path):
    first = load(entry, csv_bytes(good_rows(2)), tmp_path=tmp_path)
    second = load(entry, csv_bytes(good_rows(4)), tmp_path=tmp_path, name="b.csv")
    first.refresh_from_db()
    return first, second


def rollback_url(version) -> str:
    return reverse("admin:datazone_dataversion_decide", args=[version.pk, "make_live"])


@pytest.mark.parametrize("persona", ["reviewer", "approver", "auditor"])
def test_bureau_staff_read_versions_and_their_history(client, request, two_versions, persona):
    client.force_login(request.getfixturevalue(persona))
    first, _second = two_versions
    assert client.get(CHANGELIST).status_code == 200
    assert (
        client.get(reverse("admin:datazone_dataversion_change", args=[first.pk])).status_code == 200
    )
    history = reverse("admin:datazone_dataversion_history", args=[first.pk])
    assert client.get(history).status_code == 200


def test_department_members_have_no_admin(client, two_versions, department_member):
    client.force_login(department_member)
    assert client.get(CHANGELIST).status_code == 302


def test_the_change_page_offers_the_rollback_to_those_who_may(
    client, two_versions, approver, auditor
):
    first, second = two_versions
    client.force_login(approver)
    assert (
        rollback_url(first).encode()
        in client.get(reverse("admin:datazone_dataversion_change", args=[first.pk])).content
    )
    assert (
        rollback_url(second).encode()
        not in client.get(reverse("admin:datazone_dataversion_change", args=[second.pk])).content
    )
    client.force_login(auditor)
    assert (
        rollback_url(first).encode()
        not in client.get(reverse("admin:datazone_dataversion_change", args=[first.pk])).content
    )


def test_an_approver_makes_a_version_live_again_with_a_reason(client, two_versions, approver):
    first, second = two_versions
    client.force_login(approver)
    page = client.get(rollback_url(first))
    assert page.status_code == 200
    assert page.context["objects"] == [first] and "reason" in page.context["form"].fields
    assert "v1" in page.content.decode() and "将成为其条目的当前生效版本" in page.content.decode()
    assert client.post(rollback_url(first), {"reason": ""}).status_code == 200  # asked again
    first.refresh_from_db()
    assert first.status == "superseded"
    response = client.post(rollback_url(first), {"reason": "第2版含错误数据"})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_live, second.status) == (True, "rolled_back")
    record = first.history.latest("history_date")
    assert (record.history_user, record.history_change_reason) == (approver, "第2版含错误数据")


def test_the_rollback_action_asks_for_a_reason_then_rolls_back(client, two_versions, reviewer):
    first, _second = two_versions
    client.force_login(reviewer)
    action = {"action": "make_live_selected", "_selected_action": [first.pk]}
    asked = client.post(CHANGELIST, action)
    assert asked.status_code == 200
    assert "form" in asked.context
    done = client.post(CHANGELIST, {**action, "apply": "1", "reason": "回退"})
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.is_live


def test_the_rollback_action_takes_one_version(client, two_versions, reviewer):
    client.force_login(reviewer)
    response = client.post(
        CHANGELIST,
        {
            "action": "make_live_selected",
            "_selected_action": [v.pk for v in two_versions],
            "apply": "1",
            "reason": "x",
        },
    )
    assert response.status_code == 302
    assert two_versions[1].__class__.objects.get(pk=two_versions[1].pk).is_live


def test_a_refused_rollback_is_reported(client, two_versions, approver):
    _first, second = two_versions
    client.force_login(approver)
    response = client.post(rollback_url(second), {"reason": "x"}, follow=True)
    assert [message.level_tag for message in response.context["messages"]] == ["error"]
    second.refresh_from_db()
    assert second.is_live


def test_auditors_cannot_roll_back(client, two_versions, auditor):
    first, _second = two_versions
    client.force_login(auditor)
    assert client.get(rollback_url(first)).status_code == 403
    response = client.post(
        CHANGELIST,
        {
            "action": "make_live_selected",
            "_selected_action": [first.pk],
            "apply": "1",
            "reason": "x",
        },
    )
    first.refresh_from_db()
    assert not first.is_live
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(
    ("language", "now", "after"),
    [("zh-hans", "当前生效", "回滚后生效"), ("en", "Live now", "Live after the rollback")],
)
def test_the_rollback_page_states_the_rows_before_and_after(
    client, entry, tmp_path, approver, language, now, after
):
    first = load(entry, csv_bytes(good_rows(1200)), tmp_path=tmp_path)
    load(entry, csv_bytes(good_rows(5)), tmp_path=tmp_path, name="b.csv")
    client.force_login(approver)
    client.cookies["django_language"] = language
    page = client.get(rollback_url(first)).context
    html = client.get(rollback_url(first)).content.decode()
    assert page["live"].number == 2
    figures = html[html.index('id="rollback-figures"') :]
    assert f'{now}</th><td>2</td><td class="num">5</td>' in figures
    assert f'{after}</th><td>1</td><td class="num">1,200</td>' in figures
