"""Qualification types and the qualifications operators submit for review."""

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.core.admin_decisions import Decision, DecisionAdmin, decision_actions

from .. import services
from ..choices import ReviewStatus
from ..models import Qualification, QualificationType
from ..selectors import qualifications_expiring
from .documents import attachment

EXPIRING_DAYS = 30


# Qualification types ------------------------------------------------------------------------


@admin.register(QualificationType)
class QualificationTypeAdmin(admin.ModelAdmin):
    """Managed by the bureau's superuser; the groups only read (model permissions)."""

    list_display = ("name", "code", "required")
    list_filter = ("required",)
    search_fields = ("name", "code")


# Qualifications ---------------------------------------------------------------------------


class ExpiringFilter(admin.SimpleListFilter):
    title = gettext_lazy("expiry")
    parameter_name = "expiring"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        label = _("expires within %(days)d days") % {"days": EXPIRING_DAYS}
        return [(str(EXPIRING_DAYS), label)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() != str(EXPIRING_DAYS):
            return queryset
        # The same rule as the selector the reminders use: approved, ending in the next 30 days.
        return queryset.filter(pk__in=qualifications_expiring(days=EXPIRING_DAYS).values("pk"))


def _review(approve: bool) -> Callable[[Qualification, User, str], object]:
    return lambda qualification, actor, reason: services.qualification_review(
        qualification=qualification, actor=actor, approve=approve, reason=reason
    )


def _pending(qualification: Qualification) -> bool:
    return qualification.status == ReviewStatus.PENDING


QUALIFICATION_DECISIONS = {
    "approve": Decision(gettext_lazy("Approve"), "review", False, _pending, _review(True)),
    "reject": Decision(gettext_lazy("Reject"), "review", True, _pending, _review(False)),
}


@admin.register(Qualification)
class QualificationAdmin(DecisionAdmin):
    list_display = (
        "operator", "qualification_type", "number", "valid_from", "valid_until", "status",
    )  # fmt: skip
    list_filter = ("status", "qualification_type", ExpiringFilter)
    list_select_related = ("operator", "qualification_type")
    search_fields = ("operator__name", "operator__credit_code", "number")
    fields = (
        "operator", "qualification_type", "number", "evidence", "valid_from", "valid_until",
        "status", "review_reason", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
    )  # fmt: skip
    readonly_fields = fields
    decision_permissions = {"review": "authorizations.review_qualification"}
    decisions = QUALIFICATION_DECISIONS
    actions = decision_actions(decisions)
    change_list_template = "admin/authorizations/qualification/change_list.html"

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("authorizations.review_qualification")

    def extra_urls(self) -> list[URLPattern]:
        return [self.view_url("document", self.document_view, "document/")]

    @admin.display(description=gettext_lazy("evidence document"))
    def evidence(self, qualification: Qualification) -> str:
        if not qualification.document:
            return "—"
        url = reverse(self.url_name("document"), args=[qualification.pk])
        return format_html(
            '<a href="{}">{}</a>', url, PurePath(qualification.document.name or "").name
        )

    def document_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        qualification = self.get_object(request, unquote(object_id))
        if qualification is None:
            raise Http404
        return attachment(qualification.document)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "expiring_count": qualifications_expiring(days=EXPIRING_DAYS).count(),
            "expiring_days": EXPIRING_DAYS,
            "expiring_query": f"?{ExpiringFilter.parameter_name}={EXPIRING_DAYS}",
        }
        return super().changelist_view(request, extra_context)
