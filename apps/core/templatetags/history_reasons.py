"""``{{ record.history_change_reason|history_reason }}``: a history row's reason in the reader's
language (apps/core/history.py)."""

from django import template

from apps.core.history import history_reason as reason_shown

register = template.Library()


@register.filter
def history_reason(stored: str | None) -> str:
    return reason_shown(stored)
