"""The backtest: a scenario against the export of a team that ran as it says agrees; against a
team that won twice as often, or lost half its reps mid-period, it does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sla_sim import load_scenario
from sla_sim.analysis.observed import MEASURES
from sla_sim.experiments.backtest import over_period, run_backtest
from sla_sim.experiments.export_crm import simulated_export
from sla_sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
RUNS = 30
EXPORT_SEED = 101  # the team's own luck: not the backtest's seed
SEED = 1


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "baseline.toml")  # a year, as a team would test


def _verdict(scenario: Scenario, team: Scenario) -> tuple[bool, dict[str, bool]]:
    result = run_backtest(scenario, simulated_export(team, seed=EXPORT_SEED), RUNS, SEED, jobs=2)
    return result.agrees, {a.measure: a.agrees for a in result.agreements}


def test_the_scenario_agrees_with_the_export_of_a_team_that_ran_as_it_says(
    scenario: Scenario,
) -> None:
    export = simulated_export(scenario, seed=EXPORT_SEED)
    result = run_backtest(scenario, export, RUNS, SEED, jobs=2)
    assert result.agrees, result.agreements
    assert [a.measure for a in result.agreements] == list(MEASURES)
    table = result.table
    assert set(table.view) == {"calendar", "cohort"}
    # thirteen calendar months (January 2027 from the 4th to January 2028 to the 4th)
    assert len(table) == 2 * len(MEASURES) * 13
    # the band is one more run's, so most months of the team's own run fall inside it
    assert table["inside"].mean() > 0.85
    shares = table[table.measure == "response_within_target"]
    assert ((shares["low"] >= 0) & (shares["high"] <= 1)).all()


def test_a_team_that_wins_twice_as_often_fails_on_its_deals(scenario: Scenario) -> None:
    agrees, measures = _verdict(scenario, scenario.with_overrides({"deals.win_prob": 0.6}))
    assert not agrees
    assert not measures["deals"] or not measures["revenue"]
    # what comes before the deals still agrees
    assert measures["leads"]
    assert measures["handoffs"]


def test_a_team_that_lost_half_its_reps_mid_period_fails(scenario: Scenario) -> None:
    team = scenario.with_overrides({"team.changes": [{"month": 6, "reps": -3}]})
    agrees, measures = _verdict(scenario, team)
    assert not agrees
    assert not measures["contacts"]


def test_the_scenario_is_moved_to_the_exports_period(scenario: Scenario) -> None:
    export = simulated_export(scenario, seed=EXPORT_SEED)
    moved = over_period(scenario.with_overrides({"scenario.start_date": "2030-06-01"}), export)
    assert moved.scenario.start_date.isoformat() == "2027-01-04"
    assert moved.scenario.months == 12
    assert np.isclose(moved.team.reps, scenario.team.reps)
