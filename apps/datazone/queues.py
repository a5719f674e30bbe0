"""The data zone's work queues (apps/core/queues.py): uploads the ingest refused, until the
department uploads a newer version of the entry; uploads held until the department confirms
their changed row count."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import ngettext

from apps.accounts.models import Role, User
from apps.core.queues import (
    QueueItem,
    QueueKind,
    WorkQueue,
    own,
    queue_from_rows,
    work_queue_register,
)

from .choices import VersionStatus
from .models import DataVersion


def _department_member(user: User) -> bool:
    return user.role == Role.DEPARTMENT


def _failed_uploads(user: User) -> WorkQueue:
    newer = DataVersion.objects.filter(entry_id=OuterRef("entry_id"), number__gt=OuterRef("number"))
    rows = (
        DataVersion.objects.filter(
            entry__department_id=own(user.department_id), status=VersionStatus.FAILED
        )
        .filter(~Exists(newer))
        .select_related("entry")
        .order_by("uploaded_at", "pk")
    )
    return queue_from_rows(
        rows,
        key="datazone_failed_uploads",
        title=lambda n: (
            ngettext("%(count)d refused upload to redo", "%(count)d refused uploads to redo", n)
            % {"count": n}
        ),
        list_url=reverse("department_catalog:list"),
        item=lambda version: QueueItem(
            label=f"{version.entry.identifier} {version.entry.title} · {version.original_filename}",
            url=reverse("datazone:versions", args=[version.entry.identifier]),
            when=version.uploaded_at,
        ),
    )


def _held_uploads(user: User) -> WorkQueue:
    rows = (
        DataVersion.objects.filter(
            entry__department_id=own(user.department_id), status=VersionStatus.HELD
        )
        .select_related("entry")
        .order_by("finished_at", "pk")
    )
    return queue_from_rows(
        rows,
        key="datazone_held_uploads",
        title=lambda n: (
            ngettext(
                "%(count)d upload awaiting your confirmation",
                "%(count)d uploads awaiting your confirmation",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("department_catalog:list"),
        item=lambda version: QueueItem(
            label=f"{version.entry.identifier} {version.entry.title} · {version.original_filename}",
            url=reverse("datazone:versions", args=[version.entry.identifier]) + "#held",
            when=version.finished_at,
        ),
    )


def work_queues_register() -> None:
    work_queue_register(QueueKind("datazone_held_uploads", _department_member, _held_uploads, 25))
    work_queue_register(
        QueueKind("datazone_failed_uploads", _department_member, _failed_uploads, 30)
    )
