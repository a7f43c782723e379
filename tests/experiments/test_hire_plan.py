"""The hiring plan (`optimize --hire-plan`): metrics over one month's leads, the greedy search
month by month with ramp and attrition, its answer run again, and the command's output.

The scenarios are small on purpose: a few hundred demo requests a month growing 20-30% a month
for six months, every lead handed off at once and attempted once (so a first attempt is all a
lead asks of a rep), a 4-business-hour response target, and a team that runs short mid-year."""

from __future__ import annotations

import itertools
import json
import math
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sla_sim.analysis.metrics import (
    BY_KEY,
    MONTHLY_KEYS,
    Facts,
    by_month,
    check_monthly,
    compute_metrics,
)
from sla_sim.analysis.series import monthly_series, summarise_series
from sla_sim.experiments.budget import estimate
from sla_sim.experiments.executors import LocalExecutor
from sla_sim.experiments.hire_plan import HirePlan, merge_changes, plan_hires, runs_at_most
from sla_sim.experiments.optimize import parse_constraint
from sla_sim.experiments.runner import event_frame, simulate
from sla_sim.model.replication import Replication, run_replication
from sla_sim.model.world import build_world
from sla_sim.scenario.file import load_scenario, parse_scenario_text
from sla_sim.scenario.schema import Change, Scenario

from conftest import sla_sim

GROWING = """\
[scenario]
name = "Growing"
start_date = 2027-01-04
months = {months}
warmup_days = {warmup}

[calendar]
open_hours = [9, 18]

[[sources]]
name = "Demo requests"
leads_per_month = 300
growth_per_month = {growth}
hand_raiser_share = 1.0
fit = 1.0
arrival = "business"

[handoff]
sync_delay_minutes = 0

[team]
reps = {reps}
attempt_minutes = {{ dist = "exponential", mean = 20 }}
prospecting_share = 0.5
{team}

[response]
connect_prob = 1.0
connect_floor = 1.0
qualify_prob = 0.5

[sla.sales]
first_response_hours = 4
min_attempts = 1
on_no_contact = "disqualify"
max_recycles = 0
"""

BREACHES = parse_constraint("response_breach_rate<=0.05")
BOUND = 0.05
REPLICATIONS = 10
SEED = 1
LONG_RAMP = "ramp = [0.25, 0.5, 0.75, 1.0]"


def growing(
    team: str = "", reps: int = 2, growth: float = 0.3, months: int = 6, warmup: float = 0
) -> Scenario:
    text = GROWING.format(team=team, reps=reps, growth=growth, months=months, warmup=warmup)
    return parse_scenario_text(text, "growing.toml")


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalExecutor]:
    with LocalExecutor(2) as executor:
        yield executor


def plan(scenario: Scenario, pool: LocalExecutor, **options: int) -> HirePlan:
    return plan_hires(
        scenario, [BREACHES], replications=REPLICATIONS, seed=SEED, executor=pool, **options
    )


def hire_months(found: HirePlan) -> list[int]:
    """The month of each hire, one entry a rep, in order."""
    return sorted(h["month"] for h in found.hires for _ in range(h["reps"]))


# -- metrics over one month's leads --------------------------------------------------------------


@pytest.fixture(scope="module")
def one_run() -> Replication:
    scenario = growing(reps=3, warmup=20)
    return run_replication(build_world(scenario), SEED, 0)


def test_the_months_split_the_counted_leads_and_their_handoffs(one_run: Replication) -> None:
    whole = Facts(one_run)
    bounds = one_run.world.month_bounds
    months = [Facts(one_run, arrived=(a, b)) for a, b in itertools.pairwise(bounds.tolist())]
    assert sum(m.n_leads for m in months) == whole.n_leads
    assert sum(m.within_deadline[1] for m in months) == whole.within_deadline[1]
    assert sum(m.within_deadline[0] for m in months) == whole.within_deadline[0]
    # A share over the horizon is the months' shares weighted by what each counts.
    monthly = by_month(one_run, ["response_breach_rate", "response_within_sla"])
    known = np.array([m.within_deadline[1] for m in months])
    horizon = compute_metrics(whole)["response_breach_rate"]
    weighted = np.nansum(monthly["response_breach_rate"] * known) / known.sum()
    assert weighted == pytest.approx(horizon)
    np.testing.assert_allclose(
        monthly["response_breach_rate"] + monthly["response_within_sla"], 1.0
    )
    # Facts narrowed from the whole horizon's give what facts made for the month give.
    for month, (a, b) in zip(months, itertools.pairwise(bounds.tolist()), strict=True):
        narrowed = whole.arrived_in(a, b)
        for key in MONTHLY_KEYS:
            made, shared = BY_KEY[key].compute(month), BY_KEY[key].compute(narrowed)
            assert made == pytest.approx(shared, nan_ok=True), key


