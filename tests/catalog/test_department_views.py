"""Department pages of the catalog: who may, who may not, and what each page does."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.catalog import services, views_department
from apps.catalog.models import CatalogEntry
from apps.core.errors import IllegalTransition
from tests.catalog.test_forms import form_data
from tests.factories import DEFAULT_FIELDS, make_entry


def _url(name: str, entry: CatalogEntry | None = None) -> str:
    args = [entry.identifier] if entry else []
    return reverse(f"department_catalog:{name}", args=args)


def _existing_rows(entry: CatalogEntry) -> list[dict[str, Any]]:
    """The rows the edit page shows for the entry's fields, as they come back when posted."""
    return [
        {
            "name": field.name,
            "label": field.label,
            "data_type": field.data_type,
            "sensitivity": field.sensitivity,
            "nullable": field.nullable,
            "filterable": field.filterable,
        }
        for field in entry.fields.all()
    ]


def _levels(response) -> list[str]:
    return [message.level_tag for message in get_messages(response.wsgi_request)]


@pytest.fixture
def draft(department, department_member) -> CatalogEntry:
    return make_entry(department=department, actor=department_member)


@pytest.fixture
def returned(department, department_member, reviewer) -> CatalogEntry:
    return make_entry(
        department=department, actor=department_member, status="returned", reviewer=reviewer
    )


# Who may and who may not


@pytest.mark.parametrize("name", ["list", "create", "detail", "edit"])
def test_it_sends_anonymous_visitors_to_log_in(client, draft, name):
    entry = None if name in ("list", "create") else draft
    response = client.get(_url(name, entry))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_sends_anonymous_submissions_to_log_in(client, draft):
    response = client.post(_url("submit", draft))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert CatalogEntry.objects.get(pk=draft.pk).status == "draft"


@pytest.mark.parametrize("persona", ["operator_member", "outsider", "reviewer"])
def test_it_refuses_users_without_a_department(client, request, draft, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url("list")).status_code == 403
    assert client.get(_url("create")).status_code == 403
    assert client.post(_url("create"), form_data()).status_code == 403
    assert client.get(_url("detail", draft)).status_code == 403
    assert client.get(_url("edit", draft)).status_code == 403
    assert client.post(_url("submit", draft)).status_code == 403
    assert CatalogEntry.objects.count() == 1


def test_it_hides_another_departments_entries(client, other_department_member, draft):
    client.force_login(other_department_member)
    assert client.get(_url("detail", draft)).status_code == 404
    assert client.get(_url("edit", draft)).status_code == 404
    assert client.post(_url("edit", draft), form_data(title="改")).status_code == 404
    assert client.post(_url("submit", draft)).status_code == 404
    assert CatalogEntry.objects.get(pk=draft.pk).status == "draft"
    assert list(client.get(_url("list")).context["entries"]) == []


def test_every_member_of_the_department_may_work_on_its_entries(client, department_admin, draft):
    client.force_login(department_admin)
    assert client.get(_url("detail", draft)).status_code == 200
    assert client.get(_url("edit", draft)).status_code == 200


# The list


def test_it_lists_the_departments_entries_only(
    client, department, department_member, other_department, reviewer, draft
):
    returned = make_entry(
        department=department, actor=department_member, status="returned", reviewer=reviewer
    )
    make_entry(department=other_department)
    client.force_login(department_member)
    response = client.get(_url("list"))
    assert response.status_code == 200
    assert set(response.context["entries"]) == {draft, returned}
    assert reverse("department_catalog:create") in response.text


def test_it_filters_the_list_by_status(client, department, department_member, reviewer, draft):
    returned = make_entry(
        department=department, actor=department_member, status="returned", reviewer=reviewer
    )
    client.force_login(department_member)
    assert list(client.get(_url("list"), {"status": "returned"}).context["entries"]) == [returned]
    assert list(client.get(_url("list"), {"status": "draft"}).context["entries"]) == [draft]
    assert len(client.get(_url("list"), {"status": "nonsense"}).context["entries"]) == 2


