"""The outbox in the admin, read-only: what waits, how often it was tried and the last error."""

from django.contrib import admin
from django.http import HttpRequest

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "status", "digest", "due_at", "attempts", "sent_at")
    list_filter = ("status", "digest")
    search_fields = ("idempotency_key",)
    readonly_fields = (
        "notification", "address", "kind", "params", "url", "language", "idempotency_key",
        "status", "digest", "due_at", "attempts", "last_error", "sent_at",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
