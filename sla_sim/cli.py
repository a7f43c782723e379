"""The command line: `sla-sim run` and `sla-sim validate` (SPEC §6).

Front end only: it reads files, calls `simulate`, and shows or writes what comes back. Bad input
exits with status 2 and one line per problem; nothing is written for it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sla_sim.formatting import format_interval
from sla_sim.funnel import LABELS as FUNNEL_LABELS
from sla_sim.funnel import STAGES, FunnelPlan
from sla_sim.funnel import plan as plan_funnel
from sla_sim.metrics import METRICS
from sla_sim.results import LEAD_LOG_SUFFIXES, summary_document, write_results
from sla_sim.runner import SimulationResult, default_jobs, simulate
from sla_sim.scenario import Scenario, ScenarioError, load_scenario, scenario_warnings

BAD_INPUT = 2
err = Console(stderr=True, highlight=False)


def _say(kind: str, line: str) -> None:
    colour = "red" if kind == "error" else "yellow"
    err.print(Text.assemble((f"{kind}: ", colour), line), soft_wrap=True)


def _fail(problems: list[str]) -> NoReturn:
    for line in problems:
        _say("error", line)
    sys.exit(BAD_INPUT)


def _load_all(files: tuple[str, ...]) -> list[tuple[str, list[Scenario]]]:
    """Each file with its scenarios (base and variants); every problem of every file, or none."""
    loaded, problems = [], []
    for file in files:
        try:
            loaded.append((file, load_scenario(file).expand()))
        except ScenarioError as error:
            problems += error.problems
    if problems:
        _fail(problems)
    return _unique_names(loaded)


def _unique_names(loaded: list[tuple[str, list[Scenario]]]) -> list[tuple[str, list[Scenario]]]:
    """Names that clash across files ('8 reps' in two files) are qualified by their file."""
    names = [s.name for _, group in loaded for s in group]
    clashes = {n for n in names if names.count(n) > 1}
    if not clashes:
        return loaded
    renamed = []
    for file, group in loaded:
        base = group[0].name
        qualified = [
            s.with_overrides({}, name=_qualified(file, i, s.name, base)) if s.name in clashes else s
            for i, s in enumerate(group)
        ]
        renamed.append((file, qualified))
    return renamed


def _qualified(file: str, index: int, name: str, base: str) -> str:
    return f"{name} ({Path(file).stem})" if index == 0 else f"{base} / {name}"


def _progress(enabled: bool) -> tuple[Progress | None, Callable[[int, int], None] | None]:
    if not enabled:
        return None, None
    bar = Progress(
        TextColumn("replications"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("run", total=None)
    started = time.monotonic()
    shown = False

    def update(done: int, total: int) -> None:
        nonlocal shown
        if not shown and time.monotonic() - started > 1.0:
            bar.start()
            shown = True
        bar.update(task, completed=done, total=total)

    return bar, update


def _table(result: SimulationResult, names: list[str], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, header_style="bold")
    table.add_column("Metric")
    for name in names:
        table.add_column(name, justify="right")
    for metric in METRICS:
        cells = []
        for name in names:
            v = result.metric(name, metric.key)
            cells.append(format_interval(metric.key, v["mean"], v["ci_low"], v["ci_high"]))
        table.add_row(metric.label, *cells)
    return table


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sla-sim")
def main() -> None:
    """sla-sim: simulate the Marketing-Sales SLA before you sign it."""


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--replications",
    "-n",
    default=30,
    show_default=True,
    type=click.IntRange(min=2),
    help="Independent replications per scenario.",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seed of every random stream: the same seed gives the same numbers.",
)
@click.option(
    "--jobs",
    "-j",
    default=None,
    type=click.IntRange(min=1),
    help="Worker processes [default: all cores].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for summary.json, summary.csv and replications.csv.",
)
@click.option(
    "--lead-log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the per-lead event log (.csv, .csv.gz or .parquet).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON document.")
def run(
    files: tuple[str, ...],
    replications: int,
    seed: int,
    jobs: int | None,
    out: Path | None,
    lead_log: Path | None,
    as_json: bool,
) -> None:
    """Run each scenario FILE and its variants; print the metrics with 95% intervals."""
    if lead_log is not None and not lead_log.name.endswith(LEAD_LOG_SUFFIXES):
        _fail([f"--lead-log {lead_log}: allowed endings: {', '.join(LEAD_LOG_SUFFIXES)}"])
    if lead_log is not None and lead_log.name.endswith(".parquet"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            _fail([f"--lead-log {lead_log}: Parquet needs pyarrow (pip install pyarrow); use .csv"])
    loaded = _load_all(files)
    scenarios = [s for _, group in loaded for s in group]
    bar, update = _progress(enabled=True)
    try:
        result = simulate(
            scenarios,
            replications=replications,
            seed=seed,
            jobs=jobs or default_jobs(),
            variants=False,
            event_log=lead_log is not None,
            progress=update,
        )
    finally:
        if bar is not None:
            bar.stop()
    written = write_results(result, out, lead_log) if out else []
    if out is None and lead_log is not None and result.events is not None:
        from sla_sim.results import write_lead_log

        write_lead_log(result.events, lead_log)
        written.append(lead_log)
    if as_json:
        click.echo(json.dumps(summary_document(result), indent=2))
    else:
        console = Console(highlight=False, width=max(100, 28 + 22 * len(scenarios)))
        for file, group in loaded:
            title = f"{file}: {replications} replications, seed {seed}: mean ± 95% half-width"
            console.print(_table(result, [s.name for s in group], title))
    for warning in result.warnings:
        _say("warning", warning)
    for path in written:
        err.print(f"wrote {path}")


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON document.")
def validate(files: tuple[str, ...], as_json: bool) -> None:
    """Check scenario FILEs and say what is wrong, with the dotted key of each problem."""
    report: list[dict[str, Any]] = []
    for file in files:
        try:
            scenarios = load_scenario(file).expand()
        except ScenarioError as error:
            report.append({"file": file, "ok": False, "problems": error.problems, "warnings": []})
            continue
        warnings = [w for s in scenarios for w in scenario_warnings(s)]
        report.append(
            {
                "file": file,
                "ok": True,
                "scenarios": [s.name for s in scenarios],
                "problems": [],
                "warnings": warnings,
            }
        )
    if as_json:
        click.echo(json.dumps({"files": report}, indent=2))
    else:
        for item in report:
            for line in item["problems"]:
                _say("error", line)
            for line in item["warnings"]:
                _say("warning", line)
            if item["ok"]:
                click.echo(f"{item['file']}: ok ({', '.join(item['scenarios'])})")
    if not all(item["ok"] for item in report):
        sys.exit(BAD_INPUT)


@main.command()
@click.argument("file")
@click.option(
    "--deals", type=click.FloatRange(min=0, min_open=True), help="Deals a month to reach."
)
@click.option(
    "--revenue", type=click.FloatRange(min=0, min_open=True), help="Revenue a month to reach."
)
@click.option(
    "--replications",
    "-n",
    default=10,
    show_default=True,
    type=click.IntRange(min=2),
    help="Replications per volume tried.",
)
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0))
@click.option(
    "--jobs",
    "-j",
    default=None,
    type=click.IntRange(min=1),
    help="Worker processes [default: all cores].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON document.")
def funnel(
    file: str,
    deals: float | None,
    revenue: float | None,
    replications: int,
    seed: int,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Leads needed per stage for a monthly target: by arithmetic and by simulation."""
    if (deals is None) == (revenue is None):
        _fail(["funnel: give one target, --deals N or --revenue X (per month)"])
    scenario = _load_all((file,))[0][1][0]
    err.print(f"planning {scenario.name}: searching lead volumes and team sizes ...")
    try:
        result = plan_funnel(
            scenario,
            deals_per_month=deals,
            revenue_per_month=revenue,
            replications=replications,
            seed=seed,
            jobs=jobs or default_jobs(),
        )
    except ValueError as error:
        _fail([f"{file}: {error}"])
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    _print_plan(result, scenario.name)


