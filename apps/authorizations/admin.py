"""The bureau's admin for qualifications, applications and authorizations.

Reviewers and approvers act here through the same services as the web pages; auditors read the
lists and the history only. Nothing in this module writes to the database except through
``services``: records the law expects to last are never added, edited or deleted in the admin.
Uploaded documents are served by permission-checked views, never from MEDIA_URL
(../shared/library-notes.md §7).
"""

from collections.abc import Callable
from pathlib import PurePath
from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.core.access import signed_in_user
from apps.core.admin_decisions import (
    BureauAdmin,
    Decision,
    DecisionAdmin,
    decision_actions,
    moves_to,
    refusal,
    report,
)
from apps.core.errors import DomainError

from . import services
from .admin_forms import (
    AGREEMENT_CLAUSES,
    ApproveForm,
    BulkApproveForm,
    RowFilterFormSet,
)
from .choices import (
    APPLICATION_TRANSITIONS,
    AUTHORIZATION_TRANSITIONS,
    ApplicationStatus,
    AuthorizationStatus,
    Recommendation,
    ReviewStatus,
)
from .models import (
    Agreement,
    Application,
    Authorization,
    Qualification,
    QualificationType,
    Scenario,
)
from .selectors import qualifications_expiring

EXPIRING_DAYS = 30


def _attachment(document: FieldFile) -> FileResponse:
    if not document:
        raise Http404
    try:
        handle = document.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=PurePath(document.name or "").name)


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
        return _attachment(qualification.document)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "expiring_count": qualifications_expiring(days=EXPIRING_DAYS).count(),
            "expiring_days": EXPIRING_DAYS,
            "expiring_query": f"?{ExpiringFilter.parameter_name}={EXPIRING_DAYS}",
        }
        return super().changelist_view(request, extra_context)


# Scenarios ------------------------------------------------------------------------------------


@admin.register(Scenario)
class ScenarioAdmin(BureauAdmin):
    list_display = ("title", "operator", "sector", "use", "created_at")
    list_filter = ("sector", "use")
    list_select_related = ("operator",)
    search_fields = ("title", "operator__name", "expected_product")
    fields = (
        "operator", "title", "sector", "use", "description", "expected_product", "created_by",
        "created_at",
    )  # fmt: skip
    readonly_fields = fields


# Applications ---------------------------------------------------------------------------------


def _recommend(recommendation: str) -> Callable[[Application, User, str], object]:
    return lambda application, actor, reason: services.application_recommend(
        application=application, actor=actor, recommendation=recommendation, comment=reason
    )


def _reject_application(application: Application, actor: User, reason: str) -> object:
    return services.application_reject(application=application, actor=actor, reason=reason)


_RECOMMENDABLE = moves_to(APPLICATION_TRANSITIONS, ApplicationStatus.RECOMMENDED)
APPLICATION_DECISIONS = {
    "recommend_approval": Decision(
        gettext_lazy("Recommend approval"), "recommend", False, _RECOMMENDABLE,
        _recommend(Recommendation.APPROVE),
    ),
    "recommend_rejection": Decision(
        gettext_lazy("Recommend rejection"), "recommend", True, _RECOMMENDABLE,
        _recommend(Recommendation.REJECT),
    ),
    "reject": Decision(
        gettext_lazy("Reject"), "decide", True,
        moves_to(APPLICATION_TRANSITIONS, ApplicationStatus.REJECTED), _reject_application,
    ),
}  # fmt: skip
_APPROVABLE = moves_to(APPLICATION_TRANSITIONS, ApplicationStatus.APPROVED)
APPROVE_LABEL = gettext_lazy("Approve")


