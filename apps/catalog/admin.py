"""Bureau review of catalog entries. Every decision goes through the same services as the forms."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from apps.core.errors import DomainError

from . import services
from .choices import MOVES_NEEDING_REASON, TRANSITIONS, Status
from .models import CatalogEntry, CatalogField

Decision = Callable[..., CatalogEntry]
DECISIONS: dict[str, tuple[str, Decision, Any]] = {
    "publish": (Status.PUBLISHED, services.catalog_entry_publish, gettext_lazy("Publish")),
    "return": (Status.RETURNED, services.catalog_entry_return, gettext_lazy("Return for changes")),
    "reject": (Status.REJECTED, services.catalog_entry_reject, gettext_lazy("Reject")),
    "retire": (Status.RETIRED, services.catalog_entry_retire, gettext_lazy("Retire")),
}


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment or reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Required to return, reject or retire; sent to the department."),
    )

    def __init__(self, *args: Any, decision: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = DECISIONS[decision][0] in MOVES_NEEDING_REASON


def _decide(request: HttpRequest, entries: list[CatalogEntry], decision: str, comment: str) -> None:
    """Apply one decision to each entry; report what was done and what was refused, and why."""
    service = DECISIONS[decision][1]
    done, refused = [], []
    for entry in entries:
        try:
            service(entry=entry, actor=request.user, comment=comment)
            done.append(entry.identifier)
        except (DomainError, ValidationError) as error:
            message = error.message if isinstance(error, DomainError) else "; ".join(error.messages)
            refused.append(f"{entry.identifier}: {message}")
    if done:
        messages.success(
            request,
            _("%(decision)s: %(entries)s")
            % {"decision": DECISIONS[decision][2], "entries": ", ".join(done)},
        )
    for line in refused:
        messages.error(request, line)


class CatalogFieldInline(admin.TabularInline):
    model = CatalogField
    fields = ("position", "name", "label", "data_type", "sensitivity", "nullable", "filterable")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _decision_action(decision: str) -> Callable[..., Any]:
    def action(
        modeladmin: "CatalogEntryAdmin", request: HttpRequest, queryset: QuerySet[CatalogEntry]
    ) -> HttpResponse | None:
        return modeladmin.bulk_decision(request, queryset, decision)

    action.__name__ = f"{decision}_entries"
    return admin.action(description=DECISIONS[decision][2], permissions=["review"])(action)


@admin.register(CatalogEntry)
class CatalogEntryAdmin(SimpleHistoryAdmin):
    list_display = (
        "identifier", "title", "department", "status", "grade", "openness", "sector",
        "submitted_at",
    )  # fmt: skip
    list_filter = ("status", "department", "grade", "openness", "sector")
    list_select_related = ("department",)
    search_fields = ("identifier", "title", "department__name", "department__code")
    readonly_fields = (
        "identifier", "department", "title", "description", "sector", "keywords",
        "update_frequency", "temporal_start", "temporal_end", "spatial_coverage", "format",
        "contact_name", "contact_email", "contact_phone", "grade", "openness", "status",
        "review_comment", "created_by", "created_at", "submitted_at", "published_at",
    )  # fmt: skip
    fields = readonly_fields
    inlines = [CatalogFieldInline]
    actions = [_decision_action(name) for name in DECISIONS]
    change_form_template = "admin/catalog/catalogentry/change_form.html"
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # departments create entries through their own pages

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # identifiers are never reused; entries are retired instead

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.review_catalogentry")

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name="{}_{}_decide".format(*info),
            ),
            *super().get_urls(),
        ]

    def bulk_decision(
        self, request: HttpRequest, queryset: QuerySet[CatalogEntry], decision: str
    ) -> HttpResponse | None:
        """Ask for one reason for all selected entries, then decide each."""
        form = DecisionForm(request.POST if "apply" in request.POST else None, decision=decision)
        if form.is_valid():
            _decide(request, list(queryset), decision, form.cleaned_data["comment"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": DECISIONS[decision][2],
            "entries": queryset,
            "form": form,
            "action": f"{decision}_entries",
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/catalog/catalogentry/decision.html", context)

    def decision_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        if decision not in DECISIONS or not self.has_review_permission(request):
            raise PermissionDenied
        entry = self.get_object(request, object_id)
        if entry is None:
            raise Http404
        form = DecisionForm(request.POST or None, decision=decision)
        if request.method == "POST" and form.is_valid():
            _decide(request, [entry], decision, form.cleaned_data["comment"])
            return HttpResponseRedirect(
                reverse("admin:catalog_catalogentry_change", args=[entry.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "title": DECISIONS[decision][2],
            "entries": [entry],
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/catalog/catalogentry/decision.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        entry = self.get_object(request, object_id)
        decisions = []
        if entry is not None and self.has_review_permission(request):
            decisions = [
                (name, label)
                for name, (status, _service, label) in DECISIONS.items()
                if status in TRANSITIONS[entry.status]
            ]
        extra_context = {**(extra_context or {}), "decisions": decisions}
        return super().change_view(request, object_id, form_url, extra_context)
