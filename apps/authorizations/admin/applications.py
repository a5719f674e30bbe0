"""Scenarios and applications: the reviewers' recommendations and the approvers' decisions."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, reverse
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

from .. import services
from ..admin_forms import ApproveForm, BulkApproveForm, RowFilterFormSet
from ..aggregation_selectors import (
    application_confirmed_rule_ids,
    application_justification_pending,
    combination_rules_triggered,
    operator_holdings,
)
from ..choices import APPLICATION_TRANSITIONS, ApplicationStatus, Recommendation
from ..gates import approval_refusals
from ..models import Application, Authorization, Scenario

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


def _justify(application: Application, actor: User, reason: str) -> object:
    return services.aggregation_justification_propose(
        application=application, actor=actor, text=reason
    )


def _confirm_justification(application: Application, actor: User, reason: str) -> object:
    return services.aggregation_justification_confirm(
        application=application, actor=actor, comment=reason
    )


def _needs_justification(application: Application) -> bool:
    """Offered while the requested fields complete a rule no justification covers yet."""
    if application.status != ApplicationStatus.RECOMMENDED:
        return False
    if application_justification_pending(application_id=application.pk) is not None:
        return False
    confirmed = application_confirmed_rule_ids(application_id=application.pk)
    return any(
        not item.is_forbidden and item.rule.pk not in confirmed
        for item in combination_rules_triggered(
            operator=application.operator,
            entry=application.entry,
            allowed_fields=application.requested_fields,
        )
    )


def _awaits_confirmation(application: Application) -> bool:
    return application_justification_pending(application_id=application.pk) is not None


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
# Aggregation risk (实施规范 27号): one approver justifies, a second one confirms. From the
# application's pages only: a justification is about one application, never a bulk one.
AGGREGATION_DECISIONS = {
    "justify_aggregation": Decision(
        gettext_lazy("Justify the combination of catalog entries"), "decide", True,
        _needs_justification, _justify,
    ),
    "confirm_justification": Decision(
        gettext_lazy("Confirm the justification as second approver"), "decide", False,
        _awaits_confirmation, _confirm_justification,
    ),
}  # fmt: skip
_APPROVABLE = moves_to(APPLICATION_TRANSITIONS, ApplicationStatus.APPROVED)
APPROVE_LABEL = gettext_lazy("Approve")
FOUR_EYES_BARRIER = gettext_lazy(
    "You recommended this application; another approver must decide it (four eyes)."
)


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
    decision_permissions = {
        "recommend": "authorizations.recommend_application",
        "decide": "authorizations.decide_application",
    }
    decisions = {**APPLICATION_DECISIONS, **AGGREGATION_DECISIONS}
    actions = [
        *decision_actions(APPLICATION_DECISIONS),
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

    def decision_barrier(self, request: HttpRequest, obj: Application, decision: str) -> str:
        if decision in ("approve", "reject") and obj.recommended_by_id == request.user.pk:
            return str(FOUR_EYES_BARRIER)
        return ""

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
            raise self.refused("decide")
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        barrier = self.decision_barrier(request, application, "approve")
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
            application=application, row_filter=row_filter, barrier=barrier,
            between_fieldsets="admin/authorizations/application/_row_filter.html",
            **self._aggregation_context(application, form),
        )  # fmt: skip

    def _aggregation_context(self, application: Application, form: ApproveForm) -> dict[str, Any]:
        """What the approver reads before the form: the operator's authorizations in force and
        the combination rules this approval would complete (aggregation risk, 27号)."""
        fields = (
            form.cleaned_data["allowed_fields"]
            if form.is_bound and form.is_valid()
            else application.requested_fields
        )
        confirmed = application_confirmed_rule_ids(application_id=application.pk)
        triggered = combination_rules_triggered(
            operator=application.operator, entry=application.entry, allowed_fields=fields
        )
        return {
            "approval_refusals": approval_refusals(entry=application.entry),
            "holdings": operator_holdings(operator=application.operator),
            "triggered_rules": [
                {"item": item, "confirmed": item.rule.pk in confirmed} for item in triggered
            ],
            "pending_justification": application_justification_pending(
                application_id=application.pk
            ),
            "justify_url": reverse(
                self.url_name("decide"), args=[application.pk, "justify_aggregation"]
            ),
            "confirm_url": reverse(
                self.url_name("decide"), args=[application.pk, "confirm_justification"]
            ),
        }

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
