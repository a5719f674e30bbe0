"""Sections a higher app adds to a page a lower app owns: the lower app cannot import the
higher one, so the higher one registers a maker for the page when it loads (AppConfig.ready),
and the page renders whatever the makers give (``{% include section.template with
section=section.context %}``). Used by the catalog entry page and the department usage page."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class PageSection:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


# A maker gets the request and the page's objects by keyword; None: nothing to show.
PageSectionMaker = Callable[..., PageSection | None]
_makers: defaultdict[str, list[PageSectionMaker]] = defaultdict(list)


def page_section_register(page: str, maker: PageSectionMaker) -> None:
    if maker not in _makers[page]:
        _makers[page].append(maker)


def page_sections(page: str, request: HttpRequest, **objects: Any) -> list[PageSection]:
    sections = (maker(request, **objects) for maker in _makers[page])
    return [section for section in sections if section is not None]
