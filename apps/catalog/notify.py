"""Who the catalog tells of an entry's move, and what (called inside the move's transaction)."""

from django.urls import reverse

from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.services import notification_send

from .choices import Status
from .models import CatalogEntry

# The department learns the bureau's (or its CDO's) decision; the CDO what waits for it; the
# bureau's reviewers what entered their queue.
_TO_DEPARTMENT: dict[str, Kind] = {
    Status.RETURNED: Kind.ENTRY_RETURNED,
    Status.PUBLISHED: Kind.ENTRY_PUBLISHED,
    Status.REJECTED: Kind.ENTRY_REJECTED,
}


def entry_moved(*, entry: CatalogEntry, to_status: str, comment: str) -> None:
    department = entry.department
    params = {"identifier": entry.identifier, "title": entry.title, "reason": comment}
    own_page = reverse("department_catalog:detail", args=[entry.identifier])
    if to_status in _TO_DEPARTMENT:
        notification_send(
            kind=_TO_DEPARTMENT[to_status],
            recipients=audiences.department_members(department=department),
            obj=entry, url=own_page, params=params,
        )  # fmt: skip
    elif to_status == Status.AWAITING_CONFIRMATION:
        notification_send(
            kind=Kind.ENTRY_AWAITING_CONFIRMATION,
            recipients=audiences.department_cdo(department=department),
            obj=entry, url=own_page, params=params,
        )  # fmt: skip
    elif to_status == Status.SUBMITTED:
        notification_send(
            kind=Kind.ENTRY_SUBMITTED,
            recipients=audiences.bureau_staff_with(permission="catalog.review_catalogentry"),
            obj=entry,
            url=reverse("admin:catalog_catalogentry_change", args=[entry.pk]),
            params={**params, "department": department.name},
        )
