"""Usage pages: an operator's calls per authorization, and a department's data as used by operators.

The figures come from the usage records every API call writes, refused calls included
(issue 6, "Metering"); the last 30 days are drawn as an inline SVG bar chart, with no script.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.models import User
from apps.core.sections import PageSection, page_sections

from . import selectors
from .selectors import AuthorizationUsage, DayFigures, UsageReport

CHART_HEIGHT = 60
BAR_STEP = 10  # horizontal room per day in the SVG's coordinates
BAR_WIDTH = 8
# The department usage page's name for the sections other apps add (apps/core/sections.py).
DEPARTMENT_USAGE_PAGE = "department-usage"


@dataclass(frozen=True)
class Bar:
    day: date
    calls: int
    rows: int
    x: int
    y: int
    height: int


def chart_bars(days: tuple[DayFigures, ...]) -> list[Bar]:
    """One bar per day, its height proportional to the calls of the busiest day."""
    peak = max((day.figures.calls for day in days), default=0) or 1
    bars = []
    for number, day in enumerate(days):
        height = round(day.figures.calls * CHART_HEIGHT / peak)
        if day.figures.calls and height == 0:
            height = 1  # a day with calls always shows
        bars.append(
            Bar(
                day=day.day,
                calls=day.figures.calls,
                rows=day.figures.rows,
                x=number * BAR_STEP,
                y=CHART_HEIGHT - height,
                height=height,
            )
        )
    return bars


def _page(
    request: HttpRequest,
    template: str,
    report: UsageReport,
    *,
    sections: list[PageSection] | None = None,
) -> HttpResponse:
    rows: list[tuple[AuthorizationUsage, list[Bar]]] = [
        (usage, chart_bars(usage.days)) for usage in report.authorizations
    ]
    context = {
        "report": report,
        "rows": rows,
        "chart_days": selectors.CHART_DAYS,
        "chart_width": selectors.CHART_DAYS * BAR_STEP,
        "chart_height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "recent_limit": selectors.RECENT_RECORDS,
        "sections": sections or [],
    }
    return render(request, template, context)


@login_required
def operator_usage(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.operator_id is None:
        raise PermissionDenied
    report = selectors.usage_report_for_operator(user=user)
    return _page(request, "api/usage_operator.html", report)


@login_required
def department_usage(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.department_id is None:
        raise PermissionDenied
    report = selectors.usage_report_for_department(user=user)
    # Other apps' parts of this page (the open data's downloads and calls) register for it.
    sections = page_sections(DEPARTMENT_USAGE_PAGE, request, user=user)
    return _page(request, "api/usage_department.html", report, sections=sections)
