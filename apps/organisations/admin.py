from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from apps.core.access import signed_in_user

from . import services
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

    def save_model(self, request: HttpRequest, obj: Operator, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new operator is made by the service, which gives it the group its grants go to; the
        # admin goes on (history message, redirect) with the form's object, now the saved one.
        created = services.operator_create(
            name=obj.name, credit_code=obj.credit_code, contact_email=obj.contact_email,
            is_active=obj.is_active, actor=signed_in_user(request),
        )  # fmt: skip
        obj.pk, obj.group = created.pk, created.group
        obj._state.adding, obj._state.db = False, created._state.db
