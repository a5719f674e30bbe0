from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.auth.models import Group

from .models import Bureau, Department, Operator


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    # apps.cdo re-registers this admin with the current chief data officer's column and filter:
    # organisations sit below cdo and know nothing of it.
    list_display: tuple[str, ...] = ("code", "name", "kind", "parent", "is_active")
    list_filter: ClassVar[tuple[Any, ...]] = (
        "kind",
        "is_active",
        "submissions_need_cdo_confirmation",
    )
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


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
