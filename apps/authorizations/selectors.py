"""Reads about qualification and authorizations that carry a rule."""

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from apps.organisations.models import Operator

from .models import Authorization, AuthorizationQuerySet, Qualification, QualificationType


def operator_is_qualified(*, operator: Operator, on: date | None = None) -> bool:
    """Qualified only while every required type has an approved, unexpired qualification."""
    on = on or timezone.localdate()
    required = set(QualificationType.objects.filter(required=True).values_list("pk", flat=True))
    held = set(
        Qualification.objects.filter(operator=operator)
        .valid_on(on)
        .values_list("qualification_type_id", flat=True)
    )
    return operator.is_active and required <= held


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
