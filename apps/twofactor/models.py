"""Recovery codes as a django-otp device, so a session verified by one is "verified" like one
verified by the authenticator app (OTPMiddleware, ``user.is_verified()``).

django-otp's own static device keeps its codes in plain text; these keep only a hash.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from .recovery import hash_recovery_code, looks_like_recovery_code


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: str) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed or not looks_like_recovery_code(str(token)):
            return False
        # One conditional UPDATE: two sign-ins racing with the same code cannot both win.
        used = self.codes.filter(
            code_hash=hash_recovery_code(str(token)), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, editable=False)
    used_at = models.DateTimeField(_("used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.code_hash[:8]}…"
