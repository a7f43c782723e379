"""Work a valid file may ask for is bounded before it starts; outputs are checked writable first;
a stopped run (Ctrl-C, SIGTERM) exits without a traceback and leaves nothing half written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SCENARIOS, SIMPLE, merged, sla_sim

BAD_INPUT = 2


def _toml(path: Path, **overrides: object) -> Path:
    from sla_sim.scenario.file import parse_scenario, scenario_toml

    path.write_text(scenario_toml(parse_scenario(merged(SIMPLE, **overrides), "test")))
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return _toml(tmp_path / "small.toml")


def test_too_many_reps_or_leads_a_month_is_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(
        (SCENARIOS / "baseline.toml")
        .read_text()
        .replace("reps = 6", "reps = 1000000000")
        .replace("leads_per_month = 900", "leads_per_month = 1e7")
    )
    result = sla_sim("run", path, "-n", "2")
    assert result.returncode == BAD_INPUT
    assert "team.reps" in result.stderr
    assert "leads_per_month" in result.stderr
    assert "internal error" not in result.stderr


def test_too_many_replications_exit_2_naming_the_limit(small: Path) -> None:
    result = sla_sim("run", small, "--replications", str(10**9))
    assert result.returncode == BAD_INPUT
    assert "10000" in result.stderr


def test_a_file_with_more_leads_than_a_run_can_hold_is_a_bad_file(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(
        (SCENARIOS / "baseline.toml")
        .read_text()
        .replace("months = 12", "months = 120")
        .replace("leads_per_month = 900", "leads_per_month = 1000000")
    )
    result = sla_sim("validate", path)
    assert result.returncode == BAD_INPUT
    assert "leads in the horizon" in result.stderr
    assert "2,000,000" in result.stderr


def test_a_run_too_large_is_refused_with_its_estimate(tmp_path: Path) -> None:
    path = _toml(
        tmp_path / "big.toml",
        **{"scenario.months": 3, "sources.0.leads_per_month": 500_000},
    )
    result = sla_sim("run", path, "-n", "10000", "-j", "1")
    assert result.returncode == BAD_INPUT
    assert "too large to run" in result.stderr
    assert "core-hours" in result.stderr
    assert "simulated leads" in result.stderr


def test_a_sweep_of_a_huge_grid_is_refused_before_it_writes(tmp_path: Path) -> None:
    path = _toml(tmp_path / "big.toml", **{"sources.0.leads_per_month": 500_000})
    out = tmp_path / "sweep"
    result = sla_sim(
        "sweep", path, "--set", "team.reps=1:2000", "-n", "100", "-j", "1", "--out", out
    )
    assert result.returncode == BAD_INPUT
    assert "core-hours" in result.stderr
    assert not out.exists()


def test_warmup_refuses_a_step_below_the_limit(small: Path) -> None:
    result = sla_sim("warmup", small, "--step-hours", "1e-9")
    assert result.returncode == BAD_INPUT
    assert "0.1" in result.stderr


def test_funnel_refuses_a_target_that_needs_too_many_leads(small: Path) -> None:
    result = sla_sim("funnel", small, "--deals", "1e9", "-n", "2", "-j", "1")
    assert result.returncode == BAD_INPUT
    assert "too large to run" in result.stderr


def test_an_unwritable_out_or_lead_log_fails_before_running(small: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = sla_sim("run", small, "-n", "2", "--out", blocker / "out")
    assert result.returncode == BAD_INPUT
    assert "--out" in result.stderr
    assert str(blocker) in result.stderr
    result = sla_sim("run", small, "-n", "2", "--lead-log", blocker / "leads.csv")
    assert result.returncode == BAD_INPUT
    assert "--lead-log" in result.stderr
    assert "internal error" not in result.stderr


def _started(args: list[str]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "SLA_SIM_DEBUG"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen(
        [sys.executable, "-m", "sla_sim", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigterm_mid_run_exits_143_quietly_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = _started(
        ["run", str(SCENARIOS / "baseline.toml"), "-n", "400", "-j", "2", "--out", str(out)]
    )
    time.sleep(4)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
    assert list(tmp_path.iterdir()) == []


def _handles_sigterm(pid: int) -> bool:
    """Whether the process has installed its own SIGTERM handler (the first thing `sla-sim`
    does, before the package loads; a signal before it lands in Python's own start-up)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


def test_ctrl_c_during_start_up_exits_130_without_a_traceback(small: Path) -> None:
    process = _started(["run", str(small), "-n", "2"])
    deadline = time.monotonic() + 60
    while not _handles_sigterm(process.pid) and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode in (0, 130), stderr
    assert "Traceback" not in stderr


def test_a_long_run_says_its_size_before_it_starts(tmp_path: Path) -> None:
    path = _toml(
        tmp_path / "long.toml",
        **{"scenario.months": 3, "sources.0.leads_per_month": 500_000},
    )
    process = _started(["run", str(path), "-n", "5", "-j", "1"])
    assert process.stderr is not None
    first = process.stderr.readline()
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=120)
    assert first.startswith("note: a long run: about 7,500,000 simulated leads"), first
    assert "Ctrl-C stops it" in first
    assert process.returncode == 130, rest
    assert "Traceback" not in rest
