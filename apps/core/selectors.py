"""Reads of the portal's shared pages that carry a visibility rule."""

from django.db.models import QuerySet

from apps.accounts.models import User


def users_of_organisation(*, user: User) -> QuerySet[User]:
    """The active members of the user's own department or operator, the user included; a user
    of no organisation sees nobody."""
    if user.department_id is not None:
        members = User.objects.filter(department_id=user.department_id, operator__isnull=True)
    elif user.operator_id is not None:
        members = User.objects.filter(operator_id=user.operator_id, department__isnull=True)
    else:
        return User.objects.none()
    return members.filter(is_active=True).order_by("username")
