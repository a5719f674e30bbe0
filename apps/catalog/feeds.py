"""RSS and Atom feeds of newly published catalog entries."""

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
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
        return item.description

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


class NewEntriesAtomFeed(NewEntriesRssFeed):
    feed_type = Atom1Feed
    subtitle = NewEntriesRssFeed.description