def _print_plan(result: FunnelPlan, name: str) -> None:
    console = Console(highlight=False, width=110)
    target = f"{result.target_deals:.3g} deals a month"
    table = Table(
        title=f"{name}: what it takes to close {target} (per month)",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("Stage")
    table.add_column("Today's rate to next", justify="right")
    table.add_column("Arithmetic", justify="right")
    table.add_column(f"Simulated at that volume, {result.reps} reps", justify="right")
    table.add_column(f"Simulated volume that reaches it, {result.reps} reps", justify="right")
    for stage in STAGES:
        rate = result.rates.get(stage)
        at_arithmetic = result.simulated_at_arithmetic[stage]
        reached = result.simulated.get(stage)
        table.add_row(
            FUNNEL_LABELS[stage],
            f"{rate:.1%}" if rate is not None else "",
            f"{result.arithmetic.get(stage, 0):,.4g}"
            if stage == "closed_deals"
            else f"{result.arithmetic.get(stage, 0):,}",
            f"{at_arithmetic['mean']:,.1f}",
            f"{reached['mean']:,.1f}" if reached else "out of reach",
        )
    console.print(table)
    lines = [
        f"Arithmetic: {result.scale_by_arithmetic:.2f} times today's leads, if every stage "
        "kept today's rate.",
    ]
    if result.scale_by_simulation is not None:
        extra = result.scale_by_simulation / result.scale_by_arithmetic - 1
        lines.append(
            f"Simulation: {result.scale_by_simulation:.2f} times today's leads with "
            f"{result.reps} reps ({extra:+.0%} against the arithmetic)."
        )
    if result.reps_needed is None:
        lines.append("No team up to 20 times today's closes the gap at the arithmetic's volume.")
    elif result.reps_needed > result.reps:
        lines.append(
            f"At the arithmetic's volume {result.reps} reps close "
            f"{result.simulated_at_arithmetic['closed_deals']['mean']:.1f} deals a month; "
            f"{result.reps_needed} reps reach the target."
        )
    else:
        lines.append(f"The {result.reps} reps keep up: the arithmetic holds.")
    for line in lines + result.notes:
        console.print(line)


def entry() -> None:
    """Console entry point: no traceback reaches a user unless SLA_SIM_DEBUG is set."""
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written for the unfinished run")
        sys.exit(130)
    except Exception as error:
        if os.environ.get("SLA_SIM_DEBUG"):
            raise
        _say("internal error", f"{type(error).__name__}: {error}")
        err.print("Set SLA_SIM_DEBUG=1 to see the details, and please report it.")
        sys.exit(1)
