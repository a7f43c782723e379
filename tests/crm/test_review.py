"""The monthly SLA review on a hand-made export of a dozen leads (tests/data/review), every
number worked out by hand from the files:

- terms: 4 business hours to respond (Mon–Fri 9–18, Friday 5 March 2027 a holiday), 3
  attempts in a 7-day follow-up window, leads not reached returned to nurture, 6 MQLs a month,
  80% accepted; the export date is 2 April 2027 at noon.
- February: 5 MQLs (commitment missed), 4 accepted (80%, met); handoffs L01 answered in 1
  business hour, L02 in 3 (Friday 17:00 to Monday 11:00: the weekend does not count), L03 in
  14 (late), L04 never (handed off on a Saturday, its deadline Monday 13:00 long past).
- March: 6 MQLs (met), 5 accepted (83%); L06 answered in 3 business hours only because the
  holiday does not count (Thursday 16:00 to Monday 10:00, 90 hours on the wall clock), L07
  handed off on the holiday and answered Monday 12:00 (3), L08 in 4.5 (late), L09 in 0.5,
  L11 in 3.
- April: L12 handed off at 10:00 on the export date, its deadline still ahead: pending.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from sla_sim.analysis.review import ALL, LATE, NEVER, PENDING, WITHIN, Review, review
from sla_sim.crm.read import read_export
from sla_sim.crm.tables import CrmExport
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario

DATA = Path(__file__).parents[1] / "data" / "review"
AS_OF = dt.datetime(2027, 4, 2, 12, 0)
FEB, MAR, APR = (pd.Timestamp(f"2027-{m:02d}-01") for m in (2, 3, 4))


def terms(**overrides: object) -> Scenario:
    return load_scenario(DATA / "terms.toml").with_overrides(dict(overrides))


def export(**options: object) -> CrmExport:
    return read_export(
        DATA / "leads.csv",
        deals=DATA / "deals.csv",
        activities=DATA / "activities.csv",
        profile="generic",
        as_of=AS_OF,
        timezone="America/Sao_Paulo",
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def monthly() -> Review:
    return review(export(), terms(), per="rep")


def row(result: Review, measure: str, period: pd.Timestamp, group: str = ALL) -> pd.Series:
    card = result.scorecard
    found = card[(card.measure == measure) & (card.period == period) & (card.group == group)]
    assert len(found) == 1, (measure, period, group)
    return found.iloc[0]


def counts(record: pd.Series) -> tuple[float, int | None, int]:
    """part, whole and censored of a scorecard row (whole missing for counts)."""
    whole = None if pd.isna(record.whole) else int(record.whole)
    return float(record.part), whole, int(record.censored)


def lead(result: Review, lead_id: str) -> pd.Series:
    return result.leads.set_index("lead_id").loc[lead_id]


def test_business_hours_skip_the_weekend_and_the_holiday(monthly: Review) -> None:
    hours = {i: lead(monthly, i).response_hours for i in ("L01", "L02", "L03", "L06", "L07")}
    assert hours == pytest.approx({"L01": 1, "L02": 3, "L03": 14, "L06": 3, "L07": 3})
    assert lead(monthly, "L08").response_hours == pytest.approx(4.5)
    states = {i: lead(monthly, i).response for i in ("L03", "L04", "L06", "L08", "L12")}
    assert states == {"L03": LATE, "L04": NEVER, "L06": WITHIN, "L08": LATE, "L12": PENDING}


def test_without_the_holiday_the_thursday_lead_is_late() -> None:
    worked = review(export(), terms(**{"calendar.holidays": []}))
    assert lead(worked, "L06").response_hours == pytest.approx(12)
    assert lead(worked, "L06").response == LATE


def test_on_the_wall_clock_the_weekend_counts() -> None:
    calendar = review(export(), terms(**{"sla.sales.clock": "calendar"}))
    assert lead(calendar, "L06").response_hours == pytest.approx(90)  # Thu 16:00 to Mon 10:00
    assert lead(calendar, "L01").response_hours == pytest.approx(1)
    assert lead(calendar, "L01").response == WITHIN


def test_marketing_commitment_met_and_missed_month_by_month(monthly: Review) -> None:
    feb, mar, apr = (row(monthly, "mqls", p) for p in (FEB, MAR, APR))
    assert (feb.value, feb.target, feb.met) == (5, 6, False)
    assert (mar.value, mar.met) == (6, True)
    assert apr.value == 1
    assert pd.isna(apr.met)
    assert not apr.complete
    assert counts(row(monthly, "acceptance", FEB))[:2] == (4, 5)
    assert row(monthly, "acceptance", FEB).met  # 80% is the target: met
    assert row(monthly, "acceptance", MAR).value == pytest.approx(5 / 6)
    assert row(monthly, "score_mean", FEB).value == pytest.approx(60)
    assert row(monthly, "score_mean", MAR).value == pytest.approx(430 / 6)
    assert counts(row(monthly, "mql_to_opportunity", MAR))[:2] == (2, 6)  # L07 and L09's deal
    assert counts(row(monthly, "mql_to_deal", FEB))[:2] == (1, 5)  # L01 won
    assert counts(row(monthly, "mql_to_deal", MAR))[:2] == (1, 6)  # L09's deal won


def test_sales_response_month_by_month(monthly: Review) -> None:
    assert counts(row(monthly, "response_within_target", FEB)) == (2, 4, 0)
    assert counts(row(monthly, "response_within_target", MAR)) == (4, 5, 0)
    assert counts(row(monthly, "response_within_target", APR)) == (0, 0, 1)
    assert not row(monthly, "response_within_target", MAR).met
    assert row(monthly, "response_hours_median", FEB).value == pytest.approx(3)  # 1, 3, 14
    assert row(monthly, "response_hours_median", MAR).value == pytest.approx(3)
    assert row(monthly, "handoffs", FEB).value == 4


def test_attempts_against_the_agreed_number(monthly: Review) -> None:
    attempts = {i: int(lead(monthly, i).attempts) for i in ("L02", "L03", "L04", "L08", "L11")}
    assert attempts == {"L02": 3, "L03": 2, "L04": 0, "L08": 4, "L11": 1}
    follow = {i: lead(monthly, i).follow_up for i in ("L01", "L02", "L03", "L04", "L08", "L11")}
    assert follow == {
        "L01": "reached",
        "L02": "kept",
        "L03": "short",
        "L04": "short",
        "L08": "kept",
        "L11": "pending",  # one attempt, its window open at the export date
    }
    assert int(lead(monthly, "L07").reached_at_attempt) == 3
    assert counts(row(monthly, "attempts_kept", FEB)) == (1, 3, 0)
    assert counts(row(monthly, "attempts_kept", MAR)) == (1, 1, 1)
    assert counts(row(monthly, "returned_as_agreed", FEB)) == (1, 3, 0)  # L02 "recycled"
    assert counts(row(monthly, "returned_as_agreed", MAR)) == (1, 1, 1)  # L08 "Nurture"
    assert any("2 of 18" in note for note in monthly.notes)  # before a handoff, after a window


def test_who_breached_and_how_often(monthly: Review) -> None:
    table = monthly.breaches.set_index("rep")
    assert list(table.index) == ["Ana", "Bruno"]  # most breaches first
    ana, bruno = table.loc["Ana"], table.loc["Bruno"]
    assert (ana.handoffs, ana.late, ana.never, ana.attempts_short, ana.not_returned) == (
        5,
        2,
        0,
        1,
        1,
    )
    assert (ana.breaches, ana.leads_breached, ana.response_known) == (4, 2, 5)
    assert (bruno.late, bruno.never, bruno.attempts_short, bruno.not_returned) == (0, 1, 1, 1)
    assert (bruno.breaches, bruno.leads_breached, bruno.response_known) == (3, 1, 4)
    per_rep = row(monthly, "response_within_target", FEB, "Ana")
    assert counts(per_rep) == (1, 2, 0)
    assert row(monthly, "response_hours_median", FEB, "Ana").value == pytest.approx(7.5)


def test_the_whole_export_and_its_trend(monthly: Review) -> None:
    summary = monthly.summary.set_index(["measure", "group"])
    response = summary.loc[("response_within_target", ALL)]
    assert (response.part, response.whole, response.censored) == (6, 9, 1)
    assert (response.met, response.missed, response.not_judged) == (0, 2, 1)
    assert response.trend == "better"
    assert response.slope == pytest.approx(0.3)
    mqls = summary.loc[("mqls", ALL)]
    assert (mqls.value, mqls.met, mqls.missed, mqls.not_judged) == (12, 1, 1, 1)
    assert mqls.slope == pytest.approx(1)  # complete months only: 5, then 6


def test_week_by_week() -> None:
    weekly = review(export(), terms(), by="week")
    card = weekly.scorecard
    shares = card[card.measure == "response_within_target"].set_index("period")
    assert counts(shares.loc[pd.Timestamp("2027-02-01")]) == (2, 2, 0)
    assert counts(shares.loc[pd.Timestamp("2027-02-15")]) == (0, 1, 0)  # L04, Saturday
    assert counts(shares.loc[pd.Timestamp("2027-03-29")]) == (1, 1, 1)  # L11; L12 pending
    mqls = card[card.measure == "mqls"]
    assert mqls.target.isna().all()
    assert mqls.met.isna().all()
    assert any("monthly" in note for note in weekly.notes)


def test_per_source() -> None:
    by_source = review(export(), terms(), per="source")
    assert counts(row(by_source, "mqls", MAR, "Webinar"))[0] == 3  # L06, L08, L09
    assert math.isnan(row(by_source, "mqls", MAR, "Webinar").target)  # the team is committed


def test_what_the_export_cannot_give_is_said() -> None:
    bare = read_export(DATA / "leads.csv", profile="generic", as_of=AS_OF)
    result = review(bare, terms())
    assert "response_within_target" in result.absent
    assert "attempts_kept" in result.absent
    assert "fit_mean" in result.absent
    assert "mqls" not in result.absent
    assert all(m.key not in result.absent for m in result.measures)
    # Without attempts on record no lead is a response breach: the breaches are not guessed.
    assert result.leads["response"].isna().all()
    assert result.leads["breached"].isna().all()
    assert result.breaches["breaches"].isna().all()
