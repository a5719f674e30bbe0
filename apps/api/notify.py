"""What the operator API tells operators: a new key (a security message, to its administrators)
and, from ``send_reminders``, keys about to expire and today's quota nearly used."""

from datetime import date, datetime, time, timedelta

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.registry import EXPIRY_WARNING_DAYS, expiry_threshold, reminder_register
from apps.notifications.services import event_key_for, notification_send

from .models import ApiKey, DailyUsage

# Today's quota warning: at this share of the rows (README "Notifications").
QUOTA_WARNING_PERCENT = 80


def _key_params(key: ApiKey) -> dict[str, object]:
    return {"name": key.name, "prefix": key.prefix}


def api_key_created(*, key: ApiKey, actor: User) -> None:
    notification_send(
        kind=Kind.API_KEY_CREATED,
        recipients=audiences.operator_admins(operator=key.operator_id),
        obj=key,
        url=reverse("api_keys:list"),
        params={**_key_params(key), "actor": actor.get_full_name() or actor.username},
    )


def api_keys_expiring_remind(today: date) -> int:
    told = 0
    start = timezone.make_aware(datetime.combine(today, time.min))
    horizon = start + timedelta(days=max(EXPIRY_WARNING_DAYS) + 1)
    for key in ApiKey.objects.usable().filter(expires_at__lt=horizon):
        assert key.expires_at is not None  # noqa: S101 - the filter above
        ends = timezone.localdate(key.expires_at)
        threshold = expiry_threshold((ends - today).days)
        if threshold is None:
            continue
        told += len(notification_send(
            kind=Kind.API_KEY_EXPIRING,
            recipients=audiences.operator_admins(operator=key.operator_id),
            obj=key, url=reverse("api_keys:list"),
            event_key=event_key_for(Kind.API_KEY_EXPIRING, key, threshold, ends),
            params={**_key_params(key), "valid_until": ends.isoformat(),
                    "days": (ends - today).days},
        ))  # fmt: skip
    return told


def quotas_nearly_used_remind(today: date) -> int:
    """Authorizations that used QUOTA_WARNING_PERCENT of today's rows: once per day each."""
    told = 0
    used = DailyUsage.objects.filter(
        day=today, rows__gte=F("authorization__daily_row_quota") * QUOTA_WARNING_PERCENT / 100
    ).select_related("authorization__entry")
    for usage in used:
        authorization = usage.authorization
        quota = authorization.daily_row_quota
        told += len(notification_send(
            kind=Kind.QUOTA_NEARLY_USED,
            recipients=audiences.operator_members(operator=authorization.operator_id),
            obj=authorization, url=reverse("operator_usage:index"),
            event_key=event_key_for(Kind.QUOTA_NEARLY_USED, authorization, today),
            params={"number": authorization.pk, "title": authorization.entry.title,
                    "identifier": authorization.entry.identifier, "rows": usage.rows,
                    "quota": quota, "percent": usage.rows * 100 // max(quota, 1)},
        ))  # fmt: skip
    return told


def reminders_register() -> None:
    reminder_register(name="API keys expiring", reminder=api_keys_expiring_remind)
    reminder_register(name="quotas nearly used", reminder=quotas_nearly_used_remind)
