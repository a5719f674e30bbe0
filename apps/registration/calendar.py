"""The official working-day calendar every registration deadline is counted on.

Working days follow the State Council's holiday and adjusted-working-day (调休) arrangements: from
the ``chinesecalendar`` package, and from ``YearArrangement`` rows the bureau enters for what was
announced after the installed package was released (a row wins over the package for its year).
A year neither covers raises ``CalendarNotCovered``: a deadline is never guessed silently; the
workflow then shows a provisional deadline counted on weekdays alone (``deadline``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError


class CalendarNotCovered(DomainError):
    """No official arrangement is known for the year: the deadline cannot be counted."""

    def __init__(self, year: int) -> None:
        super().__init__(
            _(
                "The official holiday arrangement for %(year)s is not known yet: enter it in the "
                "working-day calendar before deadlines in %(year)s can be counted."
            )
            % {"year": year}
        )
        self.year = year


@dataclass(frozen=True)
class Arrangement:
    holidays: frozenset[date]
    working_days: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _arrangements() -> dict[int, Arrangement]:
    from .models import YearArrangement  # the calendar is read by the models' own services

    return {row.year: row.arrangement() for row in YearArrangement.objects.all()}


def is_working_day(day: date, arrangements: Mapping[int, Arrangement] | None = None) -> bool:
    arrangements = _arrangements() if arrangements is None else arrangements
    if day.year in arrangements:
        return arrangements[day.year].is_working_day(day)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarNotCovered(day.year) from None


def year_is_covered(year: int) -> bool:
    try:
        is_working_day(date(year, 12, 31))
    except CalendarNotCovered:
        return False
    return True


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (counting starts on the first working day
    after ``start``; ``start`` itself never counts). Raises ``CalendarNotCovered``."""
    arrangements = _arrangements()
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, arrangements):
            counted += 1
    return day


def add_weekdays(start: date, days: int) -> date:
    """The provisional count: Monday to Friday, holidays unknown."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (weekdays where unknown)."""
    arrangements = _arrangements()
    day, counted = start, 0
    while day < end:
        day += timedelta(days=1)
        try:
            counted += is_working_day(day, arrangements)
        except CalendarNotCovered:
            counted += day.weekday() < 5
    return counted


def deadline(start: date, days: int) -> tuple[date, bool]:
    """(due date, provisional): official where the calendar covers it, else weekdays alone."""
    try:
        return add_working_days(start, days), False
    except CalendarNotCovered:
        return add_weekdays(start, days), True
