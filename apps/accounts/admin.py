from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "full_name",
        "bureau",
        "department",
        "operator",
        "organisation_role",
        "is_active",
    )
    list_filter = ("is_active", "is_staff", "organisation_role", "groups", "department__kind")
    list_select_related = ("bureau", "department", "operator")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Organisation"),
            {"fields": ("bureau", "department", "operator", "organisation_role", "phone")},
        ),
    )
    autocomplete_fields = ("department", "operator")

    @admin.display(description=pgettext_lazy("person", "Name"), ordering="last_name")
    def full_name(self, user: User) -> str:
        return user.get_full_name()

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        # Users are deactivated, never deleted: history rows point at them.
        return False
