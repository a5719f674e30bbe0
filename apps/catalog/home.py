"""What the catalog adds to the home page: its key figures and the latest published entries
(apps/core/figures.py, apps/core/sections.py)."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.core.figures import KeyFigure, key_figure_register
from apps.core.sections import PageSection, page_section_register

from .models import CatalogEntry

HOME_PAGE = "home"
LATEST_ENTRIES = 5


def _published() -> int:
    return CatalogEntry.objects.published().count()


def _providing_departments() -> int:
    return CatalogEntry.objects.published().values("department_id").distinct().count()


def latest_entries_section(request: HttpRequest) -> PageSection:
    latest = list(
        CatalogEntry.objects.published()
        .select_related("department")
        .order_by("-published_at", "-pk")[:LATEST_ENTRIES]
    )
    return PageSection("catalog/public/_home_latest.html", {"entries": latest})


def home_register() -> None:
    key_figure_register(
        KeyFigure("published_entries", _("published catalog entries"), _published, 10)
    )
    key_figure_register(
        KeyFigure("providing_departments", _("providing departments"), _providing_departments, 20)
    )
    page_section_register(HOME_PAGE, latest_entries_section)
