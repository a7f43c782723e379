"""Metrics at the edges: utilisation within the open measured hours, money too large to add up,
and the overload warning when leads drop out of a held-down backlog."""

from __future__ import annotations

import math
import warnings

import pytest

from sla_sim.experiments.runner import simulate

from conftest import scenario_from


def test_attempts_longer_than_the_horizon_never_make_utilisation_pass_100_percent() -> None:
    long = scenario_from(**{"team.reps": 2, "team.attempt_minutes": 6000})
    result = simulate(long, 2, variants=False)
    assert result.metric("Simple", "rep_utilization")["mean"] <= 1.0 + 1e-9


def test_business_hours_and_other_work_keep_utilisation_at_most_100_percent() -> None:
    long = scenario_from(
        **{
            "calendar.always_open": False,
            "team.reps": 1,
            "team.attempt_minutes": 700,
            "team.prospecting_share": 0.5,
        }
    )
    value = simulate(long, 2, variants=False).metric("Simple", "rep_utilization")["mean"]
    assert 0.9 <= value <= 1.0 + 1e-9


def test_short_attempts_count_in_full() -> None:
    result = simulate(scenario_from(**{"scenario.months": 1}), 2, variants=False)
    handed = result.metric("Simple", "handed_off")["mean"]
    busy = result.metric("Simple", "rep_utilization")["mean"]
    hours = result.scenarios[0].horizon_days * 24
    assert busy * 50 * hours == pytest.approx(handed * 0.1, rel=1e-6)


def test_the_largest_deal_values_a_file_allows_give_finite_money_and_no_warning() -> None:
    big = scenario_from(**{"deals.deal_value": {"dist": "lognormal", "median": 1e9, "sigma": 5}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = simulate(big, 2, variants=False)
    for key in ("revenue", "pipeline_value"):
        assert math.isfinite(result.metric("Simple", key)["mean"])


def test_a_flood_of_leads_that_go_cold_warns_of_overload() -> None:
    flood = scenario_from(
        **{
            "scenario.months": 1,
            "sources.0.leads_per_month": 3000,
            "team.reps": 1,
            "team.attempt_minutes": 30,
            "response.patience_hours": 2,
        }
    )
    result = simulate(flood, 2, variants=False)
    assert result.metric("Simple", "response_breach_rate")["mean"] > 0.5
    assert any("overloaded" in w for w in result.warnings), result.warnings


def test_a_team_that_keeps_up_gets_no_overload_warning() -> None:
    result = simulate(scenario_from(), 2, variants=False)
    assert not any("overloaded" in w or "unstable" in w for w in result.warnings)
