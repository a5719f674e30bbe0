"""The open API's request rate per caller address (OPEN_API_RATE, default 60/min): the same
fixed-window counter as the operator API's per-key rate, counted by the address's hash."""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.api.throttling import KeyRateThrottle

from .services import address_hash

WINDOWS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600}


class AddressRateThrottle(KeyRateThrottle):
    def __init__(self) -> None:
        count, _slash, period = settings.OPEN_API_RATE.partition("/")
        self.limit = int(count)
        self.window = WINDOWS[period]
        self.wait_seconds = 0.0

    def allow_request(self, request: Request, view: APIView) -> bool:
        return self.allow_caller(f"open-api-throttle:{address_hash(request)}")
