"""The records endpoint: pages of rows from a dataset's live version."""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api_errors import ApiError

from . import query, services
from .access import Grant
from .formats import RowsJSONRenderer, csv_response, json_rows
from .parameters import (
    RecordsRequest,
    cursor_dump,
    is_slow,
    parse_records,
    row_filter,
    single_values,
)
from .query import Condition
from .serializers import (
    RECORDS_ERRORS,
    RECORDS_PARAMETERS,
    RECORDS_RESPONSES,
)
from .views_data import DataApiView


class DatasetRecordsApi(DataApiView):
    """Rows of the live version: granted fields only, the row filter always applied, keyset
    pages. Each page reserves its size from the daily row quota before it is read and gives
    back what it did not use."""

    endpoint = "records"
    renderer_classes = [RowsJSONRenderer]

    @extend_schema(
        tags=["datasets"],
        operation_id="datasets_records",
        parameters=RECORDS_PARAMETERS,
        responses={**RECORDS_RESPONSES, **RECORDS_ERRORS},
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
            return csv_response(spec.columns, page, next_url)
        body: dict[str, Any] = {"next": next_url}
        if not conditions:
            body["total_estimate"] = grant.table.row_count
        body["results"] = json_rows(spec.columns, page)
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
        return self.run(
            grant.table, lambda using: query.run_page(statements, limit + 1, using=using), slow=slow
        )


def _next_url(request: Request, token: str) -> str:
    parameters = request.query_params.copy()
    parameters["cursor"] = token
    return request.build_absolute_uri(f"{request.path}?{parameters.urlencode()}")
