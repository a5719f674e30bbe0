"""Domain errors: services raise them, forms show them, the API turns them into 4xx answers."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    """A request the domain refuses; ``message`` is shown to the user as it is.

    The message may be a lazy translation: it is rendered in the language of whoever reads it."""

    status_code = 400

    def __init__(self, message: "StrOrPromise") -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(DomainError):
    """A life-cycle move that is not allowed from the object's current state (HTTP 409)."""

    status_code = 409


class NotAllowed(DomainError):
    """The actor may not do this to this object (HTTP 403)."""

    status_code = 403
