"""The structure of the command line: the common options on every command that runs
replications, funnel on any executor, and the report libraries kept out of the other commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sla_sim.cli.main import main
from sla_sim.cli.options import FLAGS
from sla_sim.cli.report import REPORT_EXTRAS

from conftest import SCENARIOS, run, sla_sim

RUNS_REPLICATIONS = ["run", "compare", "sweep", "optimize", "funnel", "warmup", "backtest"]
OTHERS = ["validate", "report", "export-crm", "calibrate", "review"]
BAD_INPUT = 2


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline, two months long."""
    text = (SCENARIOS / "baseline.toml").read_text()
    assert "months = 12 " in text
    path = tmp_path_factory.mktemp("commands") / "short.toml"
    path.write_text(text.replace("months = 12 ", "months = 2 ", 1))
    return path


def test_every_command_is_sorted_into_running_replications_or_not() -> None:
    context = click.Context(main)
    names = main.list_commands(context)
    assert sorted(names) == sorted(RUNS_REPLICATIONS + OTHERS)
    for name in names:
        command = main.get_command(context, name)
        assert command is not None
        assert command.name == name


@pytest.mark.parametrize("command", RUNS_REPLICATIONS)
def test_the_common_options_appear_in_every_commands_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    for flag in FLAGS:
        assert flag in result.output, (command, flag)


def test_funnel_runs_on_the_local_executor(short: Path) -> None:
    result = sla_sim(
        "funnel", short, "--deals", "9", "-n", "2", "-j", "2", "--executor", "local", "--json"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["arithmetic_per_month"]["closed_deals"] == 9


def test_funnel_refuses_an_unknown_executor(short: Path) -> None:
    result = sla_sim("funnel", short, "--deals", "2", "--executor", "bogus")
    assert result.returncode == BAD_INPUT
    assert "bogus" in result.stderr
    assert "Traceback" not in result.stderr


def test_funnel_refuses_an_address_without_dask(short: Path) -> None:
    result = sla_sim("funnel", short, "--deals", "2", "--address", "tcp://localhost:1")
    assert result.returncode == BAD_INPUT
    assert "--address needs --executor dask" in result.stderr


def test_run_does_not_import_the_report_libraries(short: Path) -> None:
    code = f"""
import json, sys
from sla_sim.cli.main import main
main.main(["run", {str(short)!r}, "-n", "2", "-j", "1", "--json"], standalone_mode=False)
print(json.dumps(sorted(m for m in {list(REPORT_EXTRAS)!r} if m in sys.modules)))
"""
    result = run([sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_report_without_its_libraries_says_how_to_get_them(tmp_path: Path) -> None:
    code = f"""
import sys
sys.modules["pptx"] = None
from sla_sim.cli.main import entry
sys.argv = ["sla-sim", "report", {str(tmp_path)!r}, "--html", {str(tmp_path / "r.html")!r}]
entry()
"""
    result = run([sys.executable, "-c", code])
    assert result.returncode == BAD_INPUT
    assert "pip install 'sla-sim[report]'" in result.stderr
    assert "Traceback" not in result.stderr
