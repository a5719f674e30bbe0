"""Who may use a web page, by organisation: the user of the request, or PermissionDenied (403).

Which of the organisation's objects the user may see is each app's selectors' business; these
only keep other kinds of users out, so every page denies by default.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apps.accounts.models import OrganisationRole, User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, on pages only signed-in users reach (the admin, login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def department_member(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.department_id is None:
        raise PermissionDenied
    return user


def operator_member(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.operator_id is None:
        raise PermissionDenied
    return user


def operator_admin(request: HttpRequest) -> User:
    user = operator_member(request)
    if user.organisation_role != OrganisationRole.ADMIN:
        raise PermissionDenied
    return user
