"""Reads of the data zone. Who may see an entry is decided by the caller (the department pages
use apps.catalog.selectors; the operator API its authorizations); these only read."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from apps.catalog.models import CatalogEntry

from .choices import VersionStatus
from .models import DataVersion
from .storage import ROW_COLUMN, Column, table_store


def data_versions_of_entry(*, entry: CatalogEntry) -> QuerySet[DataVersion]:
    return (
        DataVersion.objects.filter(entry=entry)
        .select_related("uploaded_by")
        .defer("errors", "columns")
        .order_by("-number")
    )


def data_version_of_entry(*, entry: CatalogEntry, number: int) -> DataVersion:
    version = DataVersion.objects.filter(entry=entry, number=number).first()
    if version is None:
        raise Http404
    return version


def data_version_errors(*, version: DataVersion) -> list[dict[str, Any]]:
    """A version's row errors, read on their own: the version lists defer them (up to a hundred
    rows of report)."""
    errors: list[dict[str, Any]] = DataVersion.objects.values_list("errors", flat=True).get(
        pk=version.pk
    )
    return errors


def live_version_of(*, entry: CatalogEntry) -> DataVersion | None:
    return DataVersion.objects.live().filter(entry=entry).first()


def held_version_of(*, entry: CatalogEntry) -> DataVersion | None:
    """The newest upload waiting for the department to confirm its changed row count."""
    return (
        DataVersion.objects.filter(entry=entry, status=VersionStatus.HELD)
        .order_by("-number")
        .first()
    )


def entries_with_live_data(*, entry_ids: Iterable[int]) -> set[int]:
    """Which of these entries have a live version, in one query."""
    live = DataVersion.objects.live().filter(entry_id__in=list(entry_ids))
    return set(live.values_list("entry_id", flat=True))


@dataclass(frozen=True)
class LiveTable:
    """Where an entry's live rows are and what their columns are.

    ``sql_name`` is the quoted (on PostgreSQL schema-qualified) table name, safe to put into
    SQL as it is; ``columns`` are the fields the table was built with, in schema order (the
    version's own snapshot: an entry's schema may have changed since). ``_row`` (ROW_COLUMN) is
    the primary key, 1..row_count.
    """

    version: DataVersion
    sql_name: str
    columns: tuple[Column, ...]
    row_count: int
    row_column: str = ROW_COLUMN

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)


def live_table_for(*, entry: CatalogEntry) -> LiveTable | None:
    """The entry's live rows, or None when no version is live."""
    version = live_version_of(entry=entry)
    if version is None:
        return None
    columns = tuple(
        Column(spec["name"], spec["data_type"], spec["filterable"], spec["nullable"])
        for spec in version.columns
    )
    return LiveTable(
        version=version,
        sql_name=table_store().qualified_name(version.table_name),
        columns=columns,
        row_count=version.row_count or 0,
    )
