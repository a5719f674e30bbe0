"""Filters of the public catalog, shared by the catalog pages and the public API.

One FilterSet validates the query parameters for both, so a bad value is refused the same way
everywhere (the page shows the error, the API answers 400 naming the parameter).
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

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


def _queryset_without_facets(filterset: CatalogEntryFilter) -> CatalogEntryQuerySet:
    """The entries every valid filter other than the facets selects (search, downloadable)."""
    queryset = filterset.queryset.all()
    for name, value in filterset.form.cleaned_data.items():
        if name not in FACET_NAMES:
            # A filter gives back the queryset it was given, narrowed (typed as any queryset).
            queryset = cast(CatalogEntryQuerySet, filterset.filters[name].filter(queryset, value))
    return queryset


# Per facet, each value with its count: (value, department name or "" for a choice, count).
# Plain values, so they can be cached whatever the language the labels are shown in.
FacetCounts = dict[str, list[tuple[str, str, int]]]


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


def catalog_facet_counts(*, filterset: CatalogEntryFilter) -> tuple[FacetCounts, int]:
    """Counts per department, sector, grade and openness, and the total the filters select.

    One scan of the entries the other filters select, counted per combination of the four
    facets' values (a few hundred rows at most); each facet then adds up the combinations that
    match the other facets' selected values, so its own other values keep their counts. A
    second, small query names the departments.
    """
    filterset.is_valid()
    rows = (
        _queryset_without_facets(filterset)
        .values_list("department_id", "sector", "grade", "openness")
        .annotate(count=Count("pk"))
        .order_by()
    )  # no join: the departments' codes and names are read once they are known
    department = filterset.form.cleaned_data.get("department")
    selected = [department.pk if department else None]
    selected += [_selected(filterset, name) for name in FACET_CHOICES]
    tallies: list[dict[Any, int]] = [{} for _ in FACET_NAMES]
    total = 0
    for *values, count in rows:
        # The selected values this combination misses: it counts only for the facet it misses,
        # if just one, and for the total if none.
        missed = [i for i, value in enumerate(values) if selected[i] not in (None, value)]
        if not missed:
            total += count
        for i, value in enumerate(values):
            if not missed or missed == [i]:
                tallies[i][value] = tallies[i].get(value, 0) + count
    named = Department.objects.filter(pk__in=list(tallies[0]))
    departments = named.values_list("pk", "code", "name")
    counts = {
        "department": sorted(
            (code, name, tallies[0][pk]) for pk, code, name in departments
        ),
        **{
            name: [(value, "", count) for value, count in sorted(tallies[i].items())]
            for i, name in enumerate(FACET_NAMES) if name != "department"
        },
    }  # fmt: skip
    return counts, total


def catalog_facets(
    *, filterset: CatalogEntryFilter, counts: FacetCounts | None = None
) -> list[Facet]:
    """The facets with their values' labels in the current language; counted now unless the
    ``counts`` are given (catalog_facet_counts)."""
    if counts is None:
        counts = catalog_facet_counts(filterset=filterset)[0]
    return [_facet(filterset, name, counts) for name in FACET_NAMES]
