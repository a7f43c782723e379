"""The command line of SPEC §6: run, validate, compare, sweep, optimize, funnel, warmup and report.

Front end only: it reads files, calls the experiment layer, and shows or writes what comes back.
Bad input exits with status 2 and one line per problem; nothing is written for it.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sla_sim.analysis.metrics import BY_KEY, METRIC_KEYS, METRICS
from sla_sim.analysis.mser import suggest_warmup
from sla_sim.atomic import write_atomically
from sla_sim.experiments.compare import compare as compare_scenarios
from sla_sim.experiments.executors import Executor, default_jobs, make_executor
from sla_sim.experiments.funnel import FunnelPlan
from sla_sim.experiments.funnel import plan as plan_funnel
from sla_sim.experiments.optimize import Constraint, parse_constraint, parse_objective
from sla_sim.experiments.optimize import optimize as run_optimize
from sla_sim.experiments.precision import simulate_to_precision
from sla_sim.experiments.result_files import LEAD_LOG_SUFFIXES, summary_document, write_results
from sla_sim.experiments.runner import SimulationResult, simulate
from sla_sim.experiments.sweep import grid, parse_assignment, parse_values, run_sweep
from sla_sim.experiments.warmup import backlog_series_of
from sla_sim.present.numbers import format_interval, format_signed, format_value
from sla_sim.present.tables import funnel_findings, funnel_table
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario, ScenarioError
from sla_sim.scenario.warnings import scenario_warnings

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


# ---------------------------------------------------------------------------------------------
# Options shared by the commands that run replications


def execution_options(replications: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--replications, --seed, --jobs, --executor, --address and --json."""
    options = [
        click.option(
            "--replications",
            "-n",
            default=replications,
            show_default=True,
            type=click.IntRange(min=2),
            help="Replications per scenario or point.",
        ),
        click.option(
            "--seed",
            default=0,
            show_default=True,
            type=click.IntRange(min=0),
            help="Seed of every random stream: the same seed gives the same numbers.",
        ),
        click.option(
            "--jobs",
            "-j",
            default=None,
            type=click.IntRange(min=1),
            help="Worker processes [default: all cores].",
        ),
        click.option(
            "--executor",
            default="local",
            show_default=True,
            type=click.Choice(["local", "dask"]),
            help="Where replications run: a local process pool or a Dask cluster.",
        ),
        click.option(
            "--address",
            default=None,
            help="Dask scheduler, e.g. tcp://HOST:8786 [default: a local Dask cluster].",
        ),
        click.option(
            "--json", "as_json", is_flag=True, help="Print the result as one JSON document."
        ),
    ]

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


@contextmanager
def _executor(kind: str, jobs: int | None, address: str | None) -> Iterator[Executor]:
    """The executor for a command, closed at the end; a cluster that cannot be reached exits 2."""
    if address and kind != "dask":
        _fail(["--address needs --executor dask"])
    try:
        executor = make_executor(kind, jobs, address)
    except (RuntimeError, OSError, TimeoutError) as error:
        _fail([f"--executor {kind}{f' --address {address}' if address else ''}: {error}"])
    try:
        yield executor
    finally:
        executor.close()


