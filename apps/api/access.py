"""The checks every data call makes, in order: key valid (authentication) → operator qualified
→ authorization active and in date → every requested field inside the grant
(../shared/domain.md, "available but invisible"; defence in depth: the guardian permission is
checked too, never trusted alone)."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from apps.authorizations.models import Authorization
from apps.authorizations.selectors import operator_is_qualified
from apps.authorizations.services import authorization_check_access
from apps.catalog.models import CatalogEntry
from apps.core.errors import NotAllowed
from apps.datazone.selectors import LiveTable, live_table_for

from .errors import ApiError, field_not_granted, not_found
from .models import ApiKey


@dataclass(frozen=True)
class Grant:
    authorization: Authorization
    entry: CatalogEntry
    table: LiveTable
    fields: tuple[str, ...]  # granted and present in the live version, in schema order
    row_filter: tuple[dict[str, Any], ...]

    def require(self, name: str) -> str:
        if name not in self.fields:
            raise field_not_granted(name)
        return name


def authorizations_for_key(key: ApiKey) -> Any:
    """The key's authorizations in force: all of the operator's, or the ones it is limited to."""
    authorizations = Authorization.objects.in_force().filter(operator_id=key.operator_id)
    limited = list(key.authorizations.values_list("pk", flat=True))
    if limited:
        authorizations = authorizations.filter(pk__in=limited)
    return authorizations.select_related("entry", "scenario", "operator__group")


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


def grant_for(key: ApiKey, identifier: str, authorization_id: str | None = None) -> Grant:
    require_qualified(key)
    candidates = [a for a in authorizations_for_key(key) if a.entry.identifier == identifier]
    if authorization_id is not None:
        candidates = [a for a in candidates if str(a.pk) == authorization_id]
    if not candidates:
        raise not_found()
    if len(candidates) > 1:
        raise ApiError(
            "authorization_required",
            _("Several authorizations cover this dataset; choose one with authorization=%(ids)s")
            % {"ids": "|".join(str(a.pk) for a in candidates)},
            field="authorization",
        )
    authorization = candidates[0]
    try:
        authorization_check_access(authorization=authorization)
    except NotAllowed:
        raise not_found() from None
    table = live_table_for(entry=authorization.entry)
    if table is None:
        raise ApiError("no_data", _("This dataset has no data loaded yet."), status_code=409)
    present = {column.name for column in table.columns}
    fields = tuple(name for name in authorization.allowed_fields if name in present)
    return Grant(authorization, authorization.entry, table, fields, tuple(authorization.row_filter))
