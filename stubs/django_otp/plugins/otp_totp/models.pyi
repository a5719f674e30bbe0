from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

def default_key() -> str: ...
def key_validator(value: str) -> str: ...

class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    key = models.CharField(max_length=80, default=default_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    @property
    def bin_key(self) -> bytes: ...
    def verify_token(self, token: str) -> bool: ...
    def get_throttle_factor(self) -> int: ...
    @property
    def config_url(self) -> str: ...
