"""Reads of notifications: only a person's own, ever."""

from django.db.models import QuerySet

from apps.accounts.models import User

from .kinds import SECURITY_KINDS, SPECS, Kind
from .models import LanguagePreference, Notification, NotificationPreference


def notifications_of(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
    return rows.unread() if unread_only else rows


def notification_of(*, user: User, pk: int) -> Notification | None:
    return Notification.objects.filter(recipient=user, pk=pk).first()


def unread_count(*, user: User) -> int:
    return Notification.objects.unread().filter(recipient=user).count()


def preferences_of(*, user: User) -> dict[str, tuple[bool, bool]]:
    """(email, digest) for every kind, the kind's default where the user chose nothing."""
    chosen = {
        kind: (email, digest)
        for kind, email, digest in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "email", "digest"
        )
    }
    return {
        kind: (True, False)
        if kind in SECURITY_KINDS
        else chosen.get(kind, (True, SPECS[kind].digest_by_default))
        for kind in Kind.values
    }


def language_of(*, user: User) -> str | None:
    preference = LanguagePreference.objects.filter(user=user).first()
    return preference.language if preference else None