@contextmanager
def _running() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error, shown once the work has taken more than a second."""
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

    def update(done: int, total: int) -> None:
        if not bar.live.is_started and time.monotonic() - started > 1.0:
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        bar.stop()


def _axes(texts: tuple[str, ...], flag: str, problems: list[str]) -> dict[str, list[Any]]:
    """`KEY=VALUES` options as sweep axes; what cannot be read goes to `problems`."""
    axes: dict[str, list[Any]] = {}
    for text in texts:
        try:
            key, values = parse_assignment(text)
            axes[key] = values
        except ValueError as error:
            problems.append(f"{flag} {error}")
    return axes


def _signed(key: str, value: float) -> str:
    return format_signed(key, value)


def load_or_fail(file: str) -> Scenario:
    try:
        return load_scenario(file)
    except ScenarioError as error:
        _fail(error.problems)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sla-sim")
def main() -> None:
    """sla-sim: simulate the Marketing-Sales SLA before you sign it."""


@main.command()
@click.argument("files", nargs=-1, required=True)
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
@click.option(
    "--precision",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Add replications until every metric's 95%% half-width is within this share "
    "of its mean (e.g. 0.05), or its floor for metrics near zero.",
)
@click.option(
    "--max-replications",
    default=500,
    show_default=True,
    type=click.IntRange(min=2),
    help="With --precision: the most replications to run.",
)
@execution_options(30)
def run(
    files: tuple[str, ...],
    out: Path | None,
    lead_log: Path | None,
    precision: float | None,
    max_replications: int,
    replications: int,
    seed: int,
    jobs: int | None,
    executor: str,
    address: str | None,
    as_json: bool,
) -> None:
    """Run each scenario FILE and its variants; print the metrics with 95% intervals."""
    if lead_log is not None and not lead_log.name.endswith(LEAD_LOG_SUFFIXES):
        _fail([f"--lead-log {lead_log}: allowed endings: {', '.join(LEAD_LOG_SUFFIXES)}"])
    if lead_log is not None and precision is not None:
        _fail(["--lead-log and --precision: write the lead log of a run with fixed replications"])
    if lead_log is not None and lead_log.name.endswith(".parquet"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            _fail([f"--lead-log {lead_log}: Parquet needs pyarrow (pip install pyarrow); use .csv"])
    loaded = _load_all(files)
    scenarios = [s for _, group in loaded for s in group]
    reached = None
    with _executor(executor, jobs, address) as pool, _running() as update:
        if precision is None:
            result = simulate(
                scenarios,
                replications=replications,
                seed=seed,
                variants=False,
                event_log=lead_log is not None,
                executor=pool,
                progress=update,
            )
        else:
            result, reached = simulate_to_precision(
                scenarios,
                precision,
                min_replications=replications,
                max_replications=max_replications,
                seed=seed,
                variants=False,
                executor=pool,
                progress=update,
            )
    replications = result.replications
    written = write_results(result, out, lead_log) if out else []
    if out is None and lead_log is not None and result.events is not None:
        from sla_sim.experiments.result_files import write_lead_log

        write_lead_log(result.events, lead_log)
        written.append(lead_log)
    if reached is not None:
        verdict = "reached" if reached <= (precision or 0) else "not reached"
        err.print(
            f"precision {precision:.1%} {verdict}: {replications} replications give a worst "
            f"95% half-width of {reached:.1%} of the mean"
        )
    if as_json:
        document = summary_document(result)
        if reached is not None:
            document["precision"] = {"asked": precision, "reached": reached}
        click.echo(json.dumps(document, indent=2))
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
    scenario = load_or_fail(file)
    err.print(f"planning {scenario.name}: searching lead volumes and team sizes ...")
    try:
        with _running() as update:
            result = plan_funnel(
                scenario,
                deals_per_month=deals,
                revenue_per_month=revenue,
                replications=replications,
                seed=seed,
                jobs=jobs or default_jobs(),
                progress=update,
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
    rows = funnel_table(result)
    for i, column in enumerate(rows[0]):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row.values())
    console.print(table)
    for line in funnel_findings(result):
        console.print(line)


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--baseline", required=True, help="Name of the scenario (or variant) to compare against."
)
@click.option("--metric", "metrics", multiple=True, help="Compare only these metrics (repeat).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for comparison.csv, best.csv and comparison.json.",
)
@execution_options(30)
def compare(
    files: tuple[str, ...],
    baseline: str,
    metrics: tuple[str, ...],
    out: Path | None,
    replications: int,
    seed: int,
    jobs: int | None,
    executor: str,
    address: str | None,
    as_json: bool,
) -> None:
    """Paired differences of every scenario and variant against the --baseline one."""
    unknown = [m for m in metrics if m not in BY_KEY]
    if unknown:
        _fail([f"--metric {m}: unknown metric; allowed: {', '.join(METRIC_KEYS)}" for m in unknown])
    loaded = _load_all(files)
    scenarios = [s for _, group in loaded for s in group]
    names = [s.name for s in scenarios]
    if baseline not in names:
        _fail([f"--baseline {baseline!r}: no such scenario; the scenarios are: {', '.join(names)}"])
    with _executor(executor, jobs, address) as pool, _running() as update:
        result = simulate(
            scenarios, replications, seed, variants=False, executor=pool, progress=update
        )
    comparison = compare_scenarios(result, baseline, list(metrics) or None)
    document = {
        "baseline": baseline,
        "replications": replications,
        "seed": seed,
        "differences": json.loads(comparison.differences.to_json(orient="records")),
        "best": json.loads(comparison.best.to_json(orient="records")),
        "multiple_comparisons": "Bonferroni-adjusted paired comparisons with the best",
    }
    if out:
        write_atomically(
            out / "comparison.csv", lambda p: comparison.differences.to_csv(p, index=False)
        )
        write_atomically(out / "best.csv", lambda p: comparison.best.to_csv(p, index=False))
        write_atomically(
            out / "comparison.json", lambda p: p.write_text(json.dumps(document, indent=2))
        )
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    others = [n for n in names if n != baseline]
    console = Console(highlight=False, width=max(100, 40 + 36 * len(others)))
    table = Table(
        title=f"Against {baseline!r}: paired difference (95% interval) and chance it is better; "
        f"{replications} replications, seed {seed}",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("Metric")
    table.add_column(baseline, justify="right")
    for name in others:
        table.add_column(name, justify="right")
    rows = comparison.differences
    for key in list(metrics) or METRIC_KEYS:
        cells = []
        for name in others:
            row = rows[(rows.scenario == name) & (rows.metric == key)].iloc[0].to_dict()
            if math.isnan(row["difference"]):
                cells.append("n/a")
                continue
            if row["difference"] == 0 and row["ci_low"] == row["ci_high"]:
                cells.append("same")
                continue
            text = _signed(key, row["difference"])
            if not math.isnan(row["ci_low"]) and row["ci_low"] != row["ci_high"]:
                text += f" ({_signed(key, row['ci_low'])} to {_signed(key, row['ci_high'])})"
            if not math.isnan(row["p_better"]):
                text += f" · {row['p_better']:.0%}"
            cells.append(text)
        base = rows[rows.metric == key].iloc[0]["baseline_mean"] if len(rows) else float("nan")
        table.add_row(BY_KEY[key].label, format_value(key, base), *cells)
    console.print(table)
    if len(names) > 2 and len(comparison.best):
        console.print("Distinguishable from the best (Bonferroni-adjusted paired comparisons):")
        for key in ("closed_deals", "revenue", "response_breach_rate", "attempt_breach_rate"):
            group = comparison.best[comparison.best.metric == key]
            if group.empty:
                continue
            ties = list(group[~group.distinguishable].scenario)
            tail = f"; not distinguishable from it: {', '.join(ties)}" if ties else ""
            console.print(f"  {BY_KEY[key].label}: best {group.best.iloc[0]!r}{tail}")


@main.command()
@click.argument("file")
@click.option(
    "--set",
    "sets",
    multiple=True,
    help="KEY=V1,V2,... or KEY=LO:HI or KEY=LO:HI:STEP (repeat to cross).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for sweep.csv, sweep.json and one file per finished point.",
)
@click.option(
    "--resume",
    type=click.Path(file_okay=False, path_type=Path),
    help="Continue the sweep in this folder, skipping the points already there.",
)
@execution_options(20)
def sweep(
    file: str,
    sets: tuple[str, ...],
    out: Path | None,
    resume: Path | None,
    replications: int,
    seed: int,
    jobs: int | None,
    executor: str,
    address: str | None,
    as_json: bool,
) -> None:
    """Run the cross product of values of dotted keys (--set, or the file's [sweep] table)."""
    scenario = load_or_fail(file)
    problems: list[str] = []
    axes = _axes(sets, "--set", problems)
    if not sets:
        for key, given in scenario.sweep.items():
            try:
                axes[key] = parse_values(given) if isinstance(given, str) else list(given)
            except ValueError as error:
                problems.append(f"{file}: sweep.{key}: {error}")
    if not axes and not problems:
        problems.append(f"{file}: nothing to sweep: give --set KEY=V1,V2 or a [sweep] table")
    if problems:
        _fail(problems)
    if out and resume and out != resume:
        _fail(["--out and --resume name different folders; --resume DIR writes into DIR"])
    folder = resume or out
    try:
        points = grid(scenario, axes)
    except ScenarioError as error:
        _fail([f"{file}: {p}" for p in error.problems])
    err.print(f"{len(points)} points × {replications} replications")
    kept = 0

    def count(_: int) -> None:
        nonlocal kept
        kept += 1

    try:
        with _executor(executor, jobs, address) as pool, _running() as update:
            result = run_sweep(
                scenario,
                axes,
                replications,
                seed,
                executor=pool,
                folder=folder,
                resume=resume is not None,
                progress=update,
                on_point=count,
            )
    except ValueError as error:
        _fail([str(error)])
    except KeyboardInterrupt:
        where = (
            f"; {kept} finished points are in {folder}: --resume {folder} goes on" if folder else ""
        )
        err.print(f"interrupted{where}")
        sys.exit(130)
    if result.skipped:
        err.print(f"resumed: {result.skipped} points were already done")
    if as_json:
        click.echo(
            json.dumps(
                {"axes": axes, "rows": json.loads(result.table.to_json(orient="records"))}, indent=2
            )
        )
        return
    shown = [
        "closed_deals",
        "revenue",
        "response_breach_rate",
        "attempt_breach_rate",
        "rep_utilization",
    ]
    table = Table(
        title=f"{scenario.name}: {len(points)} points, {replications} replications, seed {seed}: mean",
        title_justify="left",
        header_style="bold",
    )
    for key in axes:
        table.add_column(key, justify="right")
    for key in shown:
        table.add_column(BY_KEY[key].label, justify="right")
    wide = result.table.pivot(index="point", columns="metric", values="mean").to_dict("index")
    for index, (point, _) in enumerate(points):
        table.add_row(
            *[str(point[k]) for k in axes], *[format_value(k, wide[index][k]) for k in shown]
        )
    Console(highlight=False, width=max(100, 20 * (len(axes) + len(shown)))).print(table)
    if folder:
        err.print(f"wrote {folder / 'sweep.csv'} and {folder / 'sweep.json'}")


@main.command()
@click.argument("file")
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    help="KEY=LO:HI (whole numbers), KEY=LO:HI:STEP or KEY=V1,V2,... (repeat for a grid).",
)
@click.option(
    "--constraint",
    "constraints",
    multiple=True,
    help="METRIC<=X, METRIC>=X, METRIC<X or METRIC>X (repeat; all must hold).",
)
@click.option(
    "--objective",
    default=None,
    help="A metric to optimise (its better way), or max:METRIC / min:METRIC.",
)
@execution_options(20)
def optimize(
    file: str,
    varies: tuple[str, ...],
    constraints: tuple[str, ...],
    objective: str | None,
    replications: int,
    seed: int,
    jobs: int | None,
    executor: str,
    address: str | None,
    as_json: bool,
) -> None:
    """The smallest setting that meets every constraint, or the best one for an objective."""
    scenario = load_or_fail(file)
    problems: list[str] = []
    vary = _axes(varies, "--vary", problems)
    parsed: list[Constraint] = []
    for text in constraints:
        try:
            parsed.append(parse_constraint(text))
        except ValueError as error:
            problems.append(f"--constraint {error}")
    goal = None
    if objective:
        try:
            goal = parse_objective(objective)
        except ValueError as error:
            problems.append(f"--objective {error}")
    if not constraints and not objective:
        problems.append("give at least one --constraint or an --objective")
    if problems:
        _fail(problems)
    try:
        grid(scenario, vary)
    except ScenarioError as error:
        _fail([f"{file}: {p}" for p in error.problems])
    with _executor(executor, jobs, address) as pool, _running() as update:
        result = run_optimize(
            scenario,
            vary,
            parsed,
            goal,
            replications=replications,
            seed=seed,
            executor=pool,
            progress=update,
        )
    document = result.as_dict()
    if result.value is not None and len(vary) == 1:
        document["point"] = result.value
        document["value"] = next(iter(result.value.values()))
    if as_json:
        click.echo(json.dumps(document, indent=2, default=str))
        return
    console = Console(highlight=False, width=110)
    if result.value is None:
        console.print(f"No value in the range meets {' and '.join(map(str, parsed))}.")
    else:
        what = ", ".join(f"{k} = {v}" for k, v in result.value.items())
        console.print(f"Answer: {what}")
    for item in result.evidence:
        table = Table(
            title=f"{item['role']}: " + ", ".join(f"{k} = {v}" for k, v in item["point"].items()),
            title_justify="left",
            header_style="bold",
        )
        table.add_column("Metric")
        table.add_column("Mean (95% interval)", justify="right")
        for key, v in item["metrics"].items():
            table.add_row(
                BY_KEY[key].label + f" ({key})",
                format_interval(key, v["mean"], v["ci_low"], v["ci_high"]),
            )
        console.print(table)


