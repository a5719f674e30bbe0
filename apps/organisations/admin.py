from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.cdo.models import CdoAssignment

from .models import Bureau, Department, Operator


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


class ActiveCdoFilter(admin.SimpleListFilter):
    """Organisations with and without a chief data officer in office now."""

    title = _("chief data officer")
    parameter_name = "cdo"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("in office")), ("no", _("none in office"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Department]) -> Any:
        in_office = Exists(CdoAssignment.objects.active().filter(department=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(in_office)
        if self.value() == "no":
            return queryset.filter(~in_office)
        return queryset


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "current_cdo", "is_active")
    list_filter = ("kind", ActiveCdoFilter, "is_active", "submissions_need_cdo_confirmation")
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        current = CdoAssignment.objects.active().filter(department=OuterRef("pk"))
        name = Coalesce("user__first_name", "user__username")
        return (
            super()
            .get_queryset(request)
            .annotate(cdo_name=Subquery(current.annotate(name=name).values("name")[:1]))
        )

    @admin.display(description=_("chief data officer"))
    def current_cdo(self, obj: Department) -> str:
        return getattr(obj, "cdo_name", None) or "—"


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "contact_email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "credit_code")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            # Same rule as operator_create: every operator owns the group its grants go to.
            obj.group = Group.objects.create(name=f"operator:{obj.credit_code}")
        super().save_model(request, obj, form, change)
