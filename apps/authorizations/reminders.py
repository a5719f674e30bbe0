"""Reminders of qualifications and authorizations about to expire, and of bureau work waiting
too long (run by ``manage.py send_reminders`` through apps/notifications/registry.py)."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, Model, OuterRef
from django.urls import reverse
from django.utils import timezone

from apps.catalog.choices import Status as EntryStatus
from apps.catalog.models import CatalogEntry
from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.registry import EXPIRY_WARNING_DAYS, expiry_threshold, reminder_register
from apps.notifications.services import event_key_for, notification_send

from .choices import ApplicationStatus, ReviewStatus
from .models import Application, Authorization, Qualification


def _renewed() -> Exists:
    """A later approved qualification of the same type already covers the operator."""
    return Exists(
        Qualification.objects.filter(
            operator=OuterRef("operator"),
            qualification_type=OuterRef("qualification_type"),
            status=ReviewStatus.APPROVED,
            valid_until__gt=OuterRef("valid_until"),
        )
    )


def qualifications_expiring_remind(today: date) -> int:
    told = 0
    expiring = (
        Qualification.objects.expiring_within(max(EXPIRY_WARNING_DAYS), today)
        .exclude(_renewed())
        .select_related("operator", "qualification_type")
    )
    for qualification in expiring:
        days_left = (qualification.valid_until - today).days
        threshold = expiry_threshold(days_left)
        if threshold is None:
            continue
        told += len(notification_send(
            kind=Kind.QUALIFICATION_EXPIRING,
            recipients=audiences.operator_members(operator=qualification.operator_id),
            obj=qualification,
            url=reverse("operator_authorizations:qualifications"),
            event_key=event_key_for(Kind.QUALIFICATION_EXPIRING, qualification, threshold,
                                    qualification.valid_until),
            params={"number": qualification.number, "type": qualification.qualification_type.name,
                    "valid_until": qualification.valid_until.isoformat(), "days": days_left},
        ))  # fmt: skip
    return told


def authorizations_expiring_remind(today: date) -> int:
    told = 0
    start = timezone.make_aware(datetime.combine(today, time.min))
    horizon = start + timedelta(days=max(EXPIRY_WARNING_DAYS) + 1)
    expiring = (
        Authorization.objects.in_force().filter(valid_until__lt=horizon).select_related("entry")
    )
    for authorization in expiring:
        ends = timezone.localdate(authorization.valid_until)
        threshold = expiry_threshold((ends - today).days)
        if threshold is None:
            continue
        told += len(notification_send(
            kind=Kind.AUTHORIZATION_EXPIRING,
            recipients=audiences.operator_members(operator=authorization.operator_id),
            obj=authorization,
            url=reverse("operator_authorizations:authorizations"),
            event_key=event_key_for(Kind.AUTHORIZATION_EXPIRING, authorization, threshold, ends),
            params={"number": authorization.pk, "title": authorization.entry.title,
                    "identifier": authorization.entry.identifier, "valid_until": ends.isoformat(),
                    "days": (ends - today).days},
        ))  # fmt: skip
    return told


def _overdue(today: date, *, obj: Model, since: datetime, subject: str, permission: str,
             url: str, exclude: int | None = None) -> int:  # fmt: skip
    waited = (today - timezone.localdate(since)).days
    staff = audiences.bureau_staff_with(permission=permission).exclude(pk=exclude or 0)
    return len(notification_send(
        kind=Kind.OVERDUE, recipients=staff, obj=obj, url=url,
        event_key=event_key_for(Kind.OVERDUE, obj, today),
        params={"subject": subject, "days": waited, "since": timezone.localdate(since)},
    ))  # fmt: skip


def bureau_overdue_remind(today: date) -> int:
    """Once a day, each item waiting in a bureau queue longer than NOTIFICATION_OVERDUE_DAYS is
    listed for the staff who may take it (their daily digest by default)."""
    cutoff = timezone.now() - timedelta(days=settings.NOTIFICATION_OVERDUE_DAYS)
    told = 0
    for entry in CatalogEntry.objects.filter(status=EntryStatus.SUBMITTED, submitted_at__lt=cutoff):
        told += _overdue(
            today, obj=entry, since=entry.submitted_at or cutoff, subject=entry.identifier,
            permission="catalog.review_catalogentry",
            url=reverse("admin:catalog_catalogentry_change", args=[entry.pk]),
        )  # fmt: skip
    for qualification in Qualification.objects.filter(
        status=ReviewStatus.PENDING, submitted_at__lt=cutoff
    ):
        told += _overdue(
            today, obj=qualification, since=qualification.submitted_at,
            subject=qualification.number, permission="authorizations.review_qualification",
            url=reverse("admin:authorizations_qualification_change", args=[qualification.pk]),
        )  # fmt: skip
    waiting = {
        ApplicationStatus.DEPARTMENT_AGREED: ("department_opinion_at", "recommend_application"),
        ApplicationStatus.DEPARTMENT_DISAGREED: ("department_opinion_at", "decide_application"),
        ApplicationStatus.RECOMMENDED: ("recommended_at", "decide_application"),
    }
    for status, (since_field, codename) in waiting.items():
        for application in Application.objects.filter(
            status=status, **{f"{since_field}__lt": cutoff}
        ):
            told += _overdue(
                today, obj=application, since=getattr(application, since_field),
                subject=f"#{application.pk}", permission=f"authorizations.{codename}",
                url=reverse("admin:authorizations_application_change", args=[application.pk]),
                exclude=application.recommended_by_id,
            )  # fmt: skip
    return told


def reminders_register() -> None:
    reminder_register(name="qualifications expiring", reminder=qualifications_expiring_remind)
    reminder_register(name="authorizations expiring", reminder=authorizations_expiring_remind)
    reminder_register(name="bureau work overdue", reminder=bureau_overdue_remind)
