"""The model reproduces theory where theory knows the answer (SPEC §5), through the real
scenario-file path: a file written, loaded and simulated. Tolerances are four standard errors of
the replications' own mean; each run is long enough that the band is narrow."""

from __future__ import annotations

import pytest

from sla_sim.verification.setups import (
    ERLANG_A,
    ERLANG_C,
    Check,
    QueueSetup,
    check_funnel,
    check_queue,
)

SHARE_BAND = 0.04  # a share must be pinned down to +-4 points at least
RELATIVE_BAND = 0.2  # a mean to +-20% at least


def assert_agrees(checks: list[Check]) -> None:
    for check in checks:
        assert check.band > 0, f"{check.metric}: no spread across replications to judge by"
        if check.metric.endswith(("_sla", "_share")):
            assert check.band <= SHARE_BAND, f"{check.setup} {check.metric}: run too short"
        else:
            assert check.band <= RELATIVE_BAND * abs(check.theory), f"{check.setup}: too short"
        assert check.agrees, check


def _param(setup: QueueSetup) -> object:
    slow = setup.reps * setup.leads_per_hour > 300
    return pytest.param(setup, id=setup.name, marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("setup", [_param(s) for s in ERLANG_C])
def test_erlang_c_service_level_mean_wait_littles_law_and_load(setup: QueueSetup) -> None:
    checks = check_queue(setup)
    assert {c.metric for c in checks} == {
        "response_within_sla",
        "response_hours_mean",
        "backlog_mean",
        "rep_utilization",
    }
    assert_agrees(checks)


@pytest.mark.parametrize("setup", [_param(s) for s in ERLANG_A])
def test_erlang_a_share_lost_cold_and_answered_in_time(setup: QueueSetup) -> None:
    checks = check_queue(setup)
    assert {"lost_cold_share", "response_within_sla"} <= {c.metric for c in checks}
    assert_agrees(checks)


def test_funnel_counts_are_the_product_of_the_stage_probabilities() -> None:
    checks = check_funnel()
    for check in checks:
        assert check.band <= 0.1 * check.theory, f"{check.metric}: run too short"
    assert_agrees(checks)
