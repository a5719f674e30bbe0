"""An operator's revenue pages: its reports (new, correct, attachments), the share records its
reports produced, and its annual business report. Another operator's report answers 404."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.access import operator_member as _operator_member
from apps.core.errors import DomainError

from . import exports, selectors, services
from .choices import ReportStatus
from .forms import CorrectionForm, ReportForm, show_service_error
from .models import RevenueReport
from .money import completed_periods, current_period

ROWS_PER_PAGE = 50
METERED_MONTHS = 6  # months of metered fees shown beside the report form


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    page = Paginator(selectors.reports_of_operator(user=user), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    records = selectors.share_records_of_operator(user=user)
    context = {
        "page": page,
        "reports": page.object_list,
        "records": records[:ROWS_PER_PAGE],
        "totals": selectors.ledger_totals(records),
        "last_year": current_period().year - 1,
    }
    return render(request, "revenue/operator/report_list.html", context)


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    user = _operator_member(request)
    posted = request.method == "POST"
    initial = {
        "authorization": request.GET.get("authorization"),
        "period": request.GET.get("period"),
    }
    form = ReportForm(
        request.POST if posted else None, request.FILES if posted else None,
        user=user, initial=initial,
    )  # fmt: skip
    if posted and form.is_valid():
        operator = user.operator
        if operator is None:  # _operator_member admits operator users only
            raise PermissionDenied
        try:
            report = services.revenue_report_submit(
                operator=operator, actor=user, **form.submission()
            )
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The revenue report was submitted for verification."))
            return redirect("operator_revenue:report-detail", pk=report.pk)
    authorizations = list(selectors.reportable_authorizations(user=user))
    periods = completed_periods(METERED_MONTHS)
    table = selectors.metered_usage_table(authorizations=authorizations, periods=periods)
    metered = [
        (authorization, [(period, table[authorization.pk, period]) for period in periods])
        for authorization in authorizations
    ]
    context = {"form": form, "periods": periods, "metered": metered}
    return render(request, "revenue/operator/report_form.html", context)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _operator_member(request)
    report = selectors.report_of_operator(user=user, pk=pk)
    form = None
    if report.status == ReportStatus.RETURNED:
        form = CorrectionForm(initial={"amount": report.amount, "reference": report.reference})
    return _detail(request, report, form)


def _detail(
    request: HttpRequest, report: RevenueReport, form: CorrectionForm | None
) -> HttpResponse:
    context = {
        "report": report,
        "records": selectors.share_records_of_report(report=report),
        "history": selectors.report_history(report=report),
        "form": form,
    }
    return render(request, "revenue/operator/report_detail.html", context)


@login_required
@require_POST
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = _operator_member(request)
    report = selectors.report_of_operator(user=user, pk=pk)
    form = CorrectionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.revenue_report_correct(report=report, actor=user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The corrected report was submitted for verification."))
            return redirect("operator_revenue:report-detail", pk=report.pk)
    return _detail(request, report, form)


@login_required
def report_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Attachments are never served from MEDIA_URL: only the operator's members get them here
    (bureau staff in the admin)."""
    user = _operator_member(request)
    report = selectors.report_of_operator(user=user, pk=pk)
    if not report.attachment:
        raise Http404
    try:
        handle = report.attachment.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(
        handle, as_attachment=True, filename=PurePath(report.attachment.name or "").name
    )


@login_required
def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    user = _operator_member(request)
    report = selectors.annual_report(operator=user.operator, year=year)  # type: ignore[arg-type]
    context = {"report": report, "xlsx_url": request.path + "xlsx/"}
    return render(request, "revenue/annual_report.html", context)


@login_required
def annual_report_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    user = _operator_member(request)
    return exports.annual_report_xlsx(selectors.annual_report(operator=user.operator, year=year))  # type: ignore[arg-type]
