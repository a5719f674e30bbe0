"""What of the data zone goes on the audit log: every upload, and every change of which rows are
published (a version going live, rolled back by the bureau, archived)."""

from typing import Any

from django.db import models

from apps.audit.models import EventKind
from apps.audit.registry import audit_history_watch, status_details

from .choices import VersionStatus

# The worker's own steps (queued, loading, refused, held, superseded) follow from these; the
# department's confirmation of a held upload is its going live, its discarding is recorded.
RECORDED_STATUSES = {
    VersionStatus.LIVE, VersionStatus.ROLLED_BACK, VersionStatus.ARCHIVED, VersionStatus.DISCARDED,
}  # fmt: skip


def _version_entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    details: dict[str, Any]
    if history.history_type == "+":
        details = {
            "change": "uploaded", "status": history.status, "previous_status": None,
            "file": history.original_filename, "size_bytes": history.size_bytes,
        }  # fmt: skip
    else:
        moved = status_details(history, "status", reason)
        if moved is None or moved["status"] not in RECORDED_STATUSES:
            return None
        details = {**moved, "change": moved["status"]}
    details |= {"entry": history.entry_id, "number": history.number}
    return {"kind": EventKind.DATA_VERSION_CHANGED, "details": details}


def audit_hooks_register() -> None:
    from .models import DataVersion

    audit_history_watch(model=DataVersion, entry=_version_entry)