@main.command()
@click.argument("file")
@click.option(
    "--step-hours",
    default=None,
    type=click.FloatRange(min=0, min_open=True),
    help="How often the backlog is sampled [default: a week with business hours, else a day].",
)
@execution_options(10)
def warmup(
    file: str,
    step_hours: float | None,
    replications: int,
    seed: int,
    jobs: int | None,
    executor: str,
    address: str | None,
    as_json: bool,
) -> None:
    """Suggest warmup_days from the backlog series, by the MSER-5 rule."""
    scenario = load_or_fail(file).expand()[0]
    if step_hours is None:
        # Sampling once a week at the same hour removes the weekly cycle of business hours.
        step_hours = 24.0 if scenario.calendar.always_open else 168.0
    with _executor(executor, jobs, address) as pool, _running() as update:
        series = backlog_series_of(
            scenario, replications, seed, step_hours, executor=pool, progress=update
        )
    advice = suggest_warmup(series, step_hours)
    document = {
        "rule": "MSER-5 (White 1997) on the mean backlog of the replications",
        "warmup_days": advice.warmup_days,
        "truncation_hours": advice.truncation_hours,
        "at_limit": advice.at_limit,
        "replications": replications,
        "step_hours": step_hours,
    }
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(
        f"{scenario.name}: set warmup_days = {advice.warmup_days:g} "
        f"(MSER-5 cuts the first {advice.truncation_hours:g} hours of the mean backlog of "
        f"{replications} replications)"
    )
    if any(source.growth_per_month for source in scenario.sources):
        _say(
            "warning",
            "the lead volume grows, so there is no steady state: the cut only removes the "
            "start-up transient",
        )
    if advice.at_limit:
        _say(
            "warning",
            "the backlog had not settled within the first half of the horizon: the "
            "horizon may be too short to judge, or the team cannot keep up",
        )


