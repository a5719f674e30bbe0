from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from guardian.shortcuts import get_perms

from apps.authorizations import choices, services
from apps.authorizations.choices import ApplicationStatus, AuthorizationStatus
from apps.authorizations.models import Authorization
from apps.authorizations.selectors import operator_is_qualified, qualifications_expiring
from apps.core.errors import IllegalTransition, NotAllowed
from tests.authorizations.conftest import AGREEMENT, apply, qualify, scope
from tests.factories import make_entry


def _has_perm(authorization) -> bool:
    return "query_catalogentry" in get_perms(authorization.operator.group, authorization.entry)


# Qualification -----------------------------------------------------------------------------


def test_an_operator_is_qualified_only_with_every_required_type(
    operator, operator_member, reviewer
):
    assert not operator_is_qualified(operator=operator)
    qualify(operator, operator_member, reviewer)
    assert operator_is_qualified(operator=operator)


def test_an_expired_qualification_disqualifies(operator, operator_member, reviewer):
    qualify(operator, operator_member, reviewer, days=5)
    assert not operator_is_qualified(operator=operator, on=timezone.localdate() + timedelta(days=6))


def test_qualification_rejection_needs_a_reason_and_a_reviewer(
    operator, operator_member, reviewer, auditor
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.authorizations.models import QualificationType

    today = timezone.localdate()
    qualification = services.qualification_submit(
        operator=operator, actor=operator_member, qualification_type=QualificationType.objects.first(),
        number="X", document=SimpleUploadedFile("a.pdf", b"%PDF"), valid_from=today,
        valid_until=today + timedelta(days=30),
    )  # fmt: skip
    with pytest.raises(NotAllowed):
        services.qualification_review(qualification=qualification, actor=auditor, approve=True)
    with pytest.raises(ValidationError):
        services.qualification_review(qualification=qualification, actor=reviewer, approve=False)
    reviewed = services.qualification_review(
        qualification=qualification, actor=reviewer, approve=False, reason="证照模糊"
    )
    assert reviewed.history.first().history_change_reason == "证照模糊"
    with pytest.raises(IllegalTransition):
        services.qualification_review(qualification=qualification, actor=reviewer, approve=True)


def test_expiring_list_shows_the_next_30_days(operator, operator_member, reviewer):
    qualify(operator, operator_member, reviewer, days=20)
    assert qualifications_expiring(days=30).count() == 2
    assert qualifications_expiring(days=10).count() == 0


# Application -------------------------------------------------------------------------------


def test_an_unqualified_operator_cannot_apply(operator, operator_member, entry, scenario):
    with pytest.raises(ValidationError) as excinfo:
        apply(operator, operator_member, entry, scenario)
    assert excinfo.value.code == "not_qualified"


@pytest.mark.parametrize(
    ("grade", "openness"), [("general", "open"), ("core", "not_open"), ("important", "not_open")]
)
def test_only_conditional_entries_are_applied_for(
    grade, openness, qualified, operator_member, scenario, department, department_member, reviewer
):
    other = make_entry(
        department=department,
        actor=department_member,
        status="published",
        reviewer=reviewer,
        grade=grade,
        openness=openness,
    )
    with pytest.raises(ValidationError) as excinfo:
        apply(qualified, operator_member, other, scenario)
    assert "entry" in excinfo.value.message_dict


def test_unpublished_entries_cannot_be_applied_for(
    qualified, operator_member, scenario, department, department_member
):
    draft = make_entry(department=department, actor=department_member)
    with pytest.raises(ValidationError):
        apply(qualified, operator_member, draft, scenario)


def test_the_period_is_at_most_five_years(qualified, operator_member, entry, scenario):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        apply(
            qualified,
            operator_member,
            entry,
            scenario,
            requested_until=today.replace(year=today.year + 5) + timedelta(days=2),
        )
    assert "requested_until" in excinfo.value.message_dict
    assert apply(
        qualified,
        operator_member,
        entry,
        scenario,
        requested_until=today.replace(year=today.year + 5) - timedelta(days=1),
    )


def test_requested_fields_must_belong_to_the_entry(qualified, operator_member, entry, scenario):
    with pytest.raises(ValidationError) as excinfo:
        apply(
            qualified,
            operator_member,
            entry,
            scenario,
            requested_fields=["school_name", "id_number"],
        )
    assert "id_number" in str(excinfo.value)


def test_a_covered_entry_and_scenario_cannot_be_applied_for_again(
    authorization, operator_member, entry, scenario
):
    with pytest.raises(ValidationError) as excinfo:
        apply(authorization.operator, operator_member, entry, scenario)
    assert excinfo.value.code == "covered"


def test_withdraw_before_the_decision_only(
    qualified, operator_member, entry, scenario, operator_admin, other_department_member
):
    application = apply(qualified, operator_member, entry, scenario)
    with pytest.raises(NotAllowed):
        services.application_withdraw(application=application, actor=other_department_member)
    services.application_withdraw(application=application, actor=operator_admin)
    assert application.history.first().status == ApplicationStatus.WITHDRAWN
    with pytest.raises(IllegalTransition):
        services.application_withdraw(application=application, actor=operator_admin)


def test_department_opinion_by_the_providing_department_admin(
    qualified,
    operator_member,
    entry,
    scenario,
    department_member,
    other_department_member,
    department_admin,
):
    application = apply(qualified, operator_member, entry, scenario)
    for intruder in (department_member, other_department_member):
        with pytest.raises(NotAllowed):
            services.application_department_opinion(
                application=application, actor=intruder, agree=True
            )
    with pytest.raises(ValidationError):
        services.application_department_opinion(
            application=application, actor=department_admin, agree=False
        )
    services.application_department_opinion(
        application=application, actor=department_admin, agree=False, comment="涉及未成年人"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DEPARTMENT_DISAGREED


def test_after_disagreement_the_bureau_can_only_reject(
    qualified, operator_member, entry, scenario, department_admin, reviewer, approver
):
    application = apply(qualified, operator_member, entry, scenario)
    services.application_department_opinion(
        application=application, actor=department_admin, agree=False, comment="不同意"
    )
    with pytest.raises(IllegalTransition):
        services.application_recommend(
            application=application, actor=reviewer, recommendation="approve"
        )
    with pytest.raises(IllegalTransition):
        services.application_approve(
            application=application, actor=approver, scope=scope(), agreement=AGREEMENT
        )
    assert (
        services.application_reject(
            application=application, actor=approver, reason="部门不同意"
        ).status
        == "rejected"
    )


def test_four_eyes(recommended, reviewer, approver):
    reviewer.groups.add(approver.groups.get())
    with pytest.raises(NotAllowed):
        services.application_approve(
            application=recommended, actor=reviewer, scope=scope(), agreement=AGREEMENT
        )
    with pytest.raises(NotAllowed):
        services.application_reject(application=recommended, actor=reviewer, reason="不行")
    assert services.application_approve(
        application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
    )


def test_reviewers_cannot_decide_and_approvers_cannot_recommend(
    qualified, operator_member, entry, scenario, department_admin, reviewer, approver
):
    application = apply(qualified, operator_member, entry, scenario)
    services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    with pytest.raises(NotAllowed):
        services.application_recommend(
            application=application, actor=approver, recommendation="approve"
        )
    services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )
    other_reviewer = type(reviewer).objects.create(
        username="r2", bureau=reviewer.bureau, is_staff=True, organisation_role="member"
    )
    other_reviewer.groups.set(reviewer.groups.all())
    with pytest.raises(NotAllowed):
        services.application_approve(
            application=application, actor=other_reviewer, scope=scope(), agreement=AGREEMENT
        )


# Approval and the grant ----------------------------------------------------------------------


def test_approval_creates_the_authorization_and_grants_the_permission(authorization, approver):
    assert authorization.status == AuthorizationStatus.ACTIVE
    assert authorization.agreement.security_review_done
    assert _has_perm(authorization)
    services.authorization_check_access(authorization=authorization)
    assert authorization.history.first().history_user == approver
    assert authorization.application.history.first().status == ApplicationStatus.APPROVED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"allowed_fields": ["nope"]}, "allowed_fields"),
        ({"row_filter": [{"field": "district", "op": "like", "value": "x"}]}, "row_filter"),
        ({"row_filter": [{"field": "nope", "op": "eq", "value": "x"}]}, "row_filter"),
        ({"fee_basis": "per_row", "price": 0}, "price"),
        ({"fee_basis": "free", "price": 1}, "price"),
        ({"valid_until": timezone.now() + timedelta(days=6 * 365)}, "valid_until"),
    ],
)
def test_approval_scope_is_checked(overrides, field, recommended, approver):
    with pytest.raises(ValidationError) as excinfo:
        services.application_approve(
            application=recommended, actor=approver, scope=scope(**overrides), agreement=AGREEMENT
        )
    assert field in excinfo.value.message_dict
    assert not Authorization.objects.exists()


