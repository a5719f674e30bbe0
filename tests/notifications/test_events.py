"""Every event reaches exactly the people who may act on it, and no one else (personas)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from apps.api import services as api_services
from apps.authorizations import services as authorization_services
from apps.authorizations.models import QualificationType
from apps.catalog import services as catalog_services
from apps.cdo import services as cdo_services
from apps.notifications.kinds import Kind
from apps.notifications.models import Notification
from apps.revenue import services as revenue_services
from tests.authorizations.conftest import apply
from tests.factories import BureauFactory, UserFactory, make_entry
from tests.revenue.conftest import submit


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def everyone(
    reviewer, approver, auditor, department_member, department_admin, other_department_member,
    operator_admin, operator_member, outsider,
):  # fmt: skip
    return None


def test_it_tells_the_department_its_entry_was_returned(everyone, department, reviewer):
    make_entry(department=department, status="returned", reviewer=reviewer, title="学校名录")
    members = {"dept_member", "dept_admin"}
    assert members <= told(Kind.ENTRY_RETURNED)
    assert not told(Kind.ENTRY_RETURNED) & {
        "other_member", "op_admin", "op_member", "outsider", "reviewer", "approver", "auditor",
    }  # fmt: skip
    notification = Notification.objects.filter(kind=Kind.ENTRY_RETURNED).first()
    assert notification is not None
    assert notification.url.startswith("/departments/catalog/")


@pytest.mark.parametrize(("status", "kind"), [
    ("published", Kind.ENTRY_PUBLISHED), ("rejected", Kind.ENTRY_REJECTED),
])  # fmt: skip
def test_it_tells_the_department_its_entry_was_decided(
    everyone, department, reviewer, status, kind
):
    make_entry(department=department, status=status, reviewer=reviewer)
    assert {"dept_member", "dept_admin"} <= told(kind)
    assert not told(kind) & {"other_member", "op_member", "outsider", "reviewer"}


def test_a_submission_tells_the_bureau_reviewers_not_the_auditor(everyone, department, reviewer):
    make_entry(department=department, status="submitted")
    assert told(Kind.ENTRY_SUBMITTED) == {"reviewer", "approver"}


def test_only_the_active_cdo_hears_of_a_submission_awaiting_confirmation(
    everyone, department, department_member, reviewer
):
    cdo = UserFactory(username="cdo", department=department, organisation_role="member")
    cdo_services.cdo_appoint(
        department=department, user=cdo, actor=reviewer, title="首席数据官",
        document_number="教〔2026〕1号", term_start=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    department.submissions_need_cdo_confirmation = True
    department.save()
    entry = make_entry(department=department, actor=department_member)
    catalog_services.catalog_entry_submit(entry=entry, actor=department_member)
    assert told(Kind.ENTRY_AWAITING_CONFIRMATION) == {"cdo"}
    assert not told(Kind.ENTRY_SUBMITTED)  # not yet the bureau's
    catalog_services.catalog_entry_confirm(entry=entry, actor=cdo)
    assert told(Kind.ENTRY_SUBMITTED) == {"reviewer", "approver"}


def test_an_application_tells_who_gives_the_opinion_then_the_bureau_then_the_operator(
    everyone, qualified, operator_member, department_admin, reviewer, approver, department, entry
):
    from tests.authorizations.conftest import AGREEMENT, scope

    scenario = authorization_services.scenario_create(
        operator=qualified, actor=operator_member,
        data={"title": "场景", "sector": "education", "description": "测试",
              "expected_product": "查询服务", "use": "industry"},
    )  # fmt: skip
    application = apply(qualified, operator_member, entry, scenario)
    # No CDO ever: the department's administrators give its opinion, not its members.
    assert told(Kind.APPLICATION_AWAITING_OPINION) == {"dept_admin"}
    authorization_services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    assert told(Kind.APPLICATION_TO_RECOMMEND) == {"reviewer"}
    authorization_services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )
    assert told(Kind.APPLICATION_TO_DECIDE) == {"approver"}
    authorization_services.application_approve(
        application=application, actor=approver, scope=scope(), agreement=AGREEMENT
    )
    assert told(Kind.APPLICATION_APPROVED) == {"op_admin", "op_member"}


def test_the_recommender_is_not_told_to_decide(
    everyone, qualified, operator_member, entry, department_admin, approver
):
    # A staff member in both groups may recommend, but then another approver decides.
    both = UserFactory(
        username="both", bureau=BureauFactory(), is_staff=True, organisation_role="member",
        groups=["reviewer", "approver"],
    )  # fmt: skip
    scenario = authorization_services.scenario_create(
        operator=qualified, actor=operator_member,
        data={"title": "场景", "sector": "education", "description": "测试",
              "expected_product": "查询服务", "use": "industry"},
    )  # fmt: skip
    application = apply(qualified, operator_member, entry, scenario)
    authorization_services.application_department_opinion(
        application=application, actor=department_admin, agree=True
    )
    authorization_services.application_recommend(
        application=application, actor=both, recommendation="approve"
    )
    assert told(Kind.APPLICATION_TO_DECIDE) == {"approver"}


def test_qualification_review_tells_the_operator_only(
    everyone, operator, operator_member, reviewer
):
    qualification_type = QualificationType.objects.filter(required=True).first()
    assert qualification_type is not None
    today = timezone.localdate()
    qualification = authorization_services.qualification_submit(
        operator=operator, actor=operator_member, qualification_type=qualification_type,
        number="NO-1", document=SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf"),
        valid_from=today, valid_until=today + timedelta(days=300),
    )  # fmt: skip
    assert told(Kind.QUALIFICATION_SUBMITTED) == {"reviewer"}
    authorization_services.qualification_review(
        qualification=qualification, actor=reviewer, approve=False, reason="证照模糊"
    )
    assert told(Kind.QUALIFICATION_REJECTED) == {"op_admin", "op_member"}


def test_authorization_changes_tell_its_operator_and_not_a_rival(
    everyone, authorization, approver, rival
):
    authorization_services.authorization_suspend(
        authorization=authorization, actor=approver, reason="核查"
    )
    authorization_services.authorization_resume(authorization=authorization, actor=approver)
    authorization_services.authorization_revoke(
        authorization=authorization, actor=approver, reason="违规"
    )
    for kind in (
        Kind.AUTHORIZATION_SUSPENDED, Kind.AUTHORIZATION_RESUMED, Kind.AUTHORIZATION_REVOKED,
    ):  # fmt: skip
        assert told(kind) == {"op_admin", "op_member"}


def test_a_new_api_key_is_a_security_message_to_the_operator_admins(everyone, operator_admin):
    api_services.api_key_create(actor=operator_admin, name="生产")
    assert told(Kind.API_KEY_CREATED) == {"op_admin"}


def test_revenue_reports_tell_reviewers_then_the_operator(
    everyone, authorization, operator_member, reviewer
):
    report = submit(authorization, operator_member)
    # Reviewers and approvers both verify revenue reports (apps/revenue migrations).
    assert told(Kind.REVENUE_REPORT_SUBMITTED) == {"reviewer", "approver"}
    revenue_services.revenue_report_return(report=report, actor=reviewer, reason="金额有误")
    assert told(Kind.REVENUE_REPORT_RETURNED) == {"op_admin", "op_member"}


def test_settlement_tells_each_settled_operator(everyone, authorization, operator_member, reviewer,
                                                 approver, rival):  # fmt: skip
    from tests.revenue.conftest import LAST_MONTH

    report = submit(authorization, operator_member)
    revenue_services.revenue_report_verify(report=report, actor=reviewer)
    assert told(Kind.REVENUE_REPORT_VERIFIED) == {"op_admin", "op_member"}
    revenue_services.settlement_run(period=LAST_MONTH, actor=None)
    assert told(Kind.SETTLEMENT_RECORDED) == {"op_admin", "op_member"}


def test_a_rolled_back_decision_tells_nobody(everyone, department, reviewer, department_member):
    entry = make_entry(department=department, actor=department_member, status="submitted")
    with pytest.raises(RuntimeError), transaction.atomic():
        catalog_services.catalog_entry_return(entry=entry, actor=reviewer, comment="补充字段")
        assert told(Kind.ENTRY_RETURNED)
        raise RuntimeError("the rest of the business transaction fails")
    assert not told(Kind.ENTRY_RETURNED)


def test_inactive_members_are_not_told(everyone, department, reviewer, department_member):
    department_member.is_active = False
    department_member.save()
    make_entry(department=department, status="returned", reviewer=reviewer)
    assert "dept_member" not in told(Kind.ENTRY_RETURNED)
