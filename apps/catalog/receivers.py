"""Saving or deleting an entry or a department starts a new generation of the public catalog
page's cache (listing_cache.py). Publish, retire and edit all save the entry, and a department
renamed in the admin is saved too: hooking the saves, not each service, misses no path."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from apps.organisations.models import Department

from .listing_cache import catalog_listing_changed
from .models import CatalogEntry


def _changed(**kwargs: Any) -> None:
    catalog_listing_changed()


def listing_receivers_connect() -> None:
    for model in (CatalogEntry, Department):
        name = model.__name__
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog_listing_saved_{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog_listing_deleted_{name}")
