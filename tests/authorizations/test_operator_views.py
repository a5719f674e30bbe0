"""Operator pages of authorization: who may, who may not, and what each page does."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.authorizations import services
from apps.authorizations.choices import ApplicationStatus, ReviewStatus
from apps.authorizations.models import Application, Qualification, QualificationType, Scenario
from apps.authorizations.selectors import QualificationGap
from tests.authorizations.conftest import AGREEMENT, apply, qualify, scope
from tests.factories import OperatorFactory, UserFactory, make_entry

PDF = b"%PDF-1.4 licence"
SCENARIO = {
    "title": "学区房智能推荐", "sector": "education", "description": "为家庭推荐学区",
    "expected_product": "学区查询服务", "use": "industry",
}  # fmt: skip


def _url(name: str, *args: object) -> str:
    return reverse(f"operator_authorizations:{name}", args=args)


def _levels(response) -> list[str]:
    return [message.level_tag for message in get_messages(response.wsgi_request)]


def assert_queries_do_not_grow(client, url: str, grow, django_assert_max_num_queries) -> None:
    """The page costs no more queries after ``grow()`` added rows than before."""
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    grow()
    with django_assert_max_num_queries(len(baseline)):
        assert client.get(url).status_code == 200


def new_scenario(operator, actor, title: str = "学区房智能推荐") -> Scenario:
    return services.scenario_create(
        operator=operator, actor=actor, data={**SCENARIO, "title": title}
    )


def grant(application, department_admin, reviewer, approver):
    """Take a submitted application through opinion, recommendation and approval."""
    services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )
    return services.application_approve(
        application=application, actor=approver, scope=scope(), agreement=AGREEMENT
    )


@pytest.fixture
def other_operator_member(db):
    return UserFactory(username="other_op", operator=OperatorFactory(), organisation_role="member")


@pytest.fixture
def application(qualified, operator_member, entry, scenario) -> Application:
    return apply(qualified, operator_member, entry, scenario)


@pytest.fixture
def qualification(operator, operator_member) -> Qualification:
    today = timezone.localdate()
    return services.qualification_submit(
        operator=operator, actor=operator_member,
        qualification_type=QualificationType.objects.filter(required=True).first(),
        number="NO-1", document=SimpleUploadedFile("licence.pdf", PDF),
        valid_from=today, valid_until=today + timedelta(days=365),
    )  # fmt: skip


def _application_data(entry, scenario, **overrides) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "entry": entry.identifier, "scenario": scenario.pk,
        "requested_fields": ["school_name", "district"], "purpose": "学区分析",
        "requested_from": today.isoformat(),
        "requested_until": (today + timedelta(days=365)).isoformat(),
        "expected_daily_calls": "1000",
    }  # fmt: skip
    data.update(overrides)
    return data


# Who may and who may not ---------------------------------------------------------------------

PAGES = [
    "qualifications", "qualification-create", "scenarios", "scenario-create", "applications",
    "application-create", "authorizations",
]  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_it_sends_anonymous_visitors_to_log_in(client, db, name):
    response = client.get(_url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_sends_anonymous_object_requests_to_log_in(client, application, qualification):
    for url in (
        _url("application-detail", application.pk),
        _url("qualification-document", qualification.pk),
    ):
        assert client.get(url).url.startswith(reverse("login"))
    assert client.post(_url("application-withdraw", application.pk)).status_code == 302
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["department_member", "outsider", "reviewer"])
def test_it_refuses_users_without_an_operator(client, request, application, qualification, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in PAGES:
        assert client.get(_url(name)).status_code == 403, name
    assert client.get(_url("application-detail", application.pk)).status_code == 403
    assert client.get(_url("qualification-document", qualification.pk)).status_code == 403
    assert client.post(_url("application-withdraw", application.pk)).status_code == 403
    assert client.post(_url("scenario-create"), SCENARIO).status_code == 403
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    assert Scenario.objects.count() == 1


def test_another_operators_objects_answer_404(
    client, other_operator_member, application, qualification
):
    client.force_login(other_operator_member)
    assert client.get(_url("application-detail", application.pk)).status_code == 404
    assert client.get(_url("qualification-document", qualification.pk)).status_code == 404
    assert client.post(_url("application-withdraw", application.pk)).status_code == 404
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_lists_show_only_the_operators_own_objects(
    client, other_operator_member, application, qualification
):
    client.force_login(other_operator_member)
    assert list(client.get(_url("applications")).context["applications"]) == []
    assert list(client.get(_url("scenarios")).context["scenarios"]) == []
    assert list(client.get(_url("qualifications")).context["qualifications"]) == []
    assert list(client.get(_url("authorizations")).context["authorizations"]) == []


# Qualifications ------------------------------------------------------------------------------


def test_it_lists_qualifications_and_says_the_operator_is_qualified(
    client, qualified, operator_admin
):
    client.force_login(operator_admin)
    response = client.get(_url("qualifications"))
    assert response.status_code == 200
    assert response.context["is_qualified"] is True
    assert response.context["gaps"] == []
    assert (
        len(response.context["qualifications"])
        == QualificationType.objects.filter(required=True).count()
    )


def test_it_says_which_required_types_are_missing_pending_or_expired(
    client, operator_member, qualification
):
    required = list(QualificationType.objects.filter(required=True))
    assert len(required) >= 2, "the migrations seed at least two required types"
    Qualification.objects.filter(pk=qualification.pk).update(status=ReviewStatus.APPROVED)
    client.force_login(operator_member)
    reasons = {gap.qualification_type: gap.reason for gap in _gaps(client)}
    assert qualification.qualification_type not in reasons
    assert set(reasons.values()) == {QualificationGap.MISSING}

    yesterday = timezone.localdate() - timedelta(days=1)
    Qualification.objects.filter(pk=qualification.pk).update(
        valid_from=yesterday - timedelta(days=30), valid_until=yesterday
    )
    reasons = {gap.qualification_type: gap.reason for gap in _gaps(client)}
    assert reasons[qualification.qualification_type] == QualificationGap.EXPIRED

    Qualification.objects.filter(pk=qualification.pk).update(
        status=ReviewStatus.PENDING, valid_until=yesterday + timedelta(days=30)
    )
    reasons = {gap.qualification_type: gap.reason for gap in _gaps(client)}
    assert reasons[qualification.qualification_type] == QualificationGap.PENDING


def _gaps(client) -> list[QualificationGap]:
    response = client.get(_url("qualifications"))
    assert response.context["is_qualified"] is False
    return response.context["gaps"]


def _qualification_post(document: SimpleUploadedFile, **overrides) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "qualification_type": QualificationType.objects.first().pk,
        "number": "91520100MA00000000",
        "document": document,
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return data


def test_it_submits_a_qualification_for_review(client, operator_member):
    client.force_login(operator_member)
    response = client.post(
        _url("qualification-create"), _qualification_post(SimpleUploadedFile("执照.pdf", PDF))
    )
    assert response.status_code == 302
    assert response.url == _url("qualifications")
    qualification = Qualification.objects.get()
    assert qualification.status == ReviewStatus.PENDING
    assert qualification.submitted_by == operator_member
    assert qualification.document.read() == PDF
    assert _levels(response) == ["success"]


def test_the_upload_page_shows_its_form(client, operator_member):
    client.force_login(operator_member)
    response = client.get(_url("qualification-create"))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("licence.exe", PDF, "invalid_extension"),
        ("licence.pdf", b"MZ not a pdf at all", "bad_content"),
        ("licence.pdf", PDF + b"x" * 2048, "too_large"),
    ],
)
def test_it_refuses_bad_documents_next_to_the_upload(
    client, operator_member, settings, name, content, code
):
    settings.DOCUMENT_MAX_BYTES = 1024
    client.force_login(operator_member)
    response = client.post(
        _url("qualification-create"), _qualification_post(SimpleUploadedFile(name, content))
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("document", code)
    assert not Qualification.objects.exists()


def test_it_shows_the_service_refusal_of_an_expired_qualification(client, operator_member):
    client.force_login(operator_member)
    long_ago = timezone.localdate() - timedelta(days=400)
    response = client.post(
        _url("qualification-create"),
        _qualification_post(
            SimpleUploadedFile("licence.pdf", PDF),
            valid_from=long_ago.isoformat(),
            valid_until=(long_ago + timedelta(days=30)).isoformat(),
        ),
    )
    assert response.status_code == 200
    assert "valid_until" in response.context["form"].errors
    assert not Qualification.objects.exists()


def test_members_download_their_operators_evidence(client, operator_admin, qualification):
    client.force_login(operator_admin)
    response = client.get(_url("qualification-document", qualification.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "licence" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_a_missing_evidence_file_answers_404(client, operator_member, qualification):
    qualification.document.storage.delete(qualification.document.name)
    client.force_login(operator_member)
    assert client.get(_url("qualification-document", qualification.pk)).status_code == 404


# Scenarios -----------------------------------------------------------------------------------


def test_it_creates_a_scenario(client, operator_member):
    client.force_login(operator_member)
    response = client.post(_url("scenario-create"), SCENARIO)
    assert response.status_code == 302
    assert response.url == _url("scenarios")
    scenario = Scenario.objects.get()
    assert (scenario.operator, scenario.created_by) == (operator_member.operator, operator_member)
    assert list(client.get(_url("scenarios")).context["scenarios"]) == [scenario]


def test_it_refuses_an_incomplete_scenario(client, operator_member):
    client.force_login(operator_member)
    response = client.post(_url("scenario-create"), {**SCENARIO, "title": "", "use": "gift"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "use"}
    assert not Scenario.objects.exists()


# Applications: the form ----------------------------------------------------------------------


def test_the_first_step_picks_the_entry(client, qualified, operator_member, entry, scenario):
    client.force_login(operator_member)
    response = client.get(_url("application-create"))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert list(response.context["pick"].fields["entry"].queryset) == [entry]
    assert response.context["is_qualified"] is True


def test_the_second_step_lists_the_entry_fields(
    client, qualified, operator_member, entry, scenario
):
    client.force_login(operator_member)
    response = client.get(_url("application-create"), {"entry": entry.identifier})
    form = response.context["form"]
    assert form.chosen_entry == entry
    assert [name for name, _ in form.fields["requested_fields"].choices] == [
        "school_name", "district", "students",
    ]  # fmt: skip
    assert b'type="checkbox"' in response.content
    assert b'name="requested_fields"' in response.content
    assert f'name="entry" value="{entry.identifier}"'.encode() in response.content


def test_the_first_step_keeps_the_renewal_when_another_entry_is_chosen(
    client, authorization, operator_member
):
    client.force_login(operator_member)
    response = client.get(_url("application-create"), {"renewal_of": authorization.pk})
    assert response.context["form"] is None
    assert f'name="renewal_of" value="{authorization.pk}"'.encode() in response.content


def test_the_first_step_says_why_an_open_entry_cannot_be_applied_for(
    client, operator_member, department, department_member, reviewer
):
    open_entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        openness="open",
    )  # fmt: skip
    client.force_login(operator_member)
    response = client.get(_url("application-create"), {"entry": open_entry.identifier})
    assert response.context["form"] is None
    assert "entry" in response.context["pick"].errors


def test_a_renewal_starts_from_the_authorization(client, authorization, operator_member, entry):
    client.force_login(operator_member)
    response = client.get(
        _url("application-create"),
        {"entry": entry.identifier, "renewal_of": authorization.pk},
    )
    form = response.context["form"]
    assert form.chosen_entry == entry
    assert form.initial["renewal_of"] == authorization.pk
    assert form.initial["scenario"] == authorization.scenario_id
    assert form.initial["requested_fields"] == authorization.allowed_fields


def test_it_submits_an_application(client, qualified, operator_member, entry, scenario):
    client.force_login(operator_member)
    response = client.post(_url("application-create"), _application_data(entry, scenario))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == _url("application-detail", application.pk)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.applicant == operator_member
    assert application.requested_fields == ["school_name", "district"]


def test_it_submits_a_renewal(client, authorization, operator_member, entry, scenario):
    client.force_login(operator_member)
    response = client.post(
        _url("application-create"),
        _application_data(entry, scenario, renewal_of=authorization.pk),
    )
    assert response.status_code == 302
    assert Application.objects.get(renewal_of=authorization).scenario == scenario


def _refusal(client, actor, data):
    client.force_login(actor)
    count = Application.objects.count()
    response = client.post(_url("application-create"), data)
    assert response.status_code == 200
    assert Application.objects.count() == count
    return response.context["form"]


def test_it_refuses_an_unqualified_operator(client, operator_member, entry, scenario):
    form = _refusal(client, operator_member, _application_data(entry, scenario))
    assert [error.code for error in form.non_field_errors().as_data()] == ["not_qualified"]


def test_it_refuses_an_entry_that_is_not_conditional(
    client, qualified, operator_member, scenario, department, department_member, reviewer
):
    open_entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        openness="open",
    )  # fmt: skip
    form = _refusal(client, operator_member, _application_data(open_entry, scenario))
    assert "entry" in form.errors
    assert not form.non_field_errors()


def test_it_refuses_an_entry_already_covered(
    client, authorization, operator_member, entry, scenario
):
    form = _refusal(client, operator_member, _application_data(entry, scenario))
    assert [error.code for error in form.non_field_errors().as_data()] == ["covered"]


def test_it_refuses_a_period_over_five_years(client, qualified, operator_member, entry, scenario):
    today = timezone.localdate()
    too_late = today.replace(year=today.year + 5) + timedelta(days=2)
    form = _refusal(
        client,
        operator_member,
        _application_data(entry, scenario, requested_until=too_late.isoformat()),
    )
    assert "requested_until" in form.errors
    assert not form.non_field_errors()


def test_it_refuses_a_start_in_the_past(client, qualified, operator_member, entry, scenario):
    yesterday = timezone.localdate() - timedelta(days=1)
    form = _refusal(
        client,
        operator_member,
        _application_data(entry, scenario, requested_from=yesterday.isoformat()),
    )
    assert "requested_from" in form.errors


def test_it_refuses_a_second_open_application(
    client, application, operator_member, entry, scenario
):
    form = _refusal(client, operator_member, _application_data(entry, scenario))
    assert [error.code for error in form.non_field_errors().as_data()] == ["pending"]


def test_it_refuses_a_renewal_of_another_entry(
    client, authorization, operator_member, scenario, department, department_member, reviewer
):
    other_entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer
    )
    form = _refusal(
        client,
        operator_member,
        _application_data(other_entry, scenario, renewal_of=authorization.pk),
    )
    assert "renewal_of" in form.errors


def test_it_refuses_fields_that_are_not_chosen(client, qualified, operator_member, entry, scenario):
    form = _refusal(
        client, operator_member, _application_data(entry, scenario, requested_fields=[])
    )
    assert form.has_error("requested_fields", "required")


# Applications: detail, withdrawal and history ------------------------------------------------


def test_the_detail_shows_status_scope_and_history(
    client, qualified, operator_member, entry, scenario
):
    client.force_login(operator_member)
    client.post(_url("application-create"), _application_data(entry, scenario))
    application = Application.objects.get()
    response = client.get(_url("application-detail", application.pk))
    assert response.status_code == 200
    assert response.context["application"] == application
    assert response.context["authorization"] is None
    assert response.context["can_withdraw"] is True
    history = list(response.context["history"])
    assert [record.history_user for record in history] == [operator_member]
    assert history[0].status == ApplicationStatus.SUBMITTED


def test_the_detail_shows_the_authorization_and_both_histories(
    client, authorization, operator_member, approver, department_admin, reviewer
):
    client.force_login(operator_member)
    response = client.get(_url("application-detail", authorization.application_id))
    assert response.context["authorization"] == authorization
    assert response.context["can_withdraw"] is False
    statuses = [record.status for record in response.context["history"]]
    assert statuses == [
        ApplicationStatus.APPROVED, ApplicationStatus.RECOMMENDED,
        ApplicationStatus.DEPARTMENT_AGREED, ApplicationStatus.SUBMITTED,
    ]  # fmt: skip
    users = [record.history_user for record in response.context["history"]]
    # The submission was made outside a request here; through the page it records the user.
    assert users[:3] == [approver, reviewer, department_admin]
    assert [r.history_user for r in response.context["authorization_history"]] == [approver]
    assert b'id="withdraw-form"' not in response.content


def test_the_detail_shows_the_row_filter(client, recommended, approver, operator_member):
    authorization = services.application_approve(
        application=recommended, actor=approver, agreement=AGREEMENT,
        scope=scope(row_filter=[{"field": "district", "op": "eq", "value": "南明区"},
                                {"field": "school_name", "op": "in", "value": ["一中", "二中"]}]),
    )  # fmt: skip
    client.force_login(operator_member)
    response = client.get(_url("application-detail", authorization.application_id))
    equals, one_of = response.context["row_filter"]
    assert equals == "district = 南明区"
    assert one_of.startswith("school_name ")
    assert one_of.endswith(" 一中, 二中")


def test_the_detail_costs_a_constant_number_of_queries(
    client, authorization, operator_member, django_assert_max_num_queries
):
    client.force_login(operator_member)
    url = _url("application-detail", authorization.application_id)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_it_withdraws_an_application(client, application, operator_admin):
    client.force_login(operator_admin)
    response = client.post(_url("application-withdraw", application.pk), {"reason": "改期"})
    assert response.status_code == 302
    assert response.url == _url("application-detail", application.pk)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    record = application.history.first()
    assert (record.history_user, record.history_change_reason) == (operator_admin, "改期")
    assert _levels(response) == ["success"]
    assert client.get(response.url).context["can_withdraw"] is False


def test_it_refuses_to_withdraw_a_decided_application(client, authorization, operator_member):
    client.force_login(operator_member)
    response = client.post(_url("application-withdraw", authorization.application_id))
    assert response.status_code == 302
    assert _levels(response) == ["error"]
    authorization.application.refresh_from_db()
    assert authorization.application.status == ApplicationStatus.APPROVED


def test_withdrawal_is_a_post(client, application, operator_member):
    client.force_login(operator_member)
    assert client.get(_url("application-withdraw", application.pk)).status_code == 405


# Authorizations ------------------------------------------------------------------------------


def test_it_lists_authorizations_with_a_renewal_link(client, authorization, operator_member):
    client.force_login(operator_member)
    response = client.get(_url("authorizations"))
    assert list(response.context["authorizations"]) == [authorization]
    renewal = f"{_url('application-create')}?entry={authorization.entry.identifier}&amp;renewal_of={authorization.pk}"
    assert renewal.encode() in response.content
    assert _url("application-detail", authorization.application_id).encode() in response.content


# Query counts --------------------------------------------------------------------------------


def test_list_pages_cost_a_constant_number_of_queries(
    client, qualified, operator_member, entry, department_admin, reviewer, approver,
    django_assert_max_num_queries,
):  # fmt: skip
    counter = iter(range(100))

    def grow() -> None:
        for _ in range(3):
            scenario = new_scenario(qualified, operator_member, f"场景{next(counter)}")
            grant(apply(qualified, operator_member, entry, scenario), department_admin,
                  reviewer, approver)  # fmt: skip
            apply(qualified, operator_member, entry, new_scenario(qualified, operator_member))
        qualify(qualified, operator_member, reviewer)

    grow()
    client.force_login(operator_member)
    for name in ("applications", "scenarios", "authorizations", "qualifications"):
        assert_queries_do_not_grow(client, _url(name), grow, django_assert_max_num_queries)
