"""Business-hour arithmetic: open intervals, weekends, holidays, deadlines and month boundaries;
and national (and a subdivision's) holidays from the holiday library closing a scenario's desk.

Time is hours from 2027-01-04 00:00, a Monday; the calendar is open Monday to Friday, 09:00-18:00.
A scenario's calendar counts hours from its own start_date 00:00.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from sla_sim.model.events import Event
from sla_sim.model.replication import run_replication
from sla_sim.model.world import CALENDAR_SLACK_DAYS, build_world
from sla_sim.scenario.calendar import DAY_NAMES, Calendar, add_months, month_bounds_hours
from sla_sim.scenario.schema import Scenario

from conftest import scenario_from

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


# --- national holidays (SPEC §10: calendar.holidays_country, calendar.holidays_subdivision) ------

BR_INDEPENDENCE = date(2027, 9, 7)  # a Tuesday
US_INDEPENDENCE = date(2027, 7, 4)  # a Sunday: observed on Monday 5 July
US_OBSERVED = date(2027, 7, 5)
SP_REVOLUTION = date(2027, 7, 9)  # a Friday; a holiday of the state of Sao Paulo only
NEW_YEAR_2028 = date(2028, 1, 1)  # a Saturday
MON_TO_SAT = ["mon", "tue", "wed", "thu", "fri", "sat"]


def desk(start: date, months: int, **calendar: Any) -> Scenario:
    """The simple scenario from `start` on a Monday-to-Friday 09:00-18:00 calendar (plus
    `calendar` keys)."""
    return scenario_from(
        **{
            "scenario.start_date": start.isoformat(),
            "scenario.months": months,
            "calendar": {"always_open": False, **calendar},
        }
    )


def open_at_ten(scenario: Scenario, day: date, extra_days: int = 0) -> bool:
    """Whether the scenario's desk is open at 10:00 on `day`."""
    hours = (day - scenario.scenario.start_date).days * 24.0 + 10.0
    return scenario.business_calendar(extra_days).is_open(hours)


def test_brazils_independence_day_closes_the_desk() -> None:
    start = date(2027, 9, 1)
    assert not open_at_ten(desk(start, 1, holidays_country="BR"), BR_INDEPENDENCE)
    assert open_at_ten(desk(start, 1), BR_INDEPENDENCE)  # the library's holiday, nothing else
    assert open_at_ten(desk(start, 1, holidays_country="BR"), BR_INDEPENDENCE + timedelta(1))


def test_the_observed_us_independence_day_closes_the_desk_on_the_monday() -> None:
    start = date(2027, 7, 1)
    us = desk(start, 1, holidays_country="US")
    assert not open_at_ten(us, US_OBSERVED)
    assert not open_at_ten(us, US_INDEPENDENCE)  # a Sunday: not an open day anyway
    assert not open_at_ten(desk(start, 1), US_INDEPENDENCE)
    assert open_at_ten(desk(start, 1), US_OBSERVED)
    assert open_at_ten(us, US_OBSERVED + timedelta(1))
    assert {US_INDEPENDENCE, US_OBSERVED} <= set(us.calendar.holidays_between(start, 31))


def test_a_subdivisions_holiday_closes_the_desk_only_where_chosen() -> None:
    start = date(2027, 7, 1)
    sao_paulo = desk(start, 3, holidays_country="BR", holidays_subdivision="SP")
    brazil = desk(start, 3, holidays_country="BR")
    assert not open_at_ten(sao_paulo, SP_REVOLUTION)
    assert open_at_ten(brazil, SP_REVOLUTION)
    # The state's calendar keeps the nation's holidays.
    assert not open_at_ten(sao_paulo, BR_INDEPENDENCE)
    assert not open_at_ten(brazil, BR_INDEPENDENCE)


def test_listed_holidays_are_added_to_the_national_ones() -> None:
    start = date(2027, 9, 1)
    listed = [date(2027, 9, 8), date(2027, 9, 20)]  # a Wednesday and a Monday
    scenario = desk(start, 1, holidays_country="BR", holidays=[d.isoformat() for d in listed])
    for day in (BR_INDEPENDENCE, *listed):
        assert not open_at_ten(scenario, day)
    assert open_at_ten(scenario, date(2027, 9, 9))
    days_off = scenario.calendar.holidays_between(start, 30)
    assert days_off == sorted(days_off)
    assert {BR_INDEPENDENCE, *listed} <= set(days_off)
    # A listed day that is also a national holiday is one day off, not two.
    both = desk(start, 1, holidays_country="BR", holidays=[BR_INDEPENDENCE.isoformat()])
    assert both.calendar.holidays_between(start, 30).count(BR_INDEPENDENCE) == 1


