"""Public read-only API of the catalog: published entries and their field schemas, no login.

Pagination is by cursor, not page number: the main clients are harvesters walking the whole
catalog, newest first. A cursor page costs one indexed query however deep it is (no COUNT, no
OFFSET), and an entry published or retired while a client walks does not shift the pages under
it, so nothing is skipped or seen twice. Random access to "page 7" is what the web page is for.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api_errors import ERROR_SCHEMA

from .choices import FieldType, Grade, Openness, Sector, Sensitivity, UpdateFrequency
from .filters import CatalogEntryFilter
from .models import CatalogEntry
from .selectors import catalog_entries_public

BAD_FILTER = OpenApiResponse(
    ERROR_SCHEMA,
    description=_("A filter value is not valid: each bad parameter with its messages."),
)
NOT_FOUND = OpenApiResponse(
    ERROR_SCHEMA,
    description=_("No published catalog entry has this identifier."),
)


class CatalogEntryPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # published_at alone has ties in bulk publications; the key makes the order total.
    ordering = ("-published_at", "-pk")


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

    @extend_schema(tags=["catalog"], responses={200: OutputSerializer(many=True), 400: BAD_FILTER})
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
