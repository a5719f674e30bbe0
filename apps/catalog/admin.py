"""Bureau review of catalog entries. Every decision goes through the same services as the forms."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, reverse
from django.utils.translation import gettext_lazy

from apps.core.access import signed_in_user
from apps.core.admin_decisions import (
    Decision,
    DecisionAdmin,
    GroupedForm,
    decision_actions,
    moves_to,
    report,
)

from . import services
from .choices import MOVES_NEEDING_REASON, TRANSITIONS, FieldTag, Status
from .models import CatalogEntry, CatalogField
from .selectors import catalog_entry_submission_note

TAGS_LABEL = gettext_lazy("Tag the fields")


class FieldTagsForm(GroupedForm):
    """One set of tags per field of the entry, for the aggregation-risk rules."""

    def __init__(self, *args: Any, fields: list[CatalogField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in fields:
            self.fields[field.name] = forms.MultipleChoiceField(
                label=f"{field.label} ({field.name})", choices=FieldTag.choices,
                required=False, initial=field.tags, widget=forms.CheckboxSelectMultiple,
            )  # fmt: skip


def _decision(label: Any, target: str, service: Callable[..., CatalogEntry]) -> Decision:
    return Decision(
        label=label,
        permission="review",
        reason_required=target in MOVES_NEEDING_REASON,
        admits=moves_to(TRANSITIONS, target),
        perform=lambda entry, actor, reason: service(entry=entry, actor=actor, comment=reason),
    )


DECISIONS = {
    "publish": _decision(gettext_lazy("Publish"), Status.PUBLISHED, services.catalog_entry_publish),
    "return": _decision(
        gettext_lazy("Return for changes"), Status.RETURNED, services.catalog_entry_return
    ),
    "reject": _decision(gettext_lazy("Reject"), Status.REJECTED, services.catalog_entry_reject),
    "retire": _decision(gettext_lazy("Retire"), Status.RETIRED, services.catalog_entry_retire),
}


class CatalogFieldInline(admin.TabularInline):
    model = CatalogField
    fields = (
        "position", "name", "label", "data_type", "sensitivity", "tag_list", "nullable",
        "filterable",
    )  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("tags"))
    def tag_list(self, field: CatalogField) -> str:
        return "、".join(field.tag_labels()) or "—"


@admin.register(CatalogEntry)
class CatalogEntryAdmin(DecisionAdmin):
    """Read only; reviewers publish, return, reject and retire (apps/core/admin_decisions)."""

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
        "submission_note", "review_comment", "created_by", "created_at", "submitted_at",
        "published_at",
    )  # fmt: skip
    fields = readonly_fields
    inlines = [CatalogFieldInline]
    decision_permissions = {"review": "catalog.review_catalogentry"}
    decisions = DECISIONS
    actions = decision_actions(DECISIONS)
    change_form_template = "admin/catalog/catalogentry/decision_change_form.html"
    date_hierarchy = "submitted_at"

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.review_catalogentry")

    def describe(self, entry: CatalogEntry) -> str:
        return entry.identifier

    @admin.display(description=gettext_lazy("the department's note to the reviewer"))
    def submission_note(self, entry: CatalogEntry) -> str:
        return catalog_entry_submission_note(entry=entry) or "—"

    def extra_urls(self) -> list[URLPattern]:
        return [self.view_url("tags", self.tags_view, "tags/")]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if self.has_review_permission(request):
            tags_url = reverse(self.url_name("tags"), args=[unquote(object_id)])
            extra_context = {**(extra_context or {}), "tags_url": tags_url}
        return super().change_view(request, object_id, form_url, extra_context)

    def tags_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The bureau tags the fields of an entry in any status (aggregation risk, 27号)."""
        if not self.has_review_permission(request):
            raise PermissionDenied
        entry = self.get_object(request, unquote(object_id))
        if entry is None:
            raise Http404
        form = FieldTagsForm(request.POST or None, fields=list(entry.fields.all()))
        if request.method == "POST" and form.is_valid():
            services.catalog_field_tags_set(
                entry=entry, actor=signed_in_user(request), tags=form.cleaned_data
            )
            report(request, TAGS_LABEL, [self.describe(entry)], [])
            return HttpResponseRedirect(reverse(self.url_name("change"), args=[entry.pk]))
        return self.render_decision(request, TAGS_LABEL, [entry], form)
