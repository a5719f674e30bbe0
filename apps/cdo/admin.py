"""The bureau appoints and ends chief data officers here; every write goes through services."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.accounts.models import User
from apps.core.access import signed_in_user
from apps.core.admin_decisions import Decision, DecisionAdmin, decision_actions
from apps.core.errors import DomainError
from apps.organisations.admin import DepartmentAdmin
from apps.organisations.models import Department

from . import services
from .models import CdoAssignment


class TermFilter(admin.SimpleListFilter):
    title = gettext_lazy("term")
    parameter_name = "term"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("active", gettext_lazy("in office")), ("ended", gettext_lazy("term ended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CdoAssignment]) -> Any:
        if self.value() == "active":
            return queryset.active()  # type: ignore[attr-defined]
        if self.value() == "ended":
            return queryset.filter(term_end__lte=timezone.now())
        return queryset


class AppointForm(forms.ModelForm):
    class Meta:
        model = CdoAssignment
        fields = [
            "department",
            "user",
            "title",
            "phone",
            "email",
            "document_number",
            "document",
            "term_start",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = cast(forms.ModelChoiceField, self.fields["user"])  # a foreign key's field
        user_field.queryset = User.objects.filter(
            department__isnull=False, is_active=True
        ).select_related("department")
        # Django's documented way to label one form's choices (the stubs see a method).
        user_field.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            f"{obj.department} · {obj.get_full_name() or obj.username}"
        )
        self.fields["term_start"].required = False
        self.fields["term_start"].help_text = _("Leave empty to start now.")


def _end(assignment: CdoAssignment, actor: User, reason: str) -> object:
    return services.cdo_end(assignment=assignment, actor=actor, reason=reason)


DECISIONS = {
    "end": Decision(
        label=gettext_lazy("End the term"),
        permission="appoint",
        reason_required=True,
        admits=lambda assignment: (
            assignment.term_end is None or assignment.term_end > timezone.now()
        ),
        perform=_end,
    ),
}


@admin.register(CdoAssignment)
class CdoAssignmentAdmin(DecisionAdmin):
    """Read only: terms change only by appointing or by ending them, with a reason."""

    list_display = ("department", "cdo_name", "title", "term_start", "term_end", "status")
    list_filter = (TermFilter, "department__kind", "department")
    list_select_related = ("department", "user")
    search_fields = ("department__name", "department__code", "user__username", "user__first_name")
    readonly_fields = (
        "department",
        "user",
        "title",
        "phone",
        "email",
        "document_number",
        "document",
        "term_start",
        "term_end",
        "end_reason",
        "appointed_by",
        "created_at",
    )
    decisions = DECISIONS
    actions = decision_actions(DECISIONS)

    @admin.display(description=gettext_lazy("chief data officer"))
    def cdo_name(self, obj: CdoAssignment) -> str:
        return obj.user.get_full_name() or obj.user.username

    @admin.display(description=gettext_lazy("status"))
    def status(self, obj: CdoAssignment) -> str:
        return obj.status

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cdo.appoint_cdo")

    def decision_consequences(self, objects: list[Any], decision: str) -> list[str]:
        if decision != "end":
            return []
        lines = []
        for assignment in objects:
            # The applications app sits above this one: counted through the department's
            # relations, "submitted" being an application awaiting the department's opinion.
            waiting = (
                Department.objects.filter(
                    pk=assignment.department_id,
                    catalog_entries__applications__status="submitted",
                )
                .values("catalog_entries__applications")
                .count()
            )
            lines.append(
                ngettext(
                    "%(person)s stops acting as chief data officer of %(department)s at once; "
                    "%(waiting)d application awaiting the department's opinion waits for the "
                    "next one.",
                    "%(person)s stops acting as chief data officer of %(department)s at once; "
                    "%(waiting)d applications awaiting the department's opinion wait for the "
                    "next one.",
                    waiting,
                )
                % {
                    "person": assignment.user.get_full_name() or assignment.user.username,
                    "department": assignment.department,
                    "waiting": waiting,
                }
            )
        return lines

    def has_appoint_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cdo.appoint_cdo")

    def get_urls(self) -> list[Any]:
        return [
            path(
                "appoint/",
                self.admin_site.admin_view(self.appoint_view),
                name="cdo_cdoassignment_appoint",
            ),
            *super().get_urls(),
        ]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:cdo_cdoassignment_appoint"))

    def appoint_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_appoint_permission(request):
            raise PermissionDenied
        form = AppointForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                assignment = services.cdo_appoint(
                    department=data["department"],
                    user=data["user"],
                    actor=signed_in_user(request),
                    title=data["title"],
                    document_number=data["document_number"],
                    term_start=data["term_start"],
                    document=data["document"],
                    phone=data["phone"],
                    email=data["email"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Appointed: %(cdo)s") % {"cdo": assignment})
                return HttpResponseRedirect(reverse("admin:cdo_cdoassignment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Appoint a chief data officer"),
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/cdo/appoint.html", context)


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- organisations: the current chief data officer beside each department -------------------


class ActiveCdoFilter(admin.SimpleListFilter):
    """Organisations with and without a chief data officer in office now."""

    title = gettext_lazy("chief data officer")
    parameter_name = "cdo"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("in office")), ("no", gettext_lazy("none in office"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Department]) -> Any:
        in_office = Exists(CdoAssignment.objects.active().filter(department=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(in_office)
        if self.value() == "no":
            return queryset.filter(~in_office)
        return queryset


admin.site.unregister(Department)


@admin.register(Department)
class DepartmentWithCdoAdmin(DepartmentAdmin):
    list_display = ("code", "name", "kind", "parent", "current_cdo", "is_active")
    list_filter = ("kind", ActiveCdoFilter, "is_active", "submissions_need_cdo_confirmation")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        current = CdoAssignment.objects.active().filter(department=OuterRef("pk"))
        name = Coalesce("user__first_name", "user__username")
        return (
            super()
            .get_queryset(request)
            .annotate(cdo_name=Subquery(current.annotate(name=name).values("name")[:1]))
        )

    @admin.display(description=gettext_lazy("chief data officer"))
    def current_cdo(self, obj: Department) -> str:
        return getattr(obj, "cdo_name", None) or "—"
