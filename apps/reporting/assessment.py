"""Data supply assessment (SOEs' data supply counts in their assessment, 004 §20): per
organisation and period, figures computed from the portal's own records.

Every figure is one grouped query over all departments, so the report costs the same number of
queries whatever the number of organisations.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.api.models import UsageRecord
from apps.authorizations.models import Authorization
from apps.catalog.choices import Status, UpdateFrequency
from apps.catalog.models import CatalogEntry
from apps.datazone.choices import VersionStatus
from apps.datazone.models import DataVersion
from apps.opendata.models import API_FORMATS, DOWNLOAD_FORMATS, OpenDataUse
from apps.organisations.models import Department
from apps.revenue.models import RevenueShareRecord

# How old the latest data may be, at the end of the period, for an entry to count as updated on
# time for its declared frequency (a grace of half an interval, at least one day).
FRESHNESS: dict[str, timedelta] = {
    UpdateFrequency.REALTIME: timedelta(days=2),
    UpdateFrequency.DAILY: timedelta(days=2),
    UpdateFrequency.WEEKLY: timedelta(days=10),
    UpdateFrequency.MONTHLY: timedelta(days=45),
    UpdateFrequency.QUARTERLY: timedelta(days=135),
    UpdateFrequency.ANNUAL: timedelta(days=548),
}
LOADED = [VersionStatus.LIVE, VersionStatus.SUPERSEDED, VersionStatus.ROLLED_BACK]
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # exclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, datetime.min.time(), tzinfo=zone),
            datetime.combine(self.end, datetime.min.time(), tzinfo=zone),
        )


def parse_period(text: str) -> Period:
    """``2026`` (a year), ``2026-Q3`` (a quarter) or ``2026-10`` (a month)."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise ValueError(_("Give the period as 2026, 2026-Q3 or 2026-10."))
    year, month, quarter = int(match[1]), match[2], match[3]
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError(_("There is no month %(month)s.") % {"month": month})
        start = date(year, int(month), 1)
        end = _add_months(start, 1)
    elif quarter:
        start = date(year, 3 * int(quarter) - 2, 1)
        end = _add_months(start, 3)
    else:
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
    return Period(text.strip(), start, end)


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    return date(day.year + total // 12, total % 12 + 1, 1)


def default_period() -> Period:
    today = timezone.localdate()
    return parse_period(f"{today.year}")


@dataclass
class SupplyFigures:
    department: Department
    entries_published: int = 0
    entries_in_catalog: int = 0
    entries_due: int = 0
    entries_on_time: int = 0
    rows_supplied: int = 0
    authorizations_served: int = 0
    api_rows_served: int = 0
    revenue_shared: Decimal = field(default_factory=lambda: Decimal("0.00"))
    open_downloads: int = 0
    open_api_calls: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.entries_due:
            return None
        return (Decimal(self.entries_on_time) * 100 / self.entries_due).quantize(Decimal("0.1"))

    def as_row(self) -> list[Any]:
        rate = self.on_time_rate
        return [
            self.department.code, self.department.name, self.department.get_kind_display(),
            self.entries_published, self.entries_in_catalog, self.entries_on_time,
            self.entries_due, "" if rate is None else rate, self.rows_supplied,
            self.authorizations_served, self.api_rows_served, self.revenue_shared,
            self.open_downloads, self.open_api_calls,
        ]  # fmt: skip


def column_titles() -> list[str]:
    return [
        _("Code"),
        _("Organisation"),
        _("Kind"),
        _("Entries published in the period"),
        _("Entries in the catalog"),
        _("Entries updated on time"),
        _("Entries with a regular update"),
        _("On time (%)"),
        _("Rows supplied"),
        _("Authorizations served"),
        _("API rows served"),
        _("Revenue shared (yuan)"),
        _("Open data downloads"),
        _("Open API calls"),
    ]


def supply_assessment(*, period: Period, departments: Any = None) -> list[SupplyFigures]:
    departments = list(
        departments if departments is not None else Department.objects.order_by("code")
    )
    figures = {d.pk: SupplyFigures(d) for d in departments}
    start, end = period.bounds
    _catalog(figures, start, end)
    _freshness(figures, end)
    _rows(figures, start, end)
    _authorizations(figures, start, end)
    _api_rows(figures, start, end)
    _revenue(figures, period)
    _open_data(figures, start, end)
    return list(figures.values())


def _grouped(queryset: Any, key: str, **aggregates: Any) -> dict[int, dict[str, Any]]:
    return {row[key]: row for row in queryset.values(key).annotate(**aggregates)}


def _catalog(figures: dict[int, SupplyFigures], start: datetime, end: datetime) -> None:
    entries = CatalogEntry.objects.filter(department_id__in=figures)
    rows = _grouped(
        entries, "department_id",
        published=Count("pk", filter=Q(published_at__gte=start, published_at__lt=end)),
        in_catalog=Count("pk", filter=Q(status=Status.PUBLISHED, published_at__lt=end)),
    )  # fmt: skip
    for pk, row in rows.items():
        figures[pk].entries_published = row["published"]
        figures[pk].entries_in_catalog = row["in_catalog"]


def _freshness(figures: dict[int, SupplyFigures], end: datetime) -> None:
    """An entry with a regular frequency is on time when its latest load before the end of the
    period is recent enough for that frequency."""
    entries = (
        CatalogEntry.objects.filter(
            department_id__in=figures, status=Status.PUBLISHED, published_at__lt=end,
            update_frequency__in=list(FRESHNESS),
        )
        .annotate(
            last_load=Max(
                "versions__finished_at",
                filter=Q(versions__status__in=LOADED, versions__finished_at__lt=end),
            )
        )
        .values("department_id", "update_frequency", "last_load")
    )  # fmt: skip
    for entry in entries:
        figure = figures[entry["department_id"]]
        figure.entries_due += 1
        last = entry["last_load"]
        if last is not None and end - last <= FRESHNESS[entry["update_frequency"]]:
            figure.entries_on_time += 1


def _rows(figures: dict[int, SupplyFigures], start: datetime, end: datetime) -> None:
    """Rows of each entry's version that was live at the end of the period (the last one loaded
    in it): a version replaced within the period supplied nothing that is still in use, so a
    superseded 400,000-row upload is not added to its replacement's rows."""
    loaded = DataVersion.objects.filter(
        status__in=LOADED, finished_at__gte=start, finished_at__lt=end
    )
    last_of_entry = loaded.filter(entry_id=OuterRef("entry_id")).order_by("-finished_at", "-pk")
    versions = loaded.filter(
        entry__department_id__in=figures, pk=Subquery(last_of_entry.values("pk")[:1])
    )
    for pk, row in _grouped(versions, "entry__department_id", rows=Sum("row_count")).items():
        figures[pk].rows_supplied = row["rows"] or 0


def _authorizations(figures: dict[int, SupplyFigures], start: datetime, end: datetime) -> None:
    overlapping = Authorization.objects.filter(
        entry__department_id__in=figures, valid_from__lt=end, valid_until__gt=start
    )
    for pk, row in _grouped(overlapping, "entry__department_id", served=Count("pk")).items():
        figures[pk].authorizations_served = row["served"]


def _api_rows(figures: dict[int, SupplyFigures], start: datetime, end: datetime) -> None:
    usage = UsageRecord.objects.filter(
        authorization__entry__department_id__in=figures, status_code=200, disconnected=False,
        created_at__gte=start, created_at__lt=end,
    )  # fmt: skip
    for pk, row in _grouped(usage, "authorization__entry__department_id", rows=Sum("rows")).items():
        figures[pk].api_rows_served = row["rows"] or 0


def _revenue(figures: dict[int, SupplyFigures], period: Period) -> None:
    shares = RevenueShareRecord.objects.filter(
        department_id__in=figures, period__gte=period.start, period__lt=period.end
    )
    for pk, row in _grouped(shares, "department_id", share=Sum("share")).items():
        # SQLite sums decimals as floats: back to the fen.
        figures[pk].revenue_shared = Decimal(str(row["share"] or 0)).quantize(Decimal("0.01"))


def _open_data(figures: dict[int, SupplyFigures], start: datetime, end: datetime) -> None:
    """Downloads and open API calls of the department's open entries (anyone, no key)."""
    uses = OpenDataUse.objects.filter(
        entry__department_id__in=figures, used_at__gte=start, used_at__lt=end
    )
    rows = _grouped(
        uses, "entry__department_id",
        downloads=Count("pk", filter=Q(format__in=DOWNLOAD_FORMATS)),
        api_calls=Count("pk", filter=Q(format__in=API_FORMATS)),
    )  # fmt: skip
    for pk, row in rows.items():
        figures[pk].open_downloads = row["downloads"]
        figures[pk].open_api_calls = row["api_calls"]


def totals(rows: list[SupplyFigures]) -> dict[str, Any]:
    summed: dict[str, Any] = defaultdict(int)
    for row in rows:
        for name in ("entries_published", "entries_in_catalog", "entries_on_time", "entries_due",
                     "rows_supplied", "authorizations_served", "api_rows_served",
                     "open_downloads", "open_api_calls"):  # fmt: skip
            summed[name] += getattr(row, name)
        summed["revenue_shared"] += row.revenue_shared
    return dict(summed)