@main.command()
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a self-contained HTML report (opens offline).",
)
@click.option(
    "--pptx",
    "pptx_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a slide deck: one slide per key chart and the summary tables.",
)
@click.option(
    "--baseline", default=None, help="The scenario the others are compared with (default: first)."
)
def report(
    results_dir: Path, html_file: Path | None, pptx_file: Path | None, baseline: str | None
) -> None:
    """Turn the results folder of `sla-sim run --out DIR` into a report for a planning meeting:
    headlines, key metrics with 95% intervals, the charts, each candidate's terms, and the
    assumptions with their sources."""
    from sla_sim.experiments.result_files import read_results
    from sla_sim.present.deck import write_pptx
    from sla_sim.present.html import write_html
    from sla_sim.present.pack import content

    if html_file is None and pptx_file is None:
        _fail(["report: give --html FILE, --pptx FILE or both"])
    for target, suffixes in ((html_file, (".html", ".htm")), (pptx_file, (".pptx",))):
        if target is not None and target.suffix.lower() not in suffixes:
            _fail([f"{target}: the file name should end in {suffixes[0]}"])
    try:
        result = read_results(results_dir)
        names = result.scenario_names
        if baseline is not None and baseline not in names:
            raise ValueError(
                f"--baseline {baseline!r}: no such scenario; the scenarios are: {', '.join(names)}"
            )
        comparison = compare_scenarios(result, baseline or names[0])
        document = content(result, comparison)
    except ValueError as error:
        _fail([str(error)])
    if html_file is not None:
        write_html(document, html_file)
        err.print(f"wrote {html_file}")
    if pptx_file is not None:
        write_pptx(document, pptx_file)
        err.print(f"wrote {pptx_file}")


def entry() -> None:
    """Console entry point: no traceback reaches a user unless SLA_SIM_DEBUG is set."""
    try:
        main.main(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        err.print("interrupted; nothing was written for the unfinished run")
        sys.exit(130)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:  # the last line of defence: no traceback for the user
        if os.environ.get("SLA_SIM_DEBUG"):
            raise
        _say("internal error", f"{type(error).__name__}: {error}")
        err.print("Set SLA_SIM_DEBUG=1 to see the details, and please report it.")
        sys.exit(1)
