"""Who is a department's Chief Data Officer now. Checked at the moment of each act, so an
ended term stops the CDO's powers at once (no batch job)."""

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from apps.accounts.models import User
from apps.organisations.models import Department

from .models import CdoAssignment


def active_cdo_assignment(
    *, department: Department, at: datetime | None = None
) -> CdoAssignment | None:
    return (
        CdoAssignment.objects.active(at)
        .filter(department=department)
        .select_related("user")
        .first()
    )


def is_active_cdo(*, user: User, department: Department, at: datetime | None = None) -> bool:
    return CdoAssignment.objects.active(at).filter(department=department, user=user).exists()


def department_has_cdo_system(*, department: Department) -> bool:
    """Whether the department has ever had a CDO: from then on only the active CDO acts."""
    return CdoAssignment.objects.filter(department=department).exists()


def cdo_assignments_of_department(*, department: Department) -> QuerySet[CdoAssignment]:
    return (
        CdoAssignment.objects.filter(department=department)
        .select_related("user", "appointed_by")
        .order_by("-term_start")
    )


def departments_without_active_cdo() -> QuerySet[Department]:
    return Department.objects.filter(
        ~Exists(CdoAssignment.objects.active().filter(department=OuterRef("pk")))
    )
