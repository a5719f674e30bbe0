"""Department pages of authorization: applications for the department's own data, its opinion."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.authorizations import services
from apps.authorizations.choices import ApplicationStatus
from apps.authorizations.models import Application
from tests.authorizations.conftest import apply, qualify
from tests.authorizations.test_operator_views import assert_queries_do_not_grow, new_scenario
from tests.factories import OperatorFactory, UserFactory, make_entry

PERSONAL_FIELDS = [
    {"name": "school_name", "label": "学校名称", "data_type": "string"},
    {"name": "head_name", "label": "校长姓名", "data_type": "string", "sensitivity": "personal"},
]


def _url(name: str, *args: object) -> str:
    return reverse(f"department_authorizations:{name}", args=args)


def _levels(response) -> list[str]:
    return [message.level_tag for message in get_messages(response.wsgi_request)]


@pytest.fixture
def application(qualified, operator_member, entry, scenario) -> Application:
    return apply(qualified, operator_member, entry, scenario)


@pytest.fixture
def other_application(qualified, operator_member, other_department, reviewer) -> Application:
    """An application for another department's entry."""
    member = UserFactory(department=other_department, organisation_role="member")
    foreign_entry = make_entry(
        department=other_department, actor=member, status="published", reviewer=reviewer
    )
    return apply(
        qualified, operator_member, foreign_entry, new_scenario(qualified, operator_member)
    )


@pytest.fixture
def other_department_admin(other_department):
    return UserFactory(department=other_department, organisation_role="admin")


# Who may and who may not ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "authorizations"])
def test_it_sends_anonymous_visitors_to_log_in(client, db, name):
    response = client.get(_url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_sends_anonymous_opinions_to_log_in(client, application):
    assert client.get(_url("detail", application.pk)).url.startswith(reverse("login"))
    response = client.post(_url("opinion", application.pk), {"decision": "agree"})
    assert response.url.startswith(reverse("login"))
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["operator_member", "outsider", "approver"])
def test_it_refuses_users_without_a_department(client, request, application, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url("list")).status_code == 403
    assert client.get(_url("authorizations")).status_code == 403
    assert client.get(_url("detail", application.pk)).status_code == 403
    assert client.post(_url("opinion", application.pk), {"decision": "agree"}).status_code == 403
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["other_department_member", "other_department_admin"])
def test_another_departments_application_answers_404(client, request, application, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url("detail", application.pk)).status_code == 404
    assert client.post(_url("opinion", application.pk), {"decision": "agree"}).status_code == 404
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    assert list(client.get(_url("list")).context["applications"]) == []


def test_a_member_may_read_but_not_give_the_opinion(client, application, department_member):
    client.force_login(department_member)
    response = client.get(_url("detail", application.pk))
    assert response.status_code == 200
    assert response.context["may_give_opinion"] is False
    assert b'id="opinion-form"' not in response.content
    assert b'id="read-only"' in response.content
    response = client.post(_url("opinion", application.pk), {"decision": "agree"})
    assert response.status_code == 403
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


# The list ------------------------------------------------------------------------------------


def test_it_lists_applications_for_own_entries_awaiting_first(
    client, application, other_application, department_admin, reviewer, operator_member, entry
):
    opined = apply(
        application.operator, operator_member, entry,
        new_scenario(application.operator, operator_member, "第二个场景"),
    )  # fmt: skip
    services.application_department_opinion(application=opined, actor=department_admin, agree=True)
    newest = apply(
        application.operator, operator_member, entry,
        new_scenario(application.operator, operator_member, "第三个场景"),
    )  # fmt: skip
    client.force_login(department_admin)
    response = client.get(_url("list"))
    assert list(response.context["applications"]) == [newest, application, opined]
    assert response.context["may_give_opinion"] is True


def test_it_filters_the_list_by_status(client, application, department_member, department_admin):
    client.force_login(department_member)
    response = client.get(_url("list"), {"status": ApplicationStatus.DEPARTMENT_AGREED})
    assert list(response.context["applications"]) == []
    response = client.get(_url("list"), {"status": ApplicationStatus.SUBMITTED})
    assert list(response.context["applications"]) == [application]
    response = client.get(_url("list"), {"status": "nonsense"})
    assert list(response.context["applications"]) == [application]


# The detail and the opinion ------------------------------------------------------------------


