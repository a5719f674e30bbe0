"""API keys created and revoked go on the audit log."""

from typing import Any

from django.db import models

from apps.audit.models import EventKind
from apps.audit.registry import audit_history_watch


def _api_key_entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    # The prefix only finds the key; the secret is never on the model, let alone here.
    details = {"name": history.name, "prefix": history.prefix, "operator": history.operator_id}
    if history.history_type == "+":
        return {"kind": EventKind.API_KEY_CREATED, "details": details}
    previous = history.prev_record
    if history.revoked_at is not None and (previous is None or previous.revoked_at is None):
        return {"kind": EventKind.API_KEY_REVOKED, "details": details}
    return None


def audit_hooks_register() -> None:
    from .models import ApiKey

    audit_history_watch(model=ApiKey, entry=_api_key_entry)
