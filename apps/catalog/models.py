"""The unified public data resource catalog (公共数据资源目录): entries and their field schemas."""

import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.organisations.models import Department

from . import search
from .choices import (
    FieldTag,
    FieldType,
    Grade,
    Openness,
    Sector,
    Sensitivity,
    Status,
    UpdateFrequency,
    validate_field_tags,
)
from .listing_cache import catalog_listing_cached

# A column name that is safe in PostgreSQL and SQLite without quoting surprises: the data zone
# creates real tables from these (../shared/library-notes.md §5: identifiers ≤ 63 bytes).
FIELD_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
RESERVED_FIELD_NAMES = frozenset(
    {
        "all", "and", "any", "as", "asc", "between", "by", "case", "check", "column", "create",
        "default", "desc", "distinct", "do", "else", "end", "except", "false", "for", "from",
        "grant", "group", "having", "in", "into", "is", "join", "limit", "not", "null", "offset",
        "on", "or", "order", "select", "table", "then", "to", "true", "union", "unique", "user",
        "using", "when", "where", "with", "id", "oid", "ctid", "xmin", "xmax", "cmin", "cmax",
        "tableoid", "rowid",
    }
)  # fmt: skip


def validate_field_name(value: str) -> None:
    import re

    if not re.fullmatch(FIELD_NAME_PATTERN, value):
        raise ValidationError(
            _(
                "Use lower-case letters, digits and underscores, starting with a letter "
                "(at most 63 characters)."
            ),
            code="invalid_name",
        )
    if value in RESERVED_FIELD_NAMES:
        raise ValidationError(
            _("“%(name)s” is a reserved word in SQL; choose another name.") % {"name": value},
            code="reserved_name",
        )


SEARCH_VECTOR_MATCH = (
    '"catalog_catalogentry"."search_vector" @@ to_tsquery(\'simple\'::regconfig, %s)'
)


def search_departments() -> list[tuple[int, str]]:
    """Every department's id and name, for CatalogEntryQuerySet.search.

    The departments are few: matching their names in Python, not in a join, leaves PostgreSQL an
    index for each alternative of a search (the text's GIN index, department, sector), where an
    OR across the join made it read every entry. Kept with the catalog page's cache, which a
    saved department renews."""
    return catalog_listing_cached(
        "departments", (), lambda: list(Department.objects.values_list("pk", "name"))
    )


SEARCH_VECTOR_RANK = (
    'ts_rank("catalog_catalogentry"."search_vector", to_tsquery(\'simple\'::regconfig, %s))'
)


class CatalogEntryQuerySet(models.QuerySet["CatalogEntry"]):
    def published(self) -> "CatalogEntryQuerySet":
        return self.filter(status=Status.PUBLISHED)

    def of_department(self, department_id: int) -> "CatalogEntryQuerySet":
        return self.filter(department_id=department_id)

    def downloadable(self) -> "CatalogEntryQuerySet":
        """Open entries with a live data version (apps.datazone's ``versions``, at most one of
        them live per entry): anyone may download their rows (apps.opendata)."""
        return self.filter(openness=Openness.OPEN, versions__is_live=True)

    def search(
        self, text: str, *, departments: Sequence[tuple[int, str]] | None = None
    ) -> "CatalogEntryQuerySet":
        """Full-text search that works for Chinese (n-gram tokens, see search.py). Each word of
        the query must match the entry's text, its providing department's name or its sector's
        name (in either language): 教育 finds what the education bureau provides.

        ``departments`` (``search_departments()``) saves reading them again when one search is
        applied to several querysets."""
        terms = [term for term in text.split() if search.query_tokens(term)]
        if not terms:
            return self
        if departments is None:
            departments = search_departments()
        queryset = self
        for term in terms:
            folded = term.casefold()
            named = [pk for pk, name in departments if folded in name.casefold()]
            queryset = queryset.filter(
                self._text_match(term)
                | Q(department__in=named)
                | Q(sector__in=search.sectors_named(term))
            )
        return queryset

    def ranked(self, text: str) -> "CatalogEntryQuerySet":
        """Best matches of the text first (PostgreSQL's rank of the full-text match), then the
        newest."""
        tokens = search.query_tokens(text)
        if not tokens or connection.vendor != "postgresql":
            return self.order_by("-published_at", "-created_at")
        rank = RawSQL(  # noqa: S611 - constant SQL, the tokens are a bound parameter
            SEARCH_VECTOR_RANK, [" | ".join(tokens)], output_field=models.FloatField()
        )
        return self.annotate(search_rank=rank).order_by(
            "-search_rank", "-published_at", "-created_at"
        )

    @staticmethod
    def _text_match(term: str) -> Q:
        tokens = search.query_tokens(term)
        if connection.vendor == "postgresql":
            # search_vector is a stored generated column with a GIN index (migration 0004), so
            # no row's vector is computed at query time.
            return Q(
                RawSQL(  # noqa: S611 - constant SQL, the tokens are a bound parameter
                    SEARCH_VECTOR_MATCH,
                    [" & ".join(tokens)],
                    output_field=models.BooleanField(),
                )
            )
        match = Q()
        for token in tokens:
            match &= Q(search_document__contains=f" {token} ")
        return match