@admin.register(Application)
class ApplicationAdmin(DecisionAdmin):
    list_display = (
        "id", "operator", "entry_identifier", "scenario", "status", "submitted_at",
        "recommended_by", "decided_by",
    )  # fmt: skip
    list_filter = ("status", "entry__department")
    search_fields = ("operator__name", "operator__credit_code", "entry__identifier",
                     "entry__title", "scenario__title")  # fmt: skip
    fields = (
        "operator", "entry", "scenario", "purpose", "requested_fields", "requested_from",
        "requested_until", "expected_daily_calls", "renewal_of", "status", "applicant",
        "submitted_at", "department_opinion_by", "department_comment", "department_opinion_at",
        "recommendation", "recommended_by", "recommendation_comment", "recommended_at",
        "decided_by", "decision_reason", "decided_at",
    )  # fmt: skip
    readonly_fields = fields
    decisions = APPLICATION_DECISIONS
    actions = [
        *decision_actions(decisions),
        "approve_selected",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        # For the list, the change page and the decision pages alike (list_select_related is
        # ignored once the queryset selects related rows itself).
        return (
            super()
            .get_queryset(request)
            .select_related(
                "operator", "entry__department", "scenario", "recommended_by", "decided_by"
            )
        )

    def has_recommend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("authorizations.recommend_application")

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("authorizations.decide_application")

    @admin.display(description=gettext_lazy("catalog entry"), ordering="entry__identifier")
    def entry_identifier(self, application: Application) -> str:
        return application.entry.identifier

    def describe(self, application: Application) -> str:
        return f"#{application.pk}"

    def extra_urls(self) -> list[URLPattern]:
        return [self.view_url("approve", self.approve_view, "approve/")]

    def object_decisions(self, request: HttpRequest, obj: Application) -> list[dict[str, Any]]:
        decisions = super().object_decisions(request, obj)
        if self.has_decide_permission(request) and _APPROVABLE(obj):
            url = reverse(self.url_name("approve"), args=[obj.pk])
            decisions.insert(0, {"name": "approve", "label": APPROVE_LABEL, "url": url})
        return decisions

    @admin.action(description=APPROVE_LABEL, permissions=["decide"])
    def approve_selected(
        self, request: HttpRequest, queryset: QuerySet[Application]
    ) -> HttpResponse | None:
        """One scope for all selected; each application keeps the fields it asked for."""
        form = BulkApproveForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self.render_decision(
                request, APPROVE_LABEL, list(queryset), form, action="approve_selected"
            )
        done, refused = [], []
        for application in queryset:
            try:
                self._approve(request, application, form, application.requested_fields, [])
                done.append(self.describe(application))
            except (DomainError, ValidationError) as error:
                refused.append(f"{self.describe(application)}: {refusal(error)}")
        report(request, APPROVE_LABEL, done, refused)
        return None

    @staticmethod
    def _approve(
        request: HttpRequest,
        application: Application,
        form: BulkApproveForm | ApproveForm,
        allowed_fields: list[str],
        row_filter: list[dict[str, Any]],
    ) -> Authorization:
        return services.application_approve(
            application=application,
            actor=signed_in_user(request),
            scope=form.scope(allowed_fields=allowed_fields, row_filter=row_filter),
            agreement=form.agreement(),
            reason=form.cleaned_data["reason"],
        )

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Approve one application with its full scope: fields, row filter, pricing, agreement."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        catalog_fields = list(application.entry.fields.all())
        data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        form = ApproveForm(data, files, application=application, fields=catalog_fields)
        row_filter = RowFilterFormSet(
            data, prefix="row_filter", form_kwargs={"catalog_fields": catalog_fields}
        )
        if all([form.is_valid(), row_filter.is_valid()]):
            authorization = self._approve_or_show_errors(request, application, form, row_filter)
            if authorization is not None:
                return HttpResponseRedirect(
                    reverse("admin:authorizations_authorization_change", args=[authorization.pk])
                )
        return self.render_decision(
            request, APPROVE_LABEL, [application], form,
            template="admin/authorizations/application/approve.html",
            application=application, row_filter=row_filter,
            between_fieldsets="admin/authorizations/application/_row_filter.html",
        )  # fmt: skip

    def _approve_or_show_errors(
        self, request: HttpRequest, application: Application, form: ApproveForm, row_filter: Any
    ) -> Authorization | None:
        try:
            authorization = self._approve(
                request, application, form, form.cleaned_data["allowed_fields"],
                row_filter.conditions(),
            )  # fmt: skip
        except ValidationError as error:
            form.add_service_error(error)
            return None
        except DomainError as error:  # four eyes, a status that does not allow it
            form.add_error(None, error.message)
            return None
        report(request, APPROVE_LABEL, [self.describe(application)], [])
        return authorization


# Authorizations and agreements ----------------------------------------------------------------


def _document_link(agreement: Agreement) -> str:
    if not agreement.document:
        return "—"
    url = reverse("admin:authorizations_agreement_document", args=[agreement.pk])
    return format_html('<a href="{}">{}</a>', url, PurePath(agreement.document.name or "").name)


class AgreementInline(admin.StackedInline):
    model = Agreement
    fields: ClassVar[tuple[str, ...]] = (*AGREEMENT_CLAUSES, "signed_document")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("signed agreement"))
    def signed_document(self, agreement: Agreement) -> str:
        return _document_link(agreement)