def test_the_longest_period_and_its_message_follow_the_one_constant(
    monkeypatch, recommended, approver
):
    monkeypatch.setattr(choices, "MAX_PERIOD_YEARS", 3)
    four_years = scope(valid_until=timezone.now() + timedelta(days=4 * 365))
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.application_approve(
            application=recommended, actor=approver, scope=four_years, agreement=AGREEMENT
        )
    assert excinfo.value.message_dict["valid_until"] == ["An authorization lasts at most 3 years."]
    with translation.override("zh-hans"):
        assert choices.max_period_text() == "授权期限最长为 3 年。"
    assert not Authorization.objects.exists()


def test_public_interest_use_is_free(recommended, approver):
    recommended.scenario.use = "public_interest"
    recommended.scenario.save()
    with pytest.raises(ValidationError):
        services.application_approve(
            application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
        )
    authorization = services.application_approve(
        application=recommended,
        actor=approver,
        scope=scope(fee_basis="free", price=0),
        agreement=AGREEMENT,
    )
    assert authorization.fee_basis == "free"


def test_default_revenue_share_comes_from_settings(recommended, approver, settings):
    from decimal import Decimal

    settings.AUTHORIZATION_DEFAULT_REVENUE_SHARE = Decimal("0.25")
    authorization = services.application_approve(
        application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
    )
    assert authorization.revenue_share_ratio == Decimal("0.25")


