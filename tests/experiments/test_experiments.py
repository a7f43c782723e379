"""The experiment layer: paired comparisons, sweeps, optimisation, precision, executors."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from sla_sim import load_scenario, simulate
from sla_sim.analysis.intervals import interval
from sla_sim.experiments.compare import compare
from sla_sim.experiments.executors import DaskExecutor, InlineExecutor
from sla_sim.experiments.optimize import optimize, parse_constraint, parse_objective
from sla_sim.experiments.precision import simulate_to_precision, worst_precision
from sla_sim.experiments.sweep import parse_values, run_sweep
from sla_sim.scenario.file import load_scenario as load
from sla_sim.scenario.file import parse_scenario_text
from sla_sim.scenario.schema import Scenario, ScenarioError
from sla_sim.verification import theory
from sla_sim.verification.setups import ERLANG_C, QueueSetup

from conftest import ROOT, SCENARIOS, SLA_SIM, sla_sim


@pytest.fixture(scope="module")
def quarter() -> Scenario:
    return load_scenario(SCENARIOS / "baseline.toml").with_overrides({"scenario.months": 3})


# -- comparisons ---------------------------------------------------------------------------------


def test_paired_differences_are_far_narrower_than_independent_ones(quarter: Scenario) -> None:
    one_more = quarter.with_overrides({"team.reps": 7}, name="7 reps")
    together = simulate([quarter, one_more], 12, seed=4, variants=False)
    paired = compare(together, quarter.name, ["contacted", "response_hours_mean"])
    rows = paired.differences.set_index("metric")
    for metric in ("contacted", "response_hours_mean"):
        # The same difference from independent seeds: each scenario with its own seed.
        a = simulate(quarter, 12, seed=4, variants=False).per_replication[metric]
        b = simulate(one_more, 12, seed=99, variants=False).per_replication[metric]
        independent = interval(b.to_numpy() - a.to_numpy())
        paired_width = rows.loc[metric, "ci_high"] - rows.loc[metric, "ci_low"]
        assert paired_width < 0.25 * (independent["ci_high"] - independent["ci_low"]), metric
    # One more rep answers faster, and the paired interval is sharp enough to say so.
    assert rows.loc["response_hours_mean", "ci_high"] < 0
    assert rows.loc["response_hours_mean", "p_better"] > 0.99


def test_identical_scenarios_differ_by_exactly_zero(quarter: Scenario) -> None:
    twin = quarter.with_overrides({}, name="Twin")
    result = simulate([quarter, twin], 4, seed=1, variants=False)
    differences = compare(result, quarter.name).differences
    finite = differences.dropna(subset=["difference"])
    assert len(finite) > 20
    assert (finite.difference == 0).all()
    assert (finite.ci_low == 0).all()
    assert (finite.ci_high == 0).all()


def test_comparison_with_the_best_names_the_procedure_and_flags_clear_losers(
    quarter: Scenario,
) -> None:
    few = quarter.with_overrides({"team.reps": 1, "sla.sales.first_response_hours": 0.25})
    some = few.with_overrides({"team.reps": 3}, name="3 reps")
    many = few.with_overrides({"team.reps": 8}, name="8 reps")
    result = simulate([few, some, many], 8, seed=2, variants=False)
    best = compare(result, few.name, ["response_breach_rate"]).best
    assert set(best.best) == {"8 reps"}
    one_rep = best[best.scenario == few.name].iloc[0]
    assert one_rep.distinguishable
    assert one_rep.confidence == pytest.approx(1 - 0.05 / 2)


def test_an_unknown_baseline_is_refused(quarter: Scenario) -> None:
    result = simulate(quarter, 2, seed=1, variants=False)
    with pytest.raises(ValueError, match="no scenario named"):
        compare(result, "Nope")


# -- sweeps --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("4,6,8", [4, 6, 8]),
        ("1:4", [1, 2, 3, 4]),
        ("0.5:1.5:0.5", [0.5, 1.0, 1.5]),
        ("2:10:4", [2, 6, 10]),
        ('"fifo","newest_first"', ["fifo", "newest_first"]),
        ("fifo,newest_first", ["fifo", "newest_first"]),
        ("true,false", [True, False]),
    ],
)
def test_sweep_values(text: str, values: list[object]) -> None:
    assert parse_values(text) == values


@pytest.mark.parametrize("text", ["1.5:3", "5:1", "1:2:0", "a:b"])
def test_bad_ranges_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=text.split(":")[0]):
        parse_values(text)


def test_a_bad_key_or_value_is_refused_before_anything_runs(quarter: Scenario) -> None:
    with pytest.raises(ScenarioError) as caught:
        run_sweep(quarter, {"team.repz": [1, 2]}, 2)
    assert "team.repz" in caught.value.problems[0]
    with pytest.raises(ScenarioError) as caught:
        run_sweep(quarter, {"team.reps": [2, -1]}, 2)
    assert "team.reps" in "\n".join(caught.value.problems)
    assert "-1" in "\n".join(caught.value.problems)


def test_sweep_is_tidy_and_shares_random_numbers(quarter: Scenario, tmp_path: Path) -> None:
    axes = {"team.reps": [4, 6], "sla.sales.first_response_hours": [1, 24]}
    result = run_sweep(quarter, axes, 3, seed=5, jobs=2, folder=tmp_path)
    table = result.table
    assert {"point", "team.reps", "sla.sales.first_response_hours", "metric", "mean"} <= set(table)
    assert len(table) == 4 * table.metric.nunique()
    # The point with the base's own terms reproduces the base run exactly.
    base = simulate(quarter, 3, seed=5, variants=False).summary.set_index("metric")["mean"]
    same = table[(table["team.reps"] == 6) & (table["sla.sales.first_response_hours"] == 24)]
    pd.testing.assert_series_equal(
        same.set_index("metric")["mean"], base, check_names=False, check_index_type=False
    )
    assert (tmp_path / "sweep.csv").exists()
    assert json.loads((tmp_path / "sweep.json").read_text())["axes"] == axes
    assert len(list((tmp_path / "points").iterdir())) == 4


def test_an_interrupted_sweep_keeps_its_points_and_resumes(
    quarter: Scenario, tmp_path: Path
) -> None:
    axes = {"team.reps": [3, 4, 5, 6]}
    kept = []

    def stop_after_two(index: int) -> None:
        kept.append(index)
        if len(kept) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(quarter, axes, 2, seed=1, jobs=1, folder=tmp_path, on_point=stop_after_two)
    assert len(list((tmp_path / "points").iterdir())) == 2
    assert not (tmp_path / "sweep.csv").exists()
    resumed = run_sweep(quarter, axes, 2, seed=1, jobs=1, folder=tmp_path, resume=True)
    assert resumed.skipped == 2
    fresh = run_sweep(quarter, axes, 2, seed=1, jobs=1)
    pd.testing.assert_frame_equal(resumed.table, fresh.table)


# -- optimisation --------------------------------------------------------------------------------


def test_constraints_and_objectives_are_parsed() -> None:
    c = parse_constraint("response_breach_rate<=0.05")
    assert (c.metric, c.op, c.bound) == ("response_breach_rate", "<=", 0.05)
    assert c.holds(0.05)
    assert not c.holds(0.06)
    assert parse_objective("closed_deals") == ("closed_deals", "max")
    assert parse_objective("response_hours_mean") == ("response_hours_mean", "min")
    assert parse_objective("min:rep_utilization") == ("rep_utilization", "min")
    for bad in ("deals<=3", "closed_deals=3", "closed_deals<=x"):
        with pytest.raises(ValueError, match=re.escape(repr(bad))):
            parse_constraint(bad)
    with pytest.raises(ValueError, match="max:rep_utilization"):
        parse_objective("rep_utilization")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("leads_per_hour", "attempt_minutes"), [(14.0, 30.0), (20.0, 30.0), (6.0, 60.0)]
)
def test_fewest_reps_for_80_percent_in_six_minutes_is_the_erlang_c_answer(
    leads_per_hour: float, attempt_minutes: float, tmp_path: Path
) -> None:
    setup = QueueSetup("staffing", 1, leads_per_hour, attempt_minutes, 0.1, replications=8)
    path = tmp_path / "erlang.toml"
    path.write_text(setup.toml())
    scenario = load(path)
    result = optimize(
        scenario,
        {"team.reps": list(range(1, 41))},
        [parse_constraint("response_within_sla>=0.8")],
        replications=8,
        seed=3,
        jobs=2,
    )
    staffing = theory.erlang_c_staffing(leads_per_hour, 60 / attempt_minutes, 0.1, 0.8)
    assert result.value == {"team.reps": staffing}
    roles = [item["role"] for item in result.evidence]
    assert roles == ["answer", "one step below"]
    assert result.evidence[1]["point"] == {"team.reps": staffing - 1}
    assert result.evidence[1]["metrics"]["response_within_sla"]["mean"] < 0.8


def test_an_unreachable_constraint_has_no_answer(quarter: Scenario) -> None:
    result = optimize(
        quarter,
        {"team.reps": [1, 2]},
        [parse_constraint("closed_deals>=100000")],
        replications=2,
        seed=1,
        jobs=1,
    )
    assert result.value is None
    assert not result.feasible


def test_an_objective_searches_the_grid_within_the_constraints(quarter: Scenario) -> None:
    result = optimize(
        quarter,
        {"team.reps": [2, 4, 6]},
        [parse_constraint("rep_utilization<=0.9")],
        objective=("response_hours_mean", "min"),
        replications=2,
        seed=1,
        jobs=2,
    )
    assert result.value == {"team.reps": 6}
    assert len(result.evaluated) == 3


# -- precision and executors ----------------------------------------------------------------------


def test_precision_adds_replications_until_reached(quarter: Scenario) -> None:
    small = quarter.with_overrides({"scenario.months": 1})
    result, reached = simulate_to_precision(
        small, 0.05, min_replications=4, max_replications=60, seed=2, jobs=2, variants=False
    )
    assert result.replications > 4
    assert reached == pytest.approx(worst_precision(result, 0.05))
    assert reached <= 0.05 or result.replications == 60
    # The replications are the first n of the seed: the same as one run of that many.
    direct = simulate(small, result.replications, seed=2, jobs=2, variants=False)
    pd.testing.assert_frame_equal(result.per_replication, direct.per_replication)


def test_a_dask_cluster_gives_the_same_numbers(quarter: Scenario) -> None:
    pytest.importorskip("distributed")
    local = simulate(quarter, 4, seed=6, jobs=1, variants=False)
    cluster = DaskExecutor(jobs=2)  # a LocalCluster of two worker processes on loopback
    try:
        remote = simulate(quarter, 4, seed=6, variants=False, executor=cluster)
    finally:
        cluster.close()
    pd.testing.assert_frame_equal(local.per_replication, remote.per_replication)


# -- the commands ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    text = (SCENARIOS / "baseline.toml").read_text().replace("months = 12 ", "months = 2 ")
    path = tmp_path_factory.mktemp("cli") / "short.toml"
    path.write_text(text)
    return str(path)


def test_compare_command_json(short_file: str) -> None:
    out = sla_sim("compare", short_file, "--baseline", "Baseline", "-n", "3", "--json")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert document["baseline"] == "Baseline"
    assert {row["scenario"] for row in document["differences"]} == {
        "1h SLA with alerts",
        "1h SLA with reassignment",
        "8 reps",
        "8 reps, 1h SLA with reassignment",
    }
    assert "Bonferroni" in document["multiple_comparisons"]
    bad = sla_sim("compare", short_file, "--baseline", "Nobody", "-n", "2")
    assert bad.returncode == 2
    assert "Nobody" in bad.stderr


def test_sweep_command_refuses_a_bad_key_before_running(short_file: str, tmp_path: Path) -> None:
    out = sla_sim("sweep", short_file, "--set", "team.repz=1,2", "--out", str(tmp_path / "s"))
    assert out.returncode == 2
    assert "team.repz" in out.stderr
    assert not (tmp_path / "s").exists()
    out = sla_sim("sweep", short_file, "--set", "team.reps=5:6", "-n", "2", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    assert {row["team.reps"] for row in rows} == {5, 6}


def test_optimize_command_gives_the_value_and_its_evidence(short_file: str) -> None:
    out = sla_sim(
        "optimize",
        short_file,
        "--vary",
        "team.reps=1:8",
        "--constraint",
        "response_hours_p90<=3",
        "--constraint",
        "rep_utilization<=0.95",
        "-n",
        "2",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert isinstance(document["value"], int)
    assert document["evidence"][0]["role"] == "answer"
    bad = sla_sim("optimize", short_file, "--vary", "team.reps=1:8", "--constraint", "deals<3")
    assert bad.returncode == 2
    assert "deals" in bad.stderr


def test_warmup_command_gives_the_rule_applied_to_the_files_own_backlog(short_file: str) -> None:
    from sla_sim.experiments.warmup import study_warmup

    out = sla_sim("warmup", short_file, "-n", "3", "--step-hours", "24", "--seed", "5", "--json")
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert "MSER-5" in document["rule"]
    advice = study_warmup(load(short_file), 3, 5, 24.0, executor=InlineExecutor()).advice
    assert document["warmup_days"] == advice.warmup_days
    assert document["truncation_hours"] == advice.truncation_hours
    assert document["at_limit"] == advice.at_limit


def test_an_overloaded_start_needs_a_warmup_that_an_idle_desk_does_not() -> None:
    from sla_sim.experiments.warmup import study_warmup

    setup = ERLANG_C[1]  # M/M/5 at 80%: it starts empty and fills up over hours
    busy = parse_scenario_text(setup.toml().replace("warmup_days = 3.0", "warmup_days = 0.0"))
    idle = busy.with_overrides({"team.reps": 200})
    kwargs = {"executor": InlineExecutor()}
    loaded = study_warmup(busy.with_overrides({"team.reps": 4}), 4, 1, 1.0, **kwargs)  # 100% busy
    idle_cut = study_warmup(idle, 4, 1, 1.0, **kwargs).advice.truncation_hours
    assert loaded.advice.truncation_hours > idle_cut


def test_run_with_precision_reports_what_it_reached(short_file: str) -> None:
    out = sla_sim(
        "run", short_file, "-n", "3", "--precision", "0.5", "--max-replications", "6", "--json"
    )
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert document["precision"]["asked"] == 0.5
    assert 3 <= document["replications"] <= 6
    assert "precision" in out.stderr


def test_every_command_takes_json() -> None:
    for command in ("run", "validate", "compare", "sweep", "optimize", "funnel", "warmup"):
        help_text = sla_sim(command, "--help").stdout
        assert "--json" in help_text, command


def test_a_folder_holding_another_sweep_is_not_mixed_in(quarter: Scenario, tmp_path: Path) -> None:
    run_sweep(quarter, {"team.reps": [3, 4]}, 2, seed=1, jobs=1, folder=tmp_path)
    with pytest.raises(ValueError, match="already holds sweep points"):
        run_sweep(quarter, {"team.reps": [3, 4]}, 2, seed=1, jobs=1, folder=tmp_path)
    with pytest.raises(ValueError, match="another sweep"):
        run_sweep(
            quarter, {"team.reps": [3, 4, 5]}, 2, seed=1, jobs=1, folder=tmp_path, resume=True
        )
    with pytest.raises(ValueError, match="another sweep"):
        run_sweep(quarter, {"team.reps": [3, 4]}, 2, seed=2, jobs=1, folder=tmp_path, resume=True)


def test_the_files_sweep_table_accepts_lists_and_ranges(tmp_path: Path) -> None:
    text = (SCENARIOS / "baseline.toml").read_text().replace("months = 12 ", "months = 1 ")
    text += '\n[sweep]\n"team.reps" = "5:6"\n"team.priority" = ["fifo", "newest_first"]\n'
    path = tmp_path / "swept.toml"
    path.write_text(text)
    assert load(path).sweep == {"team.reps": "5:6", "team.priority": ["fifo", "newest_first"]}
    out = sla_sim("sweep", str(path), "-n", "2", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    points = {(row["team.reps"], row["team.priority"]) for row in rows}
    assert points == {(5, "fifo"), (5, "newest_first"), (6, "fifo"), (6, "newest_first")}


def test_ctrl_c_stops_a_run_cleanly(tmp_path: Path) -> None:
    command = [*SLA_SIM, "run", "scenarios/baseline.toml", "-n", "400", "-j", "2", "--out"]
    process = subprocess.Popen(
        [*command, str(tmp_path / "out")], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        process.wait(timeout=3)  # it cannot finish 400 replications this soon
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "out" / "summary.csv").exists()


def test_a_sweep_of_reps_and_an_enforced_target_gives_different_rows_and_a_real_frontier() -> None:
    from sla_sim.experiments.sweep import run_sweep

    baseline = load_scenario(SCENARIOS / "baseline.toml").expand()[0]
    baseline = baseline.with_overrides(
        {
            "scenario.months": 2,
            "sla.sales.enforcement": "reassign",
            "sla.sales.reassign_after_minutes": 30,
        }
    )
    axes = {"team.reps": [4, 6], "sla.sales.first_response_hours": [1, 4, 24]}
    result = run_sweep(baseline, axes, 3, seed=4, executor=InlineExecutor())
    response = result.metric("response_hours_mean").set_index(list(axes))["mean"]
    for reps in axes["team.reps"]:
        # The target acts: each row of the same team is a different run.
        assert response.loc[reps].nunique() == len(axes["sla.sales.first_response_hours"])
    frontier = result.frontier()
    best = frontier[frontier.frontier]
    assert any(not label.endswith(", 24") for label in best.label), frontier