def test_a_month_inside_the_warm_up_has_no_value(one_run: Replication) -> None:
    """20 days of warm-up: January's leads after day 20 count, and only those."""
    january = Facts(one_run, arrived=(0.0, float(one_run.world.month_bounds[1])))
    assert january.n_leads > 0
    assert january.n_leads == Facts(one_run, arrived=(480.0, 744.0)).n_leads
    assert (one_run.leads.arrival[january.counted] >= 480.0).all()
    warm = growing(reps=3, warmup=40)
    values = by_month(run_replication(build_world(warm), SEED, 0), ["response_breach_rate"])
    assert math.isnan(values["response_breach_rate"][0])  # January ends inside the warm-up
    assert not np.isnan(values["response_breach_rate"][1:]).any()


def test_only_shares_and_means_over_leads_can_be_taken_by_month() -> None:
    assert "response_breach_rate" in MONTHLY_KEYS
    for key in ("rep_utilization", "sales_cost", "closed_deals", "backlog_mean"):
        with pytest.raises(ValueError, match=f"{key} cannot be taken month by month") as error:
            check_monthly(key)
        assert "response_breach_rate" in str(error.value)  # it says which can
    with pytest.raises(ValueError, match="unknown metric"):
        check_monthly("deals")


def test_a_run_gives_monthly_metrics_as_series(pool: LocalExecutor) -> None:
    result = simulate(growing(), 3, seed=SEED, executor=pool, monthly=["response_breach_rate"])
    assert result.series is not None
    rows = result.series[result.series.series == monthly_series("response_breach_rate")]
    assert len(rows) == 3 * 6
    with pytest.raises(ValueError, match="rep_utilization cannot"):
        simulate(growing(), 2, seed=SEED, monthly=["rep_utilization"])


# -- a shorter horizon ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("team", "overrides"),
    [
        ("attrition_per_month = 0.15\nbackfill_days = 10\n" + LONG_RAMP, {}),
        (
            'lead_work = "checks"\ncheck_every_hours = 2',
            {"sla.sales.enforcement": "reassign", "sla.sales.reassign_after_minutes": 60},
        ),
        ('lead_work = "blocks"\nlead_blocks = [[10, 11.5], [15, 16]]', {}),
    ],
    ids=["ramp-attrition-backfill", "checks-reassignment", "blocks"],
)
def test_a_shorter_horizon_has_the_same_events_before_its_end(
    team: str, overrides: dict[str, object]
) -> None:
    """The claim a search over shorter horizons would rest on (the hire plan runs every
    candidate in full, see its module, and does not need it)."""
    scenario = growing(team + "\nchanges = [{ month = 2, reps = 1 }, { month = 5, reps = 1 }]")
    scenario = scenario.with_overrides(overrides)
    full = event_frame(run_replication(build_world(scenario), SEED, 3), "full")
    shorter = scenario.with_overrides(
        {"scenario.months": 3, "team.changes": [{"month": 2, "reps": 1}]}
    )
    world = build_world(shorter)
    cut = event_frame(run_replication(world, SEED, 3), "cut")
    columns = ["time_hours", "lead", "event", "episode", "rep", "attempt", "value"]

    def before(frame: pd.DataFrame) -> pd.DataFrame:
        kept = frame[frame.time_hours < world.horizon][columns]
        return kept.sort_values(columns).reset_index(drop=True)

    assert len(before(cut)) > 1000
    pd.testing.assert_frame_equal(before(full), before(cut))


# -- the plan ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_ramp(pool: LocalExecutor) -> HirePlan:
    return plan(growing("ramp = [1.0]"), pool)


@pytest.fixture(scope="module")
def long_ramp(pool: LocalExecutor) -> HirePlan:
    return plan(growing(LONG_RAMP), pool)


def test_a_growing_volume_needs_hires_as_it_grows(short_ramp: HirePlan) -> None:
    assert short_ramp.feasible
    assert short_ramp.hired >= 2
    assert short_ramp.months[0]["hires"] == 0  # the starting team copes at first
    headcounts = [m["headcount"] for m in short_ramp.months]
    assert headcounts == sorted(headcounts)
    assert headcounts[-1] == 2 + short_ramp.hired
    assert short_ramp.runs <= runs_at_most(growing(), short_ramp.max_hires)


def test_a_longer_ramp_hires_earlier(short_ramp: HirePlan, long_ramp: HirePlan) -> None:
    short, long = hire_months(short_ramp), hire_months(long_ramp)
    assert long[0] <= short[0]
    assert len(long) > len(short) or any(a < b for a, b in zip(long, short, strict=False))


def test_the_plan_keeps_the_constraint_when_run(pool: LocalExecutor, long_ramp: HirePlan) -> None:
    """The plan set as the file's team.changes, run with the same seed and replications: every
    month's mean meets the bound, as does its interval's lower end, and both are as reported."""
    scenario = growing(LONG_RAMP).with_overrides({"team.changes": long_ramp.changes})
    result = simulate(
        scenario,
        REPLICATIONS,
        seed=SEED,
        executor=pool,
        variants=False,
        monthly=["response_breach_rate"],
    )
    assert result.series is not None
    means = summarise_series(result.series).query("series == 'response_breach_rate by month'")
    assert len(means) == 6
    for (_, row), reported in zip(means.iterrows(), long_ramp.months, strict=True):
        shown = reported["metrics"]["response_breach_rate"]
        assert row["mean"] <= BOUND
        assert row["ci_low"] <= BOUND
        assert shown["ci_low"] <= row["mean"] <= shown["ci_high"]
        assert row["mean"] == pytest.approx(shown["mean"])
        assert reported["holds"] is True


