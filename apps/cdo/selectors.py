"""Who is a department's Chief Data Officer now. Checked at the moment of each act, so an
ended term stops the CDO's powers at once (no batch job)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

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


@dataclass(frozen=True)
class CdoStanding:
    has_cdo_system: bool  # the user's department has had a CDO assignment
    in_office: bool  # the user is its CDO in office now


def cdo_standing(user: User) -> CdoStanding:
    """The signed-in user's standing towards the CDO powers of their department, read once per
    user object (one query): the work queues of a page ask it several times."""
    cached = user.__dict__.get("_cdo_standing")
    if isinstance(cached, CdoStanding):
        return cached
    if user.department_id is None:
        standing = CdoStanding(has_cdo_system=False, in_office=False)
    else:
        now = timezone.now()
        in_office = Q(term_start__lte=now, user_id=user.pk) & (
            Q(term_end__isnull=True) | Q(term_end__gt=now)
        )
        counts = CdoAssignment.objects.filter(department_id=user.department_id).aggregate(
            every=Count("pk"), mine=Count("pk", filter=in_office)
        )
        standing = CdoStanding(has_cdo_system=counts["every"] > 0, in_office=counts["mine"] > 0)
    user.__dict__["_cdo_standing"] = standing
    return standing
