"""What an entry's public page shows besides its metadata (apps.catalog.sections):

- an open entry with live data: a preview, the version's facts, the downloads, the open API and
  how often they were used in the last 30 days;
- a conditional entry: the way in — "申请授权" for a member of an operator, the authorization it
  already holds, or for anyone else how operators qualify;
- a not-open or core entry: nothing (metadata only).
"""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from apps.accounts.models import User
from apps.authorizations.selectors import authorizations_of_operator
from apps.catalog.choices import Grade, Openness
from apps.catalog.models import CatalogEntry
from apps.catalog.sections import EntryPageSection
from apps.core.sections import PageSection

from . import selectors
from .values import table_rows


def entry_page_section(request: HttpRequest, entry: CatalogEntry) -> EntryPageSection | None:
    if entry.openness == Openness.OPEN:
        return _open_section(entry)
    if entry.openness == Openness.CONDITIONAL and entry.grade != Grade.CORE:
        return _way_in_section(request, entry)
    return None


def _open_section(entry: CatalogEntry) -> EntryPageSection | None:
    scope = selectors.open_entry_scope(entry=entry)
    if scope is None:
        return None
    header, *preview = table_rows(scope.table.columns, selectors.open_rows_preview(scope=scope))
    usage = selectors.open_data_usage_of_entries(entry_ids=[entry.pk]).get(entry.pk)
    labels = {field.name: field.label for field in entry.fields.all()}  # prefetched by the page
    return EntryPageSection(
        "opendata/_entry_open.html",
        {
            "version": scope.table.version,
            "row_count": scope.table.row_count,
            # Each column as people read it (its label), with the name a program uses.
            "header": [(labels.get(name) or name, name) for name in header],
            "preview": preview,
            "xlsx_allowed": scope.table.row_count <= selectors.XLSX_MAX_ROWS,
            "xlsx_max_rows": selectors.XLSX_MAX_ROWS,
            "usage": usage or selectors.OpenDataUsage(),
            "usage_days": selectors.USAGE_DAYS,
            "identifier": entry.identifier,
        },
    )


def department_usage_section(request: HttpRequest, *, user: User) -> PageSection:
    """The department usage page's part: its open entries' downloads and open API calls."""
    return PageSection(
        "opendata/_department_usage.html",
        {"rows": selectors.open_data_usage_of_department(user=user), "days": selectors.USAGE_DAYS},
    )


def _way_in_section(request: HttpRequest, entry: CatalogEntry) -> EntryPageSection:
    user = request.user if isinstance(request.user, User) else None
    member = user is not None and user.operator_id is not None
    context: dict[str, object] = {"operator_member": member}
    if user is not None and member:
        held = authorizations_of_operator(user=user).in_force().filter(entry=entry).first()
        context["authorization"] = held
        query = urlencode({"entry": entry.identifier})
        context["apply_url"] = f"{reverse('operator_authorizations:application-create')}?{query}"
    return EntryPageSection("opendata/_entry_way_in.html", context)
