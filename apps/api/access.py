"""The checks every data call makes, in order: key valid (authentication) → operator qualified
→ authorization active and in date → every requested field inside the grant
(../shared/domain.md, "available but invisible"; defence in depth: the guardian permission is
checked too, never trusted alone)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.authorizations.models import Authorization, CatalogEntryGroupObjectPermission
from apps.authorizations.selectors import operator_is_qualified
from apps.authorizations.services.authorizations import QUERY_PERMISSION
from apps.catalog.models import CatalogEntry
from apps.core.api_errors import ApiError, field_not_granted, not_found
from apps.datazone.selectors import LiveTable, live_table_for

from .access_cache import access_cache
from .models import ApiKey
from .selectors import authorizations_in_force_for_key


@dataclass(frozen=True)
class Scope:
    """The fields of an entry's live table a call may use: what a grant allows an operator, or
    every field of an open entry (apps/opendata). The request parsing (parameters.py) needs
    only this."""

    entry: CatalogEntry
    table: LiveTable
    fields: tuple[str, ...]  # allowed and present in the live version, in schema order

    def require(self, name: str) -> str:
        if name not in self.fields:
            raise field_not_granted(name)
        return name


@dataclass(frozen=True)
class Grant(Scope):
    authorization: Authorization
    row_filter: tuple[dict[str, Any], ...]


def _candidates(key: ApiKey, identifier: str, authorization_id: str | None) -> Any:
    """The key's authorizations in force for the dataset, with whether the operator's group
    holds the query permission, in one query (in_force checks status and dates to the second)."""
    if "\x00" in identifier:  # PostgreSQL refuses NUL in a parameter: no such dataset
        return []
    authorizations = authorizations_in_force_for_key(key=key).filter(entry__identifier=identifier)
    if authorization_id is not None:
        if not authorization_id.isdigit():
            return []
        authorizations = authorizations.filter(pk=int(authorization_id))
    permission = CatalogEntryGroupObjectPermission.objects.filter(
        group_id=OuterRef("operator__group_id"),
        content_object_id=OuterRef("entry_id"),
        permission__codename=QUERY_PERMISSION,
    )
    return authorizations.annotate(holds_permission=Exists(permission))


def require_qualified(key: ApiKey) -> None:
    if not operator_is_qualified(operator=key.operator):
        raise ApiError(
            "operator_not_qualified",
            _(
                "Your organisation is not qualified: a required qualification is missing or "
                "expired."
            ),
            status_code=403,
        )


@dataclass(frozen=True)
class _CachedGrant:
    grant: Grant
    day: date  # the day the operator was found qualified on (qualifications expire by date)


def grant_for(key: ApiKey, identifier: str, authorization_id: str | None = None) -> Grant:
    """The grant this key holds on the dataset, or the API error that says why there is none.

    A grant found before is reused while nothing it was read from has changed (access_cache);
    what depends on the clock — the operator's qualification on today's date and the
    authorization's validity to the second — is checked again on every call."""

    def load() -> _CachedGrant:
        day = timezone.localdate()  # taken first: qualifications are checked for this day
        return _CachedGrant(_grant_for(key, identifier, authorization_id), day)

    def fresh(found: _CachedGrant) -> bool:
        now, authorization = timezone.now(), found.grant.authorization
        return (
            found.day == timezone.localdate(now)
            and authorization.valid_from <= now < authorization.valid_until
        )

    cache_key = ("grant", key.pk, identifier, authorization_id)
    return access_cache.fetch(cache_key, load, fresh).grant


def _grant_for(key: ApiKey, identifier: str, authorization_id: str | None) -> Grant:
    require_qualified(key)
    candidates = list(_candidates(key, identifier, authorization_id))
    if not candidates:
        raise not_found()
    if len(candidates) > 1:
        raise ApiError(
            "authorization_required",
            _(
                "Several authorizations cover this catalog entry; "
                "choose one with authorization=%(ids)s"
            )
            % {"ids": "|".join(str(a.pk) for a in candidates)},
            field="authorization",
        )
    authorization = candidates[0]
    if not authorization.holds_permission:
        # Defence in depth: the guardian permission must agree with the authorization.
        raise not_found()
    table = live_table_for(entry=authorization.entry)
    if table is None:
        raise ApiError("no_data", _("This catalog entry has no data loaded yet."), status_code=409)
    present = {column.name for column in table.columns}
    fields = tuple(name for name in authorization.allowed_fields if name in present)
    return Grant(
        entry=authorization.entry, table=table, fields=fields, authorization=authorization,
        row_filter=tuple(authorization.row_filter),
    )  # fmt: skip
