"""What the operator API's own middleware stack adds (settings.API_MIDDLEWARE, config/handlers.py).

The API at ``/api/v1/`` is called by programs with a key, or by anyone for open data: no session,
no CSRF token, no messages, no second factor, no login lockout, no HTML. It keeps what it needs:
the security headers, the database breaker, and error messages in the caller's language, which an
API client asks for with ``Accept-Language`` alone (never a cookie)."""

from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from .api_errors import error_body

Middleware = Callable[[HttpRequest], HttpResponse]


def accepted_language(header: str) -> str:
    """The first language of ``Accept-Language`` the portal speaks, else its default."""
    return _spoken_language(header) or settings.LANGUAGE_CODE


@lru_cache(maxsize=64)
def _spoken_language(header: str) -> str | None:
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class AcceptLanguageMiddleware:
    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response


class ApiOnlyMiddleware:
    """A server started on ``config.api_wsgi`` answers the API and nothing else: a page needs the
    full stack (sessions, CSRF, 2FA) this one leaves out."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(settings.API_PATH_PREFIX):
            message = _("This server answers the API only.")
            return JsonResponse(error_body("not_found", message), status=404)
        return self.get_response(request)
