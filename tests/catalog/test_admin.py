import pytest
from django.urls import reverse

from apps.catalog.choices import Status
from tests.factories import make_entry

CHANGELIST = reverse("admin:catalog_catalogentry_changelist")


@pytest.fixture
def submitted(department, department_member):
    return [
        make_entry(department=department, actor=department_member, status="submitted")
        for _ in range(3)
    ]


def _action(client, name, entries, **extra):
    data = {"action": name, "_selected_action": [e.pk for e in entries], **extra}
    return client.post(CHANGELIST, data)


def test_reviewer_publishes_in_bulk(client, reviewer, submitted):
    client.force_login(reviewer)
    response = _action(client, "publish_selected", submitted)
    assert response.status_code == 200  # the confirmation page asks for an optional comment
    response = _action(client, "publish_selected", submitted, apply="1", reason="")
    assert response.status_code == 302
    for entry in submitted:
        entry.refresh_from_db()
        assert entry.status == Status.PUBLISHED
        assert entry.history.first().history_user == reviewer


def test_bulk_return_needs_one_reason_for_all(client, reviewer, submitted):
    client.force_login(reviewer)
    response = _action(client, "return_selected", submitted, apply="1", reason="")
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert {e.status for e in submitted} == {"submitted"}
    _action(client, "return_selected", submitted, apply="1", reason="请补充更新频率说明")
    for entry in submitted:
        entry.refresh_from_db()
        assert (entry.status, entry.review_comment) == ("returned", "请补充更新频率说明")


def test_bulk_decision_reports_entries_it_cannot_move(
    client, reviewer, submitted, department, department_member
):
    draft = make_entry(department=department, actor=department_member)
    client.force_login(reviewer)
    response = _action(
        client, "reject_selected", [*submitted, draft], apply="1", reason="不符合要求"
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(draft.identifier in m for m in messages)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert all(
        e.status == "rejected" for e in [type(draft).objects.get(pk=s.pk) for s in submitted]
    )


def test_change_page_offers_the_moves_the_status_allows(client, approver, submitted):
    client.force_login(approver)
    response = client.get(reverse("admin:catalog_catalogentry_change", args=[submitted[0].pk]))
    assert response.status_code == 200
    assert [d["name"] for d in response.context["decisions"]] == ["publish", "return", "reject"]


def test_decision_from_the_change_page(client, reviewer, submitted):
    client.force_login(reviewer)
    url = reverse("admin:catalog_catalogentry_decide", args=[submitted[0].pk, "retire"])
    client.post(url, {"reason": "过时"})
    submitted[0].refresh_from_db()
    assert submitted[0].status == "submitted"  # retire is not a move from submitted
    url = reverse("admin:catalog_catalogentry_decide", args=[submitted[0].pk, "publish"])
    assert client.post(url, {"reason": ""}).status_code == 302
    submitted[0].refresh_from_db()
    assert submitted[0].status == "published"


def test_auditor_reads_but_cannot_decide(client, auditor, submitted):
    client.force_login(auditor)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["action_form"] is None  # no decision is offered
    change = client.get(reverse("admin:catalog_catalogentry_change", args=[submitted[0].pk]))
    assert change.context["decisions"] == []
    url = reverse("admin:catalog_catalogentry_decide", args=[submitted[0].pk, "publish"])
    assert client.post(url, {"reason": ""}).status_code == 403
    history = client.get(reverse("admin:catalog_catalogentry_history", args=[submitted[0].pk]))
    assert history.status_code == 200
    submitted[0].refresh_from_db()
    assert submitted[0].status == "submitted"


def test_departments_and_operators_have_no_admin(
    client, department_member, operator_admin, submitted
):
    for user in (department_member, operator_admin):
        client.force_login(user)
        assert client.get(CHANGELIST).status_code == 302


def test_changelist_queries_stay_constant(
    client, reviewer, department, department_member, django_assert_max_num_queries
):
    for _ in range(20):
        make_entry(department=department, actor=department_member, status="submitted")
    client.force_login(reviewer)
    with django_assert_max_num_queries(15):
        assert client.get(CHANGELIST).status_code == 200


def test_unknown_entry_or_decision_is_not_a_server_error(client, reviewer, submitted):
    client.force_login(reviewer)
    assert (
        client.get(
            reverse("admin:catalog_catalogentry_decide", args=["nope", "publish"])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("admin:catalog_catalogentry_decide", args=[submitted[0].pk, "burn"])
        ).status_code
        == 403
    )


def test_the_review_page_shows_what_the_department_wrote(
    client, reviewer, department, department_member
):
    from apps.catalog import services as catalog_services

    entry = make_entry(department=department, actor=department_member)
    catalog_services.catalog_entry_submit(
        entry=entry, actor=department_member, comment="已按意见补充字段说明。"
    )
    client.force_login(reviewer)
    page = client.get(reverse("admin:catalog_catalogentry_change", args=[entry.pk])).text
    assert "已按意见补充字段说明。" in page
    silent = make_entry(department=department, actor=department_member, status="submitted",
                   title="无留言条目")  # fmt: skip
    page = client.get(reverse("admin:catalog_catalogentry_change", args=[silent.pk])).text
    assert "field-submission_note" in page
    assert "已提交审核" not in page.split("field-submission_note")[1][:400]
