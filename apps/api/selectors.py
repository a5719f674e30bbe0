"""Reads of the operator API's records that carry a visibility rule: an operator sees its own keys
and usage; a department sees the usage of authorizations on its own entries.

Usage figures come from the usage records (every call, refused ones included: issue 6,
"Metering") grouped by authorization and local day in one query, so a page costs the same number
of queries however many calls were made. The quota figure comes from the daily counter the quota
is enforced on (services.quota_reserve), so "remaining today" is what the next call will find.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.authorizations.choices import AuthorizationStatus
from apps.authorizations.models import Authorization

from .models import ApiKey, DailyUsage, UsageRecord

CHART_DAYS = 30
RECENT_RECORDS = 50
# An authorization that can still be used now or later (a suspended one may be reinstated).
LIMITABLE_STATUSES = (AuthorizationStatus.ACTIVE, AuthorizationStatus.SUSPENDED)


# API keys --------------------------------------------------------------------------------------


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


def api_keys_of_operator(*, user: User) -> QuerySet[ApiKey]:
    """The operator's keys, revoked and expired ones included, each with its ``status``."""
    if user.operator_id is None:
        return ApiKey.objects.none()
    status = Case(
        When(revoked_at__isnull=False, then=Value(KeyStatus.REVOKED.value)),
        When(expires_at__lte=timezone.now(), then=Value(KeyStatus.EXPIRED.value)),
        default=Value(KeyStatus.ACTIVE.value),
        output_field=models.CharField(),
    )
    limited_to = Authorization.objects.select_related("entry").order_by("entry__identifier", "pk")
    return (
        ApiKey.objects.filter(operator_id=user.operator_id)
        .annotate(status=status)
        .select_related("created_by", "revoked_by")
        .prefetch_related(Prefetch("authorizations", queryset=limited_to))
        .order_by("-created_at", "-pk")
    )


def api_key_of_operator(*, user: User, pk: int) -> ApiKey:
    """One of the operator's keys; another operator's key answers 404 (not revealed)."""
    key = api_keys_of_operator(user=user).filter(pk=pk).first()
    if key is None:
        raise Http404
    return key


def authorizations_to_limit_keys_to(*, user: User) -> QuerySet[Authorization]:
    """What a new key may be limited to: the operator's authorizations that are not over."""
    if user.operator_id is None:
        return Authorization.objects.none()
    return (
        Authorization.objects.filter(
            operator_id=user.operator_id,
            status__in=LIMITABLE_STATUSES,
            valid_until__gt=timezone.now(),
        )
        .select_related("entry", "scenario")
        .order_by("entry__identifier", "pk")
    )


# Usage -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    calls: int = 0
    refused: int = 0  # calls answered with an error (4xx/5xx)
    rows: int = 0
    cells: int = 0

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.calls + other.calls,
            self.refused + other.refused,
            self.rows + other.rows,
            self.cells + other.cells,
        )


@dataclass(frozen=True)
class DayFigures:
    day: date
    figures: Figures


@dataclass(frozen=True)
class AuthorizationUsage:
    authorization: Authorization
    today: Figures
    month: Figures
    quota_used_today: int
    days: tuple[DayFigures, ...] = ()

    @property
    def quota_remaining_today(self) -> int:
        return max(0, self.authorization.daily_row_quota - self.quota_used_today)


@dataclass(frozen=True)
class UsageReport:
    today: date
    month_start: date
    authorizations: list[AuthorizationUsage]
    recent: list[UsageRecord] = field(default_factory=list)


