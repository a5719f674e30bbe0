"""The base of every operator endpoint: key authentication, throttling and metering."""

import time
from typing import Any

from django.http import HttpResponseBase
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.authorizations.models import Authorization

from .authentication import ApiKeyAuthentication
from .metering import usage_record_failed, usage_record_on_close
from .throttling import KeyRateThrottle

# Query parameters kept in the usage record; values are cut so a record stays small.
MAX_PARAMETER_LENGTH = 200


class OperatorApiView(APIView):
    """Subclasses set ``endpoint`` (a short name for usage records) and, when a call touches an
    authorization, ``self.metered_authorization`` and ``self.metered_rows`` / ``metered_cells``."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [KeyRateThrottle]
    endpoint = "unknown"
    metered = True  # a 503 the outage middleware answers on this view's URL is recorded too

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.started = time.perf_counter()
        self.metered_authorization: Authorization | None = None
        self.metered_rows = 0
        self.metered_cells = 0
        super().initial(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Written when the server closes the response, delivered in full or not (apps/api/metering).
        usage_record_on_close(response=response, fields=self._usage(request, response))
        return response

    def handle_exception(self, exc: Exception) -> Response:
        try:
            return super().handle_exception(exc)
        except Exception as error:  # answered 500 (or 503) by Django: recorded as such first
            fields = self._usage(self.request, None)
            usage_record_failed(request=self.request._request, fields=fields, error=error)
            raise

    def _usage(self, request: Request, response: HttpResponseBase | None) -> dict[str, Any]:
        """Every call is recorded, refused ones included (who, what, how much, how long)."""
        # Read without authenticating again: the failure may have been the key's own lookup.
        key = request.__dict__.get("_auth")
        started = getattr(self, "started", time.perf_counter())
        return dict(
            key=key,
            operator_id=getattr(key, "operator_id", None),
            authorization=getattr(self, "metered_authorization", None),
            endpoint=self.endpoint,
            method=request.method or "",
            path=_storable(request.path[:300]),
            parameters={
                _storable(k[:MAX_PARAMETER_LENGTH]): _storable(str(v)[:MAX_PARAMETER_LENGTH])
                for k, v in request.query_params.items()
            },
            status_code=response.status_code if response is not None else 0,
            rows=getattr(self, "metered_rows", 0),
            cells=getattr(self, "metered_cells", 0),
            latency_ms=(time.perf_counter() - started) * 1000,
        )


def _storable(text: str) -> str:
    # PostgreSQL text and jsonb refuse NUL characters; a client may send them (%00), and the
    # refused call must still be recorded rather than fail with a server error.
    return text.replace("\x00", "\ufffd")