def test_attrition_takes_more_hires(pool: LocalExecutor, short_ramp: HirePlan) -> None:
    leaving = plan(growing("attrition_per_month = 0.1\nbackfill_days = 30"), pool)
    assert leaving.feasible
    assert leaving.hired > short_ramp.hired
    assert all(m["on_team"] < m["headcount"] for m in leaving.months[1:])


def test_a_team_that_keeps_up_gets_no_hire(pool: LocalExecutor) -> None:
    found = plan(growing(reps=8), pool)
    assert found.feasible
    assert found.hires == []
    assert found.runs == 1
    assert found.toml() == ""


def test_the_bound_on_hires_makes_a_plan_infeasible(pool: LocalExecutor) -> None:
    found = plan(growing(), pool, max_hires=1)
    assert not found.feasible
    assert not found.stalled
    assert found.hired == 1
    assert found.failing_month is not None
    assert found.months[found.failing_month - 1]["holds"] is False


def test_when_reps_are_not_what_is_short_the_search_stops(pool: LocalExecutor) -> None:
    """Half the handoffs left alone: no number of reps answers them, so the search stops at
    once rather than hiring up to its bound."""
    found = plan(growing("ignore_share = 0.5", reps=4), pool)
    assert not found.feasible
    assert found.stalled
    assert found.failing_month == 1
    assert found.runs <= 3


def test_the_estimate_before_a_plan_is_its_bound_on_runs_times_one_run() -> None:
    scenario = growing()
    one = estimate([scenario], REPLICATIONS, workers=2)
    bound = runs_at_most(scenario, 6)
    assert bound == 1 + 6 * (1 + 3)  # six months: month f, then at most 3 bisection steps
    planned = estimate([scenario], REPLICATIONS, workers=2, runs=bound)
    assert planned.seconds == pytest.approx(bound * one.seconds)
    assert planned.simulated_leads == pytest.approx(bound * one.simulated_leads)
    assert planned.peak_bytes == one.peak_bytes  # the runs come one after another


def test_the_files_own_changes_are_kept_and_merged_by_month() -> None:
    own = [Change(month=2, reps=1), Change(month=4, reps=-1), Change(month=2, reps=1)]
    merged = merge_changes(own, {2: 1, 4: 1, 5: 2})
    assert merged == [{"month": 2, "reps": 3}, {"month": 5, "reps": 2}]


# -- the command -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def growing_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hire") / "growing.toml"
    path.write_text(GROWING.format(team=LONG_RAMP, reps=2, growth=0.3, months=6, warmup=0))
    return path


def test_the_command_prints_a_plan_that_pastes_into_the_file(growing_file: Path) -> None:
    args = [growing_file, "--hire-plan", "--constraint", "response_breach_rate<=0.05"]
    args += ["-n", "4", "--seed", str(SEED)]
    out = sla_sim("optimize", *args)
    assert out.returncode == 0, out.stderr
    assert "Answer:" in out.stdout
    assert "Response breaches (response_breach_rate)" in out.stdout
    block = out.stdout[out.stdout.index("[[team.changes]]") :]
    text = growing_file.read_text() + "\n" + block
    tomllib.loads(text)  # valid TOML after the file's own [team] and the tables after it
    planned = parse_scenario_text(text, "pasted.toml")
    document = json.loads(sla_sim("optimize", *args, "--json").stdout)
    assert [c.model_dump() for c in planned.team.changes] == document["changes"]
    assert document["toml"] == block.strip() + "\n"
    assert len(document["months"]) == 6
    assert document["feasible"] is True
    assert load_scenario(growing_file).team.changes == []  # the file itself is left alone


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "--hire-plan",
                "--vary",
                "team.reps=1:4",
                "--constraint",
                "response_breach_rate<=0.05",
            ],
            "leave out --vary",
        ),
        (
            [
                "--hire-plan",
                "--objective",
                "closed_deals",
                "--constraint",
                "response_breach_rate<=0.05",
            ],
            "leave out --objective",
        ),
        (["--hire-plan"], "needs at least one --constraint"),
        (["--hire-plan", "--constraint", "rep_utilization<=0.8"], "cannot be taken month by month"),
        (
            [
                "--max-hires",
                "2",
                "--vary",
                "team.reps=1:4",
                "--constraint",
                "response_breach_rate<=0.05",
            ],
            "--max-hires applies only with --hire-plan",
        ),
        (["--constraint", "response_breach_rate<=0.05"], "give --vary"),
    ],
)
def test_bad_combinations_get_one_line_and_exit_2(
    growing_file: Path, args: list[str], message: str
) -> None:
    out = sla_sim("optimize", growing_file, *args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert message in lines[0]
    assert "Traceback" not in out.stderr
    assert out.stdout == ""
