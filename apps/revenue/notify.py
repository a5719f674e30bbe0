"""What revenue tells: reviewers a report to verify; the operator its report's review and the
settlement of its reports (called inside each write's transaction)."""

from django.urls import reverse

from apps.notifications import audiences
from apps.notifications.kinds import Kind
from apps.notifications.services import notification_send

from .choices import ReportStatus
from .models import RevenueReport, Settlement
from .money import period_label


def _params(report: RevenueReport) -> dict[str, object]:
    return {
        "period": period_label(report.period),
        "number": report.authorization_id,
        "operator": report.operator.name,
        "reason": report.review_reason,
    }


def report_moved(*, report: RevenueReport) -> None:
    if report.status == ReportStatus.SUBMITTED:
        notification_send(
            kind=Kind.REVENUE_REPORT_SUBMITTED,
            recipients=audiences.bureau_staff_with(permission="revenue.review_revenuereport"),
            obj=report, params=_params(report),
            url=reverse("admin:revenue_revenuereport_change", args=[report.pk]),
        )  # fmt: skip
    elif report.status in (ReportStatus.RETURNED, ReportStatus.VERIFIED):
        notification_send(
            kind=Kind.REVENUE_REPORT_RETURNED
            if report.status == ReportStatus.RETURNED
            else Kind.REVENUE_REPORT_VERIFIED,
            recipients=audiences.operator_members(operator=report.operator_id),
            obj=report, params=_params(report),
            url=reverse("operator_revenue:report-detail", args=[report.pk]),
        )  # fmt: skip


def settlement_recorded(*, settlement: Settlement) -> None:
    """Each operator whose reports this settlement took up hears it, with how many."""
    counts: dict[int, int] = {}
    for operator_id in settlement.reports.values_list("operator_id", flat=True):
        counts[operator_id] = counts.get(operator_id, 0) + 1
    for operator_id, reports in counts.items():
        notification_send(
            kind=Kind.SETTLEMENT_RECORDED,
            recipients=audiences.operator_members(operator=operator_id),
            obj=settlement, url=reverse("operator_revenue:reports"),
            event_key=f"{Kind.SETTLEMENT_RECORDED}:{settlement.pk}:{operator_id}",
            params={"period": settlement.period_label, "reports": reports},
        )  # fmt: skip
