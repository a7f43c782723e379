"""`sla-sim sweep`: the cross product of values of dotted keys, one row per point."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sla_sim.analysis.metrics import BY_KEY
from sla_sim.cli.common import (
    axes,
    check_writable,
    console,
    err,
    fail,
    load_one,
    running,
    table,
    within_budget,
)
from sla_sim.cli.options import Common, common_options, out_folder
from sla_sim.cli.signals import exit_status
from sla_sim.experiments.studies import sweep_table_axes
from sla_sim.experiments.sweep import grid, run_sweep
from sla_sim.present.tables import SWEEP_COLUMNS, sweep_rows
from sla_sim.scenario.schema import ScenarioError


@click.command()
@click.argument("file")
@click.option(
    "--set",
    "sets",
    multiple=True,
    help="KEY=V1,V2,... or KEY=LO:HI or KEY=LO:HI:STEP (repeat to cross).",
)
@out_folder("sweep.csv, sweep.json and one file per finished point")
@click.option(
    "--resume",
    type=click.Path(file_okay=False, path_type=Path),
    help="Continue the sweep in this folder, skipping the points already there.",
)
@common_options(20)
def sweep(
    file: str, sets: tuple[str, ...], out: Path | None, resume: Path | None, common: Common
) -> None:
    """Run the cross product of values of dotted keys (--set, or the file's [sweep] table)."""
    scenario = load_one(file)
    problems: list[str] = []
    swept = axes(sets, "--set", problems)
    if not sets:
        swept, unread = sweep_table_axes(scenario)
        problems += [f"{file}: {line}" for line in unread]
    if not swept and not problems:
        problems.append(f"{file}: nothing to sweep: give --set KEY=V1,V2 or a [sweep] table")
    if problems:
        fail(problems)
    if out and resume and out != resume:
        fail(["--out and --resume name different folders; --resume DIR writes into DIR"])
    folder = resume or out
    check_writable("--resume" if resume else "--out", folder, folder=True)
    try:
        planned = grid(scenario, swept)
    except ScenarioError as error:
        fail([f"{file}: {p}" for p in error.problems])
    points = [point for point, _ in planned]
    within_budget([s for _, s in planned], common.replications, common)
    err.print(f"{len(points)} points × {common.replications} replications")
    kept = 0

    def count(_: int) -> None:
        nonlocal kept
        kept += 1

    try:
        with running(common) as (pool, update):
            result = run_sweep(
                scenario,
                swept,
                common.replications,
                common.seed,
                executor=pool,
                folder=folder,
                resume=resume is not None,
                progress=update,
                on_point=count,
            )
    except ValueError as error:
        fail([str(error)])
    except KeyboardInterrupt as error:
        where = (
            f"; {kept} finished points are in {folder}: --resume {folder} goes on" if folder else ""
        )
        err.print(f"interrupted{where}")
        sys.exit(exit_status(error))
    if result.skipped:
        err.print(f"resumed: {result.skipped} points were already done")
    if common.as_json:
        rows = json.loads(result.table.to_json(orient="records"))
        click.echo(json.dumps({"axes": swept, "rows": rows}, indent=2))
        return
    title = (
        f"{scenario.name}: {len(points)} points, {common.replications} replications, "
        f"seed {common.seed}: mean"
    )
    columns = [*swept, *[BY_KEY[key].label for key in SWEEP_COLUMNS]]
    rows = sweep_rows(result.table, points, list(swept), currency=scenario.costs.currency)
    points_table = table(title, columns, rows, first_left=False)
    console(points_table).print(points_table)
    if folder:
        err.print(f"wrote {folder / 'sweep.csv'} and {folder / 'sweep.json'}")
