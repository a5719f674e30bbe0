"""Sections other apps add to a published entry's public page (the open data's preview and
downloads, the way into an authorization): the catalog sits below them and cannot import them,
so they register here when they load (AppConfig.ready)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from .models import CatalogEntry


@dataclass(frozen=True)
class EntryPageSection:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


EntryPageSectionMaker = Callable[[HttpRequest, CatalogEntry], EntryPageSection | None]
_makers: list[EntryPageSectionMaker] = []


def entry_page_section_register(maker: EntryPageSectionMaker) -> None:
    if maker not in _makers:
        _makers.append(maker)


def entry_page_sections(request: HttpRequest, entry: CatalogEntry) -> list[EntryPageSection]:
    sections = (maker(request, entry) for maker in _makers)
    return [section for section in sections if section is not None]
