"""The registration procedure: every state move, every refused move, the deadlines, history."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent, EventKind
from apps.core.errors import IllegalTransition, NotAllowed
from apps.notifications.services import outbox_deliver
from apps.registration import services
from apps.registration.choices import ApplicationStatus, Kind, ObjectionStatus, RegistrationStatus
from apps.registration.models import Registration
from tests.factories import make_entry

from .conftest import apply, pdf, register, to_notice

pytestmark = pytest.mark.django_db

OBJECTOR = {"name": "李四", "organisation": "某研究院", "contact": "13800000000",
            "email": "lisi@example.cn", "reasons": "摘要与实际数据范围不符。"}  # fmt: skip


def test_it_submits_with_the_acceptance_deadline(entry, department_member, today):
    application = apply(entry, department_member)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.due_on == date(2026, 6, 4)  # 3 working days after Monday 1 June
    assert application.materials.count() == 1
    assert application.history.first().history_user == department_member


def test_a_duplicate_open_application_is_refused_naming_the_open_one(
    entry, department_member, today
):
    first = apply(entry, department_member)
    with pytest.raises(ValidationError) as error:
        apply(entry, department_member)
    assert f"#{first.pk}" in str(error.value)


def test_only_the_providing_department_applies(entry, other_department_member, today):
    with pytest.raises(NotAllowed):
        apply(entry, other_department_member)


def test_an_unpublished_or_open_entry_is_not_registered(
    department, department_member, reviewer, today
):
    draft = make_entry(department=department, actor=department_member)
    with pytest.raises(ValidationError):
        apply(draft, department_member)
    open_entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        title="公开条目", openness="open",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        apply(open_entry, department_member)


def test_a_change_says_what_changes_and_why(entry, department_member, reviewer, today):
    register(entry, department_member, reviewer, today)
    with pytest.raises(ValidationError) as error:
        apply(entry, department_member, kind=Kind.CHANGE)
    assert "changes" in error.value.error_dict


def test_materials_are_required(entry, department_member, today):
    with pytest.raises(ValidationError):
        apply(entry, department_member, documents=[])


def test_the_full_procedure_registers_with_codes(
    entry, department_member, reviewer, today, django_capture_on_commit_callbacks
):
    application = apply(entry, department_member)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_accept(application=application, actor=reviewer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.due_on == date(2026, 6, 30)  # 20 working days (Dragon Boat 19 June off)
    services.registration_open_notice(application=application, actor=reviewer)
    application.refresh_from_db()
    assert (application.notice_starts, application.notice_ends) == (
        date(2026, 6, 1), date(2026, 6, 15),
    )  # fmt: skip
    with pytest.raises(IllegalTransition):  # the notice still runs
        services.registration_conclude(application=application, actor=reviewer)
    today.set(date(2026, 6, 16))
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_conclude(application=application, actor=reviewer)
    registration = Registration.objects.get(application=application)
    assert registration.code == "520100-2026-S-000001"
    assert len(registration.lookup_code) == 12
    assert registration.valid_until == date(2029, 6, 16)
    assert registration.status == RegistrationStatus.IN_FORCE
    decided = AuditEvent.objects.filter(kind=EventKind.REGISTRATION_DECIDED)
    steps = [event.details.get("status") for event in decided.order_by("sequence")]
    assert steps == ["in_review", "registered", "in_force"]


def test_materials_incomplete_then_resubmitted_restarts_the_clock(
    entry, department_member, reviewer, today
):
    application = apply(entry, department_member)
    today.move(2)  # Wednesday
    services.registration_request_materials(
        application=application, actor=reviewer, reason="缺少数据来源说明；缺少安全评估报告。"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INCOMPLETE
    assert application.due_on is None
    today.set(date(2026, 6, 10))
    services.registration_resubmit(
        application=application, actor=department_member, summary="", documents=[pdf("补充.pdf")]
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.due_on == date(2026, 6, 15)  # 3 working days from the resubmission
    assert application.materials.count() == 2
    with pytest.raises(IllegalTransition):  # one consolidated notice only
        services.registration_request_materials(
            application=application, actor=reviewer, reason="还缺"
        )


def test_the_materials_notice_and_a_refusal_need_reasons(entry, department_member, reviewer, today):
    application = apply(entry, department_member)
    for service in (services.registration_request_materials, services.registration_refuse):
        with pytest.raises(ValidationError):
            service(application=application, actor=reviewer, reason=" ")


def test_refused_with_reasons_is_final(entry, department_member, reviewer, today):
    application = apply(entry, department_member)
    services.registration_refuse(
        application=application, actor=reviewer, reason="不属于授权运营范围"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.decision_reason == "不属于授权运营范围"
    for service in (services.registration_accept, services.registration_open_notice,
                    services.registration_conclude):  # fmt: skip
        with pytest.raises(IllegalTransition):
            service(application=application, actor=reviewer)


def test_moves_out_of_order_are_refused(entry, department_member, reviewer, today):
    application = apply(entry, department_member)
    with pytest.raises(IllegalTransition):
        services.registration_open_notice(application=application, actor=reviewer)
    with pytest.raises(IllegalTransition):
        services.registration_conclude(application=application, actor=reviewer)
    with pytest.raises(IllegalTransition):
        services.registration_resubmit(
            application=application, actor=department_member, summary="", documents=[pdf()]
        )


def test_only_bureau_deciders_decide(entry, department_member, auditor, today):
    application = apply(entry, department_member)
    for actor in (department_member, auditor):
        with pytest.raises(NotAllowed):
            services.registration_accept(application=application, actor=actor)


def test_an_objection_pauses_and_a_dismissal_resumes_the_notice(
    entry, department_member, reviewer, today, mailoutbox
):
    application = to_notice(apply(entry, department_member), reviewer)
    today.set(date(2026, 6, 3))  # two working days of the notice have run
    objection = services.objection_file(application=application, actor=None, data=OBJECTOR)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OBJECTED
    with pytest.raises(IllegalTransition):
        services.registration_conclude(application=application, actor=reviewer)
    today.set(date(2026, 6, 8))
    services.objection_dismiss(objection=objection, actor=reviewer, reason="摘要与目录一致。")
    assert mailoutbox == []  # the outcome leaves through the outbox, after the decision commits
    outbox_deliver()
    application.refresh_from_db()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert application.status == ApplicationStatus.IN_NOTICE
    # 8 working days were left (4–5, 8–12, 15 June); they run again from 8 June.
    assert application.notice_ends == date(2026, 6, 18)
    assert [message.to for message in mailoutbox] == [["lisi@example.cn"]]
    assert "摘要与目录一致" in mailoutbox[0].body


def test_an_upheld_objection_returns_to_review_or_refuses(
    entry, department_member, reviewer, today
):
    application = to_notice(apply(entry, department_member), reviewer)
    objection = services.objection_file(application=application, actor=None, data=OBJECTOR)
    services.objection_uphold(objection=objection, actor=reviewer, reason="范围需重新审核")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    services.registration_open_notice(application=application, actor=reviewer)
    objection = services.objection_file(application=application, actor=None, data=OBJECTOR)
    services.objection_uphold(objection=objection, actor=reviewer, reason="确有错误", refuse=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    with pytest.raises(IllegalTransition):  # decided once
        services.objection_dismiss(objection=objection, actor=reviewer, reason="x")


def test_an_objection_after_the_notice_is_refused_with_the_dates(
    entry, department_member, reviewer, today
):
    application = to_notice(apply(entry, department_member), reviewer)
    today.set(date(2026, 6, 16))
    with pytest.raises(ValidationError) as error:
        services.objection_file(application=application, actor=None, data=OBJECTOR)
    assert "2026-06-01" in str(error.value) and "2026-06-15" in str(error.value)


def test_a_signed_in_objector_is_named_from_the_account(
    entry, department_member, reviewer, operator_member, today
):
    application = to_notice(apply(entry, department_member), reviewer)
    objection = services.objection_file(
        application=application, actor=operator_member, data={**OBJECTOR, "name": "冒名"}
    )
    assert objection.name == (operator_member.get_full_name() or operator_member.username)
    assert objection.organisation == str(operator_member.operator)
    assert objection.user == operator_member


def test_validity_is_three_years_or_the_authorizations_end(
    entry, department_member, reviewer, approver, recommended, today, settings
):
    from apps.authorizations import services as authorization_services
    from tests.authorizations.conftest import AGREEMENT, scope

    register(entry, department_member, reviewer, today)
    first = Registration.objects.get()
    assert first.valid_until == first.registered_on.replace(year=first.registered_on.year + 3)
    authorization = authorization_services.application_approve(
        application=recommended, actor=approver, scope=scope(), agreement=AGREEMENT
    )
    # A correction made now rests on the authorization, which ends within the year.
    today.set(first.registered_on + timedelta(days=1))
    register(entry, department_member, reviewer, today, kind=Kind.CORRECTION,
             changes="更正字段说明", change_reason="原说明有误")  # fmt: skip
    correction = Registration.objects.get(status=RegistrationStatus.IN_FORCE)
    assert correction.authorization == authorization
    assert correction.valid_until == timezone.localdate(authorization.valid_until)  # its local day
    assert correction.code.split("-")[2] == "G"
    first.refresh_from_db()
    assert first.status == RegistrationStatus.SUPERSEDED
    assert correction.supersedes == first


def test_a_renewal_outside_the_60_days_is_refused_with_the_window(
    entry, department_member, reviewer, today
):
    register(entry, department_member, reviewer, today)
    registration = Registration.objects.get()
    with pytest.raises(ValidationError) as error:
        apply(entry, department_member, kind=Kind.RENEWAL)
    opens = registration.valid_until - timedelta(days=60)
    assert str(opens) in str(error.value) and str(registration.valid_until) in str(error.value)
    today.set(opens)
    assert apply(entry, department_member, kind=Kind.RENEWAL).kind == Kind.RENEWAL


def test_cancellation_and_expiry_are_recorded_and_shown(entry, department_member, reviewer, today):
    register(entry, department_member, reviewer, today)
    registration = Registration.objects.get()
    today.set(registration.valid_until + timedelta(days=1))
    assert registration.status_on(today.day) == RegistrationStatus.EXPIRED  # before the command
    assert services.registration_expire() == 1
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.EXPIRED
    assert registration.history.first().history_change_reason == "有效期届满"  # validity ended


def test_a_cancellation_ends_the_registration(entry, department_member, reviewer, today):
    register(entry, department_member, reviewer, today)
    register(entry, department_member, reviewer, today, kind=Kind.CANCELLATION,
             summary="停止授权运营，注销登记。")  # fmt: skip
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CANCELLED
    assert registration.end_reason == "停止授权运营，注销登记。"
    assert services.registration_in_force(entry=entry) is None


def test_a_provisional_deadline_is_recomputed_when_the_year_is_entered(
    entry, department_member, reviewer, today
):
    today.set(date(2026, 12, 28))
    application = to_notice(apply(entry, department_member), reviewer)
    assert (application.notice_ends, application.due_is_provisional) == (date(2027, 1, 11), True)
    services.year_arrangement_save(
        actor=reviewer, year=2027, holidays=["2027-01-01"], working_days=[],
        announcement="国务院办公厅关于2027年部分节假日安排的通知",
    )  # fmt: skip
    application.refresh_from_db()
    assert (application.notice_ends, application.due_is_provisional) == (date(2027, 1, 12), False)
    assert application.due_on == date(2027, 1, 12)
