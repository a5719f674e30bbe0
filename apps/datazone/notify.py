"""The department hears how its upload ended (called in the transaction that records it)."""

from django.urls import reverse

from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.services import notification_send

from .choices import VersionStatus
from .models import DataVersion

KINDS = {
    VersionStatus.LIVE: Kind.UPLOAD_LOADED,
    VersionStatus.FAILED: Kind.UPLOAD_REFUSED,
    VersionStatus.HELD: Kind.UPLOAD_HELD,
}


def version_finished(*, version: DataVersion, live_rows: int | None = None) -> None:
    """Loaded (live), refused, or held for the department's confirmation (its row count differs
    from the live version's ``live_rows`` by more than half); a load superseded at once by a
    newer upload tells nobody."""
    kind = KINDS.get(VersionStatus(version.status))
    if kind is None:
        return
    entry = version.entry
    notification_send(
        kind=kind,
        recipients=audiences.department_members(department=entry.department),
        obj=version,
        url=reverse("datazone:versions", args=[entry.identifier]),
        params={
            "version": version.number,
            "identifier": entry.identifier,
            "title": entry.title,
            "rows": version.row_count,
            "errors": version.error_count,
            "live": live_rows if live_rows is not None else "",
        },
    )
