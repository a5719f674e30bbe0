"""Ledger pages: a department's revenue shares, and the bureau's totals and ledger export.

Both show settled share records only, their totals per period, operator and department, a chart
drawn as inline SVG, and CSV/XLSX exports built from the same queryset and totals.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.charts import bar_chart

from . import exports, selectors
from .models import RevenueShareRecord
from .money import current_period, period_label
from .selectors import LedgerTotals, Total

ROWS_PER_PAGE = 50
CHART_PERIODS = 12


def _period_chart(totals: LedgerTotals) -> Any:
    recent = list(reversed(totals.by_period[:CHART_PERIODS]))
    return bar_chart(
        _("Department shares per period"),
        [(period_label(t.key), t.share) for t in recent],
        money=True,
    )


def _names_chart(title: str, rows: list[Total]) -> Any:
    return bar_chart(title, [(t.key, t.share) for t in rows], money=True)


def _department_records(request: HttpRequest) -> QuerySet[RevenueShareRecord]:
    user: User = request.user  # type: ignore[assignment]
    if user.department_id is None:
        raise PermissionDenied
    return selectors.share_records_of_department(user=user)


def _bureau_records(request: HttpRequest) -> QuerySet[RevenueShareRecord]:
    user: User = request.user  # type: ignore[assignment]
    if not selectors.bureau_may_view(user=user):
        raise PermissionDenied
    return selectors.ledger_for_bureau(user=user)


def _records_page(request: HttpRequest, records: QuerySet[RevenueShareRecord]) -> Any:
    return Paginator(records, ROWS_PER_PAGE).get_page(request.GET.get("page"))


@login_required
def department_index(request: HttpRequest) -> HttpResponse:
    records = _department_records(request)
    totals = selectors.ledger_totals(records)
    context = {
        "page": _records_page(request, records),
        "totals": totals,
        "period_chart": _period_chart(totals),
        "operator_chart": _names_chart(_("Department shares per operator"), totals.by_operator),
    }
    return render(request, "revenue/department_index.html", context)


@login_required
def bureau_index(request: HttpRequest) -> HttpResponse:
    records = _bureau_records(request)
    totals = selectors.ledger_totals(records)
    context = {
        "page": _records_page(request, records),
        "totals": totals,
        "period_chart": _period_chart(totals),
        "department_chart": _names_chart(_("Shares per department"), totals.by_department),
        "operator_chart": _names_chart(_("Shares per operator"), totals.by_operator),
        "settlements": selectors.settlements()[:CHART_PERIODS],
        "operators": selectors.operators_with_revenue(),
        "years": range(current_period().year, current_period().year - 5, -1),
    }
    return render(request, "revenue/bureau_index.html", context)


def _export(
    records_of: Callable[[HttpRequest], QuerySet[RevenueShareRecord]], name: str, kind: str
) -> Callable[[HttpRequest], HttpResponse]:
    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        records = records_of(request)
        totals = selectors.ledger_totals(records)
        export = exports.ledger_csv if kind == "csv" else exports.ledger_xlsx
        return export(records, totals, name)

    view.__name__ = f"{name}_{kind}".replace("-", "_")
    return view


department_csv = _export(_department_records, "revenue-shares", "csv")
department_xlsx = _export(_department_records, "revenue-shares", "xlsx")
bureau_csv = _export(_bureau_records, "revenue-ledger", "csv")
bureau_xlsx = _export(_bureau_records, "revenue-ledger", "xlsx")


def _annual(request: HttpRequest, operator_id: int, year: int) -> selectors.AnnualReport:
    _bureau_records(request)  # the permission check
    return selectors.annual_report_of_operator(operator_id=operator_id, year=year)


@login_required
def bureau_annual_report(request: HttpRequest, operator_id: int, year: int) -> HttpResponse:
    report = _annual(request, operator_id, year)
    context = {"report": report, "xlsx_url": request.path + "xlsx/"}
    return render(request, "revenue/annual_report.html", context)


@login_required
def bureau_annual_report_xlsx(request: HttpRequest, operator_id: int, year: int) -> HttpResponse:
    return exports.annual_report_xlsx(_annual(request, operator_id, year))


@login_required
def bureau_annual_report_pick(request: HttpRequest) -> HttpResponse:
    """The picker on the bureau page submits by GET; without a script it lands here."""
    _bureau_records(request)
    try:
        operator_id, year = int(request.GET["operator"]), int(request.GET["year"])
    except (KeyError, ValueError):
        return redirect("bureau_revenue:index")
    return redirect("bureau_revenue:annual-report", operator_id=operator_id, year=year)
