"""The bureau's admin for revenue: verify or return reports, settle months, adjust settled
shares, keep operators' tax status and certified amounts, compute large-transaction support.

Every decision calls the same services as the pages, the API and the commands. Share records and
support rows are never added, edited or deleted here (no such permission, for anyone).
"""

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from apps.accounts.models import User
from apps.core.access import signed_in_user
from apps.core.admin_decisions import BureauAdmin, Decision, DecisionAdmin
from apps.core.errors import DomainError

from . import selectors, services
from .choices import REPORT_TRANSITIONS, ReportStatus, SupportOutcome
from .forms import AdjustForm
from .models import (
    CertifiedTransactionAmount,
    LocalTaxStatus,
    RevenueReport,
    RevenueReportQuerySet,
    RevenueShareRecord,
    Settlement,
    TransactionSupport,
)
from .money import period_label
from .services.support import support_window_end


def _refusal(error: DomainError | ValidationError) -> str:
    return str(error.message) if isinstance(error, DomainError) else "; ".join(error.messages)


# Reports ----------------------------------------------------------------------------------


class BelowMeteredFilter(admin.SimpleListFilter):
    title = gettext_lazy("metered fee")
    parameter_name = "below_metered"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", gettext_lazy("reported below the metered fee"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        reports = cast(RevenueReportQuerySet, queryset)  # the admin of RevenueReport
        return reports.below_metered_fee() if self.value() == "1" else queryset


def _can_move(target: str) -> Any:
    return lambda report: target in REPORT_TRANSITIONS[report.status]


def _verify(report: RevenueReport, actor: User, reason: str) -> object:
    return services.revenue_report_verify(report=report, actor=actor, reason=reason)


def _return(report: RevenueReport, actor: User, reason: str) -> object:
    return services.revenue_report_return(report=report, actor=actor, reason=reason)


REPORT_DECISIONS = {
    "verify": Decision(gettext_lazy("Verify"), "review", False,
                       _can_move(ReportStatus.VERIFIED), _verify),
    "return": Decision(gettext_lazy("Return for correction"), "review", True,
                       _can_move(ReportStatus.RETURNED), _return),
}  # fmt: skip