def test_a_horizon_across_new_year_has_both_years_holidays() -> None:
    start = date(2027, 12, 1)
    # Open on Saturdays, so that 1 January 2028 is closed only by being a holiday.
    brazil = desk(start, 2, holidays_country="BR", open_days=MON_TO_SAT)
    assert open_at_ten(desk(start, 2, open_days=MON_TO_SAT), NEW_YEAR_2028)
    assert not open_at_ten(brazil, NEW_YEAR_2028)
    assert not open_at_ten(brazil, date(2027, 12, 25))  # Christmas, also a Saturday
    assert open_at_ten(brazil, date(2027, 12, 18))  # an ordinary Saturday
    assert {date(2027, 12, 25), NEW_YEAR_2028} <= set(brazil.calendar.holidays_between(start, 62))
    # In the United States 2028's New Year is observed on Friday 31 December 2027, and
    # Martin Luther King Jr. Day is Monday 17 January 2028.
    us = desk(start, 2, holidays_country="US")
    assert not open_at_ten(us, date(2027, 12, 31))
    assert not open_at_ten(us, date(2028, 1, 17))
    assert open_at_ten(us, date(2028, 1, 18))


def test_the_calendar_past_the_horizon_has_the_next_years_holidays() -> None:
    # The model's calendar runs CALENDAR_SLACK_DAYS past the horizon, for deadlines beyond it.
    scenario = desk(date(2027, 11, 1), 1, holidays_country="BR")
    later = date(2028, 9, 7)  # a Thursday
    assert (later - date(2027, 12, 1)).days < CALENDAR_SLACK_DAYS
    assert not open_at_ten(scenario, later, CALENDAR_SLACK_DAYS)
    assert open_at_ten(scenario, later + timedelta(1), CALENDAR_SLACK_DAYS)


def attempt_days(scenario: Scenario, seed: int = 11) -> set[date]:
    """The days on which a replication's attempts (connected or not) start, with leads enough
    (20 a day) that every open day has some."""
    busy = scenario.with_overrides({"sources.0.leads_per_month": 600})
    columns = run_replication(build_world(busy), seed, 0).log.columns()
    kinds = np.array([Event.ATTEMPT, Event.CONNECT], dtype=np.int8)
    times = columns["time"][np.isin(columns["event"], kinds)]
    start = scenario.scenario.start_date
    return {start + timedelta(days=int(t // 24)) for t in times}


@pytest.mark.parametrize(
    ("start", "months", "calendar", "closed"),
    [
        pytest.param(date(2027, 9, 1), 1, {"holidays_country": "BR"}, [BR_INDEPENDENCE], id="BR"),
        pytest.param(date(2027, 7, 1), 1, {"holidays_country": "US"}, [US_OBSERVED], id="US"),
        pytest.param(
            date(2027, 7, 1),
            3,
            {"holidays_country": "BR", "holidays_subdivision": "SP"},
            [SP_REVOLUTION, BR_INDEPENDENCE],
            id="Sao Paulo",
        ),
        pytest.param(
            date(2027, 9, 1),
            1,
            {"holidays_country": "BR", "holidays": ["2027-09-08"]},
            [BR_INDEPENDENCE, date(2027, 9, 8)],
            id="Brazil and a listed day",
        ),
        pytest.param(
            date(2027, 12, 1),
            2,
            {"holidays_country": "BR", "open_days": MON_TO_SAT},
            [date(2027, 12, 25), NEW_YEAR_2028],
            id="Brazil across New Year",
        ),
    ],
)
def test_a_run_makes_attempts_on_every_open_day_and_on_no_holiday(
    start: date, months: int, calendar: dict[str, Any], closed: list[date]
) -> None:
    scenario = desk(start, months, **calendar)
    weekdays = [DAY_NAMES.index(d) for d in calendar.get("open_days", WEEKDAYS)]
    horizon = [start + timedelta(days) for days in range(scenario.horizon_days)]
    open_days = {day for day in horizon if day.weekday() in weekdays}
    assert set(closed) <= open_days  # each holiday would be an open day
    assert attempt_days(scenario) == open_days - set(closed)


def test_without_the_subdivision_the_run_works_its_holiday() -> None:
    days = attempt_days(desk(date(2027, 7, 1), 1, holidays_country="BR"))
    assert SP_REVOLUTION in days