def test_suspend_resume_revoke_follow_the_permission(authorization, approver, reviewer):
    with pytest.raises(NotAllowed):
        services.authorization_suspend(authorization=authorization, actor=reviewer, reason="x")
    with pytest.raises(ValidationError):
        services.authorization_suspend(authorization=authorization, actor=approver, reason="")
    services.authorization_suspend(authorization=authorization, actor=approver, reason="安全检查")
    assert not _has_perm(authorization)
    authorization.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.authorization_check_access(authorization=authorization)
    services.authorization_resume(authorization=authorization, actor=approver, reason="整改完成")
    assert _has_perm(authorization)
    services.authorization_revoke(authorization=authorization, actor=approver, reason="违规使用")
    assert not _has_perm(authorization)
    with pytest.raises(IllegalTransition):
        services.authorization_resume(authorization=authorization, actor=approver)
    assert [h.status for h in authorization.history.all()][:3] == ["revoked", "active", "suspended"]


def test_expiry_is_exact_to_the_second_and_recorded_once(authorization):
    end = authorization.valid_until
    services.authorization_check_access(authorization=authorization, at=end - timedelta(seconds=1))
    with pytest.raises(NotAllowed):
        services.authorization_check_access(authorization=authorization, at=end)
    assert services.authorizations_expire(now=end - timedelta(seconds=1)) == 0
    assert services.authorizations_expire(now=end) == 1
    assert services.authorizations_expire(now=end) == 0
    authorization.refresh_from_db()
    assert authorization.status == AuthorizationStatus.EXPIRED
    assert not _has_perm(authorization)


def test_losing_qualification_removes_the_permission(authorization):
    from apps.authorizations.models import Qualification

    Qualification.objects.update(
        valid_until=timezone.localdate() - timedelta(days=1),
        valid_from=timezone.localdate() - timedelta(days=20),
    )
    with pytest.raises(NotAllowed):
        services.authorization_check_access(authorization=authorization)
    services.authorizations_expire()
    assert not _has_perm(authorization)


def test_access_check_does_not_trust_the_status_alone(authorization):
    from guardian.shortcuts import remove_perm

    remove_perm("query_catalogentry", authorization.operator.group, authorization.entry)
    with pytest.raises(NotAllowed):
        services.authorization_check_access(authorization=authorization)


def test_renewal_links_to_the_old_authorization(authorization, operator_member):
    renewal = apply(
        authorization.operator,
        operator_member,
        authorization.entry,
        authorization.scenario,
        renewal_of=authorization,
    )
    assert renewal.renewal_of == authorization
