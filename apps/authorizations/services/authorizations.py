"""Authorization state and the object permissions derived from it."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry
from apps.core.errors import IllegalTransition, NotAllowed
from apps.core.history import history_attribute
from apps.organisations.models import Operator

from .. import notify
from ..choices import AUTHORIZATION_TRANSITIONS, AuthorizationStatus
from ..gates import authorization_ended
from ..models import Authorization
from ..selectors import operator_is_qualified

QUERY_PERMISSION = "query_catalogentry"


def authorization_sync_permission(*, operator: Operator, entry: CatalogEntry) -> bool:
    """Give or take the operator group's query permission on the entry, from the authorizations.

    Call inside the transaction that changed an authorization or the operator's qualification.
    Returns whether the permission is now held.
    """
    allowed = (
        operator_is_qualified(operator=operator)
        and Authorization.objects.in_force().filter(operator=operator, entry=entry).exists()
    )
    if allowed:
        assign_perm(QUERY_PERMISSION, operator.group, entry)
    else:
        remove_perm(QUERY_PERMISSION, operator.group, entry)
    return allowed


def operator_sync_permissions(*, operator: Operator) -> None:
    """After the operator's qualification changed: re-derive every grant it has."""
    entry_ids = set(
        Authorization.objects.filter(operator=operator).values_list("entry_id", flat=True)
    )
    for entry in CatalogEntry.objects.filter(pk__in=entry_ids):
        authorization_sync_permission(operator=operator, entry=entry)


def _move(
    authorization: Authorization, *, actor: User | None, to_status: str, reason: str
) -> Authorization:
    authorization = Authorization.objects.select_for_update().get(pk=authorization.pk)
    if to_status not in AUTHORIZATION_TRANSITIONS[authorization.status]:
        raise IllegalTransition(
            _("A %(current)s authorization cannot become %(target)s.")
            % {
                "current": authorization.get_status_display(),
                "target": AuthorizationStatus(to_status).label,
            }
        )
    authorization.status = to_status
    authorization.status_reason = reason
    history_attribute(
        authorization, user=actor, reason=reason or AuthorizationStatus(to_status).label
    )
    authorization.save(update_fields=["status", "status_reason"])
    authorization_sync_permission(operator=authorization.operator, entry=authorization.entry)
    if to_status != AuthorizationStatus.ACTIVE:
        authorization_ended(authorization=authorization, actor=actor, reason=reason)
    notify.authorization_moved(authorization=authorization)
    return authorization


def _require_bureau(actor: User, permission: str) -> None:
    if actor.bureau_id is None or not actor.has_perm(permission):
        raise NotAllowed(_("Only bureau approvers may change authorizations."))


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for this decision.")}, code="reason")
    return reason


@transaction.atomic
def authorization_suspend(
    *, authorization: Authorization, actor: User, reason: str
) -> Authorization:
    _require_bureau(actor, "authorizations.decide_application")
    return _move(
        authorization, actor=actor, to_status=AuthorizationStatus.SUSPENDED,
        reason=_require_reason(reason),
    )  # fmt: skip


@transaction.atomic
def authorization_resume(
    *, authorization: Authorization, actor: User, reason: str = ""
) -> Authorization:
    _require_bureau(actor, "authorizations.decide_application")
    if authorization.valid_until <= timezone.now():
        raise IllegalTransition(_("The authorization has passed its end date; it cannot resume."))
    return _move(authorization, actor=actor, to_status=AuthorizationStatus.ACTIVE, reason=reason)


@transaction.atomic
def authorization_revoke(
    *, authorization: Authorization, actor: User, reason: str
) -> Authorization:
    _require_bureau(actor, "authorizations.decide_application")
    return _move(
        authorization, actor=actor, to_status=AuthorizationStatus.REVOKED,
        reason=_require_reason(reason),
    )  # fmt: skip


def authorizations_expire(*, now: datetime | None = None) -> int:
    """Record the expiry of every authorization past its end; safe to run any number of times."""
    now = now or timezone.now()
    expired = 0
    due = Authorization.objects.filter(
        status__in=[AuthorizationStatus.ACTIVE, AuthorizationStatus.SUSPENDED],
        valid_until__lte=now,
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            authorization = Authorization.objects.select_for_update().get(pk=pk)
            if authorization.status in (AuthorizationStatus.REVOKED, AuthorizationStatus.EXPIRED):
                continue
            _move(
                authorization,
                actor=None,
                to_status=AuthorizationStatus.EXPIRED,
                reason="",  # the history records the status's own name
            )
            expired += 1
    for operator in Operator.objects.filter(authorizations__isnull=False).distinct():
        # Qualifications lapse with time too: take grants away from operators no longer qualified.
        with transaction.atomic():
            operator_sync_permissions(operator=operator)
    return expired


def authorization_check_access(*, authorization: Authorization, at: datetime | None = None) -> None:
    """Defence in depth for every data access: never trust the object permission alone."""
    at = at or timezone.now()
    operator = authorization.operator
    if not operator.group.catalogentrygroupobjectpermission_set.filter(
        content_object_id=authorization.entry_id, permission__codename=QUERY_PERMISSION
    ).exists():
        raise NotAllowed(_("The operator holds no permission on this catalog entry."))
    if authorization.status != AuthorizationStatus.ACTIVE:
        raise NotAllowed(
            _("The authorization is %(status)s.") % {"status": authorization.get_status_display()}
        )
    if not authorization.valid_from <= at < authorization.valid_until:
        raise NotAllowed(_("The authorization is not in force at this time."))
    if not operator_is_qualified(operator=operator, on=timezone.localdate(at)):
        raise NotAllowed(_("The operator is not qualified."))
