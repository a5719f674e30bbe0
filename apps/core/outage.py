"""While PostgreSQL cannot be reached: fail fast, say so, and heal by itself.

- A call that fails because the database is unreachable (refused, reset, shut down by the
  administrator, or no pooled connection within ``DATABASE_POOL_TIMEOUT``) answers **503**:
  the API's JSON error shape with ``Retry-After``, a translated page elsewhere.
- After ``DATABASE_OUTAGE_THRESHOLD`` such failures in a row the breaker opens: for
  ``DATABASE_RETRY_SECONDS`` every request answers 503 at once instead of holding a thread for
  the pool timeout; then one request at a time tries the database again, and the first success
  closes the breaker.
- One log line when the incident begins and one when it ends, with the count of calls it
  refused — not a traceback per request (``QuietOutageFilter`` drops Django's own per-request
  lines for the 503s this module answered).

Errors of one query (a constraint, a cancelled statement) are not outages: they stay 500s.

Apps above this one learn of every 503 answered here through ``unavailable_listeners`` (the API
meters them: a call refused in an outage still leaves a usage record).
"""

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import server_error as default_server_error
from psycopg_pool import PoolTimeout

from .api_errors import error_body

logger = logging.getLogger(__name__)

# SQLSTATE classes and codes that mean "no usable connection", not "this query failed".
_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
# Answered without the breaker and without the database: a load balancer's probes.
PROBE_PATHS = ("/healthz", "/readyz")


def is_database_unavailable(error: BaseException | None) -> bool:
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    cause = error.__cause__
    if isinstance(cause, PoolTimeout):
        return True
    if isinstance(cause, psycopg.Error):
        state = cause.sqlstate
        return state is None or state.startswith(_CONNECTION_STATES)
    return isinstance(error, InterfaceError)  # "connection already closed"


class Breaker:
    """One process's count of consecutive database failures."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failures = 0
        self.refused = 0
        self._open_until = 0.0
        self._since = 0.0
        self._pools_reset_at = 0.0

    def pools_due_for_reset(self) -> bool:
        """True for one request per DATABASE_RETRY_SECONDS while failures are counted."""
        if not self.failures:  # the usual case: no lock taken on the request path
            return False
        with self._lock:
            now = time.monotonic()
            if not self.failures or now < self._pools_reset_at:
                return False
            self._pools_reset_at = now + settings.DATABASE_RETRY_SECONDS
            return True

    def is_open(self) -> bool:
        if self.failures < settings.DATABASE_OUTAGE_THRESHOLD:  # no lock while all is well
            return False
        with self._lock:
            if self.failures < settings.DATABASE_OUTAGE_THRESHOLD:
                return False
            now = time.monotonic()
            if now < self._open_until:
                self.refused += 1
                return True
            self._open_until = now + settings.DATABASE_RETRY_SECONDS  # this request tries
            return False

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if not self.failures:
                self._since = time.monotonic()
                logger.error("database unreachable: %s", str(error).strip().splitlines()[0])
            self.failures += 1
            self.refused += 1
            if self.failures >= settings.DATABASE_OUTAGE_THRESHOLD:
                self._open_until = time.monotonic() + settings.DATABASE_RETRY_SECONDS

    def succeeded(self) -> None:
        if not self.failures:
            return
        with self._lock:
            if self.failures:
                logger.warning(
                    "database reachable again after %.0f s; %d calls answered 503",
                    time.monotonic() - self._since,
                    self.refused,
                )
            self.failures = self.refused = 0
            self._open_until = self._pools_reset_at = 0.0


breaker = Breaker()
_pools_lock = threading.Lock()


def pools_reset() -> None:
    """Start every PostgreSQL connection pool afresh.

    A pool whose reconnections kept failing waits longer and longer (up to minutes) before it
    tries again, so after an outage requests would time out against a database that is back.
    A new pool connects at once: the first request allowed to try after a failure gets a
    connection as soon as the server answers. Connections in use are closed when returned.
    """
    with _pools_lock:
        for alias in connections:
            database = connections[alias]  # the pools are shared by every thread's wrapper
            pools = getattr(database, "_connection_pools", {})
            if database.vendor == "postgresql" and alias in pools:
                with contextlib.suppress(KeyError):
                    pools.pop(alias).close(timeout=0)


# Called with the request and its 503 for every one answered here; registered at start-up by the
# apps that must know (AppConfig.ready), since this module may not import them. A listener must
# not touch the database.
unavailable_listeners: list[Callable[[HttpRequest, HttpResponse], None]] = []


def unavailable_response(request: HttpRequest) -> HttpResponse:
    request._database_outage = True  # type: ignore[attr-defined]  # read by QuietOutageFilter
    retry = str(settings.DATABASE_RETRY_SECONDS)
    with translation.override(translation.get_language_from_request(request)):
        message = _("The service is briefly unavailable. Please try again in a moment.")
        page = render_to_string("503.html", {"message": message, "retry": retry})
    if request.path.startswith("/api/"):
        body = error_body("service_unavailable", message)
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = HttpResponse(page, status=503)
    response["Retry-After"] = retry
    response["Cache-Control"] = "no-store"
    for listener in unavailable_listeners:
        listener(request, response)
    return response


class DatabaseOutageMiddleware:
    """First in the chain: refuses at once while the breaker is open, turns an unreachable
    database into a 503 wherever in the view it surfaced, and closes the breaker on success."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = request.path.startswith(PROBE_PATHS)
        if not probe and breaker.is_open():
            return unavailable_response(request)
        if not probe and breaker.pools_due_for_reset():
            pools_reset()
        response = self.get_response(request)
        if not probe and not getattr(request, "_database_outage", False):
            breaker.succeeded()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        breaker.failed(exception)
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage that surfaced outside a view (a middleware reading the
    session, say) is a 503 too; anything else is the ordinary 500 page."""
    error = sys.exception()
    if error is not None and is_database_unavailable(error):
        breaker.failed(error)
        return unavailable_response(request)
    return default_server_error(request)


class QuietOutageFilter(logging.Filter):
    """Drop django.request's per-request records for the 503s answered above."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        return not getattr(request, "_database_outage", False)
