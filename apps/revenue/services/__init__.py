"""Every write of revenue: reports, settlements, adjustments and large-transaction support."""

from .reports import (
    ATTACHMENT_EXTENSIONS,
    revenue_report_correct,
    revenue_report_return,
    revenue_report_submit,
    revenue_report_verify,
    validate_attachment,
)
from .settlement import SettlementResult, revenue_share_adjust, settlement_run
from .support import SupportDecision, transaction_support_compute

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "SettlementResult",
    "SupportDecision",
    "revenue_report_correct",
    "revenue_report_return",
    "revenue_report_submit",
    "revenue_report_verify",
    "revenue_share_adjust",
    "settlement_run",
    "transaction_support_compute",
    "validate_attachment",
]
