"""The bureau's side of registration: the queue of applications by due date, the decisions
(apps/core/admin_decisions), objections, registrations and the working-day calendar."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy

from apps.core.access import signed_in_user
from apps.core.admin_decisions import BureauAdmin, Decision, DecisionAdmin, decision_actions

from . import clock, services
from .choices import OPEN_STATUSES, TRANSITIONS, ApplicationStatus, ObjectionStatus, SubjectKind
from .models import (
    Objection,
    Registration,
    RegistrationApplication,
    RegistrationMaterial,
    YearArrangement,
)
from .selectors import calendar_year_missing


def _move(label: Any, target: str, reason: bool, service: Callable[..., object]) -> Decision:
    return Decision(
        label=label, permission="decide", reason_required=reason,
        admits=lambda obj: target in TRANSITIONS[obj.status],
        perform=lambda obj, actor, why: service(application=obj, actor=actor, reason=why),
    )  # fmt: skip


APPLICATION_DECISIONS = {
    "accept": _move(
        gettext_lazy("Accept"), ApplicationStatus.IN_REVIEW, False, services.registration_accept
    ),
    "request_materials": _move(
        gettext_lazy("Ask for the missing materials"), ApplicationStatus.INCOMPLETE, True,
        services.registration_request_materials,
    ),
    "open_notice": _move(
        gettext_lazy("Pass the formal review and open the public notice"),
        ApplicationStatus.IN_NOTICE, False, services.registration_open_notice,
    ),
    "conclude": _move(
        gettext_lazy("Register"), ApplicationStatus.REGISTERED, False,
        services.registration_conclude,
    ),
    "refuse": _move(
        gettext_lazy("Refuse"), ApplicationStatus.REFUSED, True, services.registration_refuse
    ),
}  # fmt: skip


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("overdue")), ("no", gettext_lazy("on time"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        overdue = {"status__in": sorted(OPEN_STATUSES), "due_on__lt": clock.today()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


class SubjectKindFilter(admin.SimpleListFilter):
    title = gettext_lazy("subject kind")
    parameter_name = "subject"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(SubjectKind.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == SubjectKind.PRODUCT:
            return queryset.filter(product__isnull=False)
        if self.value() == SubjectKind.ENTRY:
            return queryset.filter(entry__isnull=False)
        return queryset


class MaterialInline(admin.TabularInline):
    model = RegistrationMaterial
    fields = ("document", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ObjectionInline(admin.TabularInline):
    """The objections, each linked to its page where the bureau decides it."""

    model = Objection
    fields = ("name", "organisation", "contact", "filed_on", "status", "decision_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegistrationApplication)
class RegistrationApplicationAdmin(DecisionAdmin):
    """The registration queue: sorted by due date, the overdue ones flagged."""

    list_display = (
        "number", "kind", "subject", "subject_kind", "registrant", "status", "due", "overdue",
    )  # fmt: skip
    list_filter = (OverdueFilter, SubjectKindFilter, "status", "kind", "department", "operator")
    list_select_related = ("entry", "department", "product", "operator")
    search_fields = (
        "entry__identifier", "entry__title", "department__name", "product__name",
        "operator__name",
    )  # fmt: skip
    ordering = ("due_on", "pk")
    readonly_fields = (
        "entry", "department", "product", "operator", "kind", "summary", "changes",
        "change_reason", "acts_on", "status", "applicant", "submitted_on", "resubmitted",
        "missing_materials", "decision_reason", "notice_starts", "notice_ends", "paused_on",
        "due_on", "due_is_provisional",
    )  # fmt: skip
    fields = readonly_fields
    inlines = [MaterialInline, ObjectionInline]
    decisions = APPLICATION_DECISIONS
    actions = decision_actions(APPLICATION_DECISIONS)

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.DECIDE)

    def describe(self, application: RegistrationApplication) -> str:
        return f"#{application.pk}"

    @admin.display(description="#", ordering="pk")
    def number(self, application: RegistrationApplication) -> str:
        return f"#{application.pk}"

    @admin.display(description=gettext_lazy("registered subject"))
    def subject(self, application: RegistrationApplication) -> str:
        return f"{application.subject_name} ({application.subject_code})"

    @admin.display(description=gettext_lazy("subject kind"))
    def subject_kind(self, application: RegistrationApplication) -> str:
        return application.subject_kind_label

    @admin.display(description=gettext_lazy("registrant"))
    def registrant(self, application: RegistrationApplication) -> str:
        return str(application.registrant)

    @admin.display(description=gettext_lazy("due on"), ordering="due_on")
    def due(self, application: RegistrationApplication) -> str:
        if application.due_on is None:
            return "—"
        if application.due_is_provisional:
            return gettext("%(date)s (provisional)") % {"date": application.due_on}
        return str(application.due_on)

    @admin.display(description=gettext_lazy("overdue"), boolean=True)
    def overdue(self, application: RegistrationApplication) -> bool:
        return application.is_overdue(clock.today())

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        year = calendar_year_missing()
        if year is not None:
            messages.warning(
                request,
                gettext(
                    "The official holiday arrangement for %(year)s is missing: enter it in the "
                    "working-day calendar; deadlines in %(year)s are provisional until then."
                )
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)


def _objection(label: Any, perform: Callable[[Objection, Any, str], object]) -> Decision:
    return Decision(
        label=label, permission="decide", reason_required=True,
        admits=lambda obj: obj.status == ObjectionStatus.OPEN, perform=perform,
    )  # fmt: skip


OBJECTION_DECISIONS = {
    "dismiss": _objection(
        gettext_lazy("Dismiss the objection"),
        lambda obj, actor, why: services.objection_dismiss(objection=obj, actor=actor, reason=why),
    ),
    "uphold_review": _objection(
        gettext_lazy("Uphold: back to formal review"),
        lambda obj, actor, why: services.objection_uphold(objection=obj, actor=actor, reason=why),
    ),
    "uphold_refuse": _objection(
        gettext_lazy("Uphold: refuse the registration"),
        lambda obj, actor, why: services.objection_uphold(
            objection=obj, actor=actor, reason=why, refuse=True
        ),
    ),
}


@admin.register(Objection)
class ObjectionAdmin(DecisionAdmin):
    """Objections with the objector's contact details: the bureau only."""

    list_display = ("__str__", "application", "organisation", "filed_on", "status")
    list_filter = ("status",)
    list_select_related = ("application__entry", "application__product")
    readonly_fields = (
        "application", "name", "organisation", "contact", "email", "reasons", "evidence", "user",
        "filed_on", "status", "decision_reason",
    )  # fmt: skip
    fields = readonly_fields
    decisions = OBJECTION_DECISIONS
    actions = decision_actions(OBJECTION_DECISIONS)

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.DECIDE)


