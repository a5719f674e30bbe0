"""The base of every operator endpoint: key authentication, throttling and metering."""

import time
from typing import Any

from django.http import HttpResponseBase
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.authorizations.models import Authorization

from . import services
from .authentication import ApiKeyAuthentication
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
        # The usage record is written when the server closes the response, after the body has
        # gone to the client, so metering adds nothing to the call's latency.
        record = self._usage(request, response)
        # Django's list of callbacks run when the response is closed (not in the type stubs).
        response._resource_closers.append(lambda: services.usage_record(**record))  # type: ignore[attr-defined]
        return response

    def _usage(self, request: Request, response: HttpResponseBase) -> dict[str, Any]:
        """Every call is recorded, refused ones included (who, what, how much, how long)."""
        key = getattr(request, "auth", None)
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
            status_code=response.status_code,
            rows=getattr(self, "metered_rows", 0),
            cells=getattr(self, "metered_cells", 0),
            latency_ms=(time.perf_counter() - started) * 1000,
        )


def _storable(text: str) -> str:
    # PostgreSQL text and jsonb refuse NUL characters; a client may send them (%00), and the
    # refused call must still be recorded rather than fail with a server error.
    return text.replace("\x00", "\ufffd")
