"""Who is told: the people of one organisation who may act on an event, never anyone else.

Callers pick the audience that matches who may act (the services' own permission checks decide
the same thing); every function returns active users only.
"""

from django.db.models import Q, QuerySet

from apps.accounts.models import OrganisationRole, User
from apps.cdo.selectors import active_cdo_assignment
from apps.organisations.models import Department, Operator


def _active() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def department_members(*, department: Department) -> QuerySet[User]:
    return _active().filter(department=department)


def department_cdo(*, department: Department) -> list[User]:
    """The department's chief data officer in office now (nobody when there is none)."""
    assignment = active_cdo_assignment(department=department)
    if assignment is None or not assignment.user.is_active:
        return []
    return [assignment.user]


def department_admins(*, department: Department) -> QuerySet[User]:
    return department_members(department=department).filter(
        organisation_role=OrganisationRole.ADMIN
    )


def operator_members(*, operator: Operator | int) -> QuerySet[User]:
    return _active().filter(operator=operator)


def operator_admins(*, operator: Operator | int) -> QuerySet[User]:
    return operator_members(operator=operator).filter(organisation_role=OrganisationRole.ADMIN)


def bureau_staff_with(*, permission: str) -> QuerySet[User]:
    """Bureau users holding ``permission`` ("app_label.codename") through a group or directly."""
    app_label, codename = permission.split(".")
    held = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    return _active().filter(bureau__isnull=False, is_staff=True).filter(held).distinct()
