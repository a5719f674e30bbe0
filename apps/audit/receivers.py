"""Audit entries for events that other apps' code performs, hooked without touching that code.

Connected in ``AuditConfig.ready``. Every receiver only gathers what it needs (no queries) and
writes the entry from ``transaction.on_commit(..., robust=True)``:

- an action that rolls back never happened, so it leaves no entry;
- the chain-head lock is held for the few milliseconds of the audit write, not for the whole
  business transaction: holding it there would serialise every audited write of the portal
  and risk deadlocks between the action's row locks and the head;
- a failing audit write is logged and never turns a committed action into an error page.
The price is that a process dying between the commit and the audit write loses that one entry;
the business records (simple-history) still have it.
"""

import json
from collections.abc import Callable
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from apps.accounts.models import User

from .models import EventKind
from .registry import history_entry_for
from .services import ObjectRef, audit_record, audit_record_on_commit

# Details are data, not prose: stored in English words whatever the staff member's language.
ACTIONS = {ADDITION: "addition", CHANGE: "change", DELETION: "deletion"}


def _after_commit(**entry: Any) -> None:
    audit_record_on_commit(**entry)


def _later(function: Callable[[], object]) -> None:
    transaction.on_commit(function, robust=True)


def _history_request() -> HttpRequest | None:
    """The request being served, as simple-history's middleware keeps it (None in commands)."""
    return getattr(HistoricalRecords.context, "request", None)


def _username_details(username: Any) -> dict[str, Any]:
    # The name tried, known or not, so the log shows who was tried (credential stuffing tries
    # names that do not exist). Never the password: that arrives cleansed and is not read here.
    username = str(username or "")[:150]
    if username and User.objects.filter(username=username).exists():
        return {"username": username}
    return {"username": username, "unknown_username": True}


def _tried(username: Any) -> ObjectRef:
    """What the entry is about: the account tried, so the admin's list shows its name."""
    username = str(username or "")[:150]
    user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
    return ObjectRef(User._meta.label_lower, str(user_id or ""), username)


# --- log-ins ------------------------------------------------------------------------------


def on_logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    _after_commit(kind=EventKind.LOGIN, actor=user, request=request, details={"path": request.path})


def on_logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        _after_commit(kind=EventKind.LOGOUT, actor=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = credentials.get(User.USERNAME_FIELD)
    _later(
        lambda: audit_record(
            kind=EventKind.LOGIN_FAILED,
            request=request,
            obj=_tried(username),
            details={**_username_details(username), "path": request.path if request else ""},
        )
    )


def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    _later(
        lambda: audit_record(
            kind=EventKind.LOCKOUT,
            request=request,
            obj=_tried(username),
            details=_username_details(username),
        )
    )


# --- history of decisions ------------------------------------------------------------------


def on_history_record(
    sender: Any,
    instance: models.Model,
    history_instance: Any,
    history_user: User | None = None,
    history_change_reason: str | None = None,
    **kwargs: Any,
) -> None:
    history_entry = history_entry_for(instance._meta.label_lower)
    if history_entry is None:
        return
    request = _history_request()

    def write() -> None:
        # As committed: the transaction may have amended the history row after the signal.
        history_instance.refresh_from_db()
        entry = history_entry(instance, history_instance, history_change_reason or "")
        if entry:
            audit_record(actor=history_user, request=request, obj=instance, **entry)

    _later(write)


# --- object permissions (guardian's direct-FK rows) ------------------------------------------


def _permission_entry(instance: Any, kind: str, target_model: type[models.Model]) -> None:
    request = _history_request()
    entry_id, permission_id = instance.content_object_id, instance.permission_id
    holder = {"group": instance.group_id} if hasattr(instance, "group_id") else {}
    holder = holder or {"user": instance.user_id}

    def write() -> None:
        from django.contrib.auth.models import Group, Permission

        entry = target_model._default_manager.filter(pk=entry_id).first()
        target = entry or ObjectRef(target_model._meta.label_lower, str(entry_id))
        details: dict[str, Any] = {
            **holder,
            "permission": Permission.objects.filter(pk=permission_id)
            .values_list("codename", flat=True)
            .first(),
            "entry": entry_id,
        }
        if "group" in holder:
            details["group_name"] = (
                Group.objects.filter(pk=holder["group"]).values_list("name", flat=True).first()
            )
        audit_record(kind=kind, request=request, obj=target, details=details)

    _later(write)


def permission_receivers_connect(*, model: type[models.Model], target: type[models.Model]) -> None:
    def on_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        if created:
            _permission_entry(instance, EventKind.PERMISSION_GRANTED, target)

    def on_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        _permission_entry(instance, EventKind.PERMISSION_REMOVED, target)

    # weak=False: the receivers are closures, kept alive by the signal itself.
    name = model.__name__
    post_save.connect(on_saved, sender=model, weak=False, dispatch_uid=f"audit_grant_{name}")
    post_delete.connect(on_deleted, sender=model, weak=False, dispatch_uid=f"audit_revoke_{name}")


# --- staff changes in the admin ------------------------------------------------------------


def on_admin_log(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    request = _history_request()

    def write() -> None:
        try:
            # Django's change message names the changed fields, never their values.
            change = json.loads(instance.change_message or "[]")
        except ValueError:
            change = instance.change_message
        content_type = instance.content_type
        target = ObjectRef(
            f"{content_type.app_label}.{content_type.model}" if content_type else "",
            str(instance.object_id or ""),  # still the raw pk before the row is read back
            instance.object_repr,
        )
        audit_record(
            kind=EventKind.ADMIN_CHANGE,
            actor=instance.user,
            request=request,
            obj=target,
            details={"action": ACTIONS.get(instance.action_flag, ""), "change": change},
        )

    _later(write)


def _names(model: type[models.Model], pks: set[Any]) -> dict[Any, str]:
    from django.contrib.auth.models import Permission

    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).values_list(
            "pk", "content_type__app_label", "codename"
        )
        return {pk: f"{app_label}.{codename}" for pk, app_label, codename in rows}
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=pks)}


