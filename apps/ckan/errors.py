"""CKAN's errors: each has its ``__type`` and HTTP status, as CKAN's action API answers them."""

from typing import Any


class CkanError(Exception):
    error_type = ""
    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"__type": self.error_type, "message": self.message}
        error.update(self.details)
        return error


class NotFound(CkanError):
    error_type = "Not Found Error"
    status = 404


class ValidationError(CkanError):
    """``details`` name each parameter with its messages, as CKAN's field errors do."""

    error_type = "Validation Error"
    status = 409


class SearchQueryError(CkanError):
    error_type = "Search Query Error"
    status = 400


class AuthorizationError(CkanError):
    error_type = "Authorization Error"
    status = 403


class UnknownAction(CkanError):
    # CKAN answers an unknown action with a bare 400 message and no __type.
    status = 400

    def body(self) -> dict[str, Any]:
        return {"message": self.message}
