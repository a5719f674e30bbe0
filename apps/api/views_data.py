"""The operator's dataset endpoints (issue 6 §2–§6): the data views' common checks, the list and
the detail; records, aggregate and verify have a module each (views_records, views_aggregate,
views_verify), output values are written by ``formats``.

Every data call runs the same checks in the same order (access.grant_for: key → operator
qualified → authorization in force → dataset), then checks each requested field, filter and
ordering against the grant, and always ANDs the authorization's row filter into the SQL. A
dataset the key may not query answers 404 whether it exists or not. Anything a client sends that
the API does not understand — an unknown parameter, a field outside the grant, a value its
column's type does not accept — answers 400 naming it, so a typo never silently widens a query.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api_errors import ApiError
from apps.datazone.selectors import LiveTable, entries_with_live_data

from . import query
from .access import Grant, grant_for, require_qualified
from .authentication import request_api_key
from .parameters import (
    AUTHORIZATION_ONLY,
    refuse_unknown,
    scope_unavailable,
)
from .selectors import authorizations_in_force_for_key
from .serializers import (
    AUTHORIZATION_PARAMETER,
    COMMON_ERRORS,
    DatasetDetailSerializer,
    DatasetListSerializer,
    department_fields,
)
from .views_base import OperatorApiView


class ErrorsAsJsonNegotiation(DefaultContentNegotiation):
    """``format`` is this API's own parameter (json|csv), not DRF's renderer switch, and the
    Accept header does not matter: answers are built by the views, errors are always JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class DataApiView(OperatorApiView):
    content_negotiation_class = ErrorsAsJsonNegotiation

    def grant(self, request: Request, identifier: str) -> Grant:
        grant = grant_for(
            request_api_key(request), identifier, request.query_params.get("authorization")
        )
        self.metered_authorization = grant.authorization
        if not grant.fields:
            raise scope_unavailable()
        return grant

    def run(self, table: LiveTable, read: Callable[[str], Any], *, slow: bool) -> Any:
        """``read(alias)`` on the database that serves the table's rows (query.run_rows)."""
        try:
            return query.run_rows(table, read, slow=slow)
        except query.QueryTimeout:
            raise ApiError(
                "query_timeout",
                _("The query took too long; narrow it with filters on indexed fields."),
            ) from None
        except query.QueryValueError:
            raise ApiError("invalid_parameter", _("A value is out of range.")) from None


class DatasetListApi(DataApiView):
    """The datasets this key may query now: one item per dataset, with its authorizations."""

    endpoint = "datasets"

    @extend_schema(
        tags=["datasets"],
        operation_id="datasets_list",
        responses={200: DatasetListSerializer, **{c: COMMON_ERRORS[c] for c in (401, 403, 429)}},
    )
    def get(self, request: Request) -> Response:
        refuse_unknown(request.query_params, allowed=frozenset())
        key = request_api_key(request)
        require_qualified(key)
        authorizations = authorizations_in_force_for_key(key=key)
        items: dict[int, dict[str, Any]] = {}
        for authorization in authorizations:
            entry = authorization.entry
            item = items.setdefault(entry.pk, _summary(request, entry))
            item["authorizations"].append(authorization.pk)
        live = entries_with_live_data(entry_ids=items)
        for entry_id, item in items.items():
            item["has_data"] = entry_id in live
        return Response({"results": list(items.values())})


def _summary(request: Request, entry: Any) -> dict[str, Any]:
    return {
        "identifier": entry.identifier,
        "title": entry.title,
        **department_fields(entry.department),
        "url": request.build_absolute_uri(reverse("api-dataset-detail", args=[entry.identifier])),
        "authorizations": [],
    }


class DatasetDetailApi(DataApiView):
    """A dataset's metadata, the granted part of its schema, and the grant itself."""

    endpoint = "dataset"

    @extend_schema(
        tags=["datasets"],
        operation_id="datasets_retrieve",
        parameters=[AUTHORIZATION_PARAMETER],
        responses={200: DatasetDetailSerializer, **COMMON_ERRORS},
    )
    def get(self, request: Request, identifier: str) -> Response:
        grant = self.grant(request, identifier)
        refuse_unknown(request.query_params, allowed=AUTHORIZATION_ONLY)
        entry, version, authorization = grant.entry, grant.table.version, grant.authorization
        specs = {spec["name"]: spec for spec in version.columns}
        return Response(
            {
                "identifier": entry.identifier,
                "title": entry.title,
                "description": entry.description,
                **department_fields(entry.department),
                "update_frequency": entry.update_frequency,
                "version": {
                    "number": version.number,
                    "row_count": grant.table.row_count,
                    "loaded_at": version.finished_at,
                },
                "fields": [_field(specs[name]) for name in grant.fields],
                "authorization": {
                    "id": authorization.pk,
                    "valid_from": authorization.valid_from,
                    "valid_until": authorization.valid_until,
                    "daily_row_quota": authorization.daily_row_quota,
                    "row_filter": list(grant.row_filter),
                },
                "links": _links(request, identifier),
            }
        )


def _field(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": spec["name"],
        "label": spec["label"],
        "data_type": spec["data_type"],
        "nullable": spec["nullable"],
        "filterable": spec["filterable"],
    }


def _links(request: Request, identifier: str) -> dict[str, str]:
    chosen = request.query_params.get("authorization")
    suffix = "" if chosen is None else "?" + _query({"authorization": chosen})
    return {
        name: request.build_absolute_uri(reverse(f"api-dataset-{name}", args=[identifier]) + suffix)
        for name in ("records", "aggregate", "verify")
    }


def _query(values: dict[str, str]) -> str:
    encoded = QueryDict(mutable=True)
    encoded.update(values)
    return encoded.urlencode()
