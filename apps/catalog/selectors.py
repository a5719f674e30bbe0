"""Reads of the catalog that carry a visibility rule."""

from django.http import Http404

from apps.accounts.models import User

from .models import CatalogEntry, CatalogEntryQuerySet


def catalog_entries_of_department(*, user: User) -> CatalogEntryQuerySet:
    """A department member sees only the department's own entries; anyone else sees none."""
    if user.department_id is None:
        return CatalogEntry.objects.none()
    return CatalogEntry.objects.of_department(user.department_id).select_related("department")


def catalog_entry_of_department(*, user: User, identifier: str) -> CatalogEntry:
    """Another department's entry answers 404: its existence is not revealed."""
    entry = catalog_entries_of_department(user=user).filter(identifier=identifier).first()
    if entry is None:
        raise Http404
    return entry


def catalog_entries_public() -> CatalogEntryQuerySet:
    """What the public may see: published entries only, never drafts or retired ones."""
    return CatalogEntry.objects.published().select_related("department")
