"""The reverse funnel: arithmetic as a spreadsheet does it, and the simulation beside it."""

from __future__ import annotations

import json
import subprocess

import pytest

from sla_sim.experiments.funnel import needed, plan

from conftest import ROOT, SLA_SIM, scenario_from


def test_the_seeds_examples_come_out_right() -> None:
    # Seed 000: "1,783 leads to close 35 sales" (a lead-to-deal rate of 35/1783 = 1.963%).
    assert needed(35, {"leads": 0.01963})["leads"] == 1783
    assert needed(35, {"leads": 35 / 1783})["leads"] == 1783
    # Seed 000: 30 deals a month with 1 in 5 sales-accepted leads converted: 150 leads.
    assert needed(30, {"handed_off": 1 / 5})["handed_off"] == 150
    assert needed(30, {"handed_off": 0.2})["handed_off"] == 150


def test_arithmetic_walks_back_through_every_stage() -> None:
    rates = {
        "leads": 0.2,
        "mqls": 0.8,
        "handed_off": 0.5,
        "contacted": 0.25,
        "opportunities": 0.5,
    }
    counts = needed(10, rates)
    assert counts == {
        "closed_deals": 10,
        "opportunities": 20,
        "contacted": 80,
        "handed_off": 160,
        "mqls": 200,
        "leads": 1000,
    }
    with pytest.raises(ValueError, match="converts nothing"):
        needed(10, {"leads": 0.0})


def _small(**overrides: object) -> object:
    return scenario_from(
        **{
            "scenario.months": 2,
            "sources.0.leads_per_month": 300,
            "response.connect_prob": 0.5,
            "response.connect_floor": 0.2,
            "response.connect_half_life_hours": 1,
            "response.qualify_prob": 0.5,
            "deals.win_prob": 0.5,
            "deals.cycle_days": 2,
            "sla.sales.min_attempts": 3,
            **overrides,
        }
    )


def test_with_capacity_to_spare_simulation_agrees_with_arithmetic() -> None:
    result = plan(_small(**{"team.reps": 50}), deals_per_month=60, replications=6, seed=2, jobs=2)
    assert result.reachable
    assert result.scale_by_simulation == pytest.approx(result.scale_by_arithmetic, rel=0.1)
    assert result.reps_needed == 50


def test_when_reps_are_the_bottleneck_the_arithmetic_falls_short() -> None:
    scenario = _small(**{"team.reps": 1, "team.attempt_minutes": 30})
    result = plan(scenario, deals_per_month=100, replications=6, seed=2, jobs=2)
    assert result.scale_by_arithmetic > 2  # today's 300 leads close about 40 deals a month
    at_volume = result.simulated_at_arithmetic["closed_deals"]["mean"]
    assert at_volume < 100
    assert result.reps_needed is not None
    assert result.reps_needed > 1
    assert result.scale_by_simulation is None or result.scale_by_simulation > (
        result.scale_by_arithmetic
    )


def test_a_revenue_target_is_turned_into_deals_at_the_mean_deal_value() -> None:
    result = plan(_small(**{"team.reps": 50}), revenue_per_month=30_000, replications=4, jobs=2)
    assert result.mean_deal_value == pytest.approx(1000)
    assert result.target_deals == pytest.approx(30)


def test_funnel_command() -> None:
    out = subprocess.run(
        [*SLA_SIM, "funnel", "scenarios/baseline.toml", "--deals", "9", "-n", "2", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert document["arithmetic_per_month"]["closed_deals"] == 9
    assert {"stage_rates", "simulated_at_arithmetic_volume_per_month", "reps"} <= set(document)
    both = subprocess.run(
        [*SLA_SIM, "funnel", "scenarios/baseline.toml", "--deals", "9", "--revenue", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert both.returncode == 2
    assert "Traceback" not in both.stderr