def _authorization_move(
    service: Callable[..., Authorization],
) -> Callable[[Authorization, User, str], object]:
    return lambda authorization, actor, reason: service(
        authorization=authorization, actor=actor, reason=reason
    )


AUTHORIZATION_DECISIONS = {
    "suspend": Decision(
        gettext_lazy("Suspend"), "decide", True,
        moves_to(AUTHORIZATION_TRANSITIONS, AuthorizationStatus.SUSPENDED),
        _authorization_move(services.authorization_suspend),
    ),
    "resume": Decision(
        gettext_lazy("Resume"), "decide", False,
        moves_to(AUTHORIZATION_TRANSITIONS, AuthorizationStatus.ACTIVE),
        _authorization_move(services.authorization_resume),
    ),
    "revoke": Decision(
        gettext_lazy("Revoke"), "decide", True,
        moves_to(AUTHORIZATION_TRANSITIONS, AuthorizationStatus.REVOKED),
        _authorization_move(services.authorization_revoke),
    ),
}  # fmt: skip


@admin.register(Authorization)
class AuthorizationAdmin(DecisionAdmin):
    list_display = (
        "operator", "entry", "scenario", "valid_from", "valid_until", "status", "fee_basis",
    )  # fmt: skip
    list_filter = ("status", "fee_basis", "entry__department")
    search_fields = ("operator__name", "operator__credit_code", "entry__identifier",
                     "entry__title", "scenario__title")  # fmt: skip
    fields = (
        "application", "operator", "entry", "scenario", "allowed_fields", "row_filter",
        "valid_from", "valid_until", "daily_row_quota", "fee_basis", "price",
        "revenue_share_ratio", "status", "status_reason", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [AgreementInline]
    decisions = AUTHORIZATION_DECISIONS
    actions = decision_actions(decisions)

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("authorizations.decide_application")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authorization]:
        return super().get_queryset(request).select_related("operator", "entry", "scenario")


@admin.register(Agreement)
class AgreementAdmin(BureauAdmin):
    list_display = ("__str__", "authorization", "security_review_done", "compliance_review_done")
    list_filter = ("security_review_done", "compliance_review_done")
    list_select_related = (
        "authorization__operator", "authorization__entry", "authorization__scenario",
    )  # fmt: skip
    search_fields = ("number", "authorization__operator__name", "authorization__entry__identifier")
    fields: ClassVar[tuple[str, ...]] = ("authorization", *AGREEMENT_CLAUSES, "signed_document")
    readonly_fields = fields

    def get_urls(self) -> list[Any]:
        return [self.view_url("document", self.document_view, "document/"), *super().get_urls()]

    @admin.display(description=gettext_lazy("signed agreement"))
    def signed_document(self, agreement: Agreement) -> str:
        return _document_link(agreement)

    def document_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            raise Http404
        return _attachment(agreement.document)
