"""Reads about qualification and authorizations that carry a rule."""

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import User
from apps.catalog.choices import Grade, Openness
from apps.catalog.models import CatalogEntry, CatalogEntryQuerySet, CatalogField
from apps.organisations.models import Department, Operator

from .choices import ApplicationStatus, ReviewStatus
from .models import (
    Application,
    Authorization,
    AuthorizationQuerySet,
    Qualification,
    QualificationType,
    Scenario,
)


def operator_is_qualified(*, operator: Operator, on: date | None = None) -> bool:
    """Qualified only while every required type has an approved, unexpired qualification.

    One query: is there a required type without such a qualification? (Every API call asks.)
    """
    if not operator.is_active:
        return False
    on = on or timezone.localdate()
    held = Qualification.objects.filter(
        operator=operator, qualification_type=OuterRef("pk")
    ).valid_on(on)
    return not QualificationType.objects.filter(required=True).exclude(Exists(held)).exists()


def qualifications_expiring(*, days: int = 30) -> QuerySet[Qualification]:
    return (
        Qualification.objects.expiring_within(days, timezone.localdate())
        .select_related("operator", "qualification_type")
        .order_by("valid_until")
    )


def authorizations_disclosed() -> AuthorizationQuerySet:
    """The public list the specification requires: every authorization in force."""
    return (
        Authorization.objects.in_force()
        .select_related("operator", "entry__department", "scenario")
        .order_by("entry__identifier", "operator__name")
    )


def departments_disclosed() -> QuerySet[Department]:
    """The departments the disclosure page filters by: those with an authorization in force."""
    in_force = Authorization.objects.in_force().filter(entry__department=OuterRef("pk"))
    return Department.objects.filter(Exists(in_force)).order_by("code")


def operators_disclosed() -> QuerySet[Operator]:
    """The operators the disclosure page filters by: those holding an authorization in force."""
    in_force = Authorization.objects.in_force().filter(operator=OuterRef("pk"))
    return Operator.objects.filter(Exists(in_force)).order_by("name")


def scenarios_disclosed() -> QuerySet[Scenario]:
    """The public scenarios: those an authorization in force serves, newest first, each with
    those authorizations in ``authorizations_in_force``."""
    in_force = Authorization.objects.in_force()
    authorized = Prefetch(
        "authorizations",
        queryset=in_force.select_related("entry").order_by("entry__identifier"),
        to_attr="authorizations_in_force",
    )
    return (
        Scenario.objects.filter(Exists(in_force.filter(scenario=OuterRef("pk"))))
        .select_related("operator")
        .prefetch_related(authorized)
        .order_by("-created_at", "-pk")
    )


# Operator and department pages ----------------------------------------------------------------
# An operator sees only its own objects and a department only applications for its own entries;
# anything else answers 404 so that its existence is not revealed.


@dataclass(frozen=True)
class QualificationGap:
    """A required qualification type the operator does not hold a valid approval for."""

    qualification_type: QualificationType
    reason: str  # one of QualificationGap.MISSING, EXPIRED, PENDING

    MISSING: ClassVar[str] = "missing"
    EXPIRED: ClassVar[str] = "expired"
    PENDING: ClassVar[str] = "pending"


def qualification_gaps(*, operator: Operator, on: date | None = None) -> list[QualificationGap]:
    """Why an operator is not qualified, per required type (two queries whatever the data)."""
    on = on or timezone.localdate()
    held: dict[int, list[Qualification]] = {}
    for qualification in Qualification.objects.filter(
        operator=operator, qualification_type__required=True
    ):
        held.setdefault(qualification.qualification_type_id, []).append(qualification)
    gaps = []
    for qualification_type in QualificationType.objects.filter(required=True):
        reason = _gap_reason(held.get(qualification_type.pk, []), on)
        if reason:
            gaps.append(QualificationGap(qualification_type, reason))
    return gaps


