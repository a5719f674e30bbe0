"""The bureau's admin: reviewers recommend, other approvers decide, auditors only read."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_perms

from apps.authorizations import services
from apps.authorizations.choices import ApplicationStatus, AuthorizationStatus, ReviewStatus
from apps.authorizations.models import (
    Application,
    Authorization,
    Qualification,
    QualificationType,
)
from tests.authorizations.conftest import apply, qualify
from tests.authorizations.test_public_views import People, grant
from tests.factories import OperatorFactory, UserFactory

APPLICATIONS = reverse("admin:authorizations_application_changelist")
AUTHORIZATIONS = reverse("admin:authorizations_authorization_changelist")
QUALIFICATIONS = reverse("admin:authorizations_qualification_changelist")
CHANGELISTS = [
    APPLICATIONS,
    AUTHORIZATIONS,
    QUALIFICATIONS,
    reverse("admin:authorizations_qualificationtype_changelist"),
    reverse("admin:authorizations_scenario_changelist"),
    reverse("admin:authorizations_agreement_changelist"),
]


def _action(client, changelist, name, objects, **extra):
    data = {"action": name, "_selected_action": [o.pk for o in objects], **extra}
    return client.post(changelist, data)


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def _has_perm(authorization) -> bool:
    return "query_catalogentry" in get_perms(authorization.operator.group, authorization.entry)


def _when(moment) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {"0": local.strftime("%Y-%m-%d"), "1": local.strftime("%H:%M:%S")}


def _scope_data(**overrides) -> dict[str, str]:
    now = timezone.now()
    start, end = _when(now - timedelta(minutes=5)), _when(now + timedelta(days=365))
    data = {
        "valid_from_0": start["0"], "valid_from_1": start["1"],
        "valid_until_0": end["0"], "valid_until_1": end["1"],
        "daily_row_quota": "10000", "fee_basis": "per_row", "price": "0.01",
        "revenue_share_ratio": "0.3000", "number": "GY-2026-009", "data_scope": "学校基本信息",
        "product_list": "学区查询服务", "security_review_done": "on",
        "compliance_review_done": "on", "revenue_distribution": "按季度结算",
        "disclosure_duties": "", "exit_and_renewal": "", "reason": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def _approve_data(*conditions, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        **_scope_data(), "allowed_fields": ["school_name", "district"],
        "row_filter-TOTAL_FORMS": "3", "row_filter-INITIAL_FORMS": "0",
        "row_filter-MIN_NUM_FORMS": "0", "row_filter-MAX_NUM_FORMS": "10",
    }  # fmt: skip
    for number, (field, op, value) in enumerate(conditions):
        data.update(
            {
                f"row_filter-{number}-field": field,
                f"row_filter-{number}-op": op,
                f"row_filter-{number}-value": value,
            }
        )
    data.update(overrides)
    return data


def _approve_url(application) -> str:
    return reverse("admin:authorizations_application_approve", args=[application.pk])


def _decide_url(model: str, obj, decision: str) -> str:
    return reverse(f"admin:authorizations_{model}_decide", args=[obj.pk, decision])


@pytest.fixture
def agreed(qualified, operator_member, entry, scenario, department_admin):
    application = apply(qualified, operator_member, entry, scenario)
    return services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )


@pytest.fixture
def people(qualified, operator_member, entry, department_admin, reviewer, approver):
    return People(
        operator=qualified, member=operator_member, entry=entry,
        department_admin=department_admin, reviewer=reviewer, approver=approver,
    )  # fmt: skip


def _recommended(people, requested_fields=("school_name", "district")):
    scenario = services.scenario_create(
        operator=people.operator, actor=people.member,
        data={"title": f"场景-{len(requested_fields)}-{Application.objects.count()}",
              "sector": "education", "description": "说明", "expected_product": "服务",
              "use": "industry"},
    )  # fmt: skip
    application = apply(
        people.operator, people.member, people.entry, scenario,
        requested_fields=list(requested_fields),
    )  # fmt: skip
    services.application_department_opinion(
        application=application, actor=people.department_admin, agree=True
    )
    return services.application_recommend(
        application=application, actor=people.reviewer, recommendation="approve"
    )


# Applications: recommend, then approve with the full scope --------------------------------------


def test_reviewer_recommends_and_another_approver_approves_with_the_full_scope(
    client, agreed, reviewer, approver, auditor
):
    client.force_login(reviewer)
    response = _action(client, APPLICATIONS, "recommend_approval_selected", [agreed], apply="1")
    assert response.status_code == 302
    agreed.refresh_from_db()
    assert (agreed.status, agreed.recommended_by) == (ApplicationStatus.RECOMMENDED, reviewer)

    client.force_login(approver)
    page = client.get(_approve_url(agreed))
    assert page.status_code == 200
    assert page.context["form"].initial["allowed_fields"] == ["school_name", "district"]
    document = SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 signed", "application/pdf")
    data = _approve_data(
        ("district", "in", "南明区，云岩区"), ("students", "gte", "100"), document=document
    )
    response = client.post(_approve_url(agreed), data)

    authorization = Authorization.objects.get(application=agreed)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:authorizations_authorization_change", args=[authorization.pk]
    )
    assert authorization.row_filter == [
        {"field": "district", "op": "in", "value": ["南明区", "云岩区"]},
        {"field": "students", "op": "gte", "value": 100},
    ]
    assert authorization.fee_basis == "per_row"
    assert authorization.history.first().history_user == approver
    assert authorization.agreement.security_review_done
    assert _has_perm(authorization)

    client.force_login(auditor)
    download = client.get(
        reverse("admin:authorizations_agreement_document", args=[authorization.agreement.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 signed"


def test_the_recommending_reviewer_cannot_also_approve(client, recommended, reviewer, approver):
    reviewer.groups.add(Group.objects.get(name="approver"))
    client.force_login(reviewer)

    response = client.post(_approve_url(recommended), _approve_data())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Authorization.objects.exists()
    response = _action(client, APPLICATIONS, "approve_selected", [recommended],
                       apply="1", **_scope_data())  # fmt: skip
    assert any(f"#{recommended.pk}" in m for m in _messages(response))
    assert not Authorization.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "conditions", "field"),
    [
        ({"price": "0"}, [], "price"),
        ({"allowed_fields": []}, [], "allowed_fields"),
        ({"valid_until_0": "2099-01-01"}, [], "valid_until"),
        ({"data_scope": ""}, [], "data_scope"),
    ],
)
def test_approval_errors_are_shown_on_the_form(
    client, recommended, approver, overrides, conditions, field
):
    client.force_login(approver)
    response = client.post(_approve_url(recommended), _approve_data(*conditions, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Authorization.objects.exists()


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        (("district", "", "南明区"), "op"),
        (("", "eq", "南明区"), "field"),
        (("district", "eq", ""), "value"),
        (("students", "gt", "many"), "value"),
    ],
)
def test_row_filter_errors_are_shown(client, recommended, approver, condition, field):
    client.force_login(approver)
    response = client.post(_approve_url(recommended), _approve_data(condition))
    assert response.status_code == 200
    assert response.context["row_filter"].forms[0].errors[field]
    assert not Authorization.objects.exists()


def test_a_refused_approval_of_a_public_interest_scenario_names_the_field(
    client, recommended, approver
):
    recommended.scenario.use = "public_interest"
    recommended.scenario.save()
    client.force_login(approver)
    response = client.post(_approve_url(recommended), _approve_data())
    assert response.context["form"].errors["fee_basis"]
    response = client.post(_approve_url(recommended), _approve_data(fee_basis="free", price="0"))
    assert response.status_code == 302
    assert Authorization.objects.get().fee_basis == "free"


def test_bulk_approval_asks_one_scope_and_keeps_each_applications_fields(
    client, people, agreed, approver
):
    first = _recommended(people)
    second = _recommended(people, requested_fields=("school_name",))
    client.force_login(approver)
    asked = _action(client, APPLICATIONS, "approve_selected", [first, second, agreed])
    assert asked.status_code == 200
    assert not asked.context["form"].is_bound

    response = _action(client, APPLICATIONS, "approve_selected", [first, second, agreed],
                       apply="1", **_scope_data(reason="批量审批"))  # fmt: skip

    assert response.status_code == 302
    granted = {a.application_id: a for a in Authorization.objects.all()}
    assert set(granted) == {first.pk, second.pk}
    assert granted[first.pk].allowed_fields == ["school_name", "district"]
    assert granted[second.pk].allowed_fields == ["school_name"]
    assert all(_has_perm(a) for a in granted.values())
    assert Application.objects.get(pk=first.pk).decision_reason == "批量审批"
    refused = [m for m in _messages(response) if m.startswith(f"#{agreed.pk}:")]
    assert len(refused) == 1


def test_bulk_approval_form_errors_keep_the_selection(client, recommended, approver):
    client.force_login(approver)
    response = _action(client, APPLICATIONS, "approve_selected", [recommended],
                       apply="1", **_scope_data(daily_row_quota=""))  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["daily_row_quota"]
    assert response.context["objects"] == [recommended]
    assert not Authorization.objects.exists()


def test_bulk_rejection_needs_one_reason_for_all_and_reports_refusals(
    client, people, agreed, approver
):
    first, second = _recommended(people), _recommended(people)
    client.force_login(approver)
    response = _action(client, APPLICATIONS, "reject_selected", [first, second], apply="1",
                       reason="")  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]

    response = _action(client, APPLICATIONS, "reject_selected", [first, second, agreed],
                       apply="1", reason="数据用途不明确")  # fmt: skip

    for application in (first, second):
        application.refresh_from_db()
        assert (application.status, application.decision_reason) == ("rejected", "数据用途不明确")
        assert application.decided_by == approver
    agreed.refresh_from_db()
    assert agreed.status == ApplicationStatus.DEPARTMENT_AGREED
    assert any(m.startswith(f"#{agreed.pk}:") for m in _messages(response))


def test_recommending_rejection_needs_a_comment(client, agreed, reviewer):
    client.force_login(reviewer)
    response = _action(client, APPLICATIONS, "recommend_rejection_selected", [agreed],
                       apply="1", reason="")  # fmt: skip
    assert response.context["form"].errors["reason"]
    _action(client, APPLICATIONS, "recommend_rejection_selected", [agreed], apply="1",
            reason="场景与数据不匹配")  # fmt: skip
    agreed.refresh_from_db()
    assert (agreed.status, agreed.recommendation) == ("recommended", "reject")
    assert agreed.recommendation_comment == "场景与数据不匹配"


def test_each_role_is_offered_its_own_actions(client, agreed, reviewer, approver):
    def offered(user) -> set[str]:
        client.force_login(user)
        choices = client.get(APPLICATIONS).context["action_form"].fields["action"].choices
        return {name for name, _label in choices if name}

    assert offered(reviewer) == {"recommend_approval_selected", "recommend_rejection_selected"}
    assert offered(approver) == {"reject_selected", "approve_selected"}
    client.force_login(reviewer)
    assert client.get(_approve_url(agreed)).status_code == 403


def test_change_page_offers_the_moves_the_status_and_role_allow(
    client, agreed, people, reviewer, approver
):
    recommended = _recommended(people)
    change = "admin:authorizations_application_change"

    def names(user, application) -> list[str]:
        client.force_login(user)
        response = client.get(reverse(change, args=[application.pk]))
        assert response.status_code == 200
        return [decision["name"] for decision in response.context["decisions"]]

    assert names(reviewer, agreed) == ["recommend_approval", "recommend_rejection"]
    assert names(approver, agreed) == []
    assert names(approver, recommended) == ["approve", "reject"]
    assert names(reviewer, recommended) == []


def test_rejection_from_the_change_page(client, recommended, approver):
    client.force_login(approver)
    url = _decide_url("application", recommended, "reject")
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200
    response = client.post(url, {"reason": "不符合场景要求"})
    assert response.status_code == 302
    recommended.refresh_from_db()
    assert recommended.status == ApplicationStatus.REJECTED


# Authorizations --------------------------------------------------------------------------------


def test_suspend_resume_and_revoke_follow_the_permission(client, authorization, approver):
    client.force_login(approver)
    response = _action(client, AUTHORIZATIONS, "suspend_selected", [authorization], apply="1",
                       reason="")  # fmt: skip
    assert response.context["form"].errors["reason"]

    _action(client, AUTHORIZATIONS, "suspend_selected", [authorization], apply="1",
            reason="安全检查")  # fmt: skip
    authorization.refresh_from_db()
    assert (authorization.status, authorization.status_reason) == ("suspended", "安全检查")
    assert not _has_perm(authorization)

    _action(client, AUTHORIZATIONS, "resume_selected", [authorization], apply="1", reason="")
    authorization.refresh_from_db()
    assert authorization.status == AuthorizationStatus.ACTIVE
    assert _has_perm(authorization)

    response = client.post(_decide_url("authorization", authorization, "revoke"),
                           {"reason": "违规使用"})  # fmt: skip
    assert response.status_code == 302
    authorization.refresh_from_db()
    assert authorization.status == AuthorizationStatus.REVOKED
    assert not _has_perm(authorization)
    assert authorization.history.first().history_user == approver

    response = _action(client, AUTHORIZATIONS, "suspend_selected", [authorization], apply="1",
                       reason="再查")  # fmt: skip
    assert any(str(authorization) in m for m in _messages(response))
    authorization.refresh_from_db()
    assert authorization.status == AuthorizationStatus.REVOKED


def test_authorization_change_page_shows_the_agreement_read_only(client, authorization, approver):
    client.force_login(approver)
    url = reverse("admin:authorizations_authorization_change", args=[authorization.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert [d["name"] for d in response.context["decisions"]] == ["suspend", "revoke"]
    assert authorization.agreement.data_scope in response.content.decode()
    assert response.context["has_change_permission"] is False


# Qualifications --------------------------------------------------------------------------------


def _pending(operator, member) -> list[Qualification]:
    today = timezone.localdate()
    return [
        services.qualification_submit(
            operator=operator,
            actor=member,
            qualification_type=qualification_type,
            number=f"P-{qualification_type.code}",
            document=SimpleUploadedFile("licence.pdf", b"%PDF-1.4 evidence", "application/pdf"),
            valid_from=today,
            valid_until=today + timedelta(days=365),
        )
        for qualification_type in QualificationType.objects.filter(required=True)
    ]


def test_reviewer_approves_and_rejects_qualifications(client, operator, operator_member, reviewer):
    first, second = _pending(operator, operator_member)
    client.force_login(reviewer)
    response = _action(client, QUALIFICATIONS, "reject_selected", [first, second], apply="1",
                       reason="")  # fmt: skip
    assert response.context["form"].errors["reason"]

    _action(client, QUALIFICATIONS, "reject_selected", [first], apply="1", reason="证照模糊")
    response = client.post(_decide_url("qualification", second, "approve"), {"reason": ""})
    assert response.status_code == 302

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.review_reason) == (ReviewStatus.REJECTED, "证照模糊")
    assert (second.status, second.reviewed_by) == (ReviewStatus.APPROVED, reviewer)
    response = _action(client, QUALIFICATIONS, "approve_selected", [first], apply="1")
    assert any(str(first) in m for m in _messages(response))
    first.refresh_from_db()
    assert first.status == ReviewStatus.REJECTED


def test_the_expiring_filter_and_its_shortcut(client, operator, operator_member, reviewer):
    qualify(operator, operator_member, reviewer, days=20)
    later = OperatorFactory()
    qualify(later, UserFactory(operator=later, organisation_role="member"), reviewer, days=365)
    client.force_login(reviewer)

    response = client.get(QUALIFICATIONS)
    assert response.context["cl"].result_count == 4
    assert response.context["expiring_count"] == 2

    response = client.get(QUALIFICATIONS + response.context["expiring_query"])
    assert {q.operator for q in response.context["cl"].result_list} == {operator}
    assert response.context["cl"].result_count == 2


def test_evidence_is_downloaded_through_a_checked_view(
    client, operator, operator_member, reviewer, auditor, department_member
):
    qualification = _pending(operator, operator_member)[0]
    url = reverse("admin:authorizations_qualification_document", args=[qualification.pk])
    for user in (reviewer, auditor):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"
    change = client.get(
        reverse("admin:authorizations_qualification_change", args=[qualification.pk])
    )
    assert url in change.content.decode()
    assert "/media/" not in change.content.decode()
    for user in (department_member, operator_member):
        client.force_login(user)
        assert client.get(url).status_code == 302  # to the admin login: not staff
    client.logout()
    assert client.get(url).status_code == 302


# Auditors and outsiders ------------------------------------------------------------------------


def test_auditors_read_lists_and_history_but_get_no_actions(client, authorization, auditor):
    application = authorization.application
    client.force_login(auditor)
    for changelist in CHANGELISTS:
        assert client.get(changelist).status_code == 200
    for changelist in (APPLICATIONS, AUTHORIZATIONS, QUALIFICATIONS):
        assert client.get(changelist).context["action_form"] is None
    for model, obj in (("application", application), ("authorization", authorization)):
        change = client.get(reverse(f"admin:authorizations_{model}_change", args=[obj.pk]))
        assert change.context["decisions"] == []
        history = client.get(reverse(f"admin:authorizations_{model}_history", args=[obj.pk]))
        assert history.status_code == 200
    agreement_history = reverse(
        "admin:authorizations_agreement_history", args=[authorization.agreement.pk]
    )
    assert client.get(agreement_history).status_code == 200
    assert client.get(_approve_url(application)).status_code == 403
    url = _decide_url("authorization", authorization, "suspend")
    assert client.post(url, {"reason": "看看"}).status_code == 403
    _action(client, AUTHORIZATIONS, "suspend_selected", [authorization], apply="1", reason="看看")
    authorization.refresh_from_db()
    assert authorization.status == AuthorizationStatus.ACTIVE


def test_unknown_decisions_and_objects_are_not_server_errors(client, authorization, approver):
    client.force_login(approver)
    assert client.get(_decide_url("authorization", authorization, "burn")).status_code == 403
    url = reverse("admin:authorizations_authorization_decide", args=[999999, "suspend"])
    assert client.get(url).status_code == 404
    url = reverse("admin:authorizations_application_approve", args=[999999])
    assert client.get(url).status_code == 404


def test_departments_and_operators_have_no_admin(client, department_admin, operator_admin, db):
    for user in (department_admin, operator_admin):
        client.force_login(user)
        for changelist in CHANGELISTS:
            assert client.get(changelist).status_code == 302


def test_nothing_is_added_or_deleted_in_the_admin(client, authorization, approver):
    client.force_login(approver)
    for model in ("application", "authorization", "agreement", "qualification", "scenario"):
        assert client.get(reverse(f"admin:authorizations_{model}_add")).status_code == 403
    delete = reverse("admin:authorizations_authorization_delete", args=[authorization.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Authorization.objects.filter(pk=authorization.pk).exists()


def test_changelists_run_a_constant_number_of_queries(
    client, people, approver, django_assert_max_num_queries
):
    for _ in range(20):
        grant(people)
    client.force_login(approver)
    for changelist in (APPLICATIONS, AUTHORIZATIONS, QUALIFICATIONS):
        with django_assert_max_num_queries(15):
            assert client.get(changelist).status_code == 200


def test_the_approver_who_recommended_is_stopped_before_the_approval_form(
    client, recommended, approver
):
    from apps.authorizations.models import Application

    Application.objects.filter(pk=recommended.pk).update(recommended_by=approver)
    client.force_login(approver)
    url = reverse("admin:authorizations_application_approve", args=[recommended.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "须由另一名审批员作出决定" in page.text
    assert 'name="fee_basis"' not in page.text
    change = client.get(reverse("admin:authorizations_application_change", args=[recommended.pk]))
    assert "须由另一名审批员作出决定" in change.text
    client.post(url, {"fee_basis": "per_row", "price": "0.01"})
    recommended.refresh_from_db()
    assert recommended.status == "recommended"


def test_another_approver_sees_no_barrier(client, recommended, approver):
    client.force_login(approver)
    url = reverse("admin:authorizations_application_approve", args=[recommended.pk])
    page = client.get(url)
    assert "须由另一名审批员作出决定" not in page.text
    assert 'name="fee_basis"' in page.text


def test_a_reviewer_refused_the_approval_page_is_told_which_role_it_needs(
    client, recommended, reviewer
):
    client.force_login(reviewer)
    response = client.get(
        reverse("admin:authorizations_application_approve", args=[recommended.pk])
    )
    assert response.status_code == 403
    assert "需要“审批员”角色" in response.text
    decide = reverse("admin:authorizations_application_decide", args=[recommended.pk, "reject"])
    response = client.get(decide)
    assert response.status_code == 403
    assert "需要“审批员”角色" in response.text


def test_json_fields_read_as_lists_and_tables(client, authorization, approver):
    from apps.authorizations.models import Authorization

    Authorization.objects.filter(pk=authorization.pk).update(
        row_filter=[{"field": "district", "op": "eq", "value": "南明区"}]
    )
    client.force_login(approver)
    application = client.get(
        reverse("admin:authorizations_application_change", args=[authorization.application_id])
    ).text
    assert "school_name、district" in application
    assert '["school_name"' not in application
    page = client.get(
        reverse("admin:authorizations_authorization_change", args=[authorization.pk])
    ).text
    assert '<table class="readable-json-table">' in page
    assert "<td>南明区</td>" in page
    assert '"op": "eq"' not in page


def test_the_revoke_page_says_what_will_happen_with_figures(client, authorization, approver):
    client.force_login(approver)
    url = reverse("admin:authorizations_authorization_decide", args=[authorization.pk, "revoke"])
    text = client.get(url).text
    assert "此操作不可撤销" in text
    assert "将立即失去对" in text
    assert "0 个 API 密钥" in text
    assert "授权撤销后不能恢复" in text
    suspend = reverse(
        "admin:authorizations_authorization_decide", args=[authorization.pk, "suspend"]
    )
    assert "此操作不可撤销" not in client.get(suspend).text
