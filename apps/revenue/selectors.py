"""Reads of revenue with their visibility rules.

An operator sees its own reports and share records, a department the share records crediting it,
bureau staff with the view permission everything; another organisation's object answers 404.
Share records appear on the pages once settled: a pending adjustment is not yet in any ledger.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from apps.accounts.models import User
from apps.api.models import ApiKey, UsageRecord
from apps.api.selectors import authorizations_in_key_scope
from apps.authorizations.models import Authorization, AuthorizationQuerySet
from apps.organisations.models import Operator

from .choices import ReportStatus
from .models import (
    RevenueReport,
    RevenueReportQuerySet,
    RevenueShareRecord,
    RevenueShareRecordQuerySet,
    Settlement,
)
from .money import current_period, metered_fee, period_bounds, to_fen

ZERO = Decimal("0.00")
SUCCESS = 200  # only answered calls are billed; refused ones are recorded but cost nothing


def _charged(records: QuerySet[UsageRecord]) -> QuerySet[UsageRecord]:
    """Calls that may be charged: answered, and delivered whole (a client that had gone before
    the response was written is recorded as disconnected and not charged, issue 22)."""
    return records.filter(status_code=SUCCESS, disconnected=False)


@dataclass(frozen=True)
class MeteredUsage:
    calls: int
    rows: int
    fee: Decimal


def _in_force_in(authorization: Authorization, period: date) -> bool:
    start, end = period_bounds(period)
    return authorization.valid_from < end and authorization.valid_until > start


def metered_usage(*, authorization: Authorization, period: date) -> MeteredUsage:
    """Successful calls and rows of one authorization in one month, and the fee they make."""
    start, end = period_bounds(period)
    figures = _charged(
        UsageRecord.objects.filter(
            authorization=authorization, created_at__gte=start, created_at__lt=end
        )
    ).aggregate(calls=Count("id"), rows=Sum("rows"))
    return _priced(authorization, period, figures["calls"] or 0, figures["rows"] or 0)


def _priced(authorization: Authorization, period: date, calls: int, rows: int) -> MeteredUsage:
    fee = metered_fee(
        fee_basis=authorization.fee_basis, price=authorization.price, calls=calls, rows=rows,
        in_force_in_period=_in_force_in(authorization, period),
    )  # fmt: skip
    return MeteredUsage(calls, rows, fee)


def metered_usage_table(
    *, authorizations: list[Authorization], periods: list[date]
) -> dict[tuple[int, date], MeteredUsage]:
    """Usage and fee per (authorization, month) for many of both, in one query."""
    if not authorizations or not periods:
        return {}
    start, _ = period_bounds(min(periods))
    _, end = period_bounds(max(periods))
    counted = (
        _charged(
            UsageRecord.objects.filter(
                authorization__in=authorizations, created_at__gte=start, created_at__lt=end
            )
        )
        .annotate(month=TruncMonth("created_at"))
        .values("authorization_id", "month")
        .annotate(calls=Count("id"), rows=Sum("rows"))
    )
    figures = {(row["authorization_id"], row["month"].date()): row for row in counted}
    table = {}
    for authorization in authorizations:
        for period in periods:
            row: Mapping[str, Any] = figures.get((authorization.pk, period), {})
            table[authorization.pk, period] = _priced(
                authorization, period, row.get("calls") or 0, row.get("rows") or 0
            )
    return table


# Operators ---------------------------------------------------------------------------------


def reportable_authorizations(*, user: User) -> AuthorizationQuerySet:
    """Every authorization the operator holds or held: proceeds may come in after it ended."""
    if user.operator_id is None:
        return Authorization.objects.none()
    return (
        Authorization.objects.filter(operator_id=user.operator_id)
        .select_related("entry", "scenario")
        .order_by("entry__identifier", "pk")
    )


def reports_of_operator(*, user: User) -> RevenueReportQuerySet:
    if user.operator_id is None:
        return RevenueReport.objects.none()
    return (
        RevenueReport.objects.filter(operator_id=user.operator_id)
        .select_related("authorization__entry", "settlement")
        .order_by("-period", "authorization__entry__identifier", "-pk")
    )


def report_of_operator(*, user: User, pk: int) -> RevenueReport:
    report = reports_of_operator(user=user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def revenue_reports_of_key(*, key: ApiKey) -> QuerySet[RevenueReport]:
    """An API key's reports: its operator's, within the key's authorizations if it is limited;
    newest month first."""
    reports = RevenueReport.objects.filter(
        operator_id=key.operator_id, authorization__in=authorizations_in_key_scope(key=key)
    )
    return reports.select_related("authorization__entry", "settlement").order_by(
        "-period", "authorization_id"
    )


def share_records_of_report(*, report: RevenueReport) -> QuerySet[RevenueShareRecord]:
    return report.share_records.settled().select_related("department").order_by("period", "pk")


def report_history(*, report: RevenueReport) -> QuerySet[Any]:
    return report.history.select_related("history_user").order_by("-history_date", "-history_id")


def share_records_of_operator(*, user: User) -> QuerySet[RevenueShareRecord]:
    if user.operator_id is None:
        return RevenueShareRecord.objects.none()
    return _ledger(RevenueShareRecord.objects.filter(operator_id=user.operator_id))


# Departments and the bureau ---------------------------------------------------------------


def _ledger(records: RevenueShareRecordQuerySet) -> QuerySet[RevenueShareRecord]:
    return (
        records.settled()
        .select_related("operator", "department", "authorization__entry", "report", "adjusts")
        .order_by("-period", "department__code", "operator__name", "pk")
    )


def share_records_of_department(*, user: User) -> QuerySet[RevenueShareRecord]:
    if user.department_id is None:
        return RevenueShareRecord.objects.none()
    return _ledger(RevenueShareRecord.objects.filter(department_id=user.department_id))


def ledger_for_bureau(*, user: User) -> QuerySet[RevenueShareRecord]:
    if not bureau_may_view(user=user):
        return RevenueShareRecord.objects.none()
    return _ledger(RevenueShareRecord.objects.all())


def bureau_may_view(*, user: User) -> bool:
    return bool(user.is_staff and user.has_perm("revenue.view_revenuesharerecord"))


@dataclass(frozen=True)
class Total:
    key: Any  # a period (date), or an operator or department name
    records: int
    amount: Decimal
    share: Decimal
    retained: Decimal


@dataclass
class LedgerTotals:
    """Sums of settled share records, grouped three ways; each grouping adds up to ``overall``."""

    overall: Total
    by_period: list[Total] = field(default_factory=list)
    by_operator: list[Total] = field(default_factory=list)
    by_department: list[Total] = field(default_factory=list)


_SUMS = {"records": Count("id"), "amount": Sum("amount"), "share": Sum("share"),
         "retained": Sum("retained")}  # fmt: skip


def fen_sum(value: Decimal | None) -> Decimal:
    """A database SUM of fen amounts, to the fen. PostgreSQL sums numeric exactly; SQLite sums
    its stored doubles, so its tiny float error (far below half a fen) is rounded away here."""
    return to_fen(value) if value is not None else ZERO


def _total(key: Any, row: Mapping[str, Any]) -> Total:
    return Total(key, row["records"], fen_sum(row["amount"]), fen_sum(row["share"]),
                 fen_sum(row["retained"]))  # fmt: skip


def ledger_totals(records: QuerySet[RevenueShareRecord]) -> LedgerTotals:
    """Four aggregate queries whatever the number of records."""
    plain = records.order_by()
    totals = LedgerTotals(overall=_total(None, plain.aggregate(**_SUMS)))
    totals.by_period = [
        _total(row["period"], row)
        for row in plain.values("period").annotate(**_SUMS).order_by("-period")
    ]
    totals.by_operator = [
        _total(row["operator__name"], row)
        for row in plain.values("operator__name").annotate(**_SUMS).order_by("operator__name")
    ]
    totals.by_department = [
        _total(row["department__name"], row)
        for row in plain.values("department__name").annotate(**_SUMS).order_by("department__name")
    ]
    return totals


def settlements() -> QuerySet[Settlement]:
    return Settlement.objects.select_related("settled_by").order_by("-period")


def operators_with_revenue() -> QuerySet[Operator]:
    return Operator.objects.filter(revenue_reports__isnull=False).distinct().order_by("name")


# The annual business report (发改价格〔2025〕65号: due by 31 March for the year before) -------


@dataclass(frozen=True)
class AnnualLine:
    authorization: Authorization
    revenue: Decimal  # verified proceeds of the year's months, settled adjustments included
    calls: int
    rows: int
    fees: Decimal  # metered fees of the year's months
    shares_paid: Decimal  # settled department shares for the year's months
    open_reports: int  # submitted or returned, not yet verified


@dataclass(frozen=True)
class AnnualReport:
    operator: Operator
    year: int
    lines: list[AnnualLine]
    revenue: Decimal
    calls: int
    rows: int
    fees: Decimal
    shares_paid: Decimal


def year_periods(year: int) -> list[date]:
    return [date(year, month, 1) for month in range(1, 13)]


def annual_report(*, operator: Operator, year: int) -> AnnualReport:
    start, end = period_bounds(date(year, 1, 1))[0], period_bounds(date(year, 12, 1))[1]
    authorizations = list(
        Authorization.objects.filter(operator=operator, valid_from__lt=end, valid_until__gt=start)
        .select_related("entry", "scenario")
        .order_by("entry__identifier", "pk")
    )
    periods = [p for p in year_periods(year) if p <= current_period()]
    usage = metered_usage_table(authorizations=authorizations, periods=periods)
    in_year = Q(report__period__year=year)
    settled: defaultdict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for row in (
        RevenueShareRecord.objects.settled().filter(in_year, operator=operator).order_by()
        .values("authorization_id").annotate(amount=Sum("amount"), share=Sum("share"))
    ):  # fmt: skip
        settled[row["authorization_id"]] = (fen_sum(row["amount"]), fen_sum(row["share"]))
    reports = (
        RevenueReport.objects.filter(operator=operator, period__year=year).order_by()
        .values("authorization_id")
        .annotate(
            verified=Sum("amount", filter=Q(status=ReportStatus.VERIFIED)),
            open=Count("id", filter=Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.RETURNED])),
        )
    )  # fmt: skip
    unsettled = {row["authorization_id"]: row for row in reports}
    lines = []
    for authorization in authorizations:
        months = [usage[authorization.pk, p] for p in periods]
        pending: Mapping[str, Any] = unsettled.get(authorization.pk, {})
        amount, share = settled[authorization.pk]
        lines.append(
            AnnualLine(
                authorization, amount + fen_sum(pending.get("verified")),
                sum(m.calls for m in months), sum(m.rows for m in months),
                sum((m.fee for m in months), ZERO), share, pending.get("open") or 0,
            )
        )  # fmt: skip
    return AnnualReport(
        operator, year, lines, sum((line.revenue for line in lines), ZERO),
        sum(line.calls for line in lines), sum(line.rows for line in lines),
        sum((line.fees for line in lines), ZERO), sum((line.shares_paid for line in lines), ZERO),
    )  # fmt: skip


def annual_report_of_operator(*, operator_id: int, year: int) -> AnnualReport:
    """The bureau's annual report on one operator (the caller checks bureau_may_view); an
    unknown operator answers 404."""
    operator = Operator.objects.filter(pk=operator_id).first()
    if operator is None:
        raise Http404
    return annual_report(operator=operator, year=year)


@dataclass(frozen=True)
class SettlementPreview:
    """What settling a month would write, read before the bureau confirms it: settling cannot be
    undone (a later correction is an adjusting record)."""

    period: date
    already_settled: bool
    reports: int
    adjustments: int
    amount: Decimal
    share: Decimal
    departments: int

    @property
    def period_label(self) -> str:
        from .money import period_label

        return period_label(self.period)


def settlement_preview(*, period: date) -> SettlementPreview:
    """The same reports and pending adjustments ``settlement_run`` would take, without locks."""
    from .money import split_share

    reports = list(
        RevenueReport.objects.filter(status=ReportStatus.VERIFIED, period__lte=period)
        .select_related("authorization__entry")
        .order_by()
    )
    adjustments = list(
        RevenueShareRecord.objects.pending()
        .filter(adjusts__period__lt=period)
        .values_list("amount", "share", "department_id")
        .order_by()
    )
    amount = sum((report.amount for report in reports), Decimal("0")) + sum(
        (row[0] for row in adjustments), Decimal("0")
    )
    share = sum(
        (
            split_share(report.amount, report.authorization.revenue_share_ratio).share
            for report in reports
        ),
        Decimal("0"),
    ) + sum((row[1] for row in adjustments), Decimal("0"))
    departments = {report.authorization.entry.department_id for report in reports} | {
        row[2] for row in adjustments
    }
    return SettlementPreview(
        period=period,
        already_settled=Settlement.objects.filter(period=period).exists(),
        reports=len(reports),
        adjustments=len(adjustments),
        amount=amount,
        share=share,
        departments=len(departments),
    )