def test_it_pages_the_list(client, department, department_member, monkeypatch):
    monkeypatch.setattr(views_department, "ENTRIES_PER_PAGE", 2)
    for _ in range(3):
        make_entry(department=department, actor=department_member)
    client.force_login(department_member)
    first = client.get(_url("list"))
    second = client.get(_url("list"), {"page": 2})
    assert len(first.context["entries"]) == 2
    assert len(second.context["entries"]) == 1
    assert first.context["page"].paginator.num_pages == 2
    assert "page=2" in first.text


def test_the_list_runs_a_constant_number_of_queries(
    client, department, department_member, reviewer, django_assert_max_num_queries
):
    client.force_login(department_member)
    for size in (1, 8):
        while CatalogEntry.objects.count() < size:
            make_entry(
                department=department, actor=department_member, status="returned", reviewer=reviewer
            )
        # 5 for the page, 1 for the header's unread notifications count.
        with django_assert_max_num_queries(6):
            response = client.get(_url("list"))
        assert len(response.context["entries"]) == size


# Creating an entry


def test_the_new_entry_page_offers_blank_field_rows(client, department_member):
    client.force_login(department_member)
    response = client.get(_url("create"))
    assert response.status_code == 200
    assert len(response.context["editor"].fields.forms) == 3
    assert "fields-__prefix__-name" in response.text
    assert "js/formset.js" in response.text


def test_it_creates_a_draft_with_three_fields(client, department, department_member):
    client.force_login(department_member)
    response = client.post(_url("create"), form_data(blank_rows=2, keywords=["学校", "学段"]))
    entry = CatalogEntry.objects.get()
    assert response.status_code == 302
    assert response.url == _url("detail", entry)
    assert entry.department == department
    assert entry.created_by == department_member
    assert entry.status == "draft"
    assert entry.keywords == ["学校", "学段"]
    assert [field.name for field in entry.fields.all()] == [f["name"] for f in DEFAULT_FIELDS]
    assert entry.fields.get(name="students").nullable is False
    assert _levels(response) == ["success"]


def test_it_creates_and_submits_in_one_go(client, department_member):
    client.force_login(department_member)
    response = client.post(_url("create"), form_data(action="submit", comment="请审核"))
    entry = CatalogEntry.objects.get()
    assert response.url == _url("detail", entry)
    assert entry.status == "submitted"
    assert entry.history.first().history_change_reason == "请审核"


def test_a_refused_submission_keeps_the_saved_draft(client, department_member):
    client.force_login(department_member)
    response = client.post(_url("create"), form_data(fields=[], action="submit"))
    entry = CatalogEntry.objects.get()
    assert entry.status == "draft"
    assert response.url == _url("edit", entry)
    assert _levels(response) == ["error"]


@pytest.mark.parametrize("name", ["1bad", "select"])
def test_it_shows_a_bad_field_name_next_to_it(client, department_member, name):
    client.force_login(department_member)
    fields = [*DEFAULT_FIELDS, {"name": name, "label": "坏"}]
    response = client.post(_url("create"), form_data(fields=fields))
    assert response.status_code == 200
    assert "name" in response.context["editor"].fields.forms[3].errors
    assert 'class="field-cell col-name has-error"' in response.text
    assert not CatalogEntry.objects.exists()


def test_it_shows_repeated_field_names(client, department_member):
    client.force_login(department_member)
    fields = [*DEFAULT_FIELDS, {"name": "district", "label": "区"}]
    response = client.post(_url("create"), form_data(fields=fields))
    rows = response.context["editor"].fields.forms
    assert response.status_code == 200
    assert "name" in rows[1].errors
    assert "name" in rows[3].errors
    assert not CatalogEntry.objects.exists()


def test_it_shows_open_core_data_next_to_openness(client, department_member):
    client.force_login(department_member)
    response = client.post(_url("create"), form_data(grade="core", openness="open"))
    assert response.status_code == 200
    assert list(response.context["editor"].form.errors) == ["openness"]
    assert not CatalogEntry.objects.exists()