def _gap_reason(qualifications: list[Qualification], on: date) -> str:
    approved = [q for q in qualifications if q.status == ReviewStatus.APPROVED]
    if any(q.valid_from <= on <= q.valid_until for q in approved):
        return ""
    if any(q.status == ReviewStatus.PENDING and q.valid_until >= on for q in qualifications):
        return QualificationGap.PENDING
    if any(q.valid_until < on for q in approved):
        return QualificationGap.EXPIRED
    return QualificationGap.MISSING


def qualifications_of_operator(*, user: User) -> QuerySet[Qualification]:
    if user.operator_id is None:
        return Qualification.objects.none()
    return (
        Qualification.objects.filter(operator_id=user.operator_id)
        .select_related("qualification_type")
        .order_by("qualification_type__name", "-valid_until", "-pk")
    )


def qualification_of_operator(*, user: User, pk: int) -> Qualification:
    return _get_or_404(qualifications_of_operator(user=user), pk=pk)


def scenarios_of_operator(*, user: User) -> QuerySet[Scenario]:
    if user.operator_id is None:
        return Scenario.objects.none()
    return Scenario.objects.filter(operator_id=user.operator_id).order_by("-created_at", "-pk")


def applications_of_operator(*, user: User) -> QuerySet[Application]:
    if user.operator_id is None:
        return Application.objects.none()
    return (
        Application.objects.filter(operator_id=user.operator_id)
        .select_related("entry", "scenario")
        .order_by("-submitted_at", "-pk")
    )


def application_of_operator(*, user: User, pk: int) -> Application:
    applications = applications_of_operator(user=user).select_related(
        "entry__department", "renewal_of__entry", "authorization"
    )
    return _get_or_404(applications, pk=pk)


def authorizations_of_operator(*, user: User) -> AuthorizationQuerySet:
    if user.operator_id is None:
        return Authorization.objects.none()
    return (
        Authorization.objects.filter(operator_id=user.operator_id)
        .select_related("entry", "scenario")
        .order_by("-created_at", "-pk")
    )


def catalog_entries_to_apply_for() -> CatalogEntryQuerySet:
    """The entries an operator may apply for: published, conditional and (so) not core.

    Only the columns the choice list shows are read: the catalog can hold thousands of entries.
    """
    return (
        CatalogEntry.objects.published()
        .filter(openness=Openness.CONDITIONAL)
        .exclude(grade=Grade.CORE)
        .only("pk", "identifier", "title")
        .order_by("identifier")
    )


def catalog_entry_fields(*, entry: CatalogEntry) -> QuerySet[CatalogField]:
    return CatalogField.objects.filter(entry=entry).order_by("position", "pk")


def applications_for_department(*, user: User) -> QuerySet[Application]:
    """Applications for the department's entries, those awaiting its opinion first."""
    if user.department_id is None:
        return Application.objects.none()
    awaiting = Case(
        When(status=ApplicationStatus.SUBMITTED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Application.objects.filter(entry__department_id=user.department_id)
        .select_related("entry", "operator", "scenario")
        .annotate(awaiting_opinion=awaiting)
        .order_by("awaiting_opinion", "-submitted_at", "-pk")
    )


def application_for_department(*, user: User, pk: int) -> Application:
    applications = applications_for_department(user=user).select_related(
        "entry__department", "renewal_of", "authorization"
    )
    return _get_or_404(applications, pk=pk)


def authorizations_for_department(*, user: User) -> AuthorizationQuerySet:
    if user.department_id is None:
        return Authorization.objects.none()
    return (
        Authorization.objects.filter(entry__department_id=user.department_id)
        .select_related("entry", "operator", "scenario")
        .order_by("-created_at", "-pk")
    )


def application_history(*, application: Application) -> QuerySet[Any]:
    return application.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )


def authorization_history(*, authorization: Authorization) -> QuerySet[Any]:
    return authorization.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )


def _get_or_404[M: Model](queryset: QuerySet[M], **lookup: Any) -> M:
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found
