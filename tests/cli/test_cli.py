"""The command line as a user runs it (SPEC §6): `sla-sim run` and `sla-sim validate` in a subprocess.

Runs are kept small: the baseline cut to two months, two or three replications, fixed seeds.
"""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sla_sim import load_scenario
from sla_sim.analysis.metrics import METRICS

from conftest import SCENARIOS, SPEC_METRICS, sla_sim

SUMMARY_COLUMNS = ["scenario", "metric", "mean", "std", "ci_low", "ci_high", "n"]
RESULT_FILES = ("summary.json", "summary.csv", "replications.csv")
BAD_INPUT = 2


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr


def short(source: Path, folder: Path, *changes: tuple[str, str], months: int = 2) -> Path:
    """`source` cut to `months` months (plus other (old, new) edits), written into `folder`."""
    text = source.read_text()
    for old, new in [("months = 12 ", f"months = {months} "), *changes]:
        assert old in text, f"{old!r} is not in {source.name} any more: update the test"
        text = text.replace(old, new, 1)
    path = folder / source.name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def small(folder: Path) -> Path:
    """The baseline, two months long."""
    return short(SCENARIOS / "baseline.toml", folder)


@pytest.fixture(scope="module")
def names(small: Path) -> list[str]:
    return [s.name for s in load_scenario(small).expand()]