class IdentifierSequence(models.Model):
    """Last sequence number used per department, so an identifier is never handed out twice,
    even when a draft is deleted."""

    department = models.OneToOneField(
        "organisations.Department", on_delete=models.PROTECT, primary_key=True
    )
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.department_id}: {self.last_value}"


class CatalogEntry(models.Model):
    identifier = models.CharField(_("identifier"), max_length=40, unique=True, editable=False)
    # A stable key for other catalogs (the CKAN action API's "id"): never reused, never changed.
    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    department = models.ForeignKey(
        "organisations.Department",
        verbose_name=_("providing department"),
        on_delete=models.PROTECT,
        related_name="catalog_entries",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    update_frequency = models.CharField(
        _("update frequency"), max_length=20, choices=UpdateFrequency.choices
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    spatial_coverage = models.CharField(_("spatial coverage"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=50, default="CSV")
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    grade = models.CharField(_("classification grade"), max_length=20, choices=Grade.choices)
    openness = models.CharField(_("openness"), max_length=20, choices=Openness.choices)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    review_comment = models.TextField(_("last review comment"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    # Space-separated search tokens (words, CJK unigrams and bigrams), kept by the services.
    search_document = models.TextField(default="", editable=False)

    history = HistoricalRecords(excluded_fields=["search_document", "updated_at"])
    objects = CatalogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalog entry")
        verbose_name_plural = _("catalog entries")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(
                fields=["status", "-published_at", "-created_at"], name="catalog_status_published"
            ),
            models.Index(fields=["department", "status"], name="catalog_department_status"),
            # A search for a sector's name ORs it with the text's index (search()).
            models.Index(fields=["sector", "status"], name="catalog_sector_status"),
        ]
        constraints = [
            models.CheckConstraint(
                # Core data is never authorized or opened (004 §13).
                condition=~Q(grade=Grade.CORE) | Q(openness=Openness.NOT_OPEN),
                name="catalog_core_is_not_open",
                violation_error_message=_("Core-grade data can only be “not open”."),
            ),
            models.CheckConstraint(
                condition=Q(temporal_start__isnull=True)
                | Q(temporal_end__isnull=True)
                | Q(temporal_start__lte=models.F("temporal_end")),
                name="catalog_temporal_order",
                violation_error_message=_("The coverage must start before it ends."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="catalog_status_valid"
            ),
        ]
        permissions = [
            ("review_catalogentry", _("Can review catalog entries")),
            ("query_catalogentry", _("Can query the rows of a catalog entry")),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    @property
    def is_editable(self) -> bool:
        from .choices import EDITABLE_STATUSES

        return self.status in EDITABLE_STATUSES


class CatalogField(models.Model):
    """One column of an entry's field schema, in order."""

    entry = models.ForeignKey(
        CatalogEntry,
        on_delete=models.CASCADE,
        related_name="fields",
        verbose_name=_("catalog entry"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("field name"), max_length=63, validators=[validate_field_name])
    label = models.CharField(_("label"), max_length=100)
    data_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=20, choices=Sensitivity.choices, default=Sensitivity.PUBLIC
    )
    nullable = models.BooleanField(_("may be empty"), default=True)
    filterable = models.BooleanField(_("filterable"), default=False)
    # FieldTag values: what the field reveals, for the aggregation-risk rules.
    tags = models.JSONField(_("tags"), default=list, blank=True, validators=[validate_field_tags])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["entry", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "name"],
                name="catalog_field_name_unique",
                violation_error_message=_("Each field name may appear only once in an entry."),
            ),
            models.CheckConstraint(
                condition=Q(name__regex=FIELD_NAME_PATTERN), name="catalog_field_name_safe"
            ),
            models.CheckConstraint(
                condition=Q(data_type__in=FieldType.values), name="catalog_field_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.label})"

    @property
    def is_personal(self) -> bool:
        return self.sensitivity != Sensitivity.PUBLIC

    def tag_labels(self) -> list[str]:
        return [str(FieldTag(tag).label) for tag in self.tags]
