"""send_reminders: expiries in 30 and 7 days, today's quota above 80%; twice a day tells no one
twice."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from apps.api import services as api_services
from apps.api.models import DailyUsage
from apps.authorizations.models import Qualification
from apps.notifications.kinds import Kind
from apps.notifications.models import Notification


def told(kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_expiries_are_announced_at_30_and_7_days_once_each(
    authorization, operator_admin, operator_member, outsider, rival
):
    qualification = Qualification.objects.filter(operator=authorization.operator).first()
    assert qualification is not None
    today = timezone.localdate()
    Qualification.objects.filter(pk=qualification.pk).update(valid_until=today + timedelta(days=25))
    authorization.valid_until = timezone.now() + timedelta(days=6)
    authorization.save()
    api_services.api_key_create(
        actor=operator_admin, name="生产", expires_at=timezone.now() + timedelta(days=29)
    )
    call_command("send_reminders")
    call_command("send_reminders")  # the same day again: nothing twice
    assert told(Kind.QUALIFICATION_EXPIRING) == ["op_admin", "op_member"]
    assert told(Kind.AUTHORIZATION_EXPIRING) == ["op_admin", "op_member"]
    assert told(Kind.API_KEY_EXPIRING) == ["op_admin"]
    assert Notification.objects.get(
        kind=Kind.AUTHORIZATION_EXPIRING, recipient=operator_member
    ).params["days"] in ("5", "6")
    # Inside 7 days the qualification is warned again, once.
    Qualification.objects.filter(pk=qualification.pk).update(valid_until=today + timedelta(days=7))
    call_command("send_reminders")
    call_command("send_reminders")
    assert told(Kind.QUALIFICATION_EXPIRING) == ["op_admin", "op_admin", "op_member", "op_member"]


def test_nothing_far_from_expiry_is_announced(authorization, operator_member):
    call_command("send_reminders")
    assert not Notification.objects.filter(
        kind__in=[Kind.QUALIFICATION_EXPIRING, Kind.AUTHORIZATION_EXPIRING]
    ).exists()


def test_quota_above_80_percent_today_once(authorization, operator_admin, operator_member, rival):
    quota = authorization.daily_row_quota
    DailyUsage.objects.create(
        authorization=authorization, day=timezone.localdate(), rows=quota * 79 // 100
    )
    call_command("send_reminders")
    assert told(Kind.QUOTA_NEARLY_USED) == []
    DailyUsage.objects.filter(authorization=authorization).update(rows=quota * 81 // 100)
    call_command("send_reminders")
    call_command("send_reminders")
    assert told(Kind.QUOTA_NEARLY_USED) == ["op_admin", "op_member"]
    assert (
        Notification.objects.filter(kind=Kind.QUOTA_NEARLY_USED).first().params["percent"] == "81"
    )


def test_bureau_work_waiting_too_long_is_listed_daily_for_who_may_act(
    settings, department, department_member, reviewer, approver, auditor
):
    from apps.catalog.models import CatalogEntry
    from tests.factories import make_entry

    entry = make_entry(department=department, actor=department_member, status="submitted")
    CatalogEntry.objects.filter(pk=entry.pk).update(
        submitted_at=timezone.now() - timedelta(days=settings.NOTIFICATION_OVERDUE_DAYS + 1)
    )
    call_command("send_reminders")
    call_command("send_reminders")
    assert told(Kind.OVERDUE) == ["approver", "reviewer"]