def on_roles_changed(
    sender: Any,
    instance: models.Model,
    action: str,
    reverse: bool,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    """A user's groups or direct permissions, or a group's permissions, added or removed, from
    the admin or from anywhere else: who holds which role is a security fact. One entry per
    role, about its holder (the user; the group for a group's permissions)."""
    field = _m2m_field(sender)
    if field is None:
        return
    if action == "pre_clear":
        # The set about to go: read now, recorded as removed once the clear has committed.
        if reverse:
            related = field.model._default_manager.filter(**{field.name: instance})
        else:
            related = getattr(instance, field.name).all()
        pk_set = set(related.values_list("pk", flat=True))
        action = "post_remove"
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    kind = EventKind.PERMISSION_GRANTED if action == "post_add" else EventKind.PERMISSION_REMOVED
    request = _history_request()
    holder_model, role_model = field.model, field.related_model
    # Forward: the instance holds the roles in pk_set; reverse: the instance is the one role.
    pairs = [(pk, instance.pk) if reverse else (instance.pk, pk) for pk in sorted(pk_set)]

    def write() -> None:
        holders = {pk: holder_model._default_manager.filter(pk=pk).first() for pk, _ in pairs}
        roles = _names(role_model, {role for _, role in pairs})
        for holder_pk, role_pk in pairs:
            holder = holders[holder_pk] or ObjectRef(holder_model._meta.label_lower, str(holder_pk))
            audit_record(
                kind=kind,
                request=request,
                obj=holder,
                details={
                    "change": action.removeprefix("post_"),
                    "name": roles.get(role_pk, str(role_pk)),
                    "model": role_model._meta.label_lower,
                },
            )

    _later(write)


def _m2m_field(through: type[models.Model]) -> Any:
    from django.contrib.auth.models import Group

    for owner, name in ((User, "groups"), (User, "user_permissions"), (Group, "permissions")):
        if getattr(owner, name).through is through:
            return owner._meta.get_field(name)
    return None


def on_device_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not instance.confirmed:  # an abandoned set-up, not a change of the user's 2FA
        return
    request = _history_request()
    user_id = instance.user_id
    _later(
        lambda: audit_record(
            kind=EventKind.TWOFACTOR_CHANGED,
            request=request,
            obj=User.objects.filter(pk=user_id).first(),
            details={"change": "authenticator removed", "user": user_id},
        )
    )


def connect() -> None:
    from axes.signals import user_locked_out
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user_logged_in.connect(on_logged_in, dispatch_uid="audit_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit_lockout")
    post_create_historical_record.connect(on_history_record, dispatch_uid="audit_history")
    post_save.connect(on_admin_log, sender=LogEntry, dispatch_uid="audit_admin_log")
    post_delete.connect(on_device_deleted, sender=TOTPDevice, dispatch_uid="audit_totp_deleted")
    from django.contrib.auth.models import Group

    for through, name in (
        (User.groups.through, "groups"),
        (User.user_permissions.through, "user_permissions"),
        (Group.permissions.through, "group_permissions"),
    ):
        m2m_changed.connect(on_roles_changed, sender=through, dispatch_uid=f"audit_roles_{name}")
