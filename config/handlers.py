"""Two middleware stacks in one server: the operator API at ``/api/v1/`` runs through the short
``API_MIDDLEWARE`` (security headers, the database breaker, ``Accept-Language``), every other path
through the web pages' full ``MIDDLEWARE`` (sessions, CSRF, locale by cookie, messages, OTP, axes,
history, CSP). ``config/wsgi.py`` serves both; ``config/api_wsgi.py`` serves the API alone."""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler

WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ApiMiddlewareMixin(BaseHandler):
    """A handler whose chain is built from ``settings.API_MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler reads settings.MIDDLEWARE while it builds the chain, once, at start-up
        # (before any request thread runs): it is given the API's list for that moment only.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class ApiWSGIHandler(ApiMiddlewareMixin, WSGIHandler):
    pass


def is_api_path(path_info: str) -> bool:
    return path_info.startswith(settings.API_PATH_PREFIX)


class PathScopedApplication:
    """Sends each request to the API's handler or to the pages' by its path."""

    def __init__(self, pages: WSGIApplication, api: WSGIApplication) -> None:
        self.pages, self.api = pages, api

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        handler = self.api if is_api_path(environ.get("PATH_INFO", "")) else self.pages
        return handler(environ, start_response)
