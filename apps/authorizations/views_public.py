"""Public transparency pages: the authorizations in force and the scenarios they serve.

The implementing body publicly discloses each authorization: its object, content, scope and time
limit (实施规范 27号, ../shared/domain.md "What the national rules add"). Nobody logs in here.
"""

from collections.abc import Iterable, Iterator
from typing import Any

import django_filters
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.catalog.choices import Sector
from apps.catalog.models import CatalogEntry
from apps.core.exports import csv_streaming_response
from apps.organisations.models import Bureau, Department, Operator

from . import odrl
from .choices import FeeBasis
from .models import Authorization
from .selectors import (
    authorizations_disclosed,
    departments_disclosed,
    operators_disclosed,
    scenarios_disclosed,
)

PAGE_SIZE = 100
SCENARIO_PAGE_SIZE = 20
CSV_CHUNK_SIZE = 500


def _departments_in_force(request: HttpRequest) -> QuerySet[Department]:
    return departments_disclosed()


def _operators_in_force(request: HttpRequest) -> QuerySet[Operator]:
    return operators_disclosed()


class DisclosureFilter(django_filters.FilterSet):
    """Filters of the disclosure page and its CSV; only values in force are offered."""

    department = django_filters.ModelChoiceFilter(
        field_name="entry__department",
        # django-filter calls a callable with the request; the stubs admit only a queryset.
        queryset=_departments_in_force,  # type: ignore[arg-type]
        to_field_name="code",
        label=gettext_lazy("providing department"),
    )
    operator = django_filters.ModelChoiceFilter(
        queryset=_operators_in_force,  # type: ignore[arg-type]  # a callable, as above
        to_field_name="credit_code",
        label=gettext_lazy("operator"),
    )
    fee_basis = django_filters.ChoiceFilter(
        choices=FeeBasis.choices, label=gettext_lazy("fee basis")
    )
    sector = django_filters.ChoiceFilter(
        field_name="entry__sector", choices=Sector.choices, label=gettext_lazy("sector")
    )

    class Meta:
        model = Authorization
        fields = ["department", "operator", "fee_basis", "sector"]


def _filtered(request: HttpRequest) -> DisclosureFilter:
    return DisclosureFilter(request.GET, queryset=authorizations_disclosed(), request=request)


def disclosure(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filterset": filterset, "page_obj": page, "csv_query": query.urlencode()}
    # A hand-made URL with an unknown value: say which parameter, list without it.
    status = 400 if filterset.errors else 200
    return render(request, "authorizations/public/disclosure.html", context, status=status)


def _moment(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _csv_header() -> list[str]:
    return [
        _("Operator"), _("Unified social credit code"), _("Entry identifier"), _("Entry title"),
        _("Providing department"), _("Sector"), _("Scenario"), _("Use"), _("Valid from"),
        _("Valid until"), _("Fee basis"),
    ]  # fmt: skip


def _csv_row(authorization: Authorization) -> list[str]:
    entry, scenario = authorization.entry, authorization.scenario
    return [
        authorization.operator.name, authorization.operator.credit_code,
        entry.identifier, entry.title, entry.department.name,
        str(entry.get_sector_display()), scenario.title, str(scenario.get_use_display()),
        _moment(authorization.valid_from), _moment(authorization.valid_until),
        str(authorization.get_fee_basis_display()),
    ]  # fmt: skip


def _csv_rows(authorizations: QuerySet[Authorization], language: str) -> Iterator[list[str]]:
    # The body is produced after the view returns: keep the request's language for the labels.
    with translation.override(language):
        yield [str(label) for label in _csv_header()]
        for authorization in authorizations.iterator(chunk_size=CSV_CHUNK_SIZE):
            yield _csv_row(authorization)


def disclosure_csv(request: HttpRequest) -> HttpResponseBase:
    filterset = _filtered(request)
    if filterset.errors:
        names = ", ".join(sorted(filterset.errors))
        message = _("Unknown value of: %(names)s") % {"names": names}
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return csv_streaming_response("disclosure", _csv_rows(filterset.qs, translation.get_language()))


def _entries(authorizations: Iterable[Authorization]) -> list[CatalogEntry]:
    # A renewal may overlap the authorization it renews: list each entry once.
    return list({a.entry_id: a.entry for a in authorizations}.values())


def scenarios(request: HttpRequest) -> HttpResponse:
    page = Paginator(scenarios_disclosed(), SCENARIO_PAGE_SIZE).get_page(request.GET.get("page"))
    for scenario in page:
        scenario.authorized_entries = _entries(scenario.authorizations_in_force)  # type: ignore[attr-defined]
    return render(request, "authorizations/public/scenarios.html", {"page_obj": page})


def disclosure_policy(request: HttpRequest, pk: int) -> HttpResponse:
    """One authorization in force as an ODRL Agreement (JSON-LD); any other answers 404."""
    authorization = authorizations_disclosed().filter(pk=pk).first()
    if authorization is None:
        raise Http404
    base_url = request.build_absolute_uri("/")
    publisher_name = Bureau.objects.order_by("pk").values_list("name", flat=True).first()
    graph = odrl.agreement_graph(
        authorization=authorization, base_url=base_url,
        publisher_name=publisher_name or _("City Data Bureau"),
    )  # fmt: skip
    body = odrl.agreement_jsonld(graph, base_url)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")
