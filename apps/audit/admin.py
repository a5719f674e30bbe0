"""The audit log in the admin: auditors, reviewers and approvers read and filter it; nobody,
superusers included, can add, change or delete an entry here."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import DELETION
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .models import AuditEvent, EventKind
from .receivers import ACTIONS
from .services import ObjectRef, audit_record


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("sequence", "time", "kind", "actor", "organisation", "ip", "object_repr")
    list_filter = (
        "kind",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("time", admin.DateFieldListFilter),
    )
    search_fields = ("object_repr", "object_id", "organisation", "ip", "actor__username")
    list_select_related = ("actor",)
    # The log only grows: counting it all on every page would get slower every day.
    show_full_result_count = False
    fields = (
        "sequence",
        "time",
        "kind",
        "actor",
        "organisation",
        "ip",
        "object_type",
        "object_id",
        "object_repr",
        "details",
        "previous_hash",
        "hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# admin.action gives Django's delete_selected its description; the stubs do not declare it.
@admin.action(permissions=["delete"], description=delete_selected.short_description)  # type: ignore[attr-defined]
def delete_selected_audited(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse | None:
    """Django's "delete selected", plus an audit entry per object when it deletes several.

    For several objects Django writes its admin log with bulk_create, which sends no signal
    (a single deletion's log entry is saved one by one and audited by the receiver).
    """
    confirmed = bool(request.POST.get("post"))
    doomed = [ObjectRef.of(obj) for obj in queryset] if confirmed else []
    response = delete_selected(modeladmin, request, queryset)
    if response is None and len(doomed) > 1:  # None: the objects are gone
        for target in doomed:
            audit_record(
                kind=EventKind.ADMIN_CHANGE,
                request=request,
                obj=target,
                details={"action": ACTIONS[DELETION], "change": []},
            )
    return response


admin.site.add_action(delete_selected_audited, "delete_selected")
