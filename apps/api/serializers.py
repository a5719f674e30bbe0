"""Shapes of the dataset endpoints for the OpenAPI schema, and the verify call's input.

The data endpoints build their answers from plain values (the rows come from per-dataset tables
whose columns differ); these serializers describe those answers. Records and aggregate rows are
free-form objects: their keys are the dataset's granted field names.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from apps.authorizations.choices import FilterOperator
from apps.catalog.api import DepartmentSerializer
from apps.catalog.choices import FieldType
from apps.core.api_errors import ERROR_SCHEMA
from apps.organisations.models import Department

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import StrOrPromise

VERIFY_MAX_FIELDS = 20


@extend_schema_field({"type": "object", "additionalProperties": True})
class FreeFormField(serializers.DictField):
    """An object whose keys depend on the dataset."""


def department_fields(department: Department) -> dict[str, Any]:
    """The providing department in the shape /api/v1/catalog/ gives it, plus the name as the plain
    string these endpoints gave before (department_name, deprecated, kept for API version 1)."""
    return {
        "department": dict(DepartmentSerializer(department).data),
        "department_name": department.name,
    }


DEPARTMENT_NAME = serializers.CharField(
    help_text=_(
        "Deprecated: the providing department's name, as department.name gives it. Kept for "
        "version 1 of the API, where department was this string."
    )
)


@extend_schema_serializer(component_name="DatasetSummary", deprecate_fields=["department_name"])
class DatasetSummarySerializer(serializers.Serializer):
    identifier = serializers.CharField()
    title = serializers.CharField()
    department = DepartmentSerializer()
    department_name = DEPARTMENT_NAME
    url = serializers.URLField()
    authorizations = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=_(
            "Authorizations of this key on the catalog entry; choose one with ?authorization="
        ),
    )
    has_data = serializers.BooleanField(help_text=_("Whether rows are loaded and live."))


@extend_schema_serializer(component_name="DatasetList")
class DatasetListSerializer(serializers.Serializer):
    results = DatasetSummarySerializer(many=True)


@extend_schema_serializer(component_name="DatasetField")
class DatasetFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    # A declared field named like a Field attribute: DRF's metaclass moves it into ``fields``.
    label = serializers.CharField()  # type: ignore[assignment]
    data_type = serializers.ChoiceField(choices=FieldType.choices)
    nullable = serializers.BooleanField()
    filterable = serializers.BooleanField(
        help_text=_("Indexed: filters and ordering on it stay fast on large tables.")
    )


@extend_schema_serializer(component_name="DatasetRowCondition")
class RowConditionSerializer(serializers.Serializer):
    field = serializers.CharField()
    op = serializers.ChoiceField(choices=FilterOperator.choices)
    value = serializers.JSONField()


@extend_schema_serializer(component_name="DatasetGrant")
class GrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    daily_row_quota = serializers.IntegerField()
    row_filter = RowConditionSerializer(
        many=True, help_text=_("Conditions every row returned meets, always applied.")
    )


@extend_schema_serializer(component_name="DatasetVersion")
class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    row_count = serializers.IntegerField()
    loaded_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="DatasetDetail", deprecate_fields=["department_name"])
class DatasetDetailSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    department = DepartmentSerializer()
    department_name = DEPARTMENT_NAME
    update_frequency = serializers.CharField()
    version = VersionSerializer()
    # A declared field named like Serializer.fields: DRF's metaclass moves it into ``fields``.
    fields = DatasetFieldSerializer(many=True, help_text=_("The granted fields only."))  # type: ignore[assignment]
    authorization = GrantSerializer()
    links = serializers.DictField(child=serializers.URLField())


@extend_schema_serializer(component_name="RecordsPage")
class RecordsPageSerializer(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text=_("The next page (a signed cursor); null on the last page.")
    )
    total_estimate = serializers.IntegerField(
        required=False,
        help_text=_(
            "Rows of the catalog entry's data; only given when no filter applies (never counted)."
        ),
    )
    results = serializers.ListField(child=FreeFormField())


@extend_schema_serializer(component_name="AggregateGroup")
class AggregateGroupSerializer(serializers.Serializer):
    group = FreeFormField(help_text=_("The group_by fields' values."))
    metrics = FreeFormField(help_text=_("Each metric by its name, e.g. “sum:amount”."))


@extend_schema_serializer(component_name="AggregateResult")
class AggregateResultSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    metrics = serializers.ListField(child=serializers.CharField())
    min_group_size = serializers.IntegerField()
    groups = AggregateGroupSerializer(many=True)
    suppressed_groups = serializers.IntegerField(
        help_text=_("Groups left out because they hold fewer than min_group_size rows.")
    )
    truncated = serializers.BooleanField(help_text=_("More groups exist than were returned."))


@extend_schema_field(
    {
        "type": "object",
        "minProperties": 1,
        "maxProperties": VERIFY_MAX_FIELDS,
        "additionalProperties": {},
    }
)
class MatchField(serializers.DictField):
    """Granted field → value; at least one, at most VERIFY_MAX_FIELDS."""


@extend_schema_serializer(component_name="Verify")  # "VerifyRequest" once split
class VerifyInputSerializer(serializers.Serializer):
    match = MatchField(
        child=serializers.JSONField(allow_null=True),
        allow_empty=False,
        help_text=_("Granted field → value (null matches an empty value); all must hold."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({sorted(unknown)[0]: _("Unknown member.")})
        if len(attrs["match"]) > VERIFY_MAX_FIELDS:
            raise serializers.ValidationError({"match": _("Too many fields.")})
        return attrs


@extend_schema_serializer(component_name="VerifyResult")
class VerifyResultSerializer(serializers.Serializer):
    exists = serializers.BooleanField()
    count = serializers.IntegerField(help_text=_("Matching rows, counted up to count_cap."))
    count_capped = serializers.BooleanField(help_text=_("More rows than count_cap match."))
    count_cap = serializers.IntegerField()


def error(description: "StrOrPromise") -> OpenApiResponse:
    return OpenApiResponse(ERROR_SCHEMA, description=description)


COMMON_ERRORS = {
    400: error(_("A parameter is unknown, malformed or outside the grant (named in “field”).")),
    401: error(_("The key is missing, wrong, expired or revoked.")),
    403: error(_("The operator is not qualified.")),
    404: error(_("No catalog entry this key may query has this identifier.")),
    409: error(_("The catalog entry has no data loaded, or its grant cannot be applied to it.")),
    429: error(_("Too many requests, or the daily row quota is used up; see Retry-After.")),
}

RECORDS_ERRORS = {
    **COMMON_ERRORS,
    400: error(
        _(
            "A parameter is unknown, malformed or outside the grant (named in “field”), or the "
            "cursor is not valid (code invalid_cursor)."
        )
    ),
}

RECORDS_RESPONSES = {
    (200, "application/json"): RecordsPageSerializer,
    (200, "text/csv"): OpenApiResponse(
        OpenApiTypes.STR,
        description=_(
            "format=csv: a header line, then the rows; the next page in a Link header. Values "
            "are exactly as stored, for programs to read: a value that begins with =, +, - or @ "
            "is not neutralized, so open the file in a spreadsheet only through its import "
            "dialog with every column as text."
        ),
    ),
}

# A field name as the catalog allows it (apps.catalog.models.FIELD_NAME_PATTERN). Which names a
# catalog entry has is its own data; a name it has not, or one outside the grant, answers 400.
NAME = r"[a-z][a-z0-9_]{0,62}"
METRIC = rf"(count|(sum|avg|min|max):{NAME})"
FIELD_LIST = {"type": "string", "pattern": rf"^{NAME}(,{NAME})*$"}

AUTHORIZATION_PARAMETER = OpenApiParameter(
    "authorization",
    OpenApiTypes.INT,
    description=_("Which authorization to use when several cover the catalog entry."),
)
FILTER_PARAMETER = OpenApiParameter(
    "filters",
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
    },
    style="form",
    explode=True,
    description=_(
        "Filters on granted fields: name=value, name__gt, __gte, __lt, __lte, __in (comma-"
        "separated), __contains (text fields), __isnull (true/false). Values take the forms a "
        "data file may hold for the field's type. Any other parameter is refused."
    ),
)
RECORDS_PARAMETERS = [
    OpenApiParameter(
        "fields",
        FIELD_LIST,
        description=_("Comma-separated granted fields; default all granted. Not empty."),
    ),
    OpenApiParameter(
        "ordering",
        {"type": "string", "pattern": rf"^-?{NAME}$"},
        description=_("A granted field, “-” first for descending; empty values come last."),
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
        description=_("1 to 1000, default 100."),
    ),
    OpenApiParameter(
        "cursor",
        {"type": "string", "minLength": 1},
        description=_(
            "From the previous page's “next” link. A cursor the server did not make, or made for "
            "another ordering or an earlier version of the data, answers 400 with the code "
            "invalid_cursor."
        ),
    ),
    OpenApiParameter("format", str, enum=["json", "csv"], description=_("Default json.")),
    AUTHORIZATION_PARAMETER,
    FILTER_PARAMETER,
]
AGGREGATE_PARAMETERS = [
    OpenApiParameter(
        "group_by", FIELD_LIST, description=_("Comma-separated granted fields. Not empty.")
    ),
    OpenApiParameter(
        "metrics",
        {"type": "string", "pattern": rf"^{METRIC}(,{METRIC})*$"},
        description=_(
            "Comma-separated: count, sum:field, avg:field (numeric fields), min:field, "
            "max:field. Default count."
        ),
    ),
    AUTHORIZATION_PARAMETER,
    FILTER_PARAMETER,
]
