"""The department hears how its upload ended (called in the transaction that records it)."""

from django.urls import reverse

from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.services import notification_send

from .choices import VersionStatus
from .models import DataVersion


def version_finished(*, version: DataVersion) -> None:
    """Loaded (live) or refused; a load superseded at once by a newer upload tells nobody."""
    if version.status not in (VersionStatus.LIVE, VersionStatus.FAILED):
        return
    entry = version.entry
    notification_send(
        kind=Kind.UPLOAD_LOADED if version.status == VersionStatus.LIVE else Kind.UPLOAD_REFUSED,
        recipients=audiences.department_members(department=entry.department),
        obj=version,
        url=reverse("datazone:versions", args=[entry.identifier]),
        params={
            "version": version.number,
            "identifier": entry.identifier,
            "title": entry.title,
            "rows": version.row_count,
            "errors": version.error_count,
        },
    )
