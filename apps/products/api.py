"""`/api/v1/products/`: an operator system lists its data products and services, lists a new one
for the bureau's reviews, and sets a product's actual price (`/api/v1/products/{id}/prices/`).

The same services as the pages decide: a product drawing on another operator's authorization,
a charged public-interest product or a price above the cap is refused with the reason, as a 400
naming the field. Like every operator endpoint it authenticates with the API key; listing
products is not use of the data, so nothing is metered against an authorization.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.authentication import request_api_key
from apps.api.views_base import OperatorApiView
from apps.authorizations.choices import Use
from apps.authorizations.models import Authorization, Scenario
from apps.core.api_errors import ERROR_SCHEMA, ApiError
from apps.core.api_routing import MethodRoute

from . import selectors, services
from .choices import FeeForm, ProductKind, ProductStatus
from .models import Product


def _error(description: Any) -> OpenApiResponse:
    return OpenApiResponse(ERROR_SCHEMA, description=description)


UNAUTHORIZED = _error(gettext_lazy("The key is missing, wrong, expired or revoked."))


class PriceField(serializers.DecimalField):
    """Yuan as a string with at most four decimals: a JSON number could arrive as a float."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=4, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError(
                _('Send the price as a string of yuan, for example "0.0500".')
            )
        return super().to_internal_value(data)


# Not blank once trimmed, and no NUL character: what the fields accept.
TEXT = r"^[^\x00]*\S[^\x00]*$"


@extend_schema_field({"type": "string", "maxLength": 200, "pattern": TEXT})
class NameField(serializers.CharField):
    """A product's name as a client sends it."""


@extend_schema_field({"type": "string", "pattern": TEXT})
class DescriptionField(serializers.CharField):
    """A product's description as a client sends it."""


@extend_schema_field({"type": "string", "maxLength": 50, "pattern": r"^[^\x00]*$"})
class UnitField(serializers.CharField):
    """What one price buys; may be empty (a free product has none)."""


@extend_schema_serializer(component_name="Product")
class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ProductKind.choices)
    use = serializers.ChoiceField(choices=Use.choices)
    fee_form = serializers.ChoiceField(choices=FeeForm.choices)
    unit = serializers.CharField()
    status = serializers.ChoiceField(choices=ProductStatus.choices)
    cap_price = PriceField(source="cap_amount", allow_null=True)
    actual_price = PriceField(source="price_amount", allow_null=True)
    actual_price_from = serializers.DateField(source="price_from", allow_null=True)


def _product_out(product: Product) -> dict[str, Any]:
    annotated = selectors.with_prices(Product.objects.filter(pk=product.pk), timezone.localdate())
    return ProductSerializer(annotated.get()).data


def _refused(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    )


class ProductListApi(OperatorApiView):
    """The key's operator's products, with the cap and actual price in force today."""

    endpoint = "products"

    @extend_schema(
        tags=["operator"], operation_id="products_list",
        responses={200: ProductSerializer(many=True), 401: UNAUTHORIZED},
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        key = request_api_key(request)
        products = selectors.with_prices(
            Product.objects.filter(operator_id=key.operator_id), timezone.localdate()
        ).order_by("name", "pk")
        return Response(ProductSerializer(products, many=True).data)


class ProductCreateApi(OperatorApiView):
    """List a new product for the bureau's security and business-compliance reviews."""

    endpoint = "products"

    @extend_schema_serializer(component_name="ProductInput")
    class InputSerializer(serializers.Serializer):
        name = NameField(max_length=200)
        description = DescriptionField()
        kind = serializers.ChoiceField(choices=ProductKind.choices)
        authorizations = serializers.ListField(
            child=serializers.IntegerField(), allow_empty=False,
            help_text=gettext_lazy("Ids of the authorizations the product draws on."),
        )  # fmt: skip
        scenario = serializers.IntegerField(help_text=gettext_lazy("The scenario's id."))
        use = serializers.ChoiceField(choices=Use.choices)
        fee_form = serializers.ChoiceField(choices=FeeForm.choices)
        unit = UnitField(max_length=50, required=False, default="", allow_blank=True)

    @extend_schema(
        tags=["operator"], operation_id="products_create", request=InputSerializer,
        responses={
            201: ProductSerializer,
            400: _error(gettext_lazy("A field is missing, malformed or refused (in “field”).")),
            401: UNAUTHORIZED,
        },
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        key = request_api_key(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ids = values.pop("authorizations")
        # Authorizations are public (the disclosure page): an id of another operator's is
        # refused by the service with its reason, an unknown one here.
        drawn = list(Authorization.objects.filter(pk__in=ids))
        if len(drawn) != len(set(ids)):
            raise ApiError(
                "invalid_parameter", _("No authorization has this id."), field="authorizations"
            )
        scenario = Scenario.objects.filter(pk=values.pop("scenario"), operator=key.operator).first()
        if scenario is None:
            raise ApiError(
                "invalid_parameter", _("No scenario of this key has this id."), field="scenario"
            )
        try:
            product = services.product_submit(
                operator=key.operator, actor=key.created_by, data=values,
                authorizations=drawn, scenario=scenario,
            )  # fmt: skip
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(_product_out(product), status=status.HTTP_201_CREATED)


class ProductPriceApi(OperatorApiView):
    """Set the product's actual price from a date, at or below the cap in force then."""

    endpoint = "products"

    @extend_schema_serializer(component_name="ProductPriceInput")
    class InputSerializer(serializers.Serializer):
        amount = PriceField(help_text=gettext_lazy('The price in yuan, as a string: "0.0450".'))
        effective_from = serializers.DateField(
            help_text=gettext_lazy("The day it takes effect, today or later.")
        )

    @extend_schema(
        tags=["operator"], operation_id="products_price", request=InputSerializer,
        responses={
            201: ProductSerializer,
            400: _error(gettext_lazy("A field is malformed, or the price is above the cap.")),
            401: UNAUTHORIZED,
            404: _error(gettext_lazy("No product of this key has this id.")),
            409: _error(gettext_lazy("The product is not offered.")),
        },
    )  # fmt: skip
    def post(self, request: Request, product: str) -> Response:
        key = request_api_key(request)
        # Any text reaches the view (an API path never falls through to the HTML 404 page).
        found = None
        if product.isascii() and product.isdigit() and len(product) < 19:
            found = Product.objects.filter(pk=int(product), operator_id=key.operator_id).first()
        if found is None:
            raise ApiError("not_found", _("No product of this key has this id."), status_code=404)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.actual_price_set(product=found, actor=key.created_by, **data.validated_data)
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(_product_out(found), status=status.HTTP_201_CREATED)


# One URL, one view per operation: GET lists, POST creates.
products_route = MethodRoute(get=ProductListApi, post=ProductCreateApi)
