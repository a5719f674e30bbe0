"""The operator's dataset endpoints: list, detail, records, aggregate and verify (issue 6 §2–§6).

Every data call runs the same checks in the same order (access.grant_for: key → operator
qualified → authorization in force → dataset), then checks each requested field, filter and
ordering against the grant, and always ANDs the authorization's row filter into the SQL. A
dataset the key may not query answers 404 whether it exists or not. Anything a client sends that
the API does not understand — an unknown parameter, a field outside the grant, a value its
column's type does not accept — answers 400 naming it, so a typo never silently widens a query.
"""

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.choices import FieldType
from apps.core.api_errors import ApiError
from apps.datazone.models import DataVersion
from apps.datazone.storage import Column

from . import query, services
from .access import Grant, authorizations_for_key, grant_for, require_qualified
from .authentication import request_api_key
from .parameters import (
    AGGREGATE_PARAMETER_NAMES,
    AUTHORIZATION_ONLY,
    RecordsRequest,
    cursor_dump,
    is_slow,
    match_conditions,
    parse_filters,
    parse_group_by,
    parse_metrics,
    parse_records,
    refuse_unknown,
    row_filter,
    scope_unavailable,
    single_values,
)
from .query import Condition, Metric
from .serializers import (
    AGGREGATE_PARAMETERS,
    AUTHORIZATION_PARAMETER,
    COMMON_ERRORS,
    RECORDS_PARAMETERS,
    RECORDS_RESPONSES,
    AggregateResultSerializer,
    DatasetDetailSerializer,
    DatasetListSerializer,
    VerifyInputSerializer,
    VerifyResultSerializer,
)
from .views_base import OperatorApiView

# An aggregate answers at most this many groups (and says when it cut the list).
MAX_GROUPS = 10_000
# Verify counts matching rows exactly up to this cap, then says "at least": the answer is about
# existence, and counting past the cap would only cost time (no COUNT over millions of rows).
VERIFY_COUNT_CAP = 1000


