"""What of the registration procedure goes on the audit log: every decision on an application,
an objection or a registration (the bureau's, and expiry), and the applicants' and objectors'
own writes (an application submitted or resubmitted, an objection filed), plus the calendar."""

from typing import Any

from django.db import models

from apps.audit.models import EventKind
from apps.audit.registry import audit_history_watch, status_details

# Moves made by the applicant or an objector; every other status change is a decision.
OWN_MOVES = {"submitted", "objected"}


def _application(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    base = {
        "kind_of_registration": history.kind, "entry_id": history.entry_id,
        "product_id": history.product_id, "reason": reason,
    }  # fmt: skip
    if history.history_type == "+":
        return {"kind": EventKind.REGISTRATION_CHANGED, "details": {**base, "change": "applied"}}
    details = status_details(history, "status", reason)
    if details is None:
        return None
    kind = (
        EventKind.REGISTRATION_CHANGED
        if details["status"] in OWN_MOVES
        else EventKind.REGISTRATION_DECIDED
    )
    return {"kind": kind, "details": {**base, **details}}


def _objection(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    # The objector's contact details stay off the log: it is read by more people than the bureau.
    base = {"application_id": history.application_id, "reason": reason}
    if history.history_type == "+":
        return {"kind": EventKind.REGISTRATION_CHANGED, "details": {**base, "change": "objected"}}
    details = status_details(history, "status", reason)
    return None if details is None else {
        "kind": EventKind.REGISTRATION_DECIDED, "details": {**base, **details},
    }  # fmt: skip


def _registration(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    base = {"code": history.code, "reason": reason}
    if history.history_type == "+":
        return {"kind": EventKind.REGISTRATION_DECIDED, "details": {**base, "status": "in_force"}}
    details = status_details(history, "status", reason)
    return None if details is None else {
        "kind": EventKind.REGISTRATION_DECIDED, "details": {**base, **details},
    }  # fmt: skip


def _arrangement(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    return {
        "kind": EventKind.REGISTRATION_DECIDED,
        "details": {"calendar_year": history.year, "reason": reason},
    }


def audit_hooks_register() -> None:
    from .models import Objection, Registration, RegistrationApplication, YearArrangement

    audit_history_watch(model=RegistrationApplication, entry=_application)
    audit_history_watch(model=Objection, entry=_objection)
    audit_history_watch(model=Registration, entry=_registration)
    audit_history_watch(model=YearArrangement, entry=_arrangement)