@admin.register(Registration)
class RegistrationAdmin(BureauAdmin):
    list_display = (
        "code", "subject", "subject_kind", "registrant", "kind", "registered_on", "valid_until",
        "shown",
    )  # fmt: skip
    list_filter = (SubjectKindFilter, "status", "kind")
    list_select_related = ("entry", "department", "product", "operator")
    search_fields = ("code", "entry__title", "entry__identifier", "product__name")
    readonly_fields = (
        "code", "lookup_code", "application", "entry", "department", "product", "operator",
        "kind", "summary",
        "authorization", "supersedes", "registered_on", "valid_until", "status", "ended_on",
        "end_reason",
    )  # fmt: skip
    fields = readonly_fields

    @admin.display(description=gettext_lazy("registered subject"))
    def subject(self, registration: Registration) -> str:
        return f"{registration.subject_name} ({registration.subject_code})"

    @admin.display(description=gettext_lazy("subject kind"))
    def subject_kind(self, registration: Registration) -> str:
        return registration.subject_kind_label

    @admin.display(description=gettext_lazy("registrant"))
    def registrant(self, registration: Registration) -> str:
        return str(registration.registrant)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def shown(self, registration: Registration) -> str:
        return registration.status_label_on(clock.today())


@admin.register(YearArrangement)
class YearArrangementAdmin(admin.ModelAdmin):
    """The bureau enters a year the installed calendar package does not know yet."""

    list_display = ("shown_year", "announcement", "created_at")
    fields = ("year", "holidays", "working_days", "announcement")

    # A year is a name, not a quantity: 2026, never "2,026".
    @admin.display(description=gettext_lazy("year"), ordering="year")
    def shown_year(self, arrangement: YearArrangement) -> str:
        return str(arrangement.year)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.DECIDE)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(services.DECIDE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.DECIDE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(services.DECIDE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: YearArrangement, form: Any, change: bool
    ) -> None:
        saved = services.year_arrangement_save(
            actor=signed_in_user(request), year=obj.year, holidays=obj.holidays,
            working_days=obj.working_days, announcement=obj.announcement,
        )  # fmt: skip
        obj.pk = saved.pk
