"""Business-hour arithmetic: open intervals, weekends, holidays, deadlines and month boundaries.

Time is hours from 2027-01-04 00:00, a Monday; the calendar is open Monday to Friday, 09:00-18:00.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from sla_sim.scenario.calendar import Calendar, add_months, month_bounds_hours

START = date(2027, 1, 4)  # a Monday
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(day: int, hour: float) -> float:
    """Hours from the start of the calendar to `hour` o'clock on day `day` (0 = Monday 2027-01-04)."""
    return day * 24.0 + hour


def make(days: int = 28, holidays: list[date] | None = None) -> Calendar:
    return Calendar(
        start=START,
        days=days,
        open_days=WEEKDAYS,
        open_hours=(9, 18),
        holidays=holidays or [],
    )


@pytest.fixture
def cal() -> Calendar:
    return make()


def add(cal: Calendar, t: float, hours: float) -> float:
    return float(cal.add_business_hours(t, hours))


# --- adding business hours (deadlines) -----------------------------------------------------------


def test_friday_late_handoff_with_one_hour_is_due_monday_morning(cal: Calendar) -> None:
    assert add(cal, at(FRI, 17.5), 1) == pytest.approx(at(7 + MON, 9.5))


def test_within_one_day(cal: Calendar) -> None:
    assert add(cal, at(MON, 10), 3) == pytest.approx(at(MON, 13))


def test_across_a_night(cal: Calendar) -> None:
    assert add(cal, at(MON, 17), 2) == pytest.approx(at(TUE, 10))


def test_across_a_weekend(cal: Calendar) -> None:
    # Friday 15:00 + 5 h: 3 h on Friday, 2 h on Monday.
    assert add(cal, at(FRI, 15), 5) == pytest.approx(at(7 + MON, 11))
    # A whole working week (45 h) from Wednesday 12:00 is the next Wednesday 12:00.
    assert add(cal, at(WED, 12), 45) == pytest.approx(at(7 + WED, 12))


def test_across_a_monday_holiday() -> None:
    holiday = date(2027, 1, 11)  # the second Monday
    cal = make(holidays=[holiday])
    assert add(cal, at(FRI, 17.5), 1) == pytest.approx(at(7 + TUE, 9.5))
    assert not cal.is_open(at(7 + MON, 12))
    # The holiday is the only difference from the ordinary calendar.
    assert add(make(), at(FRI, 17.5), 1) == pytest.approx(at(7 + MON, 9.5))


def test_holiday_in_mid_week() -> None:
    cal = make(holidays=[date(2027, 1, 6)])  # Wednesday of the first week
    assert add(cal, at(TUE, 17), 2) == pytest.approx(at(THU, 10))


def test_adding_from_a_closed_moment_starts_at_the_next_opening(cal: Calendar) -> None:
    assert add(cal, at(SAT, 12), 1) == pytest.approx(at(7 + MON, 10))
    assert add(cal, at(TUE, 6), 1) == pytest.approx(at(TUE, 10))  # before opening
    assert add(cal, at(TUE, 20), 1) == pytest.approx(at(WED, 10))  # after closing


def test_a_full_day_from_opening_ends_at_closing_the_same_day(cal: Calendar) -> None:
    # The earliest moment at which 9 open hours have passed, not the next morning's 09:00.
    assert add(cal, at(MON, 9), 9) == pytest.approx(at(MON, 18))
    assert add(cal, at(MON, 9), 9.5) == pytest.approx(at(TUE, 9.5))


def test_adding_zero_hours_is_the_moment_itself(cal: Calendar) -> None:
    assert add(cal, at(MON, 11), 0) == pytest.approx(at(MON, 11))
    assert add(cal, at(SAT, 12), 0) == pytest.approx(at(SAT, 12))


def test_deadline_is_exactly_the_requested_business_hours_later(cal: Calendar) -> None:
    rng = np.random.default_rng(7)
    t = rng.uniform(0, at(14, 0), 2_000)
    hours = rng.uniform(0.01, 60, 2_000)
    due = cal.add_business_hours(t, hours)
    assert np.all(due >= t)
    assert np.allclose(cal.business_hours(due) - cal.business_hours(t), hours, atol=1e-9)
    # Earliest: a moment earlier does not yet have all the hours.
    assert np.all(cal.business_hours(due - 1e-6) - cal.business_hours(t) < hours)


