"""Checks a higher app adds to the approval of an authorization: this app cannot import the apps
above it, so they register a check when they load (AppConfig.ready). A check gets the catalog
entry and returns the reason the approval must wait, or None. The registration app uses it for
``REGISTRATION_REQUIRED_FOR_AUTHORIZATION`` (26号: no authorized operation without registration)."""

from collections.abc import Callable

from apps.accounts.models import User
from apps.catalog.models import CatalogEntry

from .models import Authorization

ApprovalCheck = Callable[[CatalogEntry], str | None]
_checks: list[ApprovalCheck] = []


def approval_check_register(check: ApprovalCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def approval_refusals(*, entry: CatalogEntry) -> list[str]:
    """Why an authorization for ``entry`` cannot be approved now (empty: nothing in the way)."""
    return [reason for reason in (check(entry) for check in _checks) if reason is not None]


# What a higher app does when an authorization stops letting data through (suspended, revoked
# or expired): called inside the transaction of the move, with the actor and the reason. The
# products app withdraws the products drawing on it.
EndHook = Callable[[Authorization, User | None, str], None]
_end_hooks: list[EndHook] = []


def authorization_end_hook_register(hook: EndHook) -> None:
    if hook not in _end_hooks:
        _end_hooks.append(hook)


def authorization_ended(*, authorization: Authorization, actor: User | None, reason: str) -> None:
    for hook in _end_hooks:
        hook(authorization, actor, reason)
