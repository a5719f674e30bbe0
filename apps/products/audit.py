"""What of products goes on the audit log: a product listed, resubmitted or withdrawn (by its
operator) or reviewed or withdrawn (by the bureau or with its authorization); every cap price
and actual price; the maximum allowed revenue proposed, checked, approved or returned, and every
carry-over deduction; every annual disclosure prepared or published."""

from typing import Any

from django.db import models

from apps.audit.models import EventKind
from apps.audit.registry import audit_history_watch, status_details

from .choices import ProductStatus


def _product(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    base = {"product": history.name, "operator_id": history.operator_id, "reason": reason}
    if history.history_type == "+":
        return {"kind": EventKind.PRODUCT_CHANGED, "details": {**base, "status": history.status}}
    details = status_details(history, "status", reason)
    if details is None:
        return None
    own_move = history.status == ProductStatus.SUBMITTED or (
        history.status == ProductStatus.WITHDRAWN
        and getattr(history.history_user, "operator_id", None) == history.operator_id
    )
    kind = EventKind.PRODUCT_CHANGED if own_move else EventKind.PRODUCT_DECIDED
    return {"kind": kind, "details": {**base, **details}}


def _review(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    details = {"product_id": history.product_id, "review": history.kind,
               "outcome": history.outcome, "round": history.review_round,
               "reason": history.reason}  # fmt: skip
    return {"kind": EventKind.PRODUCT_DECIDED, "details": details}


def _price(kind_of_price: str) -> Any:
    def entry(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
        details = {"price": kind_of_price, "product_id": history.product_id,
                   "amount": history.amount, "effective_from": history.effective_from,
                   "reason": reason}  # fmt: skip
        return {"kind": EventKind.PRICE_SET, "details": details}

    return entry


def _ceiling(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    base = {"operator_id": history.operator_id, "year": history.year,
            "maximum": history.maximum, "trial": history.trial, "reason": reason}  # fmt: skip
    if history.history_type == "+":
        return {"kind": EventKind.REVENUE_CEILING_CHANGED,
                "details": {**base, "status": history.status}}  # fmt: skip
    details = status_details(history, "status", reason)
    if details is None:
        return None
    kind = (
        EventKind.REVENUE_CEILING_CHANGED
        if history.status == "proposed"
        else EventKind.REVENUE_CEILING_DECIDED
    )
    return {"kind": kind, "details": {**base, **details}}


def _deduction(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    details = {"operator_id": history.operator_id, "year": history.year,
               "excess_year": history.excess_year, "allowed": history.allowed,
               "reported": history.reported, "deduction": history.amount}  # fmt: skip
    return {"kind": EventKind.REVENUE_CEILING_DECIDED, "details": details}


def _revenue_line(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    details = {"report_id": history.report_id, "product_id": history.product_id,
               "amount": history.amount, "change": "revenue_by_product"}  # fmt: skip
    return {"kind": EventKind.REVENUE_REPORT_CHANGED, "details": details}


def _disclosure(instance: models.Model, history: Any, reason: str) -> dict[str, Any] | None:
    base = {"year": history.year, "operator_id": history.operator_id, "reason": reason}
    if history.history_type == "+":
        return {"kind": EventKind.DISCLOSURE_CHANGED, "details": {**base, "status": "draft"}}
    details = status_details(history, "status", reason)
    return None if details is None else {
        "kind": EventKind.DISCLOSURE_CHANGED, "details": {**base, **details},
    }  # fmt: skip


def audit_hooks_register() -> None:
    from .models import (
        ActualPrice,
        AnnualDisclosure,
        CapPrice,
        MaximumAllowedRevenue,
        Product,
        ProductRevenue,
        ProductReview,
        RevenueCeilingDeduction,
    )

    audit_history_watch(model=Product, entry=_product)
    audit_history_watch(model=ProductReview, entry=_review)
    audit_history_watch(model=CapPrice, entry=_price("cap"))
    audit_history_watch(model=ActualPrice, entry=_price("actual"))
    audit_history_watch(model=MaximumAllowedRevenue, entry=_ceiling)
    audit_history_watch(model=RevenueCeilingDeduction, entry=_deduction)
    audit_history_watch(model=ProductRevenue, entry=_revenue_line)
    audit_history_watch(model=AnnualDisclosure, entry=_disclosure)