def test_beyond_the_last_day_the_deadline_is_inf() -> None:
    cal = make(days=7)  # one week: 45 open hours
    assert math.isinf(add(cal, at(MON, 9), 46))
    assert math.isinf(add(cal, at(FRI, 17), 2))
    assert math.isinf(add(cal, at(SAT, 12), 1))
    assert add(cal, at(MON, 9), 45) == pytest.approx(at(FRI, 18))


# --- counting business hours --------------------------------------------------------------------


def test_business_hours_difference_over_a_weekend(cal: Calendar) -> None:
    difference = float(cal.business_hours(at(7 + MON, 10)) - cal.business_hours(at(FRI, 17)))
    assert difference == pytest.approx(2.0)


def test_business_hours_from_time_zero(cal: Calendar) -> None:
    assert float(cal.business_hours(0.0)) == 0.0
    assert float(cal.business_hours(at(MON, 9))) == 0.0
    assert float(cal.business_hours(at(MON, 12.5))) == pytest.approx(3.5)
    assert float(cal.business_hours(at(MON, 23))) == pytest.approx(9.0)
    assert float(cal.business_hours(at(SUN, 12))) == pytest.approx(45.0)


def test_open_hours_between(cal: Calendar) -> None:
    assert cal.open_hours_between(at(MON, 0), at(7, 0)) == pytest.approx(45.0)
    assert cal.open_hours_between(at(SAT, 0), at(7 + MON, 0)) == 0.0
    assert cal.open_hours_between(at(MON, 10), at(MON, 12)) == pytest.approx(2.0)
    assert cal.open_hours_between(at(THU, 17), at(7 + TUE, 10)) == pytest.approx(1 + 9 + 9 + 1)
    with_holiday = make(holidays=[date(2027, 1, 6)])
    assert with_holiday.open_hours_between(at(MON, 0), at(7, 0)) == pytest.approx(36.0)


# --- open / next open --------------------------------------------------------------------------


def test_is_open(cal: Calendar) -> None:
    assert cal.is_open(at(MON, 9))  # opening moment is open
    assert cal.is_open(at(MON, 17.99))
    assert not cal.is_open(at(MON, 18))  # closing moment is closed
    assert not cal.is_open(at(MON, 8.99))
    assert not cal.is_open(at(SAT, 12))
    assert not cal.is_open(at(SUN, 12))
    assert cal.is_open(at(FRI, 12))


def test_next_open(cal: Calendar) -> None:
    assert cal.next_open(at(TUE, 11)) == pytest.approx(at(TUE, 11))  # open: itself
    assert cal.next_open(at(TUE, 7)) == pytest.approx(at(TUE, 9))
    assert cal.next_open(at(TUE, 18)) == pytest.approx(at(WED, 9))
    assert cal.next_open(at(FRI, 19)) == pytest.approx(at(7 + MON, 9))
    assert cal.next_open(at(SAT, 12)) == pytest.approx(at(7 + MON, 9))


def test_next_open_skips_holidays_and_is_inf_past_the_end() -> None:
    cal = make(days=14, holidays=[date(2027, 1, 11)])
    assert cal.next_open(at(SAT, 12)) == pytest.approx(at(7 + TUE, 9))
    assert math.isinf(cal.next_open(at(7 + FRI, 19)))


# --- always open ------------------------------------------------------------------------------


def test_always_open_calendar_counts_wall_clock_hours() -> None:
    cal = Calendar(start=START, days=28, always_open=True)
    t = np.array([0.0, 3.5, at(SAT, 12), at(20, 23.25)])
    assert np.array_equal(cal.business_hours(t), t)
    assert np.allclose(cal.add_business_hours(t, 7.25), t + 7.25)
    assert add(cal, at(FRI, 17.5), 1) == pytest.approx(at(FRI, 18.5))
    assert all(cal.is_open(x) for x in t)
    assert cal.next_open(at(SAT, 3)) == at(SAT, 3)
    assert cal.open_hours_between(at(SAT, 0), at(7 + MON, 0)) == pytest.approx(48.0)
    assert cal.longest_closed_gap_hours() == 0.0


