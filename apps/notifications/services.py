"""Every write of notifications: telling people, reading, preferences, and mail delivery.

``notification_send`` is called by the services of the apps above inside their own transaction:
the in-portal row and its outbox row commit (or roll back) with the decision itself, and the
email leaves later, from ``send_notifications`` — never inside a request.
"""

import hashlib
import logging
import smtplib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User

from .kinds import SECURITY_KINDS, SPECS, Kind
from .messages import email_for
from .models import (
    LanguagePreference,
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)
from .selectors import language_of

logger = logging.getLogger(__name__)


def event_key_for(kind: str, obj: Model | None = None, *parts: object) -> str:
    """A name for one event. Without ``parts`` a fresh one: the event happens now, once.
    Reminders pass the date they are about, so a second run finds the event already told."""
    label = f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else "-"
    tail = ":".join(str(part) for part in parts) if parts else uuid.uuid4().hex
    return f"{kind}:{label}:{tail}"


def next_digest_time(now: datetime) -> datetime:
    """The next daily digest: NOTIFICATION_DIGEST_HOUR o'clock, local time."""
    local = timezone.localtime(now)
    at = local.replace(hour=settings.NOTIFICATION_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


def _choices(users: list[User], kind: str) -> dict[int, tuple[bool, bool]]:
    """(email, digest) per user for ``kind``; security messages are always mailed at once."""
    spec = SPECS[kind]
    default = (True, spec.digest_by_default)
    if kind in SECURITY_KINDS:
        return {user.pk: (True, False) for user in users}
    chosen = {
        user_id: (email, digest)
        for user_id, email, digest in NotificationPreference.objects.filter(
            user__in=users, kind=kind
        ).values_list("user_id", "email", "digest")
    }
    return {user.pk: chosen.get(user.pk, default) for user in users}


def notification_send(
    *,
    kind: Kind | str,
    recipients: Iterable[User],
    obj: Model | None = None,
    url: str = "",
    params: Mapping[str, Any] | None = None,
    event_key: str | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Tell ``recipients`` about one event, in the portal and (as each chose) by email.

    Idempotent per (event, recipient): a recipient already told of ``event_key`` is skipped, so
    a reminder run twice tells nobody twice. Returns the notifications written now.
    """
    now = now or timezone.now()
    kind = Kind(kind)
    event_key = event_key or event_key_for(kind, obj)
    users = list({user.pk: user for user in recipients if user.is_active}.values())
    if not users:
        return []
    told = set(
        Notification.objects.filter(event_key=event_key, recipient__in=users).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [user for user in users if user.pk not in told]
    facts = {name: str(value) for name, value in (params or {}).items()}
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                event_key=event_key,
                params=facts,
                url=url,
                created_at=now,
            )
            for user in fresh
        ],
        ignore_conflicts=True,  # two runs at the same moment: the constraint lets one through
    )
    written = list(
        Notification.objects.filter(
            event_key=event_key, recipient__in=fresh, email__isnull=True, created_at=now
        ).select_related("recipient")
    )
    choices = _choices(fresh, kind)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                notification=row,
                idempotency_key=f"{event_key}/{row.recipient_id}",
                digest=choices[row.recipient_id][1],
                due_at=next_digest_time(now) if choices[row.recipient_id][1] else now,
            )
            for row in written
            if row.recipient.email and choices[row.recipient_id][0]
        ],
        ignore_conflicts=True,
    )
    return written


def notification_send_to_address(
    *,
    kind: Kind | str,
    address: str,
    language: str = "",
    url: str = "",
    params: Mapping[str, Any] | None = None,
    event_key: str,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Tell someone who has no account, by email only (an objector who gave an address).

    Written in the caller's transaction like ``notification_send``, delivered by the same sender
    with the same retries, and once per (event, address): ``event_key`` names the event.
    Returns the message written now, or None (no address, or already told)."""
    address = address.strip()
    if not address:
        return None
    now = now or timezone.now()
    kind = Kind(kind)
    key = f"{event_key}/{hashlib.sha256(address.lower().encode()).hexdigest()[:16]}"
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "address": address,
            "kind": kind,
            "params": {name: str(value) for name, value in (params or {}).items()},
            "url": url,
            "language": language if language in dict(settings.LANGUAGES) else "",
            "due_at": now,
        },
    )
    return message if created else None


def notifications_mark_read(
    *, user: User, notification_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Mark the user's own notifications read (all of them without ids); returns how many."""
    unread = Notification.objects.unread().filter(recipient=user)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=now or timezone.now())