class ErrorsAsJsonNegotiation(DefaultContentNegotiation):
    """``format`` is this API's own parameter (json|csv), not DRF's renderer switch, and the
    Accept header does not matter: answers are built by the views, errors are always JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


# Output values ----------------------------------------------------------------------------------

Formatter = Callable[[Any], Any]


def _decimal_text(value: Any) -> str:
    return str(value)


def _date_text(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _datetime_text(value: Any) -> str:
    # SQLite hands back text for computed values (min/max); PostgreSQL a datetime.
    if isinstance(value, str):
        value = parse_datetime(value) or value
    return value if isinstance(value, str) else value.isoformat()


def _identity(value: Any) -> Any:
    return value


FORMATTERS: dict[str, Formatter] = {
    FieldType.STRING: _identity,
    FieldType.INTEGER: _identity,
    FieldType.DECIMAL: _decimal_text,  # text, so no client reads an exact figure as a float
    FieldType.DATE: _date_text,
    FieldType.DATETIME: _datetime_text,
    FieldType.BOOLEAN: bool,  # SQLite stores 1/0
}


def formatter(column: Column) -> Formatter:
    convert = FORMATTERS[column.data_type]
    if convert is _identity:  # strings and integers go out as read (None included)
        return convert
    return lambda value: None if value is None else convert(value)


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# Views -----------------------------------------------------------------------------------------


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

    def run(self, statements: Callable[[], Any], *, slow: bool) -> Any:
        try:
            with query.guarded(slow=slow):
                return statements()
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
        require_qualified(request_api_key(request))
        authorizations = (
            authorizations_for_key(request_api_key(request))
            .select_related("entry__department")
            .order_by("entry__identifier", "pk")
        )
        items: dict[int, dict[str, Any]] = {}
        for authorization in authorizations:
            entry = authorization.entry
            item = items.setdefault(entry.pk, _summary(request, entry))
            item["authorizations"].append(authorization.pk)
        live = set(
            DataVersion.objects.live()
            .filter(entry_id__in=list(items))
            .values_list("entry_id", flat=True)
        )
        for entry_id, item in items.items():
            item["has_data"] = entry_id in live
        return Response({"results": list(items.values())})


def _summary(request: Request, entry: Any) -> dict[str, Any]:
    return {
        "identifier": entry.identifier,
        "title": entry.title,
        "department": entry.department.name,
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
                "department": entry.department.name,
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


class DatasetRecordsApi(DataApiView):
    """Rows of the live version: granted fields only, the row filter always applied, keyset
    pages. Each page reserves its size from the daily row quota before it is read and gives
    back what it did not use."""

    endpoint = "records"

    @extend_schema(
        tags=["datasets"],
        operation_id="datasets_records",
        parameters=RECORDS_PARAMETERS,
        responses={**RECORDS_RESPONSES, **COMMON_ERRORS},
    )
    def get(self, request: Request, identifier: str) -> HttpResponse:
        grant = self.grant(request, identifier)
        spec = parse_records(grant, single_values(request.query_params))
        conditions = row_filter(grant) + spec.conditions
        reserved = self.reserve(grant, spec.page_size)
        try:
            rows = self.read(grant, spec, conditions, reserved)
        except BaseException:
            services.quota_release(authorization=grant.authorization, rows=reserved)
            raise
        page = rows[:reserved]
        services.quota_release(authorization=grant.authorization, rows=reserved - len(page))
        self.metered_rows, self.metered_cells = len(page), len(page) * len(spec.columns)
        next_url = None
        if len(rows) > reserved:
            token = cursor_dump(grant, spec.ordering, page[-1][-2], page[-1][-1])
            next_url = _next_url(request, token)
        if spec.as_csv:
            return _csv_response(spec.columns, page, next_url)
        body: dict[str, Any] = {"next": next_url}
        if not conditions:
            body["total_estimate"] = grant.table.row_count
        body["results"] = _json_rows(spec.columns, page)
        return Response(body)

    def reserve(self, grant: Grant, rows: int) -> int:
        try:
            return services.quota_reserve(authorization=grant.authorization, rows=rows)
        except services.QuotaExceeded as exceeded:
            error = ApiError(
                "quota_exceeded",
                _("The daily row quota of this authorization is used up."),
                status_code=429,
            )
            error.wait = exceeded.retry_after  # type: ignore[attr-defined]  # Retry-After
            raise error from None

    def read(
        self, grant: Grant, spec: RecordsRequest, conditions: list[Condition], limit: int
    ) -> list[tuple[Any, ...]]:
        statements = query.records_statements(
            grant.table, columns=spec.columns, conditions=conditions, ordering=spec.ordering,
            position=spec.position, limit=limit + 1,
        )  # fmt: skip
        slow = is_slow(conditions, spec.ordering.column)
        return self.run(lambda: query.run_page(statements, limit + 1), slow=slow)


def _next_url(request: Request, token: str) -> str:
    parameters = request.query_params.copy()
    parameters["cursor"] = token
    return request.build_absolute_uri(f"{request.path}?{parameters.urlencode()}")


def _json_rows(columns: Sequence[Column], rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    names = [column.name for column in columns]
    formats = [formatter(column) for column in columns]
    return [
        {name: fmt(value) for name, fmt, value in zip(names, formats, row, strict=False)}
        for row in rows
    ]


def _csv_response(
    columns: Sequence[Column], rows: Sequence[tuple[Any, ...]], next_url: str | None
) -> HttpResponse:
    formats = [formatter(column) for column in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF line ends
    writer.writerow([column.name for column in columns])
    writer.writerows(
        [csv_text(fmt(value)) for fmt, value in zip(formats, row, strict=False)] for row in rows
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return response


# Aggregate --------------------------------------------------------------------------------------


def _metric_value(metric: Metric, value: Any) -> Any:
    if value is None or metric.column is None:
        return value
    if metric.function in ("min", "max"):
        return formatter(metric.column)(value)
    if metric.function == "sum" and metric.column.data_type == FieldType.INTEGER:
        return int(value)
    if metric.function == "avg":
        # Six decimals; text like decimals elsewhere. Format, not quantize: no context limits.
        text = f"{value:.6f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


class DatasetAggregateApi(DataApiView):
    """Grouped figures, "available but invisible": groups smaller than API_AGGREGATE_MIN_GROUP
    rows are left out and counted in ``suppressed_groups``; no row is ever returned."""

    endpoint = "aggregate"

    @extend_schema(
        tags=["datasets"],
        operation_id="datasets_aggregate",
        parameters=AGGREGATE_PARAMETERS,
        responses={200: AggregateResultSerializer, **COMMON_ERRORS},
    )
    def get(self, request: Request, identifier: str) -> Response:
        grant = self.grant(request, identifier)
        values = single_values(request.query_params)
        group_by = parse_group_by(grant, values.get("group_by"))
        metrics = parse_metrics(grant, values.get("metrics"))
        conditions = row_filter(grant) + parse_filters(grant, values, AGGREGATE_PARAMETER_NAMES)
        min_group = settings.API_AGGREGATE_MIN_GROUP
        statement = query.aggregate_statement(
            grant.table, group_by=group_by, metrics=metrics, conditions=conditions,
            min_group=min_group, max_groups=MAX_GROUPS,
        )  # fmt: skip
        rows = self.run(lambda: query.run_statement(statement), slow=True)
        services.count_call(authorization=grant.authorization)
        return Response(_aggregate_body(group_by, metrics, rows, min_group))


def _aggregate_body(
    group_by: list[Column], metrics: list[Metric], rows: list[tuple[Any, ...]], min_group: int
) -> dict[str, Any]:
    width = len(group_by)
    visible = [row for row in rows if row[0] == 0]
    suppressed = sum(row[1 + width] for row in rows if row[0] == 1)
    key_formats = [formatter(column) for column in group_by]
    groups = [
        {
            "group": {
                c.name: fmt(v) for c, fmt, v in zip(group_by, key_formats, row[1:], strict=False)
            },
            "metrics": {
                m.name: int(row[1 + width]) if m.column is None else _metric_value(m, v)
                for m, v in zip(metrics, row[2 + width :], strict=True)
            },
        }
        for row in visible[:MAX_GROUPS]
    ]
    return {
        "group_by": [column.name for column in group_by],
        "metrics": [metric.name for metric in metrics],
        "min_group_size": min_group,
        "groups": groups,
        "suppressed_groups": int(suppressed),
        "truncated": len(visible) > MAX_GROUPS,
    }


# Verify -----------------------------------------------------------------------------------------


class DatasetVerifyApi(DataApiView):
    """Whether a row with the given values exists, and how many (counted up to
    VERIFY_COUNT_CAP): a yes/no check that returns no row data."""

    endpoint = "verify"

    @extend_schema(
        tags=["datasets"],
        operation_id="datasets_verify",
        parameters=[AUTHORIZATION_PARAMETER],
        request=VerifyInputSerializer,
        responses={200: VerifyResultSerializer, **COMMON_ERRORS},
    )
    def post(self, request: Request, identifier: str) -> Response:
        grant = self.grant(request, identifier)
        refuse_unknown(request.query_params, allowed=AUTHORIZATION_ONLY)
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match = match_conditions(grant, data.validated_data["match"])
        conditions = row_filter(grant) + match
        statement = query.verify_statement(grant.table, conditions=conditions, cap=VERIFY_COUNT_CAP)
        rows = self.run(lambda: query.run_statement(statement), slow=is_slow(match))
        services.count_call(authorization=grant.authorization)
        count = int(rows[0][0])
        return Response(
            {
                "exists": count > 0,
                "count": min(count, VERIFY_COUNT_CAP),
                "count_capped": count > VERIFY_COUNT_CAP,
                "count_cap": VERIFY_COUNT_CAP,
            }
        )