def test_it_shows_open_personal_data_next_to_openness(client, department_member):
    client.force_login(department_member)
    fields = [*DEFAULT_FIELDS, {"name": "pupil_id", "label": "学籍号", "sensitivity": "personal"}]
    response = client.post(_url("create"), form_data(fields=fields, openness="open"))
    assert response.status_code == 200
    assert list(response.context["editor"].form.errors) == ["openness"]
    assert not CatalogEntry.objects.exists()


def test_it_keeps_what_was_typed_when_refused(client, department_member):
    client.force_login(department_member)
    response = client.post(_url("create"), form_data(title="", keywords=["甲", "乙"]))
    form = response.context["editor"].form
    assert list(form.errors) == ["title"]
    assert 'value="甲、乙"' in response.text


# Editing an entry


def test_the_edit_page_shows_the_entry(client, department_member, draft):
    client.force_login(department_member)
    response = client.get(_url("edit", draft))
    editor = response.context["editor"]
    assert editor.form["title"].value() == draft.title
    assert [form["name"].value() for form in editor.fields.forms[:3]] == [
        f["name"] for f in DEFAULT_FIELDS
    ]
    assert len(editor.fields.forms) == 6


def test_it_edits_a_draft(client, department_member, draft):
    client.force_login(department_member)
    data = form_data(fields=_existing_rows(draft), initial=3, title="新标题")
    response = client.post(_url("edit", draft), data)
    draft.refresh_from_db()
    assert response.url == _url("detail", draft)
    assert draft.title == "新标题"
    assert draft.status == "draft"
    assert draft.history.first().history_user == department_member


def test_it_removes_and_reorders_fields(client, department_member, draft):
    client.force_login(department_member)
    rows = _existing_rows(draft)
    rows[0] |= {"ORDER": 3}
    rows[1] |= {"DELETE": True}
    rows[2] |= {"ORDER": 1}
    rows.append({"name": "stage", "label": "学段", "ORDER": 2})
    client.post(_url("edit", draft), form_data(fields=rows, initial=3))
    assert list(draft.fields.values_list("name", "position")) == [
        ("students", 0),
        ("stage", 1),
        ("school_name", 2),
    ]


def test_it_shows_a_refusal_of_the_service_above_the_form(
    client, department_member, draft, monkeypatch
):
    def refuse(**kwargs: Any) -> None:
        raise IllegalTransition("已被提交")

    monkeypatch.setattr(services, "catalog_entry_update", refuse)
    client.force_login(department_member)
    response = client.post(_url("edit", draft), form_data(fields=_existing_rows(draft), initial=3))
    assert response.status_code == 200
    assert response.context["editor"].form.non_field_errors() == ["已被提交"]


def test_it_shows_the_reviewers_comment_on_a_returned_entry(client, department_member, returned):
    client.force_login(department_member)
    response = client.get(_url("edit", returned))
    assert response.status_code == 200
    assert 'id="review-comment"' in response.text
    assert returned.review_comment == "理由"
    assert "理由" in response.text


def test_it_resubmits_a_returned_entry_with_a_response(client, department_member, returned):
    client.force_login(department_member)
    rows = _existing_rows(returned)
    data = form_data(fields=rows, initial=3, action="submit", comment="已补充说明", title="改后")
    response = client.post(_url("edit", returned), data)
    returned.refresh_from_db()
    assert response.url == _url("detail", returned)
    assert returned.status == "submitted"
    assert returned.title == "改后"
    assert returned.review_comment == "理由"  # the reviewer's comment stays
    assert returned.history.first().history_change_reason == "已补充说明"


@pytest.mark.parametrize("status", ["submitted", "published"])
def test_it_refuses_to_edit_an_entry_under_review_or_published(
    client, department, department_member, reviewer, status
):
    entry = make_entry(
        department=department, actor=department_member, status=status, reviewer=reviewer
    )
    client.force_login(department_member)
    data = form_data(fields=_existing_rows(entry), initial=3, title="改")
    for response in (
        client.get(_url("edit", entry), follow=True),
        client.post(_url("edit", entry), data, follow=True),
    ):
        assert response.redirect_chain == [(_url("detail", entry), 302)]
        assert [message.level_tag for message in response.context["messages"]] == ["error"]
    entry.refresh_from_db()
    assert entry.title != "改"


