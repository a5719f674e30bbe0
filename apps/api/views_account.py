"""The caller's own account in the operator API: its authorizations and its usage.

Both answer about the operator the key belongs to, within the authorizations the key may use;
neither touches data rows, so neither counts against a quota (each call is still recorded).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.authorizations.choices import AuthorizationStatus, FeeBasis, FilterOperator, Use
from apps.authorizations.selectors import operator_is_qualified
from apps.core.api_errors import ERROR_SCHEMA

from . import selectors
from .authentication import request_api_key
from .models import ApiKey
from .views_base import OperatorApiView


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describes ``Authorization: Bearer <key>`` in the OpenAPI schema."""

    target_class = "apps.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 - the scheme's name, not a secret
            bearer_format="pdp_<prefix>_<secret>",
        )


UNAUTHORIZED = OpenApiResponse(
    ERROR_SCHEMA, description=_("The key is missing, wrong, expired or revoked.")
)
THROTTLED = OpenApiResponse(
    ERROR_SCHEMA, description=_("Too many requests with this key; see Retry-After.")
)


# One named enum for both answers: spectacular names enums after the field ("status"), which
# several other components use for other choice sets.
@extend_schema_field(
    {"type": "string", "enum": AuthorizationStatus.values}, component_name="AuthorizationStatus"
)
class AuthorizationStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=AuthorizationStatus.choices, **kwargs)


@extend_schema_serializer(component_name="AuthorizedDataset")
class DatasetSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    title = serializers.CharField()


@extend_schema_serializer(component_name="AuthorizedScenario")
class ScenarioSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    use = serializers.ChoiceField(choices=Use.choices)


@extend_schema_serializer(component_name="RowCondition")
class RowConditionSerializer(serializers.Serializer):
    """One condition of the row filter; the authorization's rows are those meeting all."""

    field = serializers.CharField()
    op = serializers.ChoiceField(choices=FilterOperator.choices)
    value = serializers.JSONField()


def _operator(key: ApiKey) -> dict[str, Any]:
    return {
        "name": key.operator.name,
        "credit_code": key.operator.credit_code,
        "qualified": operator_is_qualified(operator=key.operator),
    }


@extend_schema_serializer(component_name="KeyOperator")
class OperatorSerializer(serializers.Serializer):
    name = serializers.CharField()
    credit_code = serializers.CharField()
    qualified = serializers.BooleanField(
        help_text=_("Only a qualified operator's calls for data are answered.")
    )


@extend_schema_serializer(component_name="KeyAuthorization")
class AuthorizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dataset = DatasetSerializer(source="entry")
    scenario = ScenarioSerializer()
    status = AuthorizationStatusField()
    allowed_fields = serializers.ListField(child=serializers.CharField())
    row_filter = RowConditionSerializer(many=True)
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    daily_row_quota = serializers.IntegerField()
    fee_basis = serializers.ChoiceField(choices=FeeBasis.choices)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=4, help_text=_("Yuan, per the fee basis.")
    )


class AuthorizationListApi(OperatorApiView):
    """The authorizations in force that this key may use: scope, validity, quota and price."""

    endpoint = "authorizations"

    @extend_schema_serializer(component_name="KeyAuthorizationList")
    class OutputSerializer(serializers.Serializer):
        operator = OperatorSerializer()
        results = AuthorizationSerializer(many=True)

    @extend_schema(
        tags=["operator"],
        operation_id="authorizations_list",
        responses={200: OutputSerializer, 401: UNAUTHORIZED, 429: THROTTLED},
    )
    def get(self, request: Request) -> Response:
        key = request_api_key(request)
        authorizations = selectors.authorizations_in_force_for_key(key=key)
        payload = {"operator": _operator(key), "results": list(authorizations)}
        return Response(self.OutputSerializer(payload).data)


@extend_schema_serializer(component_name="UsageFigures")
class FiguresSerializer(serializers.Serializer):
    calls = serializers.IntegerField(help_text=_("Every call, refused ones included."))
    refused = serializers.IntegerField(help_text=_("Calls answered with an error."))
    rows = serializers.IntegerField(help_text=_("Rows returned."))
    cells = serializers.IntegerField(help_text=_("Values returned (rows × fields)."))


@extend_schema_serializer(component_name="AuthorizationUsage")
class AuthorizationUsageSerializer(serializers.Serializer):
    authorization = serializers.IntegerField(source="authorization.pk")
    dataset = DatasetSerializer(source="authorization.entry")
    status = AuthorizationStatusField(source="authorization.status")
    daily_row_quota = serializers.IntegerField(source="authorization.daily_row_quota")
    today = FiguresSerializer()
    month = FiguresSerializer()
    quota_used_today = serializers.IntegerField(help_text=_("Rows counted against today's quota."))
    quota_remaining_today = serializers.IntegerField()


class UsageApi(OperatorApiView):
    """Calls and rows today and this month per authorization, and today's quota left."""

    endpoint = "usage"

    @extend_schema_serializer(component_name="UsageReport")
    class OutputSerializer(serializers.Serializer):
        today = serializers.DateField()
        month_start = serializers.DateField()
        results = AuthorizationUsageSerializer(many=True, source="authorizations")

    @extend_schema(
        tags=["operator"],
        operation_id="usage_retrieve",
        responses={200: OutputSerializer, 401: UNAUTHORIZED, 429: THROTTLED},
    )
    def get(self, request: Request) -> Response:
        report = selectors.usage_report_for_key(key=request_api_key(request))
        return Response(self.OutputSerializer(report).data)
