"""Probes for a load balancer: ``/healthz`` (the process answers) and ``/readyz`` (it can serve).

Readiness asks the database (with its own short timeout, never the breaker's cached answer)
and every check an app registered with ``readiness_check`` — the data-zone worker's heartbeat,
say. The shared cache is reported but never makes a server unready: the portal serves without
Redis (apps/core/cache.py), and taking every server out because Redis is away would turn a
degraded service into none.
"""

import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# name → check; a check answers (ready?, what it found).
ReadinessCheck = Callable[[], tuple[bool, str]]
_checks: dict[str, ReadinessCheck] = {}


def readiness_check(name: str) -> Callable[[ReadinessCheck], ReadinessCheck]:
    def register(check: ReadinessCheck) -> ReadinessCheck:
        _checks[name] = check
        return check

    return register


def _database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        # The probe is public: the reason (host names, ports) goes to the log, not the answer.
        logger.debug("readyz: cannot reach the database: %s", str(error).strip()[:200])
        return False, "unreachable"
    return True, "ok"


def _cache() -> tuple[bool, str]:
    cache.set("readyz", "ok", 10)
    return True, "ok" if cache.get("readyz") == "ok" else "unreachable (serving without it)"


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    results = {"database": _database()}
    if results["database"][0]:
        results.update((name, check()) for name, check in _checks.items())
    results["cache"] = _cache()
    ready = all(ok for ok, _found in results.values())
    if not results["database"][0]:
        request._database_outage = True  # type: ignore[attr-defined]  # logged once by outage.py
    body = {"ready": ready, "checks": {name: found for name, (_ok, found) in results.items()}}
    return JsonResponse(body, status=200 if ready else 503)
