"""Reads about a user's second factor."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User

from .models import RecoveryCode, RecoveryCodeDevice


def authenticator_of(*, user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app (set-up keeps at most one)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_device_of(*, user: User) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()
