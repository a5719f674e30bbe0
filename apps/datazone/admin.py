"""Bureau view of the data zone: every version, its history, and the rollback (issue 4, §5).

Read-only: versions change only through the services (upload, load, rollback).
"""

from typing import Any

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
from .choices import COMPLETE_STATUSES
from .forms import RollbackForm
from .models import DataVersion


@admin.register(DataVersion)
class DataVersionAdmin(SimpleHistoryAdmin):
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
    actions = ["make_live_again"]
    change_form_template = "datazone/admin/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from uploads and load_rows

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a version is a record of what was loaded, and rollback needs its table

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

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/make-live/",
                self.admin_site.admin_view(self.rollback_view),
                name="datazone_dataversion_rollback",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=gettext_lazy("Make live again"), permissions=["rollback"])
    def make_live_again(
        self, request: HttpRequest, queryset: QuerySet[DataVersion]
    ) -> HttpResponse | None:
        versions = list(queryset[:2])
        if len(versions) != 1:
            messages.error(request, _("Choose exactly one version to make live again."))
            return None
        form = RollbackForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._rollback(request, versions[0], form.cleaned_data["reason"])
            return None
        return self._form_page(request, versions[0], form, action=True)

    def rollback_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_rollback_permission(request):
            raise PermissionDenied
        version = self.get_object(request, object_id)
        if version is None:
            raise Http404
        form = RollbackForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self._rollback(request, version, form.cleaned_data["reason"])
            return HttpResponseRedirect(
                reverse("admin:datazone_dataversion_change", args=[version.pk])
            )
        return self._form_page(request, version, form, action=False)

    def _rollback(self, request: HttpRequest, version: DataVersion, reason: str) -> None:
        try:
            services.data_version_rollback(version=version, actor=request.user, reason=reason)
        except (DomainError, ValidationError) as error:
            text = error.message if isinstance(error, DomainError) else "; ".join(error.messages)
            messages.error(request, f"{version}: {text}")
        else:
            messages.success(request, _("%(version)s is live again.") % {"version": version})

    def _form_page(
        self, request: HttpRequest, version: DataVersion, form: RollbackForm, *, action: bool
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Make live again"),
            "version": version,
            "form": form,
            "action": action,
            "opts": self.opts,
        }
        return TemplateResponse(request, "datazone/admin/rollback.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        version = self.get_object(request, object_id)
        can_rollback = (
            version is not None
            and version.status in COMPLETE_STATUSES
            and not version.is_live
            and self.has_rollback_permission(request)
        )
        extra_context = {**(extra_context or {}), "can_rollback": can_rollback}
        return super().change_view(request, object_id, form_url, extra_context)
