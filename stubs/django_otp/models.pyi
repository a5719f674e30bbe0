from typing import Any, ClassVar, Self, TypeVar

from django.conf import settings
from django.db import models

_DeviceT = TypeVar("_DeviceT", bound=Device)

class DeviceManager(models.Manager[_DeviceT]):
    def devices_for_user(
        self, user: object, confirmed: bool | None = None
    ) -> models.QuerySet[_DeviceT]: ...

class Device(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=True)
    objects: ClassVar[DeviceManager[Self]]

    class Meta:
        abstract = True

    @property
    def persistent_id(self) -> str: ...
    @classmethod
    def model_label(cls) -> str: ...
    @classmethod
    def from_persistent_id(cls, persistent_id: str, for_verify: bool = False) -> Device | None: ...
    def is_interactive(self) -> bool: ...
    def generate_is_allowed(self) -> tuple[bool, dict[str, Any] | None]: ...
    def generate_challenge(self) -> str | None: ...
    # (True, None) when verify_token may be called, else (False, details such as "locked_until").
    def verify_is_allowed(self) -> tuple[bool, dict[str, Any] | None]: ...
    def verify_token(self, token: str) -> bool: ...

class ThrottlingMixin(models.Model):
    throttling_failure_timestamp = models.DateTimeField(null=True, blank=True, default=None)
    throttling_failure_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def verify_is_allowed(self) -> tuple[bool, dict[str, Any] | None]: ...
    def throttle_reset(self, commit: bool = True) -> None: ...
    def throttle_increment(self, commit: bool = True) -> None: ...
    @property
    def throttling_enabled(self) -> bool: ...
    def get_throttle_factor(self) -> int | float: ...

class TimestampMixin(models.Model):
    created_at = models.DateTimeField(null=True, blank=True, auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def set_last_used_timestamp(self, commit: bool = True) -> None: ...
