"""Authorizations (suspend, resume, revoke) and their agreements."""

from collections.abc import Callable
from pathlib import PurePath
from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy, ngettext

from apps.accounts.models import User
from apps.core.admin_decisions import (
    BureauAdmin,
    Decision,
    DecisionAdmin,
    decision_actions,
    moves_to,
)

from .. import services
from ..admin_forms import AGREEMENT_CLAUSES
from ..choices import AUTHORIZATION_TRANSITIONS, AuthorizationStatus
from ..models import Agreement, Authorization
from .documents import attachment

# Authorizations and agreements ----------------------------------------------------------------


def _document_link(agreement: Agreement) -> str:
    if not agreement.document:
        return "—"
    url = reverse("admin:authorizations_agreement_document", args=[agreement.pk])
    return format_html('<a href="{}">{}</a>', url, PurePath(agreement.document.name or "").name)


class AgreementInline(admin.StackedInline):
    model = Agreement
    fields: ClassVar[tuple[str, ...]] = (*AGREEMENT_CLAUSES, "signed_document")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("signed agreement"))
    def signed_document(self, agreement: Agreement) -> str:
        return _document_link(agreement)


def _authorization_move(
    service: Callable[..., Authorization],
) -> Callable[[Authorization, User, str], object]:
    return lambda authorization, actor, reason: service(
        authorization=authorization, actor=actor, reason=reason
    )


_REVOKE_IS_FINAL = gettext_lazy(
    "A revoked authorization cannot be resumed; the operator must apply again."
)

AUTHORIZATION_DECISIONS = {
    "suspend": Decision(
        gettext_lazy("Suspend"), "decide", True,
        moves_to(AUTHORIZATION_TRANSITIONS, AuthorizationStatus.SUSPENDED),
        _authorization_move(services.authorization_suspend),
    ),
    "resume": Decision(
        gettext_lazy("Resume"), "decide", False,
        moves_to(AUTHORIZATION_TRANSITIONS, AuthorizationStatus.ACTIVE),
        _authorization_move(services.authorization_resume),
    ),
    "revoke": Decision(
        gettext_lazy("Revoke"), "decide", True,
        moves_to(AUTHORIZATION_TRANSITIONS, AuthorizationStatus.REVOKED),
        _authorization_move(services.authorization_revoke),
    ),
}  # fmt: skip


@admin.register(Authorization)
class AuthorizationAdmin(DecisionAdmin):
    list_display = (
        "operator", "entry", "scenario", "valid_from", "valid_until", "status", "fee_basis",
    )  # fmt: skip
    list_filter = ("status", "fee_basis", "entry__department")
    search_fields = ("operator__name", "operator__credit_code", "entry__identifier",
                     "entry__title", "scenario__title")  # fmt: skip
    fields = (
        "application", "operator", "entry", "scenario", "allowed_fields", "row_filter",
        "valid_from", "valid_until", "daily_row_quota", "fee_basis", "price",
        "revenue_share_ratio", "status", "status_reason", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [AgreementInline]
    decision_permissions = {"decide": "authorizations.decide_application"}
    decisions = AUTHORIZATION_DECISIONS
    actions = decision_actions(decisions)

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("authorizations.decide_application")

    def decision_consequences(self, objects: list[Any], decision: str) -> list[str]:
        if decision != "revoke":
            return []
        now = timezone.now()
        lines = []
        for authorization in objects:
            # The operator API's keys limited to this authorization (apps.api, by relation).
            keys = authorization.api_keys.filter(revoked_at__isnull=True).count()
            days = max(0, (authorization.valid_until - now).days)
            lines.append(
                ngettext(
                    "%(operator)s loses access to %(entry)s at once, %(days)d days before the "
                    "authorization would end; %(keys)d API key limited to it stops working.",
                    "%(operator)s loses access to %(entry)s at once, %(days)d days before the "
                    "authorization would end; %(keys)d API keys limited to it stop working.",
                    keys,
                )
                % {
                    "operator": authorization.operator,
                    "entry": f"{authorization.entry.identifier} {authorization.entry.title}",
                    "days": days,
                    "keys": keys,
                }
            )
        lines.append(str(_REVOKE_IS_FINAL))
        return lines

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authorization]:
        return super().get_queryset(request).select_related("operator", "entry", "scenario")


@admin.register(Agreement)
class AgreementAdmin(BureauAdmin):
    list_display = ("__str__", "authorization", "security_review_done", "compliance_review_done")
    list_filter = ("security_review_done", "compliance_review_done")
    list_select_related = (
        "authorization__operator", "authorization__entry", "authorization__scenario",
    )  # fmt: skip
    search_fields = ("number", "authorization__operator__name", "authorization__entry__identifier")
    fields: ClassVar[tuple[str, ...]] = ("authorization", *AGREEMENT_CLAUSES, "signed_document")
    readonly_fields = fields

    def get_urls(self) -> list[Any]:
        return [self.view_url("document", self.document_view, "document/"), *super().get_urls()]

    @admin.display(description=gettext_lazy("signed agreement"))
    def signed_document(self, agreement: Agreement) -> str:
        return _document_link(agreement)

    def document_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        agreement = self.get_object(request, unquote(object_id))
        if agreement is None:
            raise Http404
        return attachment(agreement.document)
