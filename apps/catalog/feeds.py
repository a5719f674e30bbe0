"""RSS and Atom feeds of newly published catalog entries.

Catalog text is plain text, and a feed reader must show it as such: markup a department typed
into a description stays visible text, never becomes markup in the reader. Atom says so itself
(``<summary type="text">``); RSS readers read ``<description>`` as HTML, so there the text goes
out HTML-escaped.
"""

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .models import CatalogEntry, CatalogEntryQuerySet
from .selectors import catalog_entries_public

FEED_LENGTH = 50


class NewEntriesRssFeed(Feed):
    title = _("Newly published catalog entries")
    description = _("The latest entries published in the public data resource catalog.")
    link = reverse_lazy("catalog:list")

    def items(self) -> CatalogEntryQuerySet:
        return catalog_entries_public().order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item: CatalogEntry) -> str:
        return item.title

    def item_description(self, item: CatalogEntry) -> str:
        return escape(item.description)

    def item_link(self, item: CatalogEntry) -> str:
        return reverse("catalog:detail", args=[item.identifier])

    def item_pubdate(self, item: CatalogEntry) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: CatalogEntry) -> datetime:
        return item.updated_at

    def item_author_name(self, item: CatalogEntry) -> str:
        return item.department.name

    def item_categories(self, item: CatalogEntry) -> list[str]:
        return [str(item.get_sector_display()), *item.keywords]


class PlainTextAtom1Feed(Atom1Feed):
    """Django's Atom feed marks every summary as HTML; here it is text."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary:
            handler.addQuickElement("summary", summary, {"type": "text"})


class NewEntriesAtomFeed(NewEntriesRssFeed):
    feed_type: type[SyndicationFeed] = PlainTextAtom1Feed
    subtitle = NewEntriesRssFeed.description

    def item_description(self, item: CatalogEntry) -> str:
        return item.description
