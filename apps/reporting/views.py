"""The data supply assessment: the bureau's table of all organisations, and each organisation's
own report for its chief data officer; both exportable as CSV and XLSX."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.accounts.models import OrganisationRole, User
from apps.cdo.selectors import is_active_cdo
from apps.core.charts import bar_chart
from apps.core.exports import Sheet, csv_response, xlsx_response

from . import assessment


def _period(request: HttpRequest) -> assessment.Period:
    text = request.GET.get("period", "")
    if not text:
        return assessment.default_period()
    try:
        return assessment.parse_period(text)
    except ValueError as error:
        messages.error(request, str(error))
        return assessment.default_period()


def _export(
    rows: list[assessment.SupplyFigures], period: assessment.Period, kind: str
) -> HttpResponse:
    name = f"data-supply-assessment-{period.label}"
    table = [assessment.column_titles(), *[row.as_row() for row in rows]]
    if kind == "csv":
        return csv_response(name, table)
    return xlsx_response(name, [Sheet(period.label, table)])


def _render(
    request: HttpRequest, rows: list[assessment.SupplyFigures], period: Any, scope: str
) -> HttpResponse:
    kind = request.GET.get("export")
    if kind in ("csv", "xlsx"):
        return _export(rows, period, kind)
    context = {
        "rows": rows,
        "period": period,
        "titles": assessment.column_titles(),
        "totals": assessment.totals(rows),
        "scope": scope,
        "charts": [
            bar_chart(
                _("Rows supplied"), [(r.department.name, Decimal(r.rows_supplied)) for r in rows]
            ),
            bar_chart(
                _("API rows served"),
                [(r.department.name, Decimal(r.api_rows_served)) for r in rows],
            ),
            bar_chart(
                _("Revenue shared (yuan)"),
                [(r.department.name, r.revenue_shared) for r in rows],
                money=True,
            ),
        ],
    }
    return render(request, "reporting/assessment.html", context)


@login_required
def bureau_assessment(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.bureau_id is None and not user.is_superuser:
        raise PermissionDenied
    period = _period(request)
    return _render(request, assessment.supply_assessment(period=period), period, "bureau")


@login_required
def department_assessment(request: HttpRequest) -> HttpResponse:
    """The organisation's own report, for its CDO (and its administrators)."""
    user: User = request.user  # type: ignore[assignment]
    department = user.department
    if department is None or not (
        is_active_cdo(user=user, department=department)
        or user.organisation_role == OrganisationRole.ADMIN
    ):
        raise PermissionDenied
    period = _period(request)
    rows = assessment.supply_assessment(period=period, departments=[department])
    return _render(request, rows, period, "department")
