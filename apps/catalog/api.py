"""Public read-only API of the catalog: published entries and their field schemas, no login.

Pagination is by cursor, not page number: the main clients are harvesters walking the whole
catalog, newest first. A cursor page costs one indexed query however deep it is (no COUNT, no
OFFSET), and an entry published or retired while a client walks does not shift the pages under
it, so nothing is skipped or seen twice. Random access to "page 7" is what the web page is for.
"""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api_errors import ERROR_SCHEMA, bad_parameter, invalid_cursor

from .choices import FieldType, Grade, Openness, Sector, Sensitivity, UpdateFrequency
from .filters import SEARCH_MAX_LENGTH, CatalogEntryFilter
from .models import CatalogEntry
from .selectors import catalog_entries_public

BAD_FILTER = OpenApiResponse(
    ERROR_SCHEMA,
    description=_(
        "A filter value or page_size is not valid (code invalid_parameter), or the cursor is "
        "not one this API made (code invalid_cursor); “field” names the parameter."
    ),
)
NOT_FOUND = OpenApiResponse(
    ERROR_SCHEMA,
    description=_("No published catalog entry has this identifier."),
)


class CatalogEntryPagination(CursorPagination):
    """A page_size that is not a whole number from 1 to max_page_size, and a cursor the server
    did not make, answer 400 naming the parameter; neither is silently ignored."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # published_at alone has ties in bulk publications; the key makes the order total.
    ordering = ("-published_at", "-pk")

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise bad_parameter(
                self.page_size_query_param,
                gettext("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size},
            )
        return int(raw)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise invalid_cursor() from None
        # The position is compared with published_at: a cursor this API made holds a time.
        position = None if cursor is None else cursor.position
        if position is not None and parse_datetime_or_none(str(position)) is None:
            raise invalid_cursor()
        return cursor


def parse_datetime_or_none(text: str) -> datetime | None:
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def _choices(values: list[str]) -> dict[str, Any]:
    # "" is what the catalog page's "any" option sends: the filter is not applied.
    return {"type": "string", "enum": [*values, ""]}


# The filters as the API applies them; each value outside these answers 400 naming the parameter.
LIST_PARAMETERS = [
    OpenApiParameter(
        "department",
        {"type": "string", "pattern": r"^([A-Z][A-Z0-9]{1,19})?$"},
        description=_(
            "A providing department's code, e.g. EDU (the codes are in each entry's "
            "department.code); a code no department has answers 400. Empty: any department."
        ),
    ),
    OpenApiParameter("sector", _choices(Sector.values), description=_("Empty: any sector.")),
    OpenApiParameter("grade", _choices(Grade.values), description=_("Empty: any grade.")),
    OpenApiParameter("openness", _choices(Openness.values), description=_("Empty: any.")),
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
        description=_("Words of the title, description, keywords or identifier."),
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": CatalogEntryPagination.max_page_size},
        description=_("1 to 200, default 50."),
    ),
    OpenApiParameter(
        "cursor",
        str,
        description=_(
            "From the previous page's “next” or “previous” link; a cursor this API did not make "
            "answers 400 with the code invalid_cursor."
        ),
    ),
]


@extend_schema_serializer(component_name="CatalogDepartment")
class DepartmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="CatalogContact")
class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact_name")
    email = serializers.EmailField(source="contact_email")


@extend_schema_serializer(component_name="CatalogField")
class FieldSerializer(serializers.Serializer):
    """One column of the entry's field schema: what it holds, never any of its values."""

    name = serializers.CharField()
    # A declared field named like a Field attribute: DRF's metaclass moves it into ``fields``.
    label = serializers.CharField()  # type: ignore[assignment]
    data_type = serializers.ChoiceField(choices=FieldType.choices)
    description = serializers.CharField()
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices)
    nullable = serializers.BooleanField()


class EntrySerializer(serializers.Serializer):
    """What the public may know of an entry; never its review notes or who wrote it."""

    identifier = serializers.CharField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api-catalog-detail", lookup_field="identifier"
    )
    landing_page = serializers.HyperlinkedIdentityField(
        view_name="catalog:detail", lookup_field="identifier"
    )
    title = serializers.CharField()
    description = serializers.CharField()
    department = DepartmentSerializer()
    sector = serializers.ChoiceField(choices=Sector.choices)
    keywords = serializers.ListField(child=serializers.CharField())
    update_frequency = serializers.ChoiceField(choices=UpdateFrequency.choices)
    temporal_start = serializers.DateField(allow_null=True)
    temporal_end = serializers.DateField(allow_null=True)
    spatial_coverage = serializers.CharField()
    format = serializers.CharField()
    grade = serializers.ChoiceField(choices=Grade.choices)
    openness = serializers.ChoiceField(choices=Openness.choices)
    contact = ContactSerializer(source="*")
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CatalogEntryListApi(GenericAPIView):
    """Published catalog entries, newest first; filters combine with AND."""

    @extend_schema_serializer(component_name="CatalogEntry")
    class OutputSerializer(EntrySerializer):
        pass

    permission_classes = [AllowAny]
    filter_backends = [DjangoFilterBackend]
    filterset_class = CatalogEntryFilter
    pagination_class = CatalogEntryPagination
    serializer_class = OutputSerializer

    def get_queryset(self) -> QuerySet[CatalogEntry]:
        return catalog_entries_public()

    @extend_schema(
        tags=["catalog"],
        parameters=LIST_PARAMETERS,
        responses={200: OutputSerializer(many=True), 400: BAD_FILTER},
    )
    def get(self, request: Request) -> Response:
        entries = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer(entries, many=True)
        return self.get_paginated_response(serializer.data)


class CatalogEntryDetailApi(GenericAPIView):
    """One published entry with its field schema; any other entry answers 404."""

    @extend_schema_serializer(component_name="CatalogEntryDetail")
    class OutputSerializer(EntrySerializer):
        # A declared field named like Serializer.fields: DRF's metaclass moves it into ``fields``.
        fields = FieldSerializer(many=True)  # type: ignore[assignment]

    permission_classes = [AllowAny]
    filter_backends: list[type] = []
    lookup_field = "identifier"
    serializer_class = OutputSerializer

    def get_queryset(self) -> QuerySet[CatalogEntry]:
        return catalog_entries_public().prefetch_related("fields")

    @extend_schema(tags=["catalog"], responses={200: OutputSerializer, 404: NOT_FOUND})
    def get(self, request: Request, identifier: str) -> Response:
        entry = self.get_queryset().filter(identifier=identifier).first()
        if entry is None:
            # Drafts, entries under review and retired ones answer the same as unknown ones.
            raise NotFound(_("No published catalog entry has this identifier."))
        return Response(self.get_serializer(entry).data)
