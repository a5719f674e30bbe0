"""Every write of two-factor authentication: set-up, recovery codes, verification."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User
from apps.audit.models import EventKind
from apps.audit.services import audit_record

from .models import RecoveryCode, RecoveryCodeDevice
from .recovery import COUNT, hash_recovery_code, looks_like_recovery_code, new_recovery_code
from .selectors import authenticator_of, recovery_codes_left, recovery_device_of
from .signals import second_factor_changed

AUTHENTICATOR_NAME = "authenticator"


def authenticator_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (made on first visit, same QR code after)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def _replace_recovery_codes(user: User) -> list[str]:
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery codes", "confirmed": True}
    )
    device.codes.all().delete()
    codes = [new_recovery_code() for _ in range(COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=hash_recovery_code(code)) for code in codes
    )
    return codes


def authenticator_confirm(
    *, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None
) -> list[str]:
    """Confirm the set-up with a first code; returns the recovery codes (shown once)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        verified = device.verify_token("".join(code.split()))
    # Outside the block: a wrong code's throttling counter must stay counted.
    if not verified:
        raise ValidationError(_("The code is wrong or has expired."), code="wrong")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _replace_recovery_codes(user)
        audit_record(
            kind=EventKind.TWOFACTOR_CHANGED,
            actor=user,
            request=request,
            obj=user,
            details={"change": "authenticator set up", "codes_issued": len(codes)},
        )
        second_factor_changed.send(sender=User, user=user, change="authenticator")
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Ten new codes; the old ones stop working. Returns them to be shown once."""
    codes = _replace_recovery_codes(user)
    audit_record(
        kind=EventKind.TWOFACTOR_CHANGED,
        actor=user,
        request=request,
        obj=user,
        details={"change": "recovery codes replaced", "codes_issued": len(codes)},
    )
    second_factor_changed.send(sender=User, user=user, change="recovery_codes")
    return codes


def _throttled_message(device: Device) -> str | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until") or timezone.now() + timedelta(seconds=1)
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    return _("Too many wrong codes: wait %(seconds)d seconds and try again.") % {"seconds": seconds}


def second_factor_verify(*, user: User, code: str, request: HttpRequest | None = None) -> Device:
    """The device that accepts ``code`` (authenticator code or recovery code), or raise.

    Log the session in with ``django_otp.login(request, device)`` afterwards.
    """
    code = "".join(code.split())
    recovery = looks_like_recovery_code(code)
    device: Device | None = (
        recovery_device_of(user=user) if recovery else authenticator_of(user=user)
    )
    if device is None:
        raise ValidationError(_("The code is wrong or has expired."), code="wrong")
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        refusal = _throttled_message(device)
        verified = refusal is None and device.verify_token(code)
    if refusal:
        raise ValidationError(refusal, code="throttled")
    method = "recovery code" if recovery else "authenticator"
    if not verified:
        audit_record(
            kind=EventKind.TWOFACTOR_FAILED, actor=user, request=request, details={"method": method}
        )
        raise ValidationError(_("The code is wrong or has expired."), code="wrong")
    if recovery:
        audit_record(
            kind=EventKind.TWOFACTOR_CHANGED,
            actor=user,
            request=request,
            obj=user,
            details={"change": "recovery code used", "codes_left": recovery_codes_left(user=user)},
        )
        second_factor_changed.send(sender=User, user=user, change="recovery_code_used")
    else:
        audit_record(
            kind=EventKind.TWOFACTOR_PASSED,
            actor=user,
            request=request,
            obj=user,
            details={"method": method},
        )
    return device
