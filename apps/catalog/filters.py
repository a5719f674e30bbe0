"""Filters of the public catalog, shared by the catalog pages and the public API.

One FilterSet validates the query parameters for both, so a bad value is refused the same way
everywhere (the page shows the error, the API answers 400 naming the parameter).
"""

from dataclasses import dataclass
from functools import cached_property
from typing import cast

import django_filters
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.organisations.models import Department

from .choices import Grade, Openness, Sector
from .models import CatalogEntry, CatalogEntryQuerySet, search_departments

# Long enough for any title; short enough that a query cannot grow into thousands of bigrams.
SEARCH_MAX_LENGTH = 100


class CatalogEntryFilter(django_filters.FilterSet):
    queryset: CatalogEntryQuerySet  # always given: the views pass the entries they may show

    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Words of the title, description, keywords or identifier."),
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="code",
        label=_("providing department"),
        help_text=_("Department code, e.g. EDU."),
    )
    sector = django_filters.ChoiceFilter(choices=Sector.choices, label=_("sector"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("classification grade"))
    openness = django_filters.ChoiceFilter(choices=Openness.choices, label=_("openness"))
    downloadable = django_filters.BooleanFilter(
        method="filter_downloadable",
        label=_("has downloadable data"),
        help_text=_("true: only open entries whose data anyone may download."),
    )

    class Meta:
        model = CatalogEntry
        fields = ["q", "department", "sector", "grade", "openness", "downloadable"]

    def filter_downloadable(
        self, queryset: CatalogEntryQuerySet, name: str, value: bool | None
    ) -> CatalogEntryQuerySet:
        if value is None:
            return queryset
        if value:
            return queryset.downloadable()
        return queryset.exclude(pk__in=queryset.downloadable().values("pk"))

    def filter_search(
        self, queryset: CatalogEntryQuerySet, name: str, value: str
    ) -> CatalogEntryQuerySet:
        return queryset.search(value, departments=self._search_departments)

    @cached_property
    def _search_departments(self) -> list[tuple[int, str]]:
        # Read once: the facets apply the search again, once per facet.
        return search_departments()


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    # Query parameters that select this value, or clear it when it is already selected.
    params: dict[str, str | None]


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]


FACET_CHOICES = {"sector": Sector, "grade": Grade, "openness": Openness}
FACET_NAMES = ("department", *FACET_CHOICES)


def _queryset_without(filterset: CatalogEntryFilter, facet: str) -> CatalogEntryQuerySet:
    """Every valid filter except ``facet``'s own, so its other values still show their counts."""
    queryset = filterset.queryset.all()
    for name, value in filterset.form.cleaned_data.items():
        if name != facet:
            # A filter gives back the queryset it was given, narrowed (typed as any queryset).
            queryset = cast(CatalogEntryQuerySet, filterset.filters[name].filter(queryset, value))
    return queryset


# Per facet, each value with its count: (value, department name or "" for a choice, count).
# Plain values, so they can be cached whatever the language the labels are shown in.
FacetCounts = dict[str, list[tuple[str, str, int]]]


def _department_counts(queryset: CatalogEntryQuerySet) -> list[tuple[str, str, int]]:
    rows = (
        queryset.values("department__code", "department__name")
        .annotate(count=Count("pk"))
        .order_by("department__code")
    )
    return [(row["department__code"], row["department__name"], row["count"]) for row in rows]


def _choice_counts(queryset: CatalogEntryQuerySet, facet: str) -> list[tuple[str, str, int]]:
    rows = queryset.values(facet).annotate(count=Count("pk")).order_by(facet)
    return [(row[facet], "", row["count"]) for row in rows]


def _selected(filterset: CatalogEntryFilter, name: str) -> str | None:
    value = filterset.form.cleaned_data.get(name)
    if isinstance(value, Department):
        return value.code
    return value or None


def _facet(filterset: CatalogEntryFilter, name: str, counts: FacetCounts) -> Facet:
    labels = dict(FACET_CHOICES[name].choices) if name in FACET_CHOICES else {}
    current = _selected(filterset, name)
    values = [
        FacetValue(
            value=value,
            label=department_name or str(labels.get(value, value)),
            count=count,
            selected=value == current,
            params={name: None if value == current else value, "page": None},
        )
        for value, department_name, count in counts[name]
    ]
    return Facet(name=name, label=str(filterset.filters[name].label), values=values)


def catalog_filters_key(*, filterset: CatalogEntryFilter) -> tuple[tuple[str, object], ...]:
    """The valid filters, as plain values: what the page's counts depend on."""
    filterset.is_valid()
    return tuple(
        (name, _selected(filterset, name) if name in FACET_NAMES else value)
        for name, value in sorted(filterset.form.cleaned_data.items())
    )


def catalog_facet_counts(*, filterset: CatalogEntryFilter) -> FacetCounts:
    """Counts per department, sector, grade and openness: one aggregate query per facet."""
    filterset.is_valid()
    return {
        name: (
            _department_counts(_queryset_without(filterset, name))
            if name == "department"
            else _choice_counts(_queryset_without(filterset, name), name)
        )
        for name in FACET_NAMES
    }


def catalog_facets(
    *, filterset: CatalogEntryFilter, counts: FacetCounts | None = None
) -> list[Facet]:
    """The facets with their values' labels in the current language; counted now unless the
    ``counts`` are given (catalog_facet_counts)."""
    if counts is None:
        counts = catalog_facet_counts(filterset=filterset)
    return [_facet(filterset, name, counts) for name in FACET_NAMES]
