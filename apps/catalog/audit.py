"""What of the catalog goes on the audit log: the decisions on an entry, the bureau's (publish,
return, reject, retire) and the department CDO's (confirm or return a submission), and the
department's own writes (an entry created, its description changed, submitted)."""

from typing import Any

from django.db import models

from apps.audit.models import EventKind
from apps.audit.registry import audit_history_watch, status_details

from .choices import Status

# (status before, status after) -> the decision, in English words whatever the language.
DECISIONS = {
    (Status.AWAITING_CONFIRMATION, Status.SUBMITTED): "confirmed by the CDO",
    (Status.AWAITING_CONFIRMATION, Status.RETURNED): "returned by the CDO",
    (Status.SUBMITTED, Status.PUBLISHED): "published",
    (Status.SUBMITTED, Status.RETURNED): "returned",
    (Status.SUBMITTED, Status.REJECTED): "rejected",
    (Status.PUBLISHED, Status.RETIRED): "retired",
}


def _entry_decision(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    if history.history_type == "+":
        return _entry_change("created", history, reason)
    if history.history_type != "~":
        return None
    details = status_details(history, "status", reason)
    if details is None:
        previous = history.prev_record
        changed = previous is not None and history.diff_against(previous).changed_fields
        # A save that changed none of the recorded fields (search text, timestamps) is no event.
        return _entry_change("updated", history, reason, fields=changed) if changed else None
    decision = DECISIONS.get((details["previous_status"], details["status"]))
    if decision is None:  # a department's own submission is no decision, but it is a change
        return _entry_change("submitted", history, reason, status=details)
    return {"kind": EventKind.CATALOG_ENTRY_DECIDED, "details": {**details, "decision": decision}}


def _entry_change(
    change: str,
    history: Any,
    reason: str,
    *,
    fields: list[str] | None = None,
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    details: dict[str, Any] = {"change": change, "identifier": history.identifier, "reason": reason}
    if fields:
        details["fields"] = sorted(fields)
    if status:
        details |= {"status": status["status"], "previous_status": status["previous_status"]}
    return {"kind": EventKind.CATALOG_ENTRY_CHANGED, "details": details}


def audit_hooks_register() -> None:
    from .models import CatalogEntry

    audit_history_watch(model=CatalogEntry, entry=_entry_decision)
