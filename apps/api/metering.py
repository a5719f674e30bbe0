"""Every call leaves a usage record: answered, refused, failed (5xx) or abandoned by its client.

- ``usage_record_on_close(response=, fields=)`` is how any view meters a call it answered: the
  record is written when the server closes the response, after the body has gone, so metering
  adds nothing to the call's latency, and it says whether the client got the whole body
  (``disconnected``, never charged). The operator API's views use it (views_base), and so may
  any other endpoint that meters (open-data downloads): give it UsageRecord's fields.
- ``usage_record_failed(fields=, error=)``: a call that ended in an exception, recorded as the
  500 (or, for an unreachable database, the 503) it is answered with.
- ``usage_record_refused_by_outage``: a call the outage middleware answered 503 before any view
  ran (the breaker was open) is recorded too, without a key: none could be checked.

The writes go through ``services.usage_record_or_buffer``: while the database is away the
records wait in memory and are written, with their own times, once it answers again.
"""

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils import timezone

from apps.core.delivery import response_delivery
from apps.core.outage import is_database_unavailable

from . import services

SERVER_ERROR = 500
UNAVAILABLE = 503


def usage_record_on_close(*, response: HttpResponseBase, fields: dict[str, Any]) -> None:
    """Record the call when ``response`` is closed, as delivered or not (see the module)."""
    delivery = response_delivery(response)
    fields = {"created_at": timezone.now(), **fields}

    def record() -> None:
        services.usage_record_or_buffer(fields={**fields, "disconnected": not delivery.delivered})

    # Django's list of callbacks run when the response is closed (not in the type stubs).
    response._resource_closers.append(record)  # type: ignore[attr-defined]


def usage_record_failed(*, request: HttpRequest, fields: dict[str, Any], error: Exception) -> None:
    """Record a call that raised: 503 when the database is unreachable (the record then waits in
    memory without trying the database), 500 for anything else."""
    down = is_database_unavailable(error)
    status = UNAVAILABLE if down else SERVER_ERROR
    request._usage_recorded = True  # type: ignore[attr-defined]  # not again by the 503 hook
    services.usage_record_or_buffer(fields={**fields, "status_code": status}, database_down=down)


def usage_record_refused_by_outage(request: HttpRequest, response: HttpResponseBase) -> None:
    """The outage middleware's hook: meter a 503 on an operator endpoint that no view recorded."""
    if getattr(request, "_usage_recorded", False):
        return
    endpoint = _metered_endpoint(request.path_info)
    if endpoint is None:
        return
    request._usage_recorded = True  # type: ignore[attr-defined]
    services.usage_record_or_buffer(
        fields={
            "key": None,
            "operator_id": None,
            "endpoint": endpoint,
            "method": (request.method or "")[:8],
            "path": request.path[:300].replace("\x00", "\ufffd"),
            "parameters": {},
            "status_code": response.status_code,
        },
        database_down=True,
    )


def _metered_endpoint(path: str) -> str | None:
    """The ``endpoint`` of the metered view serving ``path`` (one that sets ``metered``, as the
    operator API's do), None for any other path."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    # A class-based view's function, or a MethodRoute (apps/core/api_routing) naming its first.
    view = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    if getattr(view, "metered", False):
        return str(view.endpoint)  # type: ignore[union-attr]  # metered views name one
    return None
