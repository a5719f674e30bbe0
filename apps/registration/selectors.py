"""Reads of the registration procedure with their visibility rules."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry
from apps.products.models import Product

from . import calendar, clock
from .choices import ApplicationStatus, ObjectionStatus
from .models import Objection, Registration, RegistrationApplication

# From this day of December the bureau is reminded that next year's arrangement is missing.
CALENDAR_REMINDER_FROM = (12, 1)


def registration_gate(entry: CatalogEntry) -> str | None:
    """The approval check (apps.authorizations.gates): no authorization without a registration in
    force while ``REGISTRATION_REQUIRED_FOR_AUTHORIZATION`` is on (26号)."""
    if not settings.REGISTRATION_REQUIRED_FOR_AUTHORIZATION:
        return None
    if Registration.objects.in_force(clock.today()).filter(entry=entry).exists():
        return None
    return _(
        "%(identifier)s has no registration in force: an authorization can be approved only "
        "for a registered catalog entry."
    ) % {"identifier": entry.identifier}


@dataclass(frozen=True)
class QueueItem:
    application: RegistrationApplication
    overdue: bool


@dataclass(frozen=True)
class RegistrationQueue:
    items: list[QueueItem]
    missing_calendar_year: int | None  # next year's arrangement, from 1 December


def registration_queue(*, today: date | None = None) -> RegistrationQueue:
    """The bureau's registration work: open applications with a deadline, soonest first, the
    overdue ones flagged; and next year's calendar when it is missing from 1 December. This is
    what the shared work queues show for registration."""
    today = today or clock.today()
    waiting = registration_applications_waiting()
    items = [QueueItem(application, application.is_overdue(today)) for application in waiting]
    return RegistrationQueue(items=items, missing_calendar_year=calendar_year_missing(today=today))


def registration_applications_waiting() -> QuerySet[RegistrationApplication]:
    """Open applications waiting for the bureau, soonest deadline first."""
    return (
        RegistrationApplication.objects.open()
        .exclude(status=ApplicationStatus.INCOMPLETE)  # the applicant's turn, no bureau deadline
        .select_related("entry", "department", "product", "operator")
        .order_by("due_on", "pk")
    )


def calendar_year_missing(*, today: date | None = None) -> int | None:
    today = today or clock.today()
    if (today.month, today.day) < CALENDAR_REMINDER_FROM:
        return None
    year = today.year + 1
    return None if calendar.year_is_covered(year) else year


def notices_in_progress() -> QuerySet[RegistrationApplication]:
    """Public: applications in their public notice (an objection pauses, it does not hide)."""
    return (
        RegistrationApplication.objects.filter(
            status__in=[ApplicationStatus.IN_NOTICE, ApplicationStatus.OBJECTED]
        )
        .select_related("entry", "department", "product", "operator")
        .order_by("notice_ends", "pk")
    )


def registrations_public(
    *, today: date | None = None, include_ended: bool = False
) -> QuerySet[Registration]:
    registrations = Registration.objects.select_related(
        "entry", "department", "product", "operator"
    )
    if not include_ended:
        registrations = registrations.in_force(today or clock.today())
    return registrations.order_by("-registered_on", "-pk")


def registration_by_lookup_code(*, lookup_code: str) -> Registration | None:
    code = lookup_code.strip().upper()
    if not code:
        return None
    return (
        Registration.objects.select_related("entry", "department", "product", "operator")
        .filter(lookup_code=code)
        .first()
    )


def registration_by_code(*, code: str) -> Registration:
    return Registration.objects.select_related(
        "entry", "department", "product", "operator", "supersedes"
    ).get(code=code)


def applications_of_department(*, user: User) -> QuerySet[RegistrationApplication]:
    return (
        RegistrationApplication.objects.filter(department_id=user.department_id or 0)
        .select_related("entry", "acts_on", "result")
        .order_by("-created_at", "-pk")
    )


def application_of_department(*, user: User, pk: int) -> RegistrationApplication:
    """The department's own application, or DoesNotExist (a 404 for anyone else's)."""
    objections = Objection.objects.order_by("filed_on", "pk")
    return (
        RegistrationApplication.objects.filter(department_id=user.department_id or 0)
        .select_related("entry", "acts_on", "result")
        .prefetch_related("materials", Prefetch("objections", queryset=objections))
        .get(pk=pk)
    )


def applications_of_operator(*, user: User) -> QuerySet[RegistrationApplication]:
    return (
        RegistrationApplication.objects.filter(operator_id=user.operator_id or 0)
        .select_related("product", "acts_on", "result")
        .order_by("-created_at", "-pk")
    )


def application_of_operator(*, user: User, pk: int) -> RegistrationApplication:
    """The operator's own application, or DoesNotExist (a 404 for anyone else's)."""
    objections = Objection.objects.order_by("filed_on", "pk")
    return (
        RegistrationApplication.objects.filter(operator_id=user.operator_id or 0)
        .select_related("product", "acts_on", "result")
        .prefetch_related("materials", Prefetch("objections", queryset=objections))
        .get(pk=pk)
    )


def products_registrable(*, user: User) -> QuerySet[Product]:
    """The operator's offered products and services (both reviews passed)."""
    return Product.objects.offered().filter(operator_id=user.operator_id or 0).order_by("name")


def entries_registrable(*, user: User) -> QuerySet[CatalogEntry]:
    return CatalogEntry.objects.published().filter(
        department_id=user.department_id or 0, openness="conditional"
    )


def open_objections(*, application: RegistrationApplication) -> QuerySet[Objection]:
    return application.objections.filter(status=ObjectionStatus.OPEN)
