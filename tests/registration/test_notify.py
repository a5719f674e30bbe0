"""Registration tells the department each move of its application, the bureau's deciders what
waits for them, and whoever objected the outcome — by email through the outbox when they have
no account. Nobody else hears anything."""

from datetime import timedelta

from django.urls import reverse
from django.utils import translation

from apps.notifications.kinds import Kind
from apps.notifications.models import Notification, OutboxMessage, OutboxStatus
from apps.notifications.services import notifications_purge, outbox_deliver
from apps.registration import services
from tests.notifications.conftest import parts, subject

from .conftest import apply, register, to_notice

OBJECTOR = {"name": "李四", "organisation": "某研究院", "contact": "13800000000",
            "email": "lisi@example.cn", "reasons": "摘要与实际数据范围不符。"}  # fmt: skip


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_the_bureaus_deciders_hear_of_a_new_application_and_nobody_else(
    entry, department_member, reviewer, approver, auditor, other_department_member,
    operator_member, today,
):  # fmt: skip
    apply(entry, department_member)
    heard = told(Kind.REGISTRATION_SUBMITTED)
    assert reviewer.username in heard
    for outsider in (auditor, other_department_member, operator_member, department_member):
        assert outsider.username not in heard


def test_the_department_hears_each_move_and_other_organisations_do_not(
    entry, department_member, department_admin, reviewer, other_department_member,
    operator_member, today,
):  # fmt: skip
    application = apply(entry, department_member)
    services.registration_request_materials(
        application=application, actor=reviewer, reason="缺少数据字典。"
    )
    [notification] = Notification.objects.filter(
        kind=Kind.REGISTRATION_INCOMPLETE, recipient=department_member
    )
    assert "缺少数据字典" in notification.params["reason"]
    assert notification.url == reverse("department_registration:detail", args=[application.pk])
    for kind in (Kind.REGISTRATION_INCOMPLETE,):
        assert told(kind) == {department_member.username, department_admin.username}
    about_registration = [kind for kind in Kind.values if kind.startswith("registration_")]
    for outsider in (other_department_member, operator_member):
        assert not Notification.objects.filter(
            recipient=outsider, kind__in=about_registration
        ).exists()
    assert set(
        Notification.objects.filter(recipient=reviewer, kind__in=about_registration).values_list(
            "kind", flat=True
        )
    ) == {Kind.REGISTRATION_SUBMITTED}


def test_registration_tells_the_code_and_the_notice(entry, department_member, reviewer, today):
    application = register(entry, department_member, reviewer, today)
    assert told(Kind.REGISTRATION_ACCEPTED) == {department_member.username}
    assert told(Kind.REGISTRATION_IN_NOTICE) == {department_member.username}
    [registered] = Notification.objects.filter(kind=Kind.REGISTRATION_REGISTERED)
    code = application.result.code
    assert registered.params["code"] == code
    assert registered.url == f"/registrations/{code}/"


def test_an_objection_reaches_the_deciders_and_the_department(
    entry, department_member, reviewer, auditor, today
):
    application = to_notice(apply(entry, department_member), reviewer)
    services.objection_file(application=application, actor=None, data=OBJECTOR)
    assert reviewer.username in told(Kind.OBJECTION_FILED)
    assert auditor.username not in told(Kind.OBJECTION_FILED)
    assert told(Kind.REGISTRATION_OBJECTED) == {department_member.username}


def test_an_objector_without_an_account_is_mailed_the_outcome_in_their_language(
    entry, department_member, reviewer, today, smtp_server
):
    application = to_notice(apply(entry, department_member), reviewer)
    with translation.override("en"):
        objection = services.objection_file(application=application, actor=None, data=OBJECTOR)
    services.objection_dismiss(objection=objection, actor=reviewer, reason="The summary matches.")
    assert smtp_server.messages == []  # nothing leaves inside the decision's transaction
    [message] = OutboxMessage.objects.filter(address="lisi@example.cn")
    assert message.notification is None and message.language == "en"
    assert outbox_deliver().sent == 1
    [mail] = smtp_server.messages
    assert mail["To"] == "lisi@example.cn"
    assert f"#{application.pk} was dismissed" in subject(mail).replace("\r\n", "")
    assert "The summary matches." in parts(mail)["text/plain"]
    assert outbox_deliver().sent == 0  # once, however often the sender runs


