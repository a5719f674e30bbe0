"""Authenticators in the admin: who has one and when it was last used, never its secret.

django-otp's own admin can show the secret and its QR code, which would let one staff member
copy another's second factor. A superuser may delete an authenticator (a lost phone); its owner
then sets up a new one at the next sign-in.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only its owner sets one up, on the set-up page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
