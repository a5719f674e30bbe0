"""What of revenue goes on the audit log: reports submitted, corrected, verified, returned and
settled; each month's settlement; adjustments of settled shares; large-transaction support."""

from typing import Any

from django.db import models

from apps.audit.models import EventKind
from apps.audit.registry import audit_history_watch, status_details


def _report_entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    if history.history_type == "+":
        details: dict[str, Any] | None = {
            "status": history.status, "previous_status": None, "reason": reason,
        }  # fmt: skip
    else:
        details = status_details(history, "status", reason)
    if details is None:  # a save that moved nothing is no decision
        return None
    details |= {"period": history.period, "amount": history.amount}
    return {"kind": EventKind.REVENUE_REPORT_CHANGED, "details": details}


def _settlement_entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    # The settlement row is created first (the period's lock), then saved once with its totals.
    previous = history.prev_record
    if history.history_type != "~" or previous is None or previous.history_type != "+":
        return None
    return {
        "kind": EventKind.SETTLEMENT_RUN,
        "details": {
            "period": history.period,
            "reports": history.report_count,
            "adjustments": history.adjustment_count,
            "total_amount": history.total_amount,
            "total_share": history.total_share,
            "total_retained": history.total_retained,
        },
    }


def _share_record_entry(instance: Any, history: Any, reason: str) -> dict[str, Any] | None:
    # Original records are written by the settlement, which has its own entry.
    if history.history_type != "+" or history.adjusts_id is None:
        return None
    return {
        "kind": EventKind.REVENUE_SHARE_ADJUSTED,
        "details": {
            "adjusts": history.adjusts_id,
            "report": history.report_id,
            "amount": history.amount,
            "share": history.share,
            "retained": history.retained,
            "reason": reason or history.reason,
        },
    }


def _support_entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    if history.history_type != "+":  # a recorded year is never changed
        return None
    return {
        "kind": EventKind.TRANSACTION_SUPPORT_GRANTED,
        "details": {
            "operator": history.operator_id,
            "year": history.year,
            "certified_amount": history.certified_amount,
            "support_amount": history.support_amount,
            "cumulative": history.cumulative,
        },
    }


def audit_hooks_register() -> None:
    from .models import RevenueReport, RevenueShareRecord, Settlement, TransactionSupport

    audit_history_watch(model=RevenueReport, entry=_report_entry)
    audit_history_watch(model=Settlement, entry=_settlement_entry)
    audit_history_watch(model=RevenueShareRecord, entry=_share_record_entry)
    audit_history_watch(model=TransactionSupport, entry=_support_entry)
