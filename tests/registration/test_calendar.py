"""The working-day calendar: chinesecalendar's 2026 arrangement (the State Council's notice of
2025-11: Spring Festival 15–23 February with 14 and 28 February worked; National Day and
Mid-Autumn 1–7 October with 20 September and 10 October worked), the bureau's table beyond it."""

from datetime import date

import pytest

from apps.registration import calendar, services
from apps.registration.calendar import CalendarNotCovered, add_working_days

pytestmark = pytest.mark.django_db


def test_it_counts_from_the_first_working_day_after_the_start():
    assert add_working_days(date(2026, 6, 1), 1) == date(2026, 6, 2)
    assert add_working_days(date(2026, 6, 5), 1) == date(2026, 6, 8)  # Friday → Monday


def test_it_skips_the_spring_festival_and_counts_its_working_saturdays():
    assert add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 14)  # Saturday, worked
    assert add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)  # 15–23 February off
    assert add_working_days(date(2026, 2, 27), 1) == date(2026, 2, 28)  # Saturday, worked


def test_a_formal_review_across_the_spring_festival_takes_until_mid_march():
    # 11, 12, 13, 14 (Sat), 24, 25, 26, 27, 28 (Sat) February, then 2–6, 9–13 and 16 March.
    assert add_working_days(date(2026, 2, 10), 20) == date(2026, 3, 16)


def test_it_skips_national_day_and_counts_its_working_days():
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # Saturday, worked
    assert add_working_days(date(2026, 9, 19), 1) == date(2026, 9, 20)  # Sunday, worked
    assert add_working_days(date(2026, 9, 24), 1) == date(2026, 9, 28)  # Mid-Autumn 25–27 off


def test_an_uncovered_year_is_refused_not_guessed():
    with pytest.raises(CalendarNotCovered) as error:
        add_working_days(date(2026, 12, 28), 10)
    assert error.value.year == 2027
    assert "2027" in str(error.value.message)


def test_the_provisional_deadline_counts_weekdays_alone():
    assert calendar.deadline(date(2026, 12, 28), 10) == (date(2027, 1, 11), True)
    assert calendar.deadline(date(2026, 6, 1), 3) == (date(2026, 6, 4), False)


def test_the_bureaus_table_covers_a_later_year(db, reviewer):
    services.year_arrangement_save(
        actor=reviewer, year=2027, holidays=["2027-01-01"], working_days=["2027-01-09"],
        announcement="国务院办公厅关于2027年部分节假日安排的通知",
    )  # fmt: skip
    # 29, 30, 31 December; 1 January off; 4–8 January; Saturday 9 January worked; 11 January.
    assert add_working_days(date(2026, 12, 28), 10) == date(2027, 1, 11)
    assert calendar.year_is_covered(2027)
    assert not calendar.year_is_covered(2028)


def test_the_table_wins_over_the_package_for_its_year(db, reviewer):
    services.year_arrangement_save(
        actor=reviewer, year=2026, holidays=["2026-06-02"], working_days=[], announcement="更正"
    )
    assert add_working_days(date(2026, 6, 1), 1) == date(2026, 6, 3)


def test_a_date_outside_the_year_is_refused(db, reviewer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.year_arrangement_save(
            actor=reviewer, year=2027, holidays=["2028-01-01"], working_days=[], announcement="x"
        )


def test_only_bureau_deciders_enter_the_calendar(db, department_member):
    from apps.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.year_arrangement_save(
            actor=department_member, year=2027, holidays=[], working_days=[], announcement="x"
        )
