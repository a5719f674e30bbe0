"""The open API: an open entry's schema and records, without a key (issue 15 §2).

The records endpoint takes the same ``fields``, filters, ``ordering``, cursor pages,
``page_size`` and ``format`` as the operator's (apps/api/views_records.py), parsed and run by
the same machinery (apps.api.parameters and apps.api.query) over every field of the entry; no
row filter, no quota. Only an open entry with live data answers; anything else is the API's
404, the same for every case. Calls are limited per caller address (OPEN_API_RATE) and each
call is recorded after the response has gone (services.open_data_use_record).
"""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api import query
from apps.api.access import Scope
from apps.api.formats import RowsJSONRenderer, csv_response, json_rows
from apps.api.parameters import (
    cursor_dump,
    is_slow,
    parse_records,
    refuse_unknown,
    single_values,
    unknown_parameter,
)
from apps.api.serializers import (
    COMMON_ERRORS,
    RECORDS_PARAMETERS,
    RECORDS_RESPONSES,
    DatasetFieldSerializer,
    error,
)
from apps.api.views_data import ErrorsAsJsonNegotiation
from apps.catalog.api import DepartmentSerializer
from apps.core.api_errors import ApiError, not_found
from apps.datazone.selectors import LiveTable

from . import selectors, services
from .models import UseFormat
from .throttling import AddressRateThrottle

OPEN_ERRORS = {
    400: COMMON_ERRORS[400],
    404: error(_("No open catalog entry with live data has this identifier.")),
    429: error(_("Too many requests from this address; see Retry-After.")),
}
FIELD_KEYS = ("name", "label", "data_type", "nullable", "filterable")
OPEN_RECORDS_PARAMETERS = [p for p in RECORDS_PARAMETERS if p.name != "authorization"]


@extend_schema_serializer(component_name="OpenVersion")
class OpenVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    row_count = serializers.IntegerField()
    loaded_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField(help_text=_("SHA-256 of the file the version was loaded from."))


@extend_schema_serializer(component_name="OpenEntry")
class OpenEntrySerializer(serializers.Serializer):
    identifier = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    department = DepartmentSerializer()
    update_frequency = serializers.CharField()
    version = OpenVersionSerializer()
    # A declared field named like Serializer.fields: DRF's metaclass moves it into ``fields``.
    fields = DatasetFieldSerializer(many=True)  # type: ignore[assignment]
    links = serializers.DictField(child=serializers.URLField())


class OpenApiView(APIView):
    """No key; the caller's address is rate-limited; each call on an open entry is recorded."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressRateThrottle]
    content_negotiation_class = ErrorsAsJsonNegotiation

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.used_scope: Scope | None = None
        self.used_format: str = UseFormat.API_SCHEMA
        self.used_rows = 0
        super().initial(request, *args, **kwargs)

    def scope(self, identifier: str) -> Scope:
        try:
            scope = selectors.open_scope_of(identifier=identifier)
        except Http404:
            raise not_found() from None
        self.used_scope = scope
        return scope

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        scope = getattr(self, "used_scope", None)
        if scope is not None:
            use = dict(
                entry_id=scope.entry.pk, version_id=scope.table.version.pk,
                format=self.used_format, rows=self.used_rows,
                address=services.address_hash(request),
            )  # fmt: skip
            # Django's list of callbacks run when the response is closed (not in the type stubs).
            response._resource_closers.append(lambda: services.open_data_use_record(**use))  # type: ignore[attr-defined]
        return response


class OpenEntryApi(OpenApiView):
    """An open catalog entry's live version and fields. No key is needed."""

    @extend_schema(
        tags=["open data"],
        operation_id="open_retrieve",
        auth=[],
        responses={200: OpenEntrySerializer, 404: OPEN_ERRORS[404], 429: OPEN_ERRORS[429]},
    )
    def get(self, request: Request, identifier: str) -> Response:
        scope = self.scope(identifier)
        refuse_unknown(request.query_params, allowed=frozenset())
        entry, version = scope.entry, scope.table.version
        specs = {spec["name"]: spec for spec in version.columns}
        records = reverse("api-open-records", args=[entry.identifier])
        return Response(
            {
                "identifier": entry.identifier,
                "title": entry.title,
                "description": entry.description,
                "department": dict(DepartmentSerializer(entry.department).data),
                "update_frequency": entry.update_frequency,
                "version": {
                    "number": version.number,
                    "row_count": scope.table.row_count,
                    "loaded_at": version.finished_at,
                    "sha256": version.sha256,
                },
                "fields": [{key: specs[name][key] for key in FIELD_KEYS} for name in scope.fields],
                "links": {"records": request.build_absolute_uri(records)},
            }
        )


class OpenRecordsApi(OpenApiView):
    """Pages of an open entry's live rows, with the operator records endpoint's fields, filters,
    ordering, cursor and formats. No key is needed."""

    renderer_classes = [RowsJSONRenderer]

    @extend_schema(
        tags=["open data"],
        operation_id="open_records",
        auth=[],
        parameters=OPEN_RECORDS_PARAMETERS,
        responses={**RECORDS_RESPONSES, **OPEN_ERRORS},
    )
    def get(self, request: Request, identifier: str) -> HttpResponse:
        scope = self.scope(identifier)
        values = single_values(request.query_params)
        if "authorization" in values:  # an operator API parameter; open data has no grants
            raise unknown_parameter("authorization")
        spec = parse_records(scope, values)
        self.used_format = UseFormat.API_CSV if spec.as_csv else UseFormat.API_JSON
        statements = query.records_statements(
            scope.table, columns=spec.columns, conditions=spec.conditions,
            ordering=spec.ordering, position=spec.position, limit=spec.page_size + 1,
        )  # fmt: skip
        rows = _run(
            scope.table,
            lambda using: query.run_page(statements, spec.page_size + 1, using=using),
            slow=is_slow(spec.conditions, spec.ordering.column),
        )
        page = rows[: spec.page_size]
        self.used_rows = len(page)
        next_url = None
        if len(rows) > spec.page_size:
            token = cursor_dump(scope, spec.ordering, page[-1][-2], page[-1][-1])
            parameters = request.query_params.copy()
            parameters["cursor"] = token
            next_url = request.build_absolute_uri(f"{request.path}?{parameters.urlencode()}")
        if spec.as_csv:
            return csv_response(spec.columns, page, next_url)
        body: dict[str, Any] = {"next": next_url}
        if not spec.conditions:
            body["total_estimate"] = scope.table.row_count
        body["results"] = json_rows(spec.columns, page)
        return Response(body)


def _run(
    table: LiveTable, read: Callable[[str], list[tuple[Any, ...]]], *, slow: bool
) -> list[tuple[Any, ...]]:
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