def test_a_chinese_objector_reads_the_outcome_in_chinese(
    entry, department_member, reviewer, today, smtp_server
):
    application = to_notice(apply(entry, department_member), reviewer)
    objection = services.objection_file(application=application, actor=None, data=OBJECTOR)
    services.objection_uphold(objection=objection, actor=reviewer, reason="范围需重新审核")
    outbox_deliver()
    [mail] = smtp_server.messages
    assert "异议" in subject(mail) and "成立" in subject(mail)
    assert "范围需重新审核" in parts(mail)["text/plain"]


def test_the_outcome_waits_out_a_mail_server_outage_and_is_sent_once(
    entry, department_member, reviewer, today, smtp_server
):
    application = to_notice(apply(entry, department_member), reviewer)
    objection = services.objection_file(application=application, actor=None, data=OBJECTOR)
    services.objection_dismiss(objection=objection, actor=reviewer, reason="摘要与目录一致。")
    smtp_server.stop()
    assert outbox_deliver().failed == 1
    message = OutboxMessage.objects.get(address="lisi@example.cn")
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    smtp_server.start()
    assert outbox_deliver(now=message.due_at + timedelta(seconds=1)).sent == 1
    assert len(smtp_server.messages) == 1


def test_a_signed_in_objector_is_told_in_the_portal_not_twice_by_address(
    entry, department_member, reviewer, operator_member, today
):
    operator_member.email = "member@operator.example.cn"
    operator_member.save(update_fields=["email"])
    application = to_notice(apply(entry, department_member), reviewer)
    objection = services.objection_file(
        application=application, actor=operator_member, data={**OBJECTOR, "email": ""}
    )
    services.objection_dismiss(objection=objection, actor=reviewer, reason="摘要与目录一致。")
    [notification] = Notification.objects.filter(kind=Kind.OBJECTION_DECIDED)
    assert notification.recipient == operator_member
    assert notification.params["outcome"] == "dismissed"
    assert not OutboxMessage.objects.filter(notification__isnull=True).exists()


def test_an_objector_who_gave_no_address_is_told_nothing_and_nothing_fails(
    entry, department_member, reviewer, today
):
    application = to_notice(apply(entry, department_member), reviewer)
    objection = services.objection_file(
        application=application, actor=None, data={**OBJECTOR, "email": ""}
    )
    services.objection_dismiss(objection=objection, actor=reviewer, reason="摘要与目录一致。")
    assert not OutboxMessage.objects.filter(kind=Kind.OBJECTION_DECIDED).exists()


def test_a_delivered_address_only_message_is_purged_with_the_old_notifications(
    entry, department_member, reviewer, today, settings, smtp_server
):
    application = to_notice(apply(entry, department_member), reviewer)
    objection = services.objection_file(application=application, actor=None, data=OBJECTOR)
    services.objection_dismiss(objection=objection, actor=reviewer, reason="摘要与目录一致。")
    message = OutboxMessage.objects.get(address="lisi@example.cn")
    notifications_purge(
        now=message.due_at + timedelta(days=settings.NOTIFICATION_RETENTION_DAYS + 1)
    )
    assert OutboxMessage.objects.filter(pk=message.pk).exists()  # not delivered yet: kept
    outbox_deliver()
    message.refresh_from_db()
    notifications_purge(
        now=message.sent_at + timedelta(days=settings.NOTIFICATION_RETENTION_DAYS + 1)
    )
    assert not OutboxMessage.objects.filter(pk=message.pk).exists()
