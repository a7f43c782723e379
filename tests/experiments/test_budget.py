"""The size of a run before it starts: expected leads, the estimate, and the limits."""

from __future__ import annotations

import pytest

from sla_sim.experiments.budget import (
    MAX_LEADS_PER_REPLICATION,
    MAX_REPLICATIONS,
    BudgetError,
    check_run,
    estimate,
)

from conftest import scenario_from


def test_expected_leads_are_the_monthly_volume_grown_month_by_month() -> None:
    flat = scenario_from()
    assert flat.expected_leads() == pytest.approx(300)
    grown = scenario_from(**{"sources.0.growth_per_month": 0.1})
    assert grown.expected_leads() == pytest.approx(100 + 110 + 121)


def test_the_estimate_grows_with_leads_replications_and_scenarios() -> None:
    one = estimate([scenario_from()], 10)
    assert one.simulated_leads == pytest.approx(3000)
    two = estimate([scenario_from(), scenario_from(**{"team.reps": 9})], 20)
    assert two.simulated_leads == pytest.approx(4 * one.simulated_leads)
    assert two.seconds == pytest.approx(4 * one.seconds)
    assert two.peak_bytes >= one.peak_bytes
    with_log = estimate([scenario_from()], 10, lead_log=True)
    assert with_log.peak_bytes > one.peak_bytes
    assert "simulated leads" in one.describe()


def test_a_small_run_passes() -> None:
    assert check_run([scenario_from()], 30, workers=2).problems() == []


def test_too_many_leads_in_one_replication_is_refused_with_the_estimate_and_limit() -> None:
    # The funnel's search scales a file's volumes past the file's own limit.
    with pytest.raises(BudgetError) as refused:
        check_run([scenario_from()], 2, scale=400_000)
    message = str(refused.value)
    assert "120,000,000" in message
    assert f"{MAX_LEADS_PER_REPLICATION:,}" in message
    assert "memory" in message


def test_too_many_replications_and_too_much_compute_are_refused() -> None:
    with pytest.raises(BudgetError, match=f"{MAX_REPLICATIONS:,}"):
        check_run([scenario_from()], MAX_REPLICATIONS + 1)
    big = scenario_from(**{"sources.0.leads_per_month": 500_000, "scenario.months": 3})
    teams = [big.with_overrides({"team.reps": reps}) for reps in range(1, 101)]
    with pytest.raises(BudgetError, match="core-hours"):
        check_run(teams, 1000)


def test_candidates_that_share_a_simulation_are_counted_once() -> None:
    base = scenario_from()
    measured = base.with_overrides({"sla.sales.first_response_hours": 1})
    changed = base.with_overrides({"team.reps": 9})
    one = estimate([base], 10)
    assert estimate([base, measured], 10).simulated_leads == one.simulated_leads
    assert estimate([base, changed], 10).simulated_leads == 2 * one.simulated_leads


def test_a_run_on_the_team_desk_is_estimated_at_its_cost() -> None:
    from sla_sim import load_scenario
    from sla_sim.experiments.budget import TEAM_DESK_COST, estimate

    from conftest import SCENARIOS

    today, alerts = load_scenario(SCENARIOS / "baseline.toml").expand()[:2]
    assert alerts.sla.sales.enforcement == "alert"
    assert estimate([alerts], 10).seconds == pytest.approx(
        TEAM_DESK_COST * estimate([today], 10).seconds
    )
