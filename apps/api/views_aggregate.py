"""The aggregate endpoint: grouped figures, with small groups suppressed."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.choices import FieldType
from apps.datazone.storage import Column

from . import query, services
from .formats import formatter
from .parameters import (
    AGGREGATE_PARAMETER_NAMES,
    parse_filters,
    parse_group_by,
    parse_metrics,
    row_filter,
    single_values,
)
from .query import Metric
from .serializers import (
    AGGREGATE_PARAMETERS,
    COMMON_ERRORS,
    AggregateResultSerializer,
)
from .views_data import DataApiView

# An aggregate answers at most this many groups (and says when it cut the list).
MAX_GROUPS = 10_000


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
        rows = self.run(
            grant.table, lambda using: query.run_statement(statement, using=using), slow=True
        )
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