@transaction.atomic
def notification_preferences_set(
    *, user: User, choices: Mapping[str, tuple[bool, bool]], language: str | None = None
) -> None:
    """Save (email, digest) per kind; security messages cannot be turned off or delayed."""
    locked = sorted(set(choices) & SECURITY_KINDS)
    if locked:
        raise ValidationError(
            _("Security messages are always sent by email at once: %(kinds)s")
            % {"kinds": ", ".join(str(Kind(kind).label) for kind in locked)},
            code="security",
        )
    unknown = sorted(set(choices) - set(Kind.values))
    if unknown:
        raise ValidationError(
            _("Unknown kinds of notification: %(kinds)s") % {"kinds": ", ".join(unknown)},
            code="unknown",
        )
    for kind, (email, digest) in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": email, "digest": digest}
        )
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": _("Choose one of the portal's languages.")})
        LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """Backoff after ``attempts`` failures: doubling from the base, capped."""
    seconds = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.NOTIFICATION_RETRY_MAX_SECONDS))


def message_id_for(key: str) -> str:
    """A Message-ID made of the idempotency key (hashed: keys hold characters ids may not)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"


def _told(message: OutboxMessage) -> Notification:
    """The notification a message carries; an address-only message's is made from its fields
    (never saved: its reader has no account to keep it in)."""
    if message.notification is not None:
        return message.notification
    return Notification(
        kind=message.kind, params=message.params, url=message.url, created_at=message.due_at
    )


def _mail(messages: list[OutboxMessage], *, digest: bool, key: str) -> EmailMultiAlternatives:
    first = messages[0]
    if first.notification is not None:
        recipient = first.notification.recipient
        address, language = recipient.email, language_of(user=recipient)
    else:
        address, language = first.address, first.language
    content = email_for(
        [_told(message) for message in messages],
        language=language or settings.LANGUAGE_CODE,
        digest=digest,
    )
    mail = EmailMultiAlternatives(
        subject=content.subject,
        body=content.text,
        to=[address],
        # The idempotency key as Message-ID: a copy sent again after a crash between the mail
        # server's acceptance and our commit is recognisable as the same message.
        headers={"Message-ID": message_id_for(key)},
    )
    mail.attach_alternative(content.html, "text/html")
    return mail


def _deliver(messages: list[OutboxMessage], *, digest: bool, key: str, now: datetime) -> bool:
    """Send one mail for ``messages`` (locked by the caller) and record the outcome."""
    try:
        with mailers.default as connection:
            connection.send_messages([_mail(messages, digest=digest, key=key)])
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            message.attempts += 1
            message.due_at = now + retry_delay(message.attempts)
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            message.save(update_fields=["attempts", "due_at", "last_error"])
        logger.warning("mail not delivered (%s), retrying later: %s", key, error)
        return False
    for message in messages:
        message.status, message.sent_at = OutboxStatus.SENT, now
        message.save(update_fields=["status", "sent_at"])
    return True


def _due(now: datetime, *, digest: bool) -> Any:
    return (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, digest=digest, due_at__lte=now)
        .select_related("notification__recipient")
        .order_by("due_at", "pk")
    )


def outbox_deliver(*, now: datetime | None = None, limit: int = 200) -> Delivery:
    """Send due immediate messages, one by one, each under its row lock (``skip_locked``: two
    senders never take the same message). Stops at the first failure: the server is down, and
    every message waits for its retry time."""
    now = now or timezone.now()
    sent = 0
    for _step in range(limit):
        with transaction.atomic():
            message = (
                _due(now, digest=False).select_for_update(skip_locked=True, of=("self",)).first()
            )
            if message is None:
                break
            if not _deliver([message], digest=False, key=message.idempotency_key, now=now):
                return Delivery(sent=sent, failed=1)
            sent += 1
    return Delivery(sent=sent)


def digests_deliver(*, now: datetime | None = None) -> Delivery:
    """Send each person's due digest messages as one mail."""
    now = now or timezone.now()
    recipients = set(_due(now, digest=True).values_list("notification__recipient_id", flat=True))
    sent = failed = 0
    for recipient_id in sorted(recipients):
        with transaction.atomic():
            messages = list(
                _due(now, digest=True)
                .filter(notification__recipient_id=recipient_id)
                .select_for_update(skip_locked=True, of=("self",))
            )
            if not messages:
                continue
            key = f"digest/{recipient_id}/{messages[0].idempotency_key}"
            if _deliver(messages, digest=True, key=key, now=now):
                sent += 1
            else:
                failed += 1
                break
    return Delivery(sent=sent, failed=failed)


def notifications_purge(*, now: datetime | None = None) -> int:
    """Delete notifications older than NOTIFICATION_RETENTION_DAYS whose email (if any) is
    delivered; an undelivered one waits until it is. Returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    old = Notification.objects.filter(created_at__lt=cutoff).exclude(
        email__status=OutboxStatus.PENDING
    )
    _total, by_model = old.delete()
    # Address-only messages have no notification to go with: they go once delivered and old.
    OutboxMessage.objects.filter(
        notification__isnull=True, status=OutboxStatus.SENT, sent_at__lt=cutoff
    ).delete()
    return by_model.get(Notification._meta.label, 0)