# --- gaps --------------------------------------------------------------------------------------


def test_longest_closed_gap_is_the_weekend(cal: Calendar) -> None:
    assert cal.longest_closed_gap_hours() == pytest.approx(63.0)  # Friday 18:00 to Monday 09:00


def test_longest_closed_gap_grows_with_a_long_weekend() -> None:
    cal = make(holidays=[date(2027, 1, 11)])
    assert cal.longest_closed_gap_hours() == pytest.approx(63.0 + 24.0)


# --- vectorised calls --------------------------------------------------------------------------


def test_vectorised_calls_match_scalar_calls(cal: Calendar) -> None:
    rng = np.random.default_rng(3)
    t = rng.uniform(0, at(21, 0), 300)
    hours = rng.uniform(0, 30, 300)
    bh = cal.business_hours(t)
    due = cal.add_business_hours(t, hours)
    assert isinstance(bh, np.ndarray)
    assert bh.shape == t.shape
    assert isinstance(due, np.ndarray)
    assert due.shape == t.shape
    assert np.array_equal(bh, [float(cal.business_hours(x)) for x in t])
    assert np.array_equal(
        due, [float(cal.add_business_hours(x, h)) for x, h in zip(t, hours, strict=True)]
    )
    # A scalar number of hours broadcasts over an array of moments.
    assert np.array_equal(
        cal.add_business_hours(t, 2.0), [float(cal.add_business_hours(x, 2.0)) for x in t]
    )


def test_vectorised_add_gives_inf_only_past_the_end() -> None:
    cal = make(days=7)
    due = cal.add_business_hours(np.array([at(MON, 9), at(MON, 9), at(FRI, 17)]), [45, 46, 0.5])
    assert due[0] == pytest.approx(at(FRI, 18))
    assert math.isinf(due[1])
    assert due[2] == pytest.approx(at(FRI, 17.5))


# --- months -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 4), 1, date(2027, 2, 4)),
        (date(2027, 1, 4), 12, date(2028, 1, 4)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 3, 31), 1, date(2027, 4, 30)),
        (date(2027, 5, 10), 0, date(2027, 5, 10)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_month_bounds_of_a_year_from_the_start_date() -> None:
    bounds = month_bounds_hours(date(2027, 1, 4), 12)
    assert len(bounds) == 13
    assert bounds[0] == 0.0
    assert bounds[1] == 31 * 24.0  # 2027-01-04 to 2027-02-04
    assert bounds[2] == (31 + 28) * 24.0
    assert bounds[-1] == 8760.0  # 365 days
    assert np.all(np.diff(bounds) > 0)


def test_month_bounds_across_a_leap_february() -> None:
    bounds = month_bounds_hours(date(2028, 1, 31), 2)
    assert list(bounds) == [0.0, 29 * 24.0, (29 + 31) * 24.0]  # to Feb 29, then to Mar 31


def test_a_calendar_open_around_the_clock_every_day_matches_always_open() -> None:
    every_day = Calendar(
        start=START,
        days=28,
        open_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        open_hours=(0, 24),
    )
    t = np.array([0.0, 5.5, 23.5, 24.0, at(SAT, 12), at(13, 23.9)])
    assert np.allclose(every_day.business_hours(t), t)
    assert np.allclose(every_day.add_business_hours(t, 1.0), t + 1.0)
    assert all(every_day.is_open(x) for x in t)
    assert every_day.longest_closed_gap_hours() == 0.0


def test_a_calendar_without_open_days_never_opens() -> None:
    cal = Calendar(start=START, days=14, open_days=[], open_hours=(9, 18))
    assert not cal.is_open(at(MON, 12))
    assert math.isinf(cal.next_open(at(MON, 8)))
    assert float(cal.business_hours(at(10, 12))) == 0.0
    assert np.all(np.isinf(cal.add_business_hours(np.array([0.0, 50.0]), 1.0)))
