"""Replications: reproducible, identical on any number of workers, common random numbers across
scenarios, and the directions a leader relies on (more reps answer faster, and so on)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sla_sim import load_scenario, simulate
from sla_sim.analysis.intervals import interval
from sla_sim.analysis.metrics import METRIC_KEYS, METRICS
from sla_sim.scenario.schema import Scenario, Variant

from conftest import SCENARIOS


@pytest.fixture(scope="module")
def quarter() -> Scenario:
    """The bundled baseline over three months (quick enough to replicate in tests)."""
    return load_scenario(SCENARIOS / "baseline.toml").with_overrides({"scenario.months": 3})


def paired(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> dict[str, float]:
    """The 95% interval of the per-replication difference b - a."""
    return interval(b[metric].to_numpy() - a[metric].to_numpy())


def test_same_seed_same_numbers_other_seed_other_numbers(quarter: Scenario) -> None:
    one = simulate(quarter, replications=3, seed=5, variants=False)
    two = simulate(quarter, replications=3, seed=5, variants=False)
    pd.testing.assert_frame_equal(one.per_replication, two.per_replication)
    other = simulate(quarter, replications=3, seed=6, variants=False)
    assert not one.per_replication["leads"].equals(other.per_replication["leads"])


def test_one_worker_and_two_workers_give_identical_results(quarter: Scenario) -> None:
    sequential = simulate(quarter, replications=4, seed=9, jobs=1)
    parallel = simulate(quarter, replications=4, seed=9, jobs=2)
    pd.testing.assert_frame_equal(sequential.per_replication, parallel.per_replication)
    pd.testing.assert_frame_equal(sequential.summary, parallel.summary)


def test_variants_see_the_same_leads(quarter: Scenario) -> None:
    measured = Variant(name="1h response", set={"sla.sales.first_response_hours": 1})
    quarter = quarter.model_copy(update={"variants": [*quarter.variants, measured]})
    result = simulate(quarter, replications=3, seed=2, event_log=True)
    names = result.scenario_names
    assert names == [
        "Baseline",
        "1h SLA with alerts",
        "1h SLA with reassignment",
        "8 reps",
        "8 reps, 1h SLA with reassignment",
        "1h response",
    ]
    table = result.per_replication.set_index(["scenario", "replication"])
    for name in names[1:]:
        for metric in ("leads", "mqls", "handed_off"):
            np.testing.assert_array_equal(table.loc[name][metric], table.loc["Baseline"][metric])
    events = result.events
    assert events is not None
    arrivals = events[events.event == "arrived"]
    base = arrivals[arrivals.scenario == "Baseline"][["replication", "lead", "time_hours", "fit"]]
    more = arrivals[arrivals.scenario == "8 reps"][["replication", "lead", "time_hours", "fit"]]
    pd.testing.assert_frame_equal(base.reset_index(drop=True), more.reset_index(drop=True))
    # Only the measurement differs between 'Baseline' and '1h response': the runs are the same.
    for metric in ("contacted", "opportunities", "closed_deals", "revenue"):
        np.testing.assert_array_equal(
            table.loc["1h response"][metric], table.loc["Baseline"][metric]
        )


def test_result_holds_replications_summary_and_event_log(quarter: Scenario) -> None:
    result = simulate(quarter, replications=3, seed=1, variants=False, event_log=True)
    assert list(result.per_replication.columns) == ["scenario", "replication", *METRIC_KEYS]
    assert len(result.per_replication) == 3
    summary = result.summary
    # Every metric that applies to the scenario: the AE tier's only with [ae].
    assert set(summary.metric) == {m.key for m in METRICS if m.applies_to(quarter)}
    assert {"ae_wait_hours_mean", "ae_breach_rate", "ae_utilization"}.isdisjoint(summary.metric)
    finite = summary.dropna(subset=["ci_low"])
    assert (finite.ci_low <= finite["mean"] + 1e-12).all()
    assert (finite["mean"] <= finite.ci_high + 1e-12).all()
    assert (summary.n <= 3).all()
    assert result.events is not None
    assert {"scenario", "replication", "time_hours", "lead", "source", "event", "rep"} <= set(
        result.events.columns
    )
    assert quarter.team.reps == 6  # the run left its scenario as it was


def test_more_reps_answer_faster_and_breach_less(quarter: Scenario) -> None:
    tight = quarter.with_overrides({"sla.sales.first_response_hours": 0.25, "team.reps": 2})
    more = tight.with_overrides({"team.reps": 5}, name="5 reps")
    a = simulate(tight, replications=6, seed=4, variants=False).per_replication
    b = simulate(more, replications=6, seed=4, variants=False).per_replication
    assert paired(a, b, "response_hours_mean")["ci_high"] < 0
    assert paired(a, b, "response_breach_rate")["ci_high"] < 0
    assert paired(a, b, "rep_utilization")["ci_high"] < 0


def test_a_higher_threshold_gives_fewer_mqls(quarter: Scenario) -> None:
    low = simulate(quarter, replications=4, seed=3, variants=False).per_replication
    high = simulate(
        quarter.with_overrides({"sla.marketing.mql_threshold": 80}, name="80"),
        replications=4,
        seed=3,
        variants=False,
    ).per_replication
    # The same leads with the same engagement: a higher bar can only drop MQLs.
    assert (high["mqls"].to_numpy() < low["mqls"].to_numpy()).all()


def test_slower_decay_gives_more_opportunities(quarter: Scenario) -> None:
    slow = quarter.with_overrides(
        {"response.connect_half_life_hours": 48, "response.qualify_half_life_hours": 240},
        name="slow decay",
    )
    a = simulate(quarter, replications=6, seed=8, variants=False).per_replication
    b = simulate(slow, replications=6, seed=8, variants=False).per_replication
    assert paired(a, b, "opportunities")["ci_low"] > 0
    assert paired(a, b, "contacted")["ci_low"] > 0


def test_an_unstable_team_is_reported(quarter: Scenario) -> None:
    swamped = quarter.with_overrides({"team.reps": 1, "team.lead_blocks": [[10, 10.5]]})
    result = simulate(swamped, replications=2, seed=1, variants=False)
    assert any("grows without bound" in w for w in result.warnings)
    assert not simulate(quarter, replications=2, seed=1, variants=False).warnings


MEASURED = {
    "scenario.name": "Measured otherwise",
    "scenario.description": "another description",
    "sla.sales.first_response_hours": 1,
    "sla.sales.clock": "calendar",
    "sla.marketing.monthly_mql_commitment": 999,
    "sla.marketing.acceptance_target": 0.3,
    "costs.rep_cost_per_month": 9000,
    "costs.ae_cost_per_month": 12000,
    "costs.currency": "EUR",
    "calendar.timezone": "America/Sao_Paulo",
    "sources.1.cost_per_lead": 45,  # "sources.*.cost_per_lead": any source's
}


def test_the_measured_only_keys_leave_the_simulation_event_for_event(quarter: Scenario) -> None:
    """The guard of sharing simulations: if the model ever reads one of these keys, this fails."""
    from sla_sim.model.replication import run_replication
    from sla_sim.model.world import MEASURED_ONLY, build_world, is_measured_only, simulation_key

    base = quarter.expand()[0]
    assert set(MEASURED_ONLY) == {re.sub(r"\.\d+\.", ".*.", key) for key in MEASURED}
    assert all(is_measured_only(key) for key in MEASURED)
    for key, value in MEASURED.items():
        other = base.with_overrides({key: value})
        assert simulation_key(other) == simulation_key(base), key
        a = run_replication(build_world(base), 4, 1).log.columns()
        b = run_replication(build_world(other), 4, 1).log.columns()
        for column in a:
            assert np.array_equal(a[column], b[column]), f"{key} changed {column}"
    assert simulation_key(base.with_overrides({"team.reps": 9})) != simulation_key(base)


def test_scenarios_sharing_a_simulation_give_what_each_gives_alone(quarter: Scenario) -> None:
    base = quarter.expand()[0]
    other = base.with_overrides({k: v for k, v in MEASURED.items() if k != "scenario.name"})
    other = other.with_overrides({}, name="Measured otherwise")
    together = simulate([base, other], 3, seed=8, variants=False)
    alone = simulate(other, 3, seed=8, variants=False)
    rows = together.per_replication[together.per_replication.scenario == "Measured otherwise"]
    pd.testing.assert_frame_equal(rows.reset_index(drop=True), alone.per_replication)
    a = together.metric(base.name, "response_breach_rate")["mean"]
    b = together.metric("Measured otherwise", "response_breach_rate")["mean"]
    assert a != b, "measured against other deadlines"


def test_scenarios_differing_only_in_costs_share_one_simulation(quarter: Scenario) -> None:
    from sla_sim.model.world import is_measured_only, simulation_key

    base = quarter.expand()[0]
    costed = base.with_overrides(
        {
            "costs.rep_cost_per_month": 8500,
            "costs.currency": "BRL",
            **{f"sources.{i}.cost_per_lead": 10.0 * (i + 1) for i in range(len(base.sources))},
        }
    )
    assert simulation_key(costed) == simulation_key(base)
    assert simulation_key(costed.with_overrides({"team.reps": 9})) != simulation_key(base)
    assert is_measured_only("sources.0.cost_per_lead")
    assert is_measured_only("costs.currency")
    assert not is_measured_only("sources.0.leads_per_month")
    assert not is_measured_only("sources.x.cost_per_lead"), "a source is named by its position"
    assert not is_measured_only("team.reps")