@pytest.fixture(scope="module")
def seed5(small: Path, folder: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`run small.toml --replications 3 --seed 5 --jobs 1 --out DIR`, shared by several tests."""
    out = folder / "seed5"
    result = sla_sim(
        "run", small, "--replications", "3", "--seed", "5", "--jobs", "1", "--out", out, cwd=folder
    )
    return result, out


def run_into(small: Path, folder: Path, name: str, *options: str) -> Path:
    out = folder / name
    result = sla_sim("run", small, "--replications", "3", *options, "--out", out, cwd=folder)
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    return out


# ---------------------------------------------------------------------------------------------
# run: the table and the result files


def test_run_prints_a_table_of_every_scenario_and_metric(
    seed5: tuple[subprocess.CompletedProcess[str], Path], names: list[str]
) -> None:
    result, _ = seed5
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    for name in names:
        assert name in result.stdout, f"scenario {name!r} missing from the table"
    for metric in METRICS:
        if metric.key.startswith("ae_"):  # the baseline has no account executives: no n/a row
            assert metric.label not in result.stdout, metric.label
        else:
            assert metric.label in result.stdout, f"metric {metric.label!r} missing from the table"


def test_run_writes_the_result_files_and_each_candidates_scenario_file(
    seed5: tuple[subprocess.CompletedProcess[str], Path], names: list[str]
) -> None:
    result, out = seed5
    assert result.returncode == 0, result.stderr
    for name in (*RESULT_FILES, "series.csv"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    expected = sorted([*RESULT_FILES, "series.csv", "scenarios"])
    assert sorted(p.name for p in out.iterdir()) == expected, "no stray files"
    candidates = sorted((out / "scenarios").iterdir())
    assert [load_scenario(p).name for p in candidates] == names


def test_summary_csv_has_every_metric_of_every_scenario_with_its_interval(
    seed5: tuple[subprocess.CompletedProcess[str], Path], names: list[str]
) -> None:
    _, out = seed5
    summary = pd.read_csv(out / "summary.csv")
    assert set(SUMMARY_COLUMNS) <= set(summary.columns), list(summary.columns)
    assert list(summary.scenario.unique()) == names
    for name in names:
        rows = summary[summary.scenario == name]
        assert set(SPEC_METRICS) <= set(rows.metric), set(SPEC_METRICS) - set(rows.metric)
        assert not rows.metric.duplicated().any()
    per_replication = pd.read_csv(out / "replications.csv")
    with_deals = (per_replication.closed_deals > 0).groupby(per_replication.scenario).sum()
    for row in summary.itertuples():
        if math.isnan(row.mean):
            continue
        # A cost per deal is undefined in a replication without deals.
        assert row.n == (with_deals[row.scenario] if row.metric == "cost_per_deal" else 3), row
        slack = 1e-9 * max(1.0, abs(row.mean))
        assert row.ci_low - slack <= row.mean <= row.ci_high + slack, row
        assert row.std >= 0, row
    counts = summary[summary.metric == "leads"]
    assert (counts["mean"] > 0).all(), "every scenario has leads"


def test_replications_csv_has_one_row_per_scenario_and_replication(
    seed5: tuple[subprocess.CompletedProcess[str], Path], names: list[str]
) -> None:
    _, out = seed5
    per_replication = pd.read_csv(out / "replications.csv")
    assert {"scenario", "replication", *SPEC_METRICS} <= set(per_replication.columns)
    assert len(per_replication) == len(names) * 3
    pairs = set(zip(per_replication.scenario, per_replication.replication, strict=True))
    assert pairs == set(itertools.product(names, range(3)))


def test_summary_json_matches_the_run(
    seed5: tuple[subprocess.CompletedProcess[str], Path], names: list[str]
) -> None:
    _, out = seed5
    document = json.loads((out / "summary.json").read_text())
    assert document["seed"] == 5
    assert document["replications"] == 3
    assert [s["name"] for s in document["scenarios"]] == names
    summary = pd.read_csv(out / "summary.csv")
    for scenario in document["scenarios"]:
        for metric in SPEC_METRICS:
            values = scenario["metrics"][metric]
            assert set(SUMMARY_COLUMNS[2:]) <= set(values), metric
            row = summary[(summary.scenario == scenario["name"]) & (summary.metric == metric)]
            if values["mean"] is not None:
                assert values["mean"] == pytest.approx(float(row["mean"].iloc[0]), rel=1e-12)


def test_run_json_prints_one_json_document(small: Path, folder: Path, names: list[str]) -> None:
    result = sla_sim("run", small, "--replications", "2", "--seed", "5", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    document = json.loads(result.stdout)
    assert [s["name"] for s in document["scenarios"]] == names
    for scenario in document["scenarios"]:
        assert set(SPEC_METRICS) <= set(scenario["metrics"])
        assert scenario["metrics"]["leads"]["n"] == 2


# ---------------------------------------------------------------------------------------------
# run: the same numbers whatever the workers, a seed fixes them


def test_one_or_two_workers_give_byte_identical_results(
    seed5: tuple[subprocess.CompletedProcess[str], Path], small: Path, folder: Path
) -> None:
    _, one = seed5
    two = run_into(small, folder, "jobs2", "--seed", "5", "--jobs", "2")
    assert (two / "summary.csv").read_bytes() == (one / "summary.csv").read_bytes()
    assert (two / "replications.csv").read_bytes() == (one / "replications.csv").read_bytes()


def test_the_same_seed_twice_gives_identical_files(
    seed5: tuple[subprocess.CompletedProcess[str], Path], small: Path, folder: Path
) -> None:
    _, first = seed5
    again = run_into(small, folder, "again", "--seed", "5", "--jobs", "1")
    for name in RESULT_FILES:
        assert (again / name).read_bytes() == (first / name).read_bytes(), name


def test_a_different_seed_gives_different_numbers(
    seed5: tuple[subprocess.CompletedProcess[str], Path], small: Path, folder: Path
) -> None:
    _, five = seed5
    six = run_into(small, folder, "seed6", "--seed", "6", "--jobs", "1")
    assert (six / "summary.csv").read_bytes() != (five / "summary.csv").read_bytes()
    assert (six / "replications.csv").read_bytes() != (five / "replications.csv").read_bytes()
    assert json.loads((six / "summary.json").read_text())["seed"] == 6


# ---------------------------------------------------------------------------------------------
# run: the per-lead event log

LOG_COLUMNS = {"scenario", "replication", "time_hours", "lead", "event", "source"}


def _check_lead_log(log: pd.DataFrame, names: list[str], small: Path) -> None:
    assert set(log.columns) >= LOG_COLUMNS, list(log.columns)
    assert set(log.scenario) == set(names)
    assert set(log.replication) == {0, 1}
    assert "arrived" in set(log.event)
    sources = {s.name for s in load_scenario(small).sources}
    assert set(log.source) <= sources
    horizon = load_scenario(small).horizon_hours
    assert log.time_hours.between(0, horizon).all()


def test_lead_log_csv_is_written_beside_the_results(
    small: Path, folder: Path, names: list[str], tmp_path: Path
) -> None:
    log_path = tmp_path / "leads.csv"
    out = tmp_path / "out"
    result = sla_sim(
        "run", small, "-n", "2", "--seed", "3", "--out", out, "--lead-log", log_path, cwd=folder
    )
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    log = pd.read_csv(log_path)
    _check_lead_log(log, names, small)
    for name in RESULT_FILES:
        assert (out / name).is_file(), name
    # The team's own events: handoffs left alone, alerts, and moves from one rep to another.
    events = log.groupby("scenario").event.agg(set)
    assert "ignored" in events["Baseline"]
    assert not {"alerted", "reassigned", "displaced"} & events["Baseline"]
    assert {"alerted", "displaced"} <= events["1h SLA with alerts"]
    assert "reassigned" in events["1h SLA with reassignment"]
    moved = log[log.event == "reassigned"]
    assert (moved.rep != moved.attempt).all()
    assert (moved.rep >= 0).all()


def test_lead_log_parquet_is_written(
    small: Path, folder: Path, names: list[str], tmp_path: Path
) -> None:
    log_path = tmp_path / "leads.parquet"
    result = sla_sim("run", small, "-n", "2", "--seed", "3", "--lead-log", log_path, cwd=folder)
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    _check_lead_log(pd.read_parquet(log_path), names, small)


def test_lead_log_with_an_unsupported_ending_is_refused(small: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "leads.txt"
    out = tmp_path / "out"
    result = sla_sim("run", small, "-n", "2", "--out", out, "--lead-log", log_path, cwd=tmp_path)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert ".csv" in result.stderr
    assert ".parquet" in result.stderr
    assert not log_path.exists()
    assert not out.exists() or not any(out.iterdir())


# ---------------------------------------------------------------------------------------------
# Bad input: exit status 2, the dotted key on stderr, no traceback, nothing written


@pytest.fixture(scope="module")
def bad(folder: Path) -> Path:
    path = folder / "bad.toml"
    path.write_text((SCENARIOS / "baseline.toml").read_text().replace("reps = 6 ", "repz = 6 "))
    return path


def test_validate_good_files_says_ok() -> None:
    files = sorted(SCENARIOS.glob("*.toml"))
    result = sla_sim("validate", *files)
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    for file in files:
        lines = [line for line in result.stdout.splitlines() if str(file) in line]
        assert len(lines) == 1, result.stdout
        assert "ok" in lines[0]


def test_validate_a_bad_file_names_the_key(bad: Path) -> None:
    result = sla_sim("validate", bad)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert "team.repz" in result.stderr
    assert str(bad) in result.stderr


def test_validate_a_good_and_a_bad_file_reports_both(bad: Path) -> None:
    good = SCENARIOS / "baseline.toml"
    result = sla_sim("validate", good, bad)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert "team.repz" in result.stderr
    assert any(str(good) in line and "ok" in line for line in result.stdout.splitlines())


def test_run_a_bad_file_writes_nothing(bad: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = sla_sim("run", bad, "-n", "2", "--out", out, cwd=tmp_path)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert "team.repz" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_run_a_good_and_a_bad_file_runs_nothing(small: Path, bad: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = sla_sim("run", small, bad, "-n", "2", "--out", out, cwd=tmp_path)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert "team.repz" in result.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        pytest.param(
            "holidays = []",
            'holidays = []\ntimezone = "Mars/Olympus"',
            'calendar.timezone = "Mars/Olympus": must be an IANA time zone name',
            id="unknown timezone",
        ),
        pytest.param(
            "holidays = []",
            'holidays = []\nholidays_country = "XX"',
            'calendar.holidays_country = "XX": must be an ISO 3166 country code',
            id="unknown country",
        ),
        pytest.param(
            "holidays = []",
            'holidays = []\nholidays_country = "BR"\nholidays_subdivision = "XX"',
            'calendar.holidays_subdivision = "XX": is not a subdivision of BR',
            id="unknown subdivision",
        ),
        pytest.param(
            "holidays = []",
            'holidays = []\nholidays_subdivision = "SP"',
            'calendar.holidays_subdivision = "SP": needs calendar.holidays_country',
            id="subdivision without a country",
        ),
        pytest.param(
            'priority = "fifo"',
            'priority = "fifo"\nchanges = [{ month = 13, reps = 1 }]',
            "team.changes[0].month = 13 is past the horizon",
            id="change past the horizon",
        ),
        pytest.param(
            'priority = "fifo"',
            'priority = "fifo"\nchanges = [{ month = 2, reps = -7 }]',
            "team.changes[0].reps = -7: the team falls to -1 reps in month 2",
            id="team below zero",
        ),
        pytest.param(
            'priority = "fifo"',
            'priority = "fifo"\nramp = [0.5, 0.75]',
            "team.ramp = [0.5, 0.75]: must end at 1",
            id="ramp not ending at 1",
        ),
        pytest.param(
            'priority = "fifo"',
            'priority = "fifo"\nattrition_per_month = 1.5',
            "team.attrition_per_month = 1.5: must be <= 1",
            id="attrition above 1",
        ),
    ],
)
def test_validate_a_bad_calendar_or_team_over_the_year_exits_2(
    old: str, new: str, problem: str, tmp_path: Path
) -> None:
    path = short(SCENARIOS / "baseline.toml", tmp_path, (old, new))
    result = sla_sim("validate", path)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert f"{path}: {problem}" in result.stderr
    assert str(path) not in result.stdout


@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_missing_file_exits_2(command: str, tmp_path: Path) -> None:
    result = sla_sim(command, "no-such-scenario.toml", cwd=tmp_path)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert "no-such-scenario.toml" in result.stderr


def test_one_replication_is_refused(small: Path, tmp_path: Path) -> None:
    result = sla_sim("run", small, "--replications", "1", "--out", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == BAD_INPUT
    no_traceback(result)
    assert "--replications" in result.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# Several files, unstable set-ups, help


def test_variant_names_that_clash_across_files_stay_distinct(small: Path, tmp_path: Path) -> None:
    # Another team's file with the same variant names as the baseline's.
    growth = tmp_path / "other.toml"
    growth.write_text(small.read_text().replace('name = "Baseline"', 'name = "Other team"', 1))
    out = tmp_path / "out"
    result = sla_sim("run", small, growth, "-n", "2", "--seed", "1", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    no_traceback(result)
    expected = len(load_scenario(small).expand()) + len(load_scenario(growth).expand())
    summary = pd.read_csv(out / "summary.csv")
    names = list(summary.scenario.unique())
    assert len(names) == expected, names
    assert not summary.duplicated(["scenario", "metric"]).any()
    eight = [n for n in names if "8 reps" in n and "1h" not in n]
    assert len(eight) == 2, f"both files' '8 reps' must appear, under distinct names: {names}"
    per_replication = pd.read_csv(out / "replications.csv")
    assert len(per_replication) == expected * 2
    assert set(per_replication.scenario) == set(names)


def test_an_unstable_team_still_runs_and_warns(folder: Path, tmp_path: Path) -> None:
    unstable = short(
        SCENARIOS / "baseline.toml",
        tmp_path,
        ("reps = 6 ", "reps = 1 "),
        ("lead_blocks = [[10, 11.5], [15, 16]]", "lead_blocks = [[10, 10.5]]"),
    )
    result = sla_sim("run", unstable, "-n", "2", "--seed", "1", cwd=folder)
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "unstable" in result.stderr
    assert "grows without bound" in result.stderr


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("run", ["--replications", "--seed", "--jobs", "--out", "--lead-log", "--json"]),
        ("validate", ["FILES", "--json"]),
    ],
)
def test_help(command: str, words: list[str]) -> None:
    result = sla_sim(command, "--help")
    assert result.returncode == 0, result.stderr
    for word in words:
        assert word in result.stdout, word


def test_the_installed_sla_sim_command_validates() -> None:
    script = Path(sys.executable).parent / "sla-sim"
    if not script.exists():
        pytest.skip("the sla-sim script is not installed next to this Python")
    result = subprocess.run(
        [str(script), "validate", str(SCENARIOS / "baseline.toml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
