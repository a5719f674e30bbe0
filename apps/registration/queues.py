"""The registration work queue (apps/core/queues.py): open registration applications waiting for
the bureau, soonest deadline first, the overdue ones counted."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import ngettext, pgettext_lazy

from apps.accounts.models import Role, User
from apps.core.queues import QueueItem, QueueKind, WorkQueue, queue_from_rows, work_queue_register

from . import clock, selectors
from .models import RegistrationApplication
from .services import DECIDE


def _decides_registrations(user: User) -> bool:
    return user.role == Role.BUREAU and user.has_perm(DECIDE)


def _label(application: RegistrationApplication) -> str:
    return (
        f"#{application.pk} {application.get_kind_display()} · "
        f"{application.subject_code} {application.subject_name}"
    )


def _registrations_to_decide(user: User) -> WorkQueue:
    today = clock.today()
    return queue_from_rows(
        selectors.registration_applications_waiting(),
        key="registration_applications_to_decide",
        title=lambda n: (
            ngettext(
                "%(count)d registration application waiting for the bureau",
                "%(count)d registration applications waiting for the bureau",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("admin:registration_registrationapplication_changelist"),
        item=lambda application: QueueItem(
            label=_label(application),
            url=reverse("admin:registration_registrationapplication_change", args=[application.pk]),
            when=application.due_on,
            overdue=application.is_overdue(today),
        ),
        overdue=Q(due_on__lt=today),
        note=pgettext_lazy("work queue", "due"),
    )


def work_queues_register() -> None:
    work_queue_register(
        QueueKind(
            "registration_applications_to_decide",
            _decides_registrations,
            _registrations_to_decide,
            35,
        )
    )
