"""Appointing and ending a chief data officer goes on the audit log."""

from typing import Any

from django.db import models

from apps.audit.models import EventKind
from apps.audit.registry import audit_history_watch


def _assignment_entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any]:
    change = {"+": "appointed", "~": "changed", "-": "deleted"}[history.history_type]
    if change == "changed" and history.term_end is not None:
        change = "term ended"
    return {
        "kind": EventKind.CDO_CHANGED,
        "details": {
            "change": change,
            "user": history.user_id,
            "term_start": history.term_start,
            "term_end": history.term_end,
            "reason": reason,
        },
    }


def audit_hooks_register() -> None:
    from .models import CdoAssignment

    audit_history_watch(model=CdoAssignment, entry=_assignment_entry)
