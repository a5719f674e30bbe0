"""Email through the outbox to a real SMTP server: delivery, outage, retries, no duplicate,
languages, preferences and digests."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from apps.notifications import services
from apps.notifications.kinds import Kind
from apps.notifications.models import LanguagePreference, OutboxMessage, OutboxStatus
from tests.factories import UserFactory
from tests.notifications.conftest import parts, subject


def _tell(user, kind=Kind.ENTRY_RETURNED, **params):
    return services.notification_send(
        kind=kind, recipients=[user], url="/departments/catalog/EDU-00001/",
        params={"identifier": "EDU-00001", "title": "学校名录", "reason": "补充字段", **params},
    )  # fmt: skip


def test_it_delivers_text_and_html_in_chinese_with_a_link_back(smtp_server, settings, db):
    settings.PORTAL_URL = "https://portal.example.cn"
    user = UserFactory(email="member@example.cn")
    _tell(user)
    assert smtp_server.messages == []  # nothing leaves inside the business transaction
    call_command("send_notifications", "--once")
    [message] = smtp_server.messages
    assert message["To"] == "member@example.cn"
    assert "EDU-00001" in subject(message) and "退回" in subject(message)
    bodies = parts(message)
    assert "https://portal.example.cn/departments/catalog/EDU-00001/" in bodies["text/plain"]
    assert 'href="https://portal.example.cn/departments/catalog/EDU-00001/"' in bodies["text/html"]
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_it_writes_in_the_recipients_language(smtp_server, db):
    user = UserFactory(email="en@example.cn")
    LanguagePreference.objects.create(user=user, language="en")
    _tell(user)
    services.outbox_deliver()
    [message] = smtp_server.messages
    assert subject(message).endswith("Catalog entry EDU-00001 was returned")
    assert "Reason: 补充字段" in parts(message)["text/plain"]


def test_an_outage_loses_nothing_and_delivers_once_when_the_server_is_back(smtp_server, db):
    user = UserFactory(email="member@example.cn")
    _tell(user)
    smtp_server.stop()
    now = timezone.now()
    assert services.outbox_deliver(now=now).failed == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.due_at == now + timedelta(seconds=60)  # backoff: not before the retry time
    assert message.last_error
    # Still down at the retry: the wait doubles.
    assert services.outbox_deliver(now=now + timedelta(seconds=61)).failed == 1
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.due_at == now + timedelta(seconds=61 + 120)
    smtp_server.start()
    assert services.outbox_deliver(now=now + timedelta(seconds=100)).sent == 0  # not yet due
    assert services.outbox_deliver(now=now + timedelta(seconds=200)).sent == 1
    assert services.outbox_deliver(now=now + timedelta(seconds=900)).sent == 0
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Message-ID"] == services.message_id_for(message.idempotency_key)


def test_the_same_event_is_mailed_once_per_recipient(smtp_server, db):
    user = UserFactory(email="member@example.cn")
    services.notification_send(
        kind=Kind.ENTRY_PUBLISHED, recipients=[user, user], event_key="entry:1:published",
        params={"identifier": "EDU-00001", "title": "学校名录"},
    )  # fmt: skip
    services.notification_send(
        kind=Kind.ENTRY_PUBLISHED, recipients=[user], event_key="entry:1:published",
        params={"identifier": "EDU-00001", "title": "学校名录"},
    )  # fmt: skip
    services.outbox_deliver()
    services.outbox_deliver()
    assert len(smtp_server.messages) == 1


def test_email_off_keeps_the_portal_copy_only(smtp_server, db):
    user = UserFactory(email="member@example.cn")
    services.notification_preferences_set(user=user, choices={Kind.ENTRY_RETURNED: (False, False)})
    [notification] = _tell(user)
    services.outbox_deliver()
    assert smtp_server.messages == []
    assert notification.read_at is None


def test_the_daily_digest_gathers_a_days_notifications_in_one_mail(smtp_server, settings, db):
    settings.NOTIFICATION_DIGEST_HOUR = 8
    user = UserFactory(email="member@example.cn")
    services.notification_preferences_set(user=user, choices={Kind.ENTRY_RETURNED: (True, True)})
    now = timezone.now()
    for number in (1, 2, 3):
        _tell(user, identifier=f"EDU-0000{number}")
    services.outbox_deliver(now=now)
    assert services.digests_deliver(now=now).sent == 0  # before the digest hour
    later = now + timedelta(days=1, hours=1)
    assert services.digests_deliver(now=later).sent == 1
    assert services.digests_deliver(now=later).sent == 0
    [message] = smtp_server.messages
    text = parts(message)["text/plain"]
    assert all(f"EDU-0000{number}" in text for number in (1, 2, 3))


def test_bureau_queue_kinds_go_to_the_digest_by_default(smtp_server, db):
    user = UserFactory(email="staff@example.cn")
    services.notification_send(
        kind=Kind.ENTRY_SUBMITTED, recipients=[user],
        params={"identifier": "EDU-00001", "title": "学校名录", "department": "市教育局"},
    )  # fmt: skip
    assert OutboxMessage.objects.get().digest is True
    services.outbox_deliver()
    assert smtp_server.messages == []


def test_security_messages_cannot_be_turned_off(db):
    import pytest
    from django.core.exceptions import ValidationError

    user = UserFactory(email="admin@example.cn")
    with pytest.raises(ValidationError) as refused:
        services.notification_preferences_set(
            user=user, choices={Kind.API_KEY_CREATED: (False, False)}
        )
    assert refused.value.error_list[0].code == "security"
    services.notification_send(
        kind=Kind.TWO_FACTOR_CHANGED, recipients=[user], params={"change": "authenticator"}
    )
    message = OutboxMessage.objects.get()
    assert message.digest is False


def test_retention_purges_old_notifications_but_not_undelivered_email(db, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    user = UserFactory(email="member@example.cn")
    long_ago = timezone.now() - timedelta(days=31)
    services.notification_send(
        kind=Kind.ENTRY_PUBLISHED, recipients=[user], now=long_ago,
        params={"identifier": "A", "title": "t"},
    )  # fmt: skip
    services.notification_send(
        kind=Kind.ENTRY_PUBLISHED, recipients=[UserFactory()], now=long_ago,
        params={"identifier": "B", "title": "t"},
    )  # fmt: skip
    _tell(user)
    # The mail of the first still waits: kept. The second had no email: purged. New: kept.
    assert services.notifications_purge() == 1
    OutboxMessage.objects.update(status=OutboxStatus.SENT)
    assert services.notifications_purge() == 1
    assert user.notifications.count() == 1
