"""`sla-sim run`: each scenario and its variants, with the metrics' 95% intervals."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sla_sim.cli.common import (
    check_writable,
    console,
    err,
    fail,
    load_all,
    running,
    say,
    table,
    within_budget,
)
from sla_sim.cli.options import Common, common_options, out_folder
from sla_sim.experiments.budget import MAX_REPLICATIONS
from sla_sim.experiments.result_files import LEAD_LOG_SUFFIXES
from sla_sim.experiments.studies import run_scenarios
from sla_sim.present.numbers import format_percent
from sla_sim.present.tables import metric_rows


def _check_lead_log(lead_log: Path | None, precision: float | None) -> None:
    if lead_log is None:
        return
    if not lead_log.name.endswith(LEAD_LOG_SUFFIXES):
        fail([f"--lead-log {lead_log}: allowed endings: {', '.join(LEAD_LOG_SUFFIXES)}"])
    if precision is not None:
        fail(["--lead-log and --precision: write the lead log of a run with fixed replications"])
    if lead_log.name.endswith(".parquet"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            fail([f"--lead-log {lead_log}: Parquet needs pyarrow (pip install pyarrow); use .csv"])


@click.command()
@click.argument("files", nargs=-1, required=True)
@out_folder("summary.json, summary.csv and replications.csv")
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
    type=click.IntRange(min=2, max=MAX_REPLICATIONS),
    help="With --precision: the most replications to run.",
)
@common_options(30)
def run(
    files: tuple[str, ...],
    out: Path | None,
    lead_log: Path | None,
    precision: float | None,
    max_replications: int,
    common: Common,
) -> None:
    """Run each scenario FILE and its variants; print the metrics with 95% intervals."""
    _check_lead_log(lead_log, precision)
    check_writable("--out", out, folder=True)
    check_writable("--lead-log", lead_log, folder=False)
    loaded = load_all(files)
    scenarios = [s for _, group in loaded for s in group]
    most = common.replications if precision is None else max(max_replications, common.replications)
    within_budget(scenarios, most, common, lead_log=lead_log is not None)
    with running(common) as (pool, update):
        outcome = run_scenarios(
            scenarios,
            common.replications,
            common.seed,
            precision=precision,
            max_replications=max_replications,
            event_log=lead_log is not None,
            executor=pool,
            progress=update,
        )
    result = outcome.result
    written = outcome.write(out, lead_log)
    if outcome.reached is not None:
        verdict = "reached" if outcome.reached <= (precision or 0) else "not reached"
        err.print(
            f"precision {format_percent(precision or 0)} {verdict}: {result.replications} "
            f"replications give a worst 95% half-width of {format_percent(outcome.reached)} of "
            "the mean"
        )
    if common.as_json:
        click.echo(json.dumps(outcome.document(), indent=2))
    else:
        tables = []
        for file, group in loaded:
            title = (
                f"{file}: {result.replications} replications, seed {common.seed}: "
                "mean ± 95% half-width"
            )
            names = [s.name for s in group]
            tables.append(table(title, ["Metric", *names], metric_rows(result, names)))
        shown = console(*tables)
        for each in tables:
            shown.print(each)
    for warning in result.warnings:
        say("warning", warning)
    for path in written:
        err.print(f"wrote {path}")