def _start_of(day: date) -> datetime:
    """Local midnight: "today" and "this month" follow the portal's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _figures_by_day(authorization_ids: list[int], since: date) -> dict[int, dict[date, Figures]]:
    """Calls, refusals, rows and cells per authorization and local day, in one query."""
    if not authorization_ids:
        return {}
    grouped = (
        UsageRecord.objects.filter(
            authorization_id__in=authorization_ids, created_at__gte=_start_of(since)
        )
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("authorization_id", "day")
        .annotate(
            calls=Count("pk"),
            refused=Count("pk", filter=Q(status_code__gte=400)),
            rows=Coalesce(Sum("rows"), 0),
            cells=Coalesce(Sum("cells"), 0),
        )
        .order_by()
    )
    figures: dict[int, dict[date, Figures]] = {}
    for row in grouped:
        figures.setdefault(row["authorization_id"], {})[row["day"]] = Figures(
            row["calls"], row["refused"], row["rows"], row["cells"]
        )
    return figures


def _quota_used_today(authorization_ids: list[int], today: date) -> dict[int, int]:
    if not authorization_ids:
        return {}
    return dict(
        DailyUsage.objects.filter(authorization_id__in=authorization_ids, day=today).values_list(
            "authorization_id", "rows"
        )
    )


def usage_of_authorizations(
    *, authorizations: list[Authorization], chart_days: int = 0
) -> UsageReport:
    """Today's and this month's figures per authorization, and ``chart_days`` days by day."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    first_chart_day = today - timedelta(days=max(chart_days, 1) - 1)
    ids = [authorization.pk for authorization in authorizations]
    by_day = _figures_by_day(ids, min(month_start, first_chart_day))
    used = _quota_used_today(ids, today)
    chart = [first_chart_day + timedelta(days=n) for n in range(chart_days)]
    rows = []
    for authorization in authorizations:
        mine = by_day.get(authorization.pk, {})
        rows.append(
            AuthorizationUsage(
                authorization=authorization,
                today=mine.get(today, Figures()),
                month=sum((f for day, f in mine.items() if day >= month_start), Figures()),
                quota_used_today=used.get(authorization.pk, 0),
                days=tuple(DayFigures(day, mine.get(day, Figures())) for day in chart),
            )
        )
    return UsageReport(today=today, month_start=month_start, authorizations=rows)


def _used_since(authorizations: QuerySet[Authorization], since: date) -> QuerySet[Authorization]:
    """Authorizations that could have been used since ``since``: started, and not over before."""
    return authorizations.filter(valid_from__lte=timezone.now(), valid_until__gte=_start_of(since))


def _chart_start() -> date:
    today = timezone.localdate()
    return min(today.replace(day=1), today - timedelta(days=CHART_DAYS - 1))


def usage_report_for_operator(*, user: User) -> UsageReport:
    """The operator's usage page: its authorizations, by day, and its most recent calls."""
    if user.operator_id is None:
        return UsageReport(timezone.localdate(), timezone.localdate().replace(day=1), [])
    authorizations = _used_since(
        Authorization.objects.filter(operator_id=user.operator_id), _chart_start()
    ).select_related("entry", "scenario")
    report = usage_of_authorizations(
        authorizations=list(authorizations.order_by("entry__identifier", "pk")),
        chart_days=CHART_DAYS,
    )
    recent = (
        UsageRecord.objects.filter(operator_id=user.operator_id)
        .select_related("key", "authorization__entry")
        .order_by("-created_at", "-pk")[:RECENT_RECORDS]
    )
    return UsageReport(report.today, report.month_start, report.authorizations, list(recent))


def usage_report_for_department(*, user: User) -> UsageReport:
    """The department's usage page: authorizations on its entries, whichever operator holds them."""
    if user.department_id is None:
        return UsageReport(timezone.localdate(), timezone.localdate().replace(day=1), [])
    authorizations = _used_since(
        Authorization.objects.filter(entry__department_id=user.department_id), _chart_start()
    ).select_related("entry", "operator", "scenario")
    report = usage_of_authorizations(
        authorizations=list(authorizations.order_by("entry__identifier", "operator__name", "pk")),
        chart_days=CHART_DAYS,
    )
    recent = (
        UsageRecord.objects.filter(authorization__entry__department_id=user.department_id)
        .select_related("operator", "authorization__entry")
        .order_by("-created_at", "-pk")[:RECENT_RECORDS]
    )
    return UsageReport(report.today, report.month_start, report.authorizations, list(recent))


def usage_report_for_key(*, key: ApiKey) -> UsageReport:
    """``GET /api/v1/usage/``: this month's figures for each authorization the key may use."""
    month_start = timezone.localdate().replace(day=1)
    authorizations: QuerySet[Authorization] = Authorization.objects.filter(
        operator_id=key.operator_id
    )
    limited = list(key.authorizations.values_list("pk", flat=True))
    if limited:
        authorizations = authorizations.filter(pk__in=limited)
    authorizations = _used_since(authorizations, month_start).select_related("entry")
    return usage_of_authorizations(
        authorizations=list(authorizations.order_by("entry__identifier", "pk"))
    )
