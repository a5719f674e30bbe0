"""One JSON error shape for every API of the portal: {"error": {"code", "message", "field"?}}.

Shared API infrastructure lives here, below the domain apps, so that the catalog (and any
lower app with an API) shapes its errors like the operator API without importing it."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import StrOrPromise


class ApiError(exceptions.APIException):
    """An error a client caused, with a stable machine-readable code."""

    def __init__(
        self,
        code: str,
        message: "StrOrPromise",
        *,
        field: str | None = None,
        status_code: int = 400,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.field = field


def bad_parameter(name: str, message: str) -> ApiError:
    return ApiError("invalid_parameter", message, field=name)


def invalid_cursor(message: "StrOrPromise | None" = None) -> ApiError:
    """A cursor the server did not make, or made for another query: every paged API answers it
    the same way (400, code invalid_cursor, field cursor)."""
    return ApiError(
        "invalid_cursor",
        message or _("This cursor is not valid; start again from the first page."),
        field="cursor",
    )


def field_not_granted(name: str) -> ApiError:
    return ApiError(
        "field_not_granted",
        _("The field “%(field)s” is not part of your authorization.") % {"field": name},
        field=name,
    )


def not_found() -> ApiError:
    # Same answer for "does not exist" and "not yours": existence is not revealed.
    return ApiError("not_found", _("No such catalog entry for this key."), status_code=404)


_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "invalid_key",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed_request",
    exceptions.Throttled: "throttled",
}


def error_body(code: str, message: Any, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"error": error}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        exc = ApiError("refused", exc.message, status_code=exc.status_code)
    elif isinstance(exc, Http404 | exceptions.NotFound):
        exc = ApiError(
            "not_found", str(getattr(exc, "detail", "")) or _("Not found."), status_code=404
        )
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        response.data = error_body(exc.error_code, str(exc.detail), exc.field)
    elif isinstance(exc, exceptions.ValidationError):
        field, messages = next(iter(_flatten(exc.detail)), (None, ""))
        response.data = error_body("invalid_parameter", messages, field)
    else:
        code = next((c for kind, c in _CODES.items() if isinstance(exc, kind)), "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(code, str(detail))
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _flatten(detail: Any, prefix: str = "") -> list[tuple[str | None, str]]:
    if isinstance(detail, dict):
        return [
            pair
            for key, value in detail.items()
            for pair in _flatten(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
        ]
    if isinstance(detail, list):
        return [pair for value in detail for pair in _flatten(value, prefix)]
    return [(prefix or None, str(detail))]


ERROR_SCHEMA = inline_serializer(
    "Error",
    fields={
        "error": inline_serializer(
            "ErrorBody",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "field": serializers.CharField(required=False),
            },
        )
    },
)
