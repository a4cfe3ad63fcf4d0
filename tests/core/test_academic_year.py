"""The UK academic year runs from 1 September to 31 August."""

import datetime
import zoneinfo

import pytest
import time_machine

from core.academic_year import AcademicYear

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("day", "start_year"),
    [
        (datetime.date(2025, 9, 1), 2025),  # the first day of the year
        (datetime.date(2025, 8, 31), 2024),  # the last day of the one before
        (datetime.date(2025, 12, 31), 2025),
        (datetime.date(2026, 1, 1), 2025),
        (datetime.date(2026, 7, 22), 2025),
        (datetime.date(2026, 8, 31), 2025),
        (datetime.date(2026, 9, 1), 2026),
    ],
)
def test_the_year_containing_a_day_starts_on_the_1st_of_september_before_it(day, start_year):
    assert AcademicYear.containing(day) == AcademicYear(start_year)


def test_a_year_runs_from_the_1st_of_september_to_the_31st_of_august():
    year = AcademicYear(2025)
    assert year.starts_on == datetime.date(2025, 9, 1)
    assert year.ends_on == datetime.date(2026, 8, 31)


def test_a_year_contains_its_first_and_last_days_and_nothing_outside_them():
    year = AcademicYear(2025)
    assert datetime.date(2025, 9, 1) in year
    assert datetime.date(2026, 8, 31) in year
    assert datetime.date(2025, 8, 31) not in year
    assert datetime.date(2026, 9, 1) not in year


def test_a_leap_day_belongs_to_the_year_that_began_the_september_before():
    assert AcademicYear.containing(datetime.date(2028, 2, 29)) == AcademicYear(2027)


def test_years_are_written_the_way_schools_write_them():
    assert str(AcademicYear(2025)) == "2025-26"
    assert str(AcademicYear(2099)) == "2099-00"


def test_next_and_previous_years():
    assert AcademicYear(2025).next() == AcademicYear(2026)
    assert AcademicYear(2025).previous() == AcademicYear(2024)
    assert AcademicYear(2024) < AcademicYear(2025)


def test_the_current_year_changes_at_midnight_on_the_31st_of_august_in_london():
    with time_machine.travel(datetime.datetime(2026, 8, 31, 23, 59, tzinfo=LONDON), tick=False):
        assert AcademicYear.current() == AcademicYear(2025)
    # 00:30 on 1 September in London is still 31 August in UTC.
    with time_machine.travel(datetime.datetime(2026, 9, 1, 0, 30, tzinfo=LONDON), tick=False):
        assert AcademicYear.current() == AcademicYear(2026)
