"""SPEC §10 as a leader relies on it: hires that ramp, reps who leave, days off, and a team whose
size changes mid-year.

Deterministic checks run a saturated desk (always more leads waiting than reps can take), where
every hour a rep is there is an hour of attempts, so capacity can be read off the attempts made;
the theory check compares each half of a horizon with Erlang C for that half's team."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sla_sim.analysis.metrics import Facts, compute_metrics
from sla_sim.analysis.series import compute_series
from sla_sim.model.events import Event
from sla_sim.model.replication import Replication, run_replication
from sla_sim.model.world import build_world
from sla_sim.scenario.file import parse_scenario_text
from sla_sim.scenario.schema import Scenario
from sla_sim.verification import theory
from sla_sim.verification.setups import QueueSetup

SATURATED = """\
[scenario]
name = "Saturated desk"
start_date = 2027-01-04
months = {months}

[calendar]
always_open = {always_open}
open_hours = [9, 18]

[[sources]]
name = "Demo requests"
leads_per_month = {leads}
hand_raiser_share = 1.0
fit = 1.0
arrival = "flat"

[team]
reps = {reps}
attempt_minutes = 60
prospecting_share = 1.0
routing = "{routing}"
{team}

[response]
connect_prob = 0.0
connect_floor = 0.0

[sla.sales]
min_attempts = 1
follow_up_window_days = 400
on_no_contact = "disqualify"
"""


def saturated(
    team: str,
    reps: int = 1,
    months: int = 5,
    leads: float = 3000,
    always_open: bool = True,
    routing: str = "shared_queue",
) -> Scenario:
    text = SATURATED.format(
        team=team,
        reps=reps,
        months=months,
        leads=leads,
        always_open=str(always_open).lower(),
        routing=routing,
    )
    return parse_scenario_text(text, "saturated.toml")


def attempts_by_rep_and_month(run: Replication) -> np.ndarray:
    """Attempts started, one row per rep, one column per month."""
    columns = run.log.columns()
    made = np.isin(columns["event"], [Event.ATTEMPT, Event.CONNECT])
    month = np.searchsorted(run.world.month_bounds, columns["time"][made], side="right") - 1
    reps = int(columns["rep"][made].max()) + 1
    months = len(run.world.month_bounds) - 1
    out = np.zeros((reps, months), dtype=int)
    np.add.at(out, (columns["rep"][made], month), 1)
    return out


@pytest.mark.parametrize("routing", ["shared_queue", "round_robin", "least_loaded"])
def test_a_hire_with_ramp_adds_half_a_rep_then_a_whole_one(routing: str) -> None:
    scenario = saturated("changes = [{ month = 3, reps = 1 }]\nramp = [0.5, 1.0]", routing=routing)
    run = run_replication(build_world(scenario), seed=3, replication=0)
    made = attempts_by_rep_and_month(run)
    hours = np.diff(run.world.month_bounds)  # one-hour attempts, back to back, always open
    assert made.shape[0] == 2
    np.testing.assert_allclose(made[0], hours, atol=1)  # the ramped rep, every hour
    assert made[1, :2].tolist() == [0, 0]  # not there before month 3
    assert made[1, 2] == pytest.approx(hours[2] / 2, abs=1)  # half a rep in their first month
    np.testing.assert_allclose(made[1, 3:], hours[3:], atol=1)  # a whole one from month 4
    headcount, capacity, _ = Facts(run).team_by_month
    assert headcount.tolist() == [1, 1, 2, 2, 2]
    assert capacity.tolist() == pytest.approx([1, 1, 1.5, 2, 2])


def test_attrition_of_one_with_no_backfill_leaves_nobody_after_the_first_month() -> None:
    scenario = saturated("attrition_per_month = 1.0", reps=4)
    run = run_replication(build_world(scenario), seed=3, replication=0)
    first_month_end = run.world.month_bounds[1]
    assert run.roster is not None
    assert len(run.roster) == 4
    assert max(run.roster.end) < first_month_end
    made = attempts_by_rep_and_month(run)
    assert made[:, 1:].sum() == 0
    assert made[:, 0].sum() > 0
    headcount = Facts(run).team_by_month[0]
    assert headcount[1:].tolist() == [0, 0, 0, 0]


def test_a_backfill_joins_backfill_days_after_a_leaver_and_ramps() -> None:
    scenario = saturated("attrition_per_month = 0.5\nbackfill_days = 20\nramp = [0.5, 1.0]", 3)
    run = run_replication(build_world(scenario), seed=5, replication=0)
    roster = run.roster
    assert roster is not None
    assert len(roster) > 3
    joined = sorted(roster.start[3:])
    left = sorted(end for end in roster.end if end < math.inf)
    for start in joined:  # each backfill starts at the start of the day 20 days after a leaver
        assert any(math.floor(end / 24) * 24 + 20 * 24 == start for end in left)
        rep = roster.start.index(start)
        assert roster.rate(rep, start) == 0.5
        assert not roster.ramped[rep]


def test_time_off_removes_that_many_open_days_per_rep() -> None:
    days_off = 10
    base = saturated("", reps=2, months=12, leads=2000, always_open=False)
    away = saturated(f"time_off_days_per_year = {days_off}", 2, 12, 2000, always_open=False)
    days_worked = []
    for scenario in (base, away):
        run = run_replication(build_world(scenario), seed=3, replication=0)
        columns = run.log.columns()
        made = np.isin(columns["event"], [Event.ATTEMPT, Event.CONNECT])
        days = np.floor(columns["time"][made] / 24)
        reps = columns["rep"][made]
        days_worked.append([len(np.unique(days[reps == rep])) for rep in (0, 1)])
    world = build_world(base)
    open_days = int((world.calendar.starts < world.horizon).sum())
    assert days_worked[0] == [open_days] * 2  # saturated: every open day has attempts
    assert days_worked[1] == [d - days_off for d in days_worked[0]]


def test_reps_away_are_skipped_by_round_robin_and_their_leads_wait() -> None:
    scenario = saturated(
        "time_off_days_per_year = 40",
        reps=3,
        months=3,
        leads=100,
        always_open=False,
        routing="round_robin",
    )
    run = run_replication(build_world(scenario), seed=4, replication=0)
    roster = run.roster
    assert roster is not None
    columns = run.log.columns()
    handoff = columns["event"] == Event.HANDOFF
    first = np.isin(columns["event"], [Event.ATTEMPT, Event.CONNECT])
    for t, rep in zip(columns["time"][first], columns["rep"][first], strict=True):
        assert roster.present(int(rep), float(t)), "nobody works on a day off"
    assert handoff.sum() > 0


def test_a_rep_who_leaves_hands_their_waiting_leads_back_to_routing() -> None:
    scenario = saturated(
        "changes = [{ month = 2, reps = -1 }]",
        reps=2,
        months=3,
        leads=900,
        routing="round_robin",
    )
    run = run_replication(build_world(scenario), seed=4, replication=0)
    made = attempts_by_rep_and_month(run)
    assert made[1, 1:].sum() == 0, "the rep who left makes no attempt after leaving"
    assert made[0, 1] > 0
    metrics = compute_metrics(run)
    assert metrics["sales_cost"] == 0.0


def test_sales_cost_follows_the_team_month_by_month() -> None:
    scenario = saturated(
        "changes = [{ month = 3, reps = 2 }]", reps=1, months=4, leads=100
    ).with_overrides({"costs.rep_cost_per_month": 1000})
    metrics = compute_metrics(run_replication(build_world(scenario), seed=1, replication=0))
    assert metrics["sales_cost"] == pytest.approx(1000 * (1 + 1 + 3 + 3))


def test_the_team_series_are_in_every_run() -> None:
    run = run_replication(build_world(saturated("", reps=2)), seed=1, replication=0)
    series = compute_series(Facts(run))
    assert series["headcount"].tolist() == [2] * 5
    assert series["capacity"].tolist() == [2] * 5
    assert series["load"] == pytest.approx([2] * 5, abs=0.01)  # saturated: all capacity used


def test_a_team_that_grows_mid_horizon_gives_erlang_c_in_each_half() -> None:
    """An M/M/c queue whose team goes from 3 to 5 reps at the start of the second month: the
    mean wait of leads handed off in each month (after a warm-up of three days from the start
    and from the change) is Erlang C's for that month's team."""
    setup = QueueSetup(
        "Growing team", reps=3, leads_per_hour=2.4, attempt_minutes=60.0, target_hours=1.0
    )
    text = setup.toml().replace(
        'routing = "shared_queue"', 'routing = "shared_queue"\nchanges = [{ month = 2, reps = 2 }]'
    )
    scenario = parse_scenario_text(text, "growing.toml")
    world = build_world(scenario)
    change, warmup = world.month_bounds[1], 3 * 24.0
    runs: dict[int, list[float]] = {3: [], 5: []}  # each run's mean wait in each half
    for r in range(12):
        columns = run_replication(world, seed=11, replication=r).log.columns()
        handoff = columns["event"] == Event.HANDOFF
        first = np.isin(columns["event"], [Event.ATTEMPT, Event.CONNECT]) & (columns["number"] == 0)
        handed = dict(zip(columns["lead"][handoff], columns["time"][handoff], strict=True))
        waits: dict[int, list[float]] = {3: [], 5: []}
        for lead, t in zip(columns["lead"][first], columns["time"][first], strict=True):
            h = handed[lead]
            if warmup <= h < change - 24.0:  # a day before the change: their waits end before
                waits[3].append(t - h)
            elif h >= change + warmup:
                waits[5].append(t - h)
        for reps in runs:
            runs[reps].append(float(np.mean(waits[reps])))
    for reps, means in runs.items():
        expected = theory.erlang_c_mean_wait(reps, 2.4, 1.0)
        mean = float(np.mean(means))
        band = 4 * float(np.std(means, ddof=1)) / math.sqrt(len(means))
        assert abs(mean - expected) <= band, (reps, mean, expected, band)
    assert (
        theory.erlang_c_mean_wait(3, 2.4, 1.0) - theory.erlang_c_mean_wait(5, 2.4, 1.0) > 4 * band
    )


def test_reassignment_moves_the_leads_of_a_rep_who_is_away_to_one_who_is_there() -> None:
    scenario = saturated(
        "time_off_days_per_year = 100",
        reps=3,
        months=3,
        leads=150,
        always_open=False,
        routing="round_robin",
    ).with_overrides(
        {
            "sla.sales.first_response_hours": 8,
            "sla.sales.enforcement": "reassign",
            "sla.sales.reassign_after_minutes": 240,
        }
    )
    run = run_replication(build_world(scenario), seed=4, replication=0)
    roster = run.roster
    assert roster is not None
    columns = run.log.columns()
    moved = columns["event"] == Event.REASSIGNED
    times, to, source = columns["time"][moved], columns["rep"][moved], columns["number"][moved]
    assert all(roster.present(int(r), float(t)) for r, t in zip(to, times, strict=True))
    from_absent = [not roster.present(int(r), float(t)) for r, t in zip(source, times, strict=True)]
    assert any(from_absent), "some leads waited for a rep who was away and were moved"