def _report_action(name: str) -> Any:
    def action(
        modeladmin: "RevenueReportAdmin", request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        return modeladmin.bulk_decision(request, queryset, name)

    action.__name__ = f"{name}_selected"
    decision = REPORT_DECISIONS[name]
    return admin.action(description=decision.label, permissions=[decision.permission])(action)


@admin.register(RevenueReport)
class RevenueReportAdmin(DecisionAdmin):
    list_display = (
        "id", "operator", "entry_identifier", "period_display", "amount", "metered_fee",
        "below_metered", "status", "submitted_at",
    )  # fmt: skip
    list_filter = ("status", BelowMeteredFilter, "authorization__entry__department")
    search_fields = ("operator__name", "operator__credit_code", "reference",
                     "authorization__entry__identifier")  # fmt: skip
    fields = (
        "authorization", "operator", "period_display", "amount", "reference", "attachment_link",
        "metered_calls", "metered_rows", "metered_fee", "below_metered", "status",
        "review_reason", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
        "settlement",
    )  # fmt: skip
    readonly_fields = fields
    decision_permissions = {
        "review": "revenue.review_revenuereport",
        "settle": "revenue.settle_settlement",
    }
    decisions = REPORT_DECISIONS
    actions = [*(_report_action(name) for name in REPORT_DECISIONS), "settle_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RevenueReport]:
        return super().get_queryset(request).select_related("operator", "authorization__entry")

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("revenue.review_revenuereport")

    def has_settle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("revenue.settle_settlement")

    def describe(self, report: RevenueReport) -> str:
        return f"#{report.pk}"

    @admin.display(description=gettext_lazy("catalog entry"))
    def entry_identifier(self, report: RevenueReport) -> str:
        return report.authorization.entry.identifier

    @admin.display(description=gettext_lazy("period"), ordering="period")
    def period_display(self, report: RevenueReport) -> str:
        return report.period_label

    @admin.display(description=gettext_lazy("below the metered fee"), boolean=True)
    def below_metered(self, report: RevenueReport) -> bool:
        return report.below_metered_fee

    @admin.display(description=gettext_lazy("attachment"))
    def attachment_link(self, report: RevenueReport) -> str:
        if not report.attachment:
            return "—"
        url = reverse(self.url_name("attachment"), args=[report.pk])
        return format_html('<a href="{}">{}</a>', url, report.attachment_name)

    def extra_urls(self) -> list[URLPattern]:
        return [self.view_url("attachment", self.attachment_view, "attachment/")]

    def attachment_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = self.get_object(request, unquote(object_id))
        if report is None or not report.attachment:
            raise Http404
        try:
            handle = report.attachment.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        return FileResponse(handle, as_attachment=True, filename=report.attachment_name)

    @admin.action(description=gettext_lazy("Settle the months of the selected reports"),
                  permissions=["settle"])  # fmt: skip
    def settle_selected(
        self, request: HttpRequest, queryset: QuerySet[RevenueReport]
    ) -> HttpResponse | None:
        """Settling cannot be undone: first a page says what it will write, with figures; the
        months are settled only once the reviewer confirms there."""
        periods = sorted({report.period for report in queryset})
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Settle the months of the selected reports"),
                "opts": self.opts,
                "previews": [selectors.settlement_preview(period=period) for period in periods],
                "selected": [report.pk for report in queryset],
                "changelist_url": reverse(self.url_name("changelist")),
            }
            return TemplateResponse(request, "admin/revenue/settle_confirm.html", context)
        for period in periods:
            label = period_label(period)
            try:
                result = services.settlement_run(period=period, actor=signed_in_user(request))
            except (DomainError, ValidationError) as error:
                messages.error(request, f"{label}: {_refusal(error)}")
                continue
            if result.created:
                messages.success(request, _("%(period)s settled: %(count)d records written.")
                                 % {"period": label, "count": result.settlement.report_count
                                    + result.settlement.adjustment_count})  # fmt: skip
            else:
                messages.warning(request, _("%(period)s was already settled; nothing changed.")
                                 % {"period": label})  # fmt: skip
        return None


# Settlements and share records ------------------------------------------------------------


@admin.register(Settlement)
class SettlementAdmin(BureauAdmin):
    list_display = (
        "period_display", "report_count", "adjustment_count", "total_amount", "total_share",
        "total_retained", "settled_by", "settled_at",
    )  # fmt: skip
    list_select_related = ("settled_by",)
    fields = list_display
    readonly_fields = fields

    @admin.display(description=gettext_lazy("period"), ordering="period")
    def period_display(self, settlement: Settlement) -> str:
        return settlement.period_label


class AdjustmentFilter(admin.SimpleListFilter):
    title = gettext_lazy("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("original", gettext_lazy("original records")),
                ("adjustment", gettext_lazy("adjustments")),
                ("pending", gettext_lazy("adjustments awaiting settlement"))]  # fmt: skip

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return {
            "original": lambda: queryset.filter(adjusts__isnull=True),
            "adjustment": lambda: queryset.filter(adjusts__isnull=False),
            "pending": lambda: queryset.filter(settlement__isnull=True),
        }.get(self.value() or "", lambda: queryset)()


@admin.register(RevenueShareRecord)
class RevenueShareRecordAdmin(DecisionAdmin):
    """Read only for everyone; the one move is a new adjusting record (approvers)."""

    list_display = (
        "id", "period_display", "department", "operator", "report", "amount", "ratio", "share",
        "retained", "adjusts",
    )  # fmt: skip
    list_filter = (AdjustmentFilter, "settlement", "department")
    search_fields = ("operator__name", "department__name", "reason")
    fields = (
        "report", "authorization", "department", "operator", "period_display", "settlement",
        "amount", "ratio", "share", "retained", "adjusts", "reason", "created_by", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    decisions: dict[str, Decision] = {}
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[RevenueShareRecord]:
        return (
            super()
            .get_queryset(request)
            .select_related(
                "department", "operator", "report__operator", "adjusts__department", "settlement"
            )
        )

    def has_adjust_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("revenue.adjust_revenuesharerecord")

    @admin.display(description=gettext_lazy("ledger period"), ordering="period")
    def period_display(self, record: RevenueShareRecord) -> str:
        return period_label(record.period) if record.period else _("awaiting settlement")

    def extra_urls(self) -> list[URLPattern]:
        return [self.view_url("adjust", self.adjust_view, "adjust/")]

    def object_decisions(self, request: HttpRequest, obj: Any) -> list[dict[str, Any]]:
        if not self.has_adjust_permission(request) or obj.adjusts_id or not obj.settlement_id:
            return []
        url = reverse(self.url_name("adjust"), args=[obj.pk])
        return [{"name": "adjust", "label": _("Adjust"), "url": url}]

    def adjust_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_adjust_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404
        form = AdjustForm(request.POST or None, initial={"corrected_amount": record.amount})
        if request.method == "POST" and form.is_valid():
            try:
                adjustment = services.revenue_share_adjust(
                    record=record, actor=signed_in_user(request), **form.cleaned_data
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                written = _("Adjusting record #%(pk)d written; it is settled with the next period.")
                messages.success(request, written % {"pk": adjustment.pk})
                return HttpResponseRedirect(reverse(self.url_name("change"), args=[adjustment.pk]))
        label = gettext_lazy("Adjust")
        return self.render_decision(request, label, [record], form)  # type: ignore[arg-type]


# Large-transaction support ----------------------------------------------------------------


class EditableHistoryAdmin(SimpleHistoryAdmin):
    """Bureau-entered facts: added and corrected (with history), never deleted."""

    show_full_result_count = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LocalTaxStatus)
class LocalTaxStatusAdmin(EditableHistoryAdmin):
    list_display = ("operator", "pays_tax_locally", "evidence")
    list_filter = ("pays_tax_locally",)
    list_select_related = ("operator",)
    search_fields = ("operator__name", "operator__credit_code")


@admin.register(CertifiedTransactionAmount)
class CertifiedTransactionAmountAdmin(EditableHistoryAdmin):
    list_display = ("operator", "shown_year", "amount", "certified_on", "reference")
    list_filter = ("year",)
    list_select_related = ("operator",)
    search_fields = ("operator__name", "operator__credit_code", "reference")
    actions = ["compute_support_selected"]

    def has_compute_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("revenue.compute_transactionsupport")

    # A year is a name, not a quantity: 2026, never "2,026".
    @admin.display(description=gettext_lazy("year"), ordering="year")
    def shown_year(self, certification: CertifiedTransactionAmount) -> str:
        return str(certification.year)

    @admin.action(description=gettext_lazy("Compute large-transaction support for these years"),
                  permissions=["compute"])  # fmt: skip
    def compute_support_selected(
        self, request: HttpRequest, queryset: QuerySet[CertifiedTransactionAmount]
    ) -> None:
        for year in sorted({certification.year for certification in queryset}):
            try:
                decisions = services.transaction_support_compute(
                    year=year, actor=signed_in_user(request)
                )
            except DomainError as error:
                messages.error(request, f"{year}: {error.message}")
                continue
            for decision in decisions:
                level = (messages.SUCCESS if decision.outcome == SupportOutcome.GRANTED
                         else messages.INFO)  # fmt: skip
                messages.add_message(request, level, _(
                    "%(year)d · %(operator)s: %(outcome)s, %(amount)s yuan"
                ) % {"year": year, "operator": decision.operator,
                     "outcome": SupportOutcome(decision.outcome).label,
                     "amount": decision.support_amount})  # fmt: skip


@admin.register(TransactionSupport)
class TransactionSupportAdmin(BureauAdmin):
    list_display = (
        "operator", "shown_year", "certified_amount", "support_amount", "cumulative",
        "shown_first_qualified_year", "first_qualified_on", "computed_at",
    )  # fmt: skip
    list_filter = ("year",)
    list_select_related = ("operator",)
    search_fields = ("operator__name", "operator__credit_code")
    fields = (*list_display, "window_ends", "computed_by")
    readonly_fields = fields

    # A year is a name, not a quantity: 2026, never "2,026".
    @admin.display(description=gettext_lazy("year"), ordering="year")
    def shown_year(self, support: TransactionSupport) -> str:
        return str(support.year)

    @admin.display(description=gettext_lazy("first qualified year"),
                   ordering="first_qualified_year")  # fmt: skip
    def shown_first_qualified_year(self, support: TransactionSupport) -> str:
        return str(support.first_qualified_year)

    @admin.display(description=gettext_lazy("one-year window ends"))
    def window_ends(self, support: TransactionSupport) -> str:
        return f"{support_window_end(support.first_qualified_on):%Y-%m-%d}"
