"""What of this app goes on the audit log: scenarios described, qualifications and applications
submitted and decided, every change of an authorization, and the object permissions that carry
the grants."""

from typing import Any

from django.db import models

from apps.audit.models import EventKind
from apps.audit.registry import audit_history_watch, audit_permissions_watch, status_details


def _authorization_entry(instance: Any, history: Any, reason: str) -> dict[str, Any]:
    details = status_details(history, "status", reason or instance.status_reason)
    if history.history_type == "~" and details is None:
        details = {"status": history.status, "reason": reason}
    return {"kind": EventKind.AUTHORIZATION_CHANGED, "details": details}


def _submitted(kind: str, history: Any, reason: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "details": {"status": getattr(history, "status", None), "reason": reason},
    }


def _application_entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    if history.history_type == "+":
        return _submitted(EventKind.APPLICATION_SUBMITTED, history, reason)
    if history.history_type != "~":
        return None
    details = status_details(history, "status", reason)
    return details and {"kind": EventKind.APPLICATION_DECIDED, "details": details}


def _qualification_entry(instance: Any, history: Any, reason: str) -> dict[str, Any] | None:
    if history.history_type == "+":
        return _submitted(EventKind.QUALIFICATION_SUBMITTED, history, reason)
    if history.history_type != "~":
        return None
    details = status_details(history, "status", reason or instance.review_reason)
    return details and {"kind": EventKind.QUALIFICATION_REVIEWED, "details": details}


def _scenario_entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    if history.history_type != "+":
        return None
    return {
        "kind": EventKind.SCENARIO_CREATED,
        "details": {"title": history.title, "use": history.use, "operator": history.operator_id},
    }


def audit_hooks_register() -> None:
    from apps.catalog.models import CatalogEntry

    from .models import (
        Application,
        Authorization,
        CatalogEntryGroupObjectPermission,
        CatalogEntryUserObjectPermission,
        Qualification,
        Scenario,
    )

    audit_history_watch(model=Authorization, entry=_authorization_entry)
    audit_history_watch(model=Application, entry=_application_entry)
    audit_history_watch(model=Qualification, entry=_qualification_entry)
    audit_history_watch(model=Scenario, entry=_scenario_entry)
    audit_permissions_watch(
        permission_models=(CatalogEntryGroupObjectPermission, CatalogEntryUserObjectPermission),
        target=CatalogEntry,
    )
