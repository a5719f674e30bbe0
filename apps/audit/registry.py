"""What other apps put on the audit log, registered by them: the audit app sits below every
domain app and knows none of their models.

A domain app's ``AppConfig.ready`` registers

- ``audit_history_watch``: a model whose history rows are security events, and the function
  that turns one history row into an entry (``{"kind": …, "details": …}``) or None;
- ``audit_permissions_watch``: guardian's direct-FK permission models whose rows granted or
  removed are recorded, and the model their ``content_object`` points at.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models

# (instance, committed history row, reason) -> entry or None
HistoryEntry = Callable[[models.Model, Any, str], dict[str, Any] | None]

_history_entries: dict[str, HistoryEntry] = {}


def audit_history_watch(*, model: type[models.Model], entry: HistoryEntry) -> None:
    _history_entries[model._meta.label_lower] = entry


def history_entry_for(label: str) -> HistoryEntry | None:
    return _history_entries.get(label)


def audit_permissions_watch(
    *, permission_models: Iterable[type[models.Model]], target: type[models.Model]
) -> None:
    from .receivers import permission_receivers_connect

    for model in permission_models:
        permission_receivers_connect(model=model, target=target)


def status_details(history: Any, field: str, reason: str = "") -> dict[str, Any] | None:
    """{status, previous_status, reason}, or None when this history row changed no status."""
    previous = history.prev_record
    before = getattr(previous, field) if previous is not None else None
    if before == getattr(history, field):
        return None
    return {"status": getattr(history, field), "previous_status": before, "reason": reason}