def test_the_detail_shows_scenario_fields_and_history(
    client, qualified, operator_member, scenario, department, department_admin, reviewer
):
    personal = make_entry(
        department=department, actor=department_admin, status="published", reviewer=reviewer,
        fields=PERSONAL_FIELDS,
    )  # fmt: skip
    application = apply(
        qualified,
        operator_member,
        personal,
        scenario,
        requested_fields=["school_name", "head_name"],
    )
    client.force_login(department_admin)
    response = client.get(_url("detail", application.pk))
    assert response.status_code == 200
    rows = response.context["requested_fields"]
    assert [row["name"] for row in rows] == ["school_name", "head_name"]
    assert [row["field"].is_personal for row in rows] == [False, True]
    assert response.content.count(b"data-personal") == 1
    assert [record.status for record in response.context["history"]] == ["submitted"]
    assert response.context["may_give_opinion"] is True
    assert b'id="opinion-form"' in response.content


def test_the_admin_agrees(client, application, department_admin):
    client.force_login(department_admin)
    response = client.post(
        _url("opinion", application.pk), {"decision": "agree", "comment": "同意"}
    )
    assert response.status_code == 302
    assert response.url == _url("detail", application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DEPARTMENT_AGREED
    assert application.department_opinion_by == department_admin
    record = application.history.first()
    assert (record.history_user, record.history_change_reason) == (department_admin, "同意")
    assert _levels(response) == ["success"]
    response = client.get(response.url)
    assert b'id="opinion-form"' not in response.content


def test_disagreeing_needs_a_comment(client, application, department_admin):
    client.force_login(department_admin)
    response = client.post(_url("opinion", application.pk), {"decision": "disagree"})
    assert response.status_code == 200
    assert "comment" in response.context["opinion_form"].errors
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    response = client.post(
        _url("opinion", application.pk), {"decision": "disagree", "comment": "涉及未成年人"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DEPARTMENT_DISAGREED
    assert application.department_comment == "涉及未成年人"


def test_an_opinion_needs_a_decision(client, application, department_admin):
    client.force_login(department_admin)
    response = client.post(_url("opinion", application.pk), {"comment": "?"})
    assert response.status_code == 200
    assert "decision" in response.context["opinion_form"].errors


def test_an_opinion_is_given_once(client, application, department_admin):
    services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    client.force_login(department_admin)
    response = client.post(
        _url("opinion", application.pk), {"decision": "disagree", "comment": "改主意"}
    )
    assert response.status_code == 302
    assert _levels(response) == ["error"]
    assert Application.objects.get().status == ApplicationStatus.DEPARTMENT_AGREED


def test_the_opinion_is_a_post(client, application, department_admin):
    client.force_login(department_admin)
    assert client.get(_url("opinion", application.pk)).status_code == 405


# Authorizations ------------------------------------------------------------------------------


def test_it_lists_authorizations_on_own_entries(
    client, authorization, department_member, other_department_member
):
    client.force_login(department_member)
    response = client.get(_url("authorizations"))
    assert list(response.context["authorizations"]) == [authorization]
    assert _url("detail", authorization.application_id).encode() in response.content
    client.force_login(other_department_member)
    assert list(client.get(_url("authorizations")).context["authorizations"]) == []


# Query counts --------------------------------------------------------------------------------


def test_list_pages_cost_a_constant_number_of_queries(
    client, qualified, operator_member, entry, department_admin, reviewer, approver,
    django_assert_max_num_queries,
):  # fmt: skip
    from tests.authorizations.test_operator_views import grant

    second_member = UserFactory(operator=OperatorFactory(), organisation_role="member")
    second = second_member.operator
    qualify(second, second_member, reviewer)

    def grow() -> None:
        for operator, member in ((qualified, operator_member), (second, second_member)):
            for _ in range(2):
                apply(operator, member, entry, new_scenario(operator, member))
                application = apply(operator, member, entry, new_scenario(operator, member))
                grant(application, department_admin, reviewer, approver)

    grow()
    client.force_login(department_admin)
    for url in (_url("list"), _url("authorizations")):
        assert_queries_do_not_grow(client, url, grow, django_assert_max_num_queries)


def test_the_detail_costs_a_bounded_number_of_queries(
    client, authorization, department_admin, django_assert_max_num_queries
):
    client.force_login(department_admin)
    with django_assert_max_num_queries(10):
        assert client.get(_url("detail", authorization.application_id)).status_code == 200
