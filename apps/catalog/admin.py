"""Bureau review of catalog entries. Every decision goes through the same services as the forms."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from apps.core.admin_decisions import Decision, DecisionAdmin, decision_actions, moves_to

from . import services
from .choices import MOVES_NEEDING_REASON, TRANSITIONS, Status
from .models import CatalogEntry, CatalogField


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
    fields = ("position", "name", "label", "data_type", "sensitivity", "nullable", "filterable")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
        "review_comment", "created_by", "created_at", "submitted_at", "published_at",
    )  # fmt: skip
    fields = readonly_fields
    inlines = [CatalogFieldInline]
    decisions = DECISIONS
    actions = decision_actions(DECISIONS)
    date_hierarchy = "submitted_at"

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.review_catalogentry")

    def describe(self, entry: CatalogEntry) -> str:
        return entry.identifier
