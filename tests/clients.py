"""The test client as the portal's WSGI application routes requests: /api/v1/ through the API's
middleware stack (settings.API_MIDDLEWARE), pages through the full one (config/handlers.py)."""

from typing import Any

from django.http import HttpResponseBase
from django.test import Client
from django.test.client import ClientHandler

from config.handlers import ApiMiddlewareMixin, is_api_path


class ApiClientHandler(ApiMiddlewareMixin, ClientHandler):
    pass


class PathScopedClientHandler:
    def __init__(self, enforce_csrf_checks: bool) -> None:
        self.pages = ClientHandler(enforce_csrf_checks)
        self.api = ApiClientHandler(enforce_csrf_checks)

    @property
    def enforce_csrf_checks(self) -> bool:
        return self.pages.enforce_csrf_checks

    @enforce_csrf_checks.setter
    def enforce_csrf_checks(self, value: bool) -> None:
        # Tests turn the CSRF check on after the client is made (client.handler....= True).
        self.pages.enforce_csrf_checks = self.api.enforce_csrf_checks = value

    def __call__(self, environ: dict[str, Any]) -> HttpResponseBase:
        handler = self.api if is_api_path(environ.get("PATH_INFO", "")) else self.pages
        return handler(environ)


class PortalClient(Client):
    def __init__(self, enforce_csrf_checks: bool = False, *args: Any, **kwargs: Any) -> None:
        super().__init__(enforce_csrf_checks, *args, **kwargs)
        self.handler = PathScopedClientHandler(enforce_csrf_checks)  # type: ignore[assignment]
