"""Reads of the catalog that carry a visibility rule."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation

from apps.accounts.models import User
from apps.core.exports import XLSX_MAX_ROWS
from apps.core.history import SYSTEM_PREFIX

from .choices import Openness, Status
from .models import CatalogEntry, CatalogEntryQuerySet, CatalogField


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


def catalog_entry_history(*, entry: CatalogEntry) -> QuerySet[Any]:
    """The entry's own history, newest first; the caller has already been let see the entry."""
    return entry.history.select_related("history_user").order_by("-history_date", "-history_id")


def catalog_field_history(*, entry: CatalogEntry) -> QuerySet[Any]:
    """The history of the entry's fields, deleted ones included, newest first."""
    return (
        CatalogField.history.filter(entry_id=entry.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def catalog_entries_public() -> CatalogEntryQuerySet:
    """What the public may see: published entries only, never drafts or retired ones."""
    return CatalogEntry.objects.published().select_related("department")


def catalog_entry_public(*, identifier: str) -> CatalogEntry:
    """A published entry with its fields; anything else answers 404, as if it did not exist."""
    entries = catalog_entries_public().prefetch_related("fields")
    entry = entries.filter(identifier=identifier).first()
    if entry is None:
        raise Http404
    return entry


def catalog_download_sizes(*, entry_ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """Every downloadable entry (open, with a live version), with the known sizes in bytes of
    its live version's downloads by format (``csv``, ``jsonl``; apps.opendata records one when
    a download has gone out whole), empty while none is known; only ``entry_ids`` if given. One
    query; a size recorded for an earlier version never counts for the live one."""
    sizes: dict[int, dict[str, int]] = {}
    live = catalog_entries_public().filter(openness=Openness.OPEN, versions__is_live=True)
    if entry_ids is not None:
        live = live.filter(pk__in=entry_ids)
    found = live.values_list(
        "pk", "versions__download_sizes__format", "versions__download_sizes__bytes"
    )  # the join of the filter: sizes of the live version only
    for pk, format_, size in found:
        known = sizes.setdefault(pk, {})
        if format_ is not None:
            known[format_] = size
    return sizes


def catalog_download_formats(*, entry_ids: list[int]) -> dict[int, list[str]]:
    """The download formats of each of these published entries that anyone may download, in one
    query; XLSX only while the live version fits in an Excel sheet."""
    live_rows = catalog_entries_public().downloadable().filter(pk__in=entry_ids)
    formats = {}
    for pk, rows in live_rows.values_list("pk", "versions__row_count"):
        fits = (rows or 0) <= XLSX_MAX_ROWS
        formats[pk] = ["CSV", *(["XLSX"] if fits else []), "JSON Lines"]
    return formats


def catalog_entry_submission_note(*, entry: CatalogEntry) -> str:
    """What the department wrote to the reviewer with its latest submission (the history row's
    reason), or "" when it wrote nothing: the service then records the status's own name, in
    whichever language the submitter used."""
    row = (
        entry.history.filter(status__in=(Status.SUBMITTED, Status.AWAITING_CONFIRMATION))
        .order_by("-history_date", "-history_id")
        .values_list("history_change_reason", "status")
        .first()
    )
    if row is None or not row[0] or row[0].startswith(SYSTEM_PREFIX):
        return ""  # nothing written, or the status's own name the system recorded
    reason, status = row
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(Status(status).label))
    return "" if reason in labels else str(reason)
