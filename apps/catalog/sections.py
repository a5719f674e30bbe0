"""Sections other apps add to a published entry's public page (the open data's preview and
downloads, the way into an authorization): the catalog sits below them and cannot import them,
so they register here when they load (AppConfig.ready), through core's page sections."""

from collections.abc import Callable

from django.http import HttpRequest

from apps.core.sections import PageSection, page_section_register, page_sections

from .models import CatalogEntry

ENTRY_PAGE = "catalog-entry"
EntryPageSection = PageSection
EntryPageSectionMaker = Callable[[HttpRequest, CatalogEntry], PageSection | None]


def entry_page_section_register(maker: EntryPageSectionMaker) -> None:
    page_section_register(ENTRY_PAGE, maker)


def entry_page_sections(request: HttpRequest, entry: CatalogEntry) -> list[PageSection]:
    return page_sections(ENTRY_PAGE, request, entry=entry)
