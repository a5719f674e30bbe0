"""`/api/v1/revenue-reports/`: an operator system reports proceeds and reads its reports back.

Like every operator endpoint it authenticates with the API key and each call is recorded. It
sets no ``metered_authorization``: reporting revenue is not use of the data, and a per-call fee
must not count it.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.authentication import request_api_key
from apps.api.models import ApiKey
from apps.api.selectors import authorizations_in_key_scope
from apps.api.views_base import OperatorApiView
from apps.authorizations.models import Authorization
from apps.core.api_errors import ERROR_SCHEMA, ApiError, bad_parameter
from apps.core.api_routing import MethodRoute

from . import selectors, services
from .choices import ReportStatus
from .money import BadPeriod, parse_period, period_label


def _error(description: Any) -> OpenApiResponse:
    return OpenApiResponse(ERROR_SCHEMA, description=description)


class MoneyField(serializers.DecimalField):
    """Yuan as a string with at most two decimals: a JSON number could arrive as a float."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=14, decimal_places=2, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError(
                _('Send the amount as a string of yuan, for example "1234.50".')
            )
        return super().to_internal_value(data)


PERIOD_SCHEMA = {"type": "string", "pattern": r"^[2-9][0-9]{3}-(0[1-9]|1[0-2])$"}


class PeriodField(serializers.CharField):
    def to_internal_value(self, data: Any) -> Any:
        try:
            return parse_period(super().to_internal_value(data))
        except BadPeriod as error:
            raise serializers.ValidationError(str(error)) from None

    def to_representation(self, value: Any) -> str:
        return period_label(value)


@extend_schema_field(PERIOD_SCHEMA)
class InputPeriodField(PeriodField):
    """A period a client sends, described with its pattern in the schema."""


@extend_schema_serializer(component_name="RevenueReportMetered")
class MeteredSerializer(serializers.Serializer):
    calls = serializers.IntegerField(
        source="metered_calls", help_text=gettext_lazy("Successful calls in the month.")
    )
    rows = serializers.IntegerField(
        source="metered_rows", help_text=gettext_lazy("Rows returned in the month.")
    )
    fee = serializers.DecimalField(
        source="metered_fee", max_digits=14, decimal_places=2,
        help_text=gettext_lazy("Yuan, from the authorization's fee basis and price."),
    )  # fmt: skip


class RevenueReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    authorization = serializers.IntegerField(source="authorization_id")
    dataset = serializers.CharField(source="authorization.entry.identifier")
    period = PeriodField(help_text=gettext_lazy("The month reported, YYYY-MM."))
    amount = MoneyField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    review_reason = serializers.CharField()
    metered = MeteredSerializer(source="*")
    below_metered_fee = serializers.BooleanField(
        help_text=gettext_lazy("The reported amount is below the metered fee.")
    )
    submitted_at = serializers.DateTimeField()
    settlement_period = PeriodField(source="settlement.period", allow_null=True, default=None)


@extend_schema_field(
    # Not blank once trimmed, and no NUL character: what the field accepts.
    {"type": "string", "maxLength": 100, "pattern": r"^[^\x00]*\S[^\x00]*$"}
)
class ReferenceField(serializers.CharField):
    """A contract or invoice reference as a client sends it."""


class RevenueReportListApi(OperatorApiView):
    """The key's reports, newest month first; ``period`` narrows them to one month."""

    endpoint = "revenue_reports"

    @extend_schema(
        tags=["operator"],
        operation_id="revenue_reports_list",
        parameters=[
            OpenApiParameter(
                "period", PERIOD_SCHEMA, description=gettext_lazy("Only this month, YYYY-MM.")
            )
        ],
        responses={
            200: RevenueReportSerializer(many=True),
            400: _error(gettext_lazy("The period is malformed.")),
            401: _error(gettext_lazy("The key is missing, wrong, expired or revoked.")),
        },
    )
    def get(self, request: Request) -> Response:
        reports = selectors.revenue_reports_of_key(key=request_api_key(request))
        if "period" in request.query_params:
            try:
                reports = reports.filter(period=parse_period(request.query_params["period"]))
            except BadPeriod as error:
                raise bad_parameter("period", str(error)) from None
        return Response(RevenueReportSerializer(reports, many=True).data)


class RevenueReportCreateApi(OperatorApiView):
    """Report one month's proceeds of one of the key's authorizations."""

    endpoint = "revenue_reports"

    @extend_schema_serializer(component_name="RevenueReportInput")
    class InputSerializer(serializers.Serializer):
        authorization = serializers.IntegerField(help_text=gettext_lazy("The authorization's id."))
        period = InputPeriodField(
            help_text=gettext_lazy("The month reported, YYYY-MM; it must be over.")
        )
        amount = MoneyField(help_text=gettext_lazy('Proceeds in yuan, as a string: "1234.50".'))
        reference = ReferenceField(
            max_length=100, help_text=gettext_lazy("Contract or invoice reference.")
        )

    @extend_schema(
        tags=["operator"],
        operation_id="revenue_reports_create",
        request=InputSerializer,
        responses={
            201: RevenueReportSerializer,
            400: _error(gettext_lazy("A field is missing or malformed (named in “field”).")),
            401: _error(gettext_lazy("The key is missing, wrong, expired or revoked.")),
            409: _error(gettext_lazy("The authorization already has a report for this period.")),
        },
    )
    def post(self, request: Request) -> Response:
        key = request_api_key(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        authorization = self._authorization(key, values.pop("authorization"))
        try:
            report = services.revenue_report_submit(
                operator=key.operator, actor=key.created_by, authorization=authorization, **values
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(_validation_detail(error)) from None
        return Response(RevenueReportSerializer(report).data, status=status.HTTP_201_CREATED)

    def _authorization(self, key: ApiKey, pk: int) -> Authorization:
        authorization = authorizations_in_key_scope(key=key).filter(pk=pk).first()
        if authorization is None:
            # Same answer for "does not exist" and "not yours": existence is not revealed.
            raise ApiError(
                "invalid_parameter", _("No authorization of this key has this id."),
                field="authorization",
            )  # fmt: skip
        return authorization


def _validation_detail(error: DjangoValidationError) -> Any:
    return (
        error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )


# One URL, one view per operation: GET lists, POST creates.
revenue_reports_route = MethodRoute(get=RevenueReportListApi, post=RevenueReportCreateApi)
