"""The catalog's work queues (apps/core/queues.py): entries the bureau reviews, entries returned to
their department, submissions waiting for the department CDO's confirmation."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import ngettext

from apps.accounts.models import Role, User
from apps.cdo.models import CdoAssignment
from apps.cdo.selectors import cdo_standing
from apps.core.queues import (
    QueueItem,
    QueueKind,
    WorkQueue,
    own,
    queue_from_rows,
    work_queue_register,
)

from .choices import Status
from .models import CatalogEntry


def _reviews(user: User) -> bool:
    return user.role == Role.BUREAU and user.has_perm("catalog.review_catalogentry")


def _entries_to_review(user: User) -> WorkQueue:
    rows = (
        CatalogEntry.objects.filter(status=Status.SUBMITTED)
        .select_related("department")
        .order_by("submitted_at", "pk")
    )
    return queue_from_rows(
        rows,
        key="catalog_entries_to_review",
        title=lambda n: (
            ngettext("%(count)d catalog entry to review", "%(count)d catalog entries to review", n)
            % {"count": n}
        ),
        list_url=reverse("admin:catalog_catalogentry_changelist") + "?status__exact=submitted",
        item=lambda entry: QueueItem(
            label=f"{entry.identifier} {entry.title} · {entry.department.name}",
            url=reverse("admin:catalog_catalogentry_change", args=[entry.pk]),
            when=entry.submitted_at,
        ),
    )


def _department_member(user: User) -> bool:
    return user.role == Role.DEPARTMENT


def _returned_entries(user: User) -> WorkQueue:
    rows = CatalogEntry.objects.filter(
        department_id=own(user.department_id), status=Status.RETURNED
    ).order_by("updated_at", "pk")
    return queue_from_rows(
        rows,
        key="catalog_returned_entries",
        title=lambda n: (
            ngettext(
                "%(count)d catalog entry returned for changes",
                "%(count)d catalog entries returned for changes",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("department_catalog:list") + "?status=returned",
        item=lambda entry: QueueItem(
            label=f"{entry.identifier} {entry.title}",
            url=reverse("department_catalog:edit", args=[entry.identifier]),
            when=entry.updated_at,
        ),
    )


def _awaiting_confirmation(user: User) -> WorkQueue:
    # Only the department's CDO in office confirms: for anyone else the queue holds nothing,
    # decided in the same query.
    in_office = CdoAssignment.objects.active().filter(
        department_id=OuterRef("department_id"), user_id=user.pk
    )
    rows = (
        CatalogEntry.objects.filter(
            department_id=own(user.department_id), status=Status.AWAITING_CONFIRMATION
        )
        .filter(Exists(in_office))
        .order_by("updated_at", "pk")
    )
    return queue_from_rows(
        rows,
        key="catalog_awaiting_confirmation",
        title=lambda n: (
            ngettext(
                "%(count)d submission awaiting your confirmation",
                "%(count)d submissions awaiting your confirmation",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("department_catalog:list") + "?status=awaiting_confirmation",
        item=lambda entry: QueueItem(
            label=f"{entry.identifier} {entry.title}",
            url=reverse("department_catalog:detail", args=[entry.identifier]),
            when=entry.updated_at,
        ),
    )


def _is_cdo(user: User) -> bool:
    return user.role == Role.DEPARTMENT and cdo_standing(user).in_office


def work_queues_register() -> None:
    work_queue_register(QueueKind("catalog_entries_to_review", _reviews, _entries_to_review, 10))
    work_queue_register(
        QueueKind("catalog_returned_entries", _department_member, _returned_entries, 10)
    )
    work_queue_register(
        QueueKind("catalog_awaiting_confirmation", _is_cdo, _awaiting_confirmation, 20)
    )