# Submitting


def test_it_submits_a_draft(client, department_member, draft):
    client.force_login(department_member)
    response = client.post(_url("submit", draft), {"comment": ""})
    draft.refresh_from_db()
    assert response.url == _url("detail", draft)
    assert draft.status == "submitted"
    assert _levels(response) == ["success"]


def test_it_resubmits_a_returned_entry(client, department_member, returned):
    client.force_login(department_member)
    client.post(_url("submit", returned), {"comment": "已修改"})
    returned.refresh_from_db()
    assert returned.status == "submitted"
    assert returned.history.first().history_change_reason == "已修改"


def test_it_explains_why_a_submission_is_refused(client, department, department_member):
    empty = make_entry(department=department, actor=department_member, fields=[])
    client.force_login(department_member)
    response = client.post(_url("submit", empty))
    assert response.url == _url("detail", empty)
    assert _levels(response) == ["error"]
    assert CatalogEntry.objects.get(pk=empty.pk).status == "draft"


def test_it_refuses_to_submit_twice(client, department, department_member):
    entry = make_entry(department=department, actor=department_member, status="submitted")
    client.force_login(department_member)
    response = client.post(_url("submit", entry))
    assert _levels(response) == ["error"]


def test_submitting_needs_a_post(client, department_member, draft):
    client.force_login(department_member)
    assert client.get(_url("submit", draft)).status_code == 405
    assert CatalogEntry.objects.get(pk=draft.pk).status == "draft"


# The detail page


def test_the_detail_page_offers_what_the_status_allows(
    client, department, department_member, reviewer, draft
):
    published = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    client.force_login(department_member)
    response = client.get(_url("detail", draft))
    assert response.context["can_submit"]
    assert _url("edit", draft) in response.text
    assert _url("submit", draft) in response.text
    response = client.get(_url("detail", published))
    assert not response.context["can_submit"]
    assert _url("edit", published) not in response.text
    assert _url("submit", published) not in response.text


def test_the_detail_page_shows_the_history(client, department_member, reviewer, returned):
    client.force_login(department_member)
    client.post(_url("submit", returned), {"comment": "已修改"})
    response = client.get(_url("detail", returned))
    history = list(response.context["history"])
    assert [record.status for record in history] == ["submitted", "returned", "submitted", "draft"]
    assert history[0].history_user == department_member
    assert history[0].history_change_reason == "已修改"
    assert history[1].history_user == reviewer
    field_history = list(response.context["field_history"])
    assert {record.name for record in field_history} == {f["name"] for f in DEFAULT_FIELDS}
    assert {record.history_type for record in field_history} == {"+"}
    assert "已修改" in response.text


def test_the_detail_page_shows_field_schema_changes(client, department_member, draft):
    client.force_login(department_member)
    rows = _existing_rows(draft)
    rows[1] |= {"DELETE": True}
    client.post(_url("edit", draft), form_data(fields=rows, initial=3))
    response = client.get(_url("detail", draft))
    latest = response.context["field_history"][0]
    assert (latest.name, latest.history_type) == ("district", "-")
    assert latest.history_user == department_member


def test_the_detail_page_runs_a_constant_number_of_queries(
    client, department, department_member, reviewer, django_assert_max_num_queries
):
    small = make_entry(department=department, actor=department_member, fields=DEFAULT_FIELDS[:1])
    big = make_entry(
        department=department, actor=department_member, status="returned", reviewer=reviewer
    )
    for _ in range(3):
        big = services.catalog_entry_submit(entry=big, actor=department_member)
        big = services.catalog_entry_return(entry=big, actor=reviewer, comment="再改")
    client.force_login(department_member)
    for entry in (small, big):
        # 7 for the page, 1 for the header's unread notifications count.
        with django_assert_max_num_queries(8):
            assert client.get(_url("detail", entry)).status_code == 200


def test_detail_links_to_the_data_versions(client, department, department_member, reviewer):
    entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    client.force_login(department_member)
    response = client.get(_url("detail", entry))
    assert reverse("datazone:versions", args=[entry.identifier]) in response.text
