"""Bureau view of the data zone: every version, its history, and the rollback (issue 4, §5).

Read-only: versions change only through the services (upload, load, rollback).
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.admin_decisions import Decision, DecisionAdmin, decision_actions

from . import selectors, services
from .choices import COMPLETE_STATUSES
from .models import DataVersion


def _make_live(version: DataVersion, actor: Any, reason: str) -> object:
    return services.data_version_rollback(version=version, actor=actor, reason=reason)


DECISIONS = {
    "make_live": Decision(
        label=gettext_lazy("Make live again"),
        permission="rollback",
        reason_required=True,
        admits=lambda version: version.status in COMPLETE_STATUSES and not version.is_live,
        perform=_make_live,
    ),
}


@admin.register(DataVersion)
class DataVersionAdmin(DecisionAdmin):
    """Versions come from uploads and load_rows and are never edited or deleted: each is a record
    of what was loaded, and a rollback needs its table. The bureau makes one live again."""

    list_display = (
        "entry", "number", "status", "is_live", "row_count", "file_format", "size_bytes",
        "uploaded_by", "uploaded_at", "finished_at",
    )  # fmt: skip
    list_filter = ("status", "is_live", "file_format", "entry__department")
    list_select_related = ("entry", "uploaded_by")
    search_fields = ("entry__identifier", "entry__title", "sha256", "original_filename")
    show_full_result_count = False
    date_hierarchy = "uploaded_at"
    fields = (
        "entry", "number", "status", "is_live", "original_filename", "file_format",
        "requested_encoding", "source_encoding", "size_bytes", "sha256", "row_count",
        "rows_processed", "error_count", "errors", "columns", "table_name", "uploaded_by",
        "uploaded_at", "started_at", "finished_at", "worker", "heartbeat_at",
    )  # fmt: skip
    readonly_fields = fields
    decisions = DECISIONS
    actions = decision_actions(DECISIONS)
    decision_template = "datazone/admin/rollback.html"

    def has_rollback_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(services.ROLLBACK_PERMISSION)

    def get_history_queryset(
        self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: Any
    ) -> Any:
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .select_related("history_user")
        )

    def render_decision(self, request: HttpRequest, *args: Any, **extra: Any) -> TemplateResponse:
        """The rollback page states its figures: the rows operators see now and after."""
        objects = args[1] if len(args) > 1 else extra.get("objects", [])
        if len(objects) == 1:
            extra["live"] = selectors.live_version_of(entry=objects[0].entry)
        return super().render_decision(request, *args, **extra)

    def bulk_decision(
        self, request: HttpRequest, queryset: QuerySet[DataVersion], name: str
    ) -> HttpResponse | None:
        if len(queryset[:2]) != 1:  # two versions of one entry cannot both become live
            messages.error(request, _("Choose exactly one version to make live again."))
            return None
        return super().bulk_decision(request, queryset, name)
