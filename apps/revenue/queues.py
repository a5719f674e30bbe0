"""The revenue work queues (apps/core/queues.py): reports the bureau verifies, months it may
settle, reports returned to the operator for correction."""

from collections.abc import Callable

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import ngettext

from apps.accounts.models import Role, User
from apps.core.queues import (
    QUEUE_PREVIEW,
    QueueItem,
    QueueKind,
    WorkQueue,
    own,
    queue_from_rows,
    work_queue_register,
)

from .choices import ReportStatus
from .models import RevenueReport
from .money import current_period, period_label

REPORTS_ADMIN = "admin:revenue_revenuereport_changelist"


def _bureau_may(permission: str) -> Callable[[User], bool]:
    return lambda user: user.role == Role.BUREAU and user.has_perm(permission)


def _report_label(report: RevenueReport) -> str:
    return f"#{report.pk} {report.operator.name} · {report.period_label}"


def _reports_to_verify(user: User) -> WorkQueue:
    rows = (
        RevenueReport.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("operator")
        .order_by("submitted_at", "pk")
    )
    return queue_from_rows(
        rows,
        key="revenue_reports_to_verify",
        title=lambda n: (
            ngettext("%(count)d revenue report to verify", "%(count)d revenue reports to verify", n)
            % {"count": n}
        ),
        list_url=reverse(REPORTS_ADMIN) + "?status__exact=submitted",
        item=lambda report: QueueItem(
            label=_report_label(report),
            url=reverse("admin:revenue_revenuereport_change", args=[report.pk]),
            when=report.submitted_at,
        ),
    )


def _months_to_settle(user: User) -> WorkQueue:
    """Months that are over and hold verified reports, oldest first: one grouped query (a
    month is one row, so the rows stay few whatever the number of reports)."""
    months = list(
        RevenueReport.objects.filter(status=ReportStatus.VERIFIED, period__lt=current_period())
        .values("period")
        .annotate(reports=Count("pk"), amount=Sum("amount"))
        .order_by("period")
    )
    count = len(months)
    list_url = reverse(REPORTS_ADMIN) + "?status__exact=verified"
    return WorkQueue(
        key="revenue_months_to_settle",
        title=ngettext("%(count)d month ready to settle", "%(count)d months ready to settle", count)
        % {"count": count},
        count=count,
        list_url=list_url,
        items=[
            QueueItem(
                label=ngettext(
                    "%(month)s: %(reports)d verified report",
                    "%(month)s: %(reports)d verified reports",
                    month["reports"],
                )
                % {"month": period_label(month["period"]), "reports": month["reports"]},
                url=list_url,
            )
            for month in months[:QUEUE_PREVIEW]
        ],
    )


def _operator_member(user: User) -> bool:
    return user.role == Role.OPERATOR


def _returned_reports(user: User) -> WorkQueue:
    rows = (
        RevenueReport.objects.filter(
            operator_id=own(user.operator_id), status=ReportStatus.RETURNED
        )
        .select_related("operator")
        .order_by("period", "pk")
    )
    return queue_from_rows(
        rows,
        key="revenue_returned_reports",
        title=lambda n: (
            ngettext(
                "%(count)d revenue report returned for correction",
                "%(count)d revenue reports returned for correction",
                n,
            )
            % {"count": n}
        ),
        list_url=reverse("operator_revenue:reports"),
        item=lambda report: QueueItem(
            label=_report_label(report),
            url=reverse("operator_revenue:report-correct", args=[report.pk]),
            when=report.submitted_at,
        ),
    )


def work_queues_register() -> None:
    work_queue_register(
        QueueKind(
            "revenue_reports_to_verify",
            _bureau_may("revenue.review_revenuereport"),
            _reports_to_verify,
            40,
        )
    )
    work_queue_register(
        QueueKind(
            "revenue_months_to_settle",
            _bureau_may("revenue.settle_settlement"),
            _months_to_settle,
            50,
        )
    )
    work_queue_register(
        QueueKind("revenue_returned_reports", _operator_member, _returned_reports, 20)
    )
