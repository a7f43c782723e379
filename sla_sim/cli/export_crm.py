"""`sla-sim export-crm`: what a scenario's CRM would have exported, as a profile's files (the
round trip of issue 13: simulate, export, read back, fit)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from sla_sim.cli.common import check_writable, err, fail, load_one
from sla_sim.crm.profiles import PROFILES
from sla_sim.experiments.budget import BudgetError, check_run
from sla_sim.experiments.export_crm import Untidy, simulated_export, write_export

AS_OF_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


@click.command("export-crm")
@click.argument("scenario_file", metavar="SCENARIO")
@click.option(
    "--profile",
    required=True,
    type=click.Choice(list(PROFILES)),
    help="The CRM whose columns and formats the files take.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for leads.csv, deals.csv and activities.csv.",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seed of the simulation and of the untidiness: the same seed writes the same bytes.",
)
@click.option(
    "--replication",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Which replication of the seed to export.",
)
@click.option(
    "--untidy",
    multiple=True,
    type=click.Choice(Untidy.names()),
    help="Make the files untidy as real exports are (repeat for more than one).",
)
@click.option(
    "--as-of",
    type=click.DateTime(AS_OF_FORMATS),
    default=None,
    help="The export date, in the team's time zone [default: the horizon's end].",
)
def export_crm(
    scenario_file: str,
    profile: str,
    out: Path,
    seed: int,
    replication: int,
    untidy: tuple[str, ...],
    as_of: dt.datetime | None,
) -> None:
    """Simulate one replication of SCENARIO (its base, without variants) and write what its CRM
    would have exported: leads, deals and activities in PROFILE's columns and formats."""
    check_writable("--out", out, folder=True)
    try:
        switches = Untidy.of(untidy)
    except ValueError as error:
        fail([f"--untidy: {error}"])
    scenario = load_one(scenario_file)
    try:
        check_run([scenario.expand()[0]], 1, workers=1, lead_log=True)
    except BudgetError as error:
        fail([f"{scenario_file}: {error}"])
    try:
        export = simulated_export(scenario, seed=seed, replication=replication, as_of=as_of)
    except ValueError as error:
        fail([f"--as-of {as_of:%Y-%m-%d %H:%M}: {error}" if as_of else str(error)])
    try:
        written = write_export(export, profile, out, switches, seed=seed)
    except ValueError as error:
        fail([f"{scenario_file}: {error}"])
    shown = f", untidy: {', '.join(switches.on)}" if switches.on else ""
    err.print(
        f"{export.as_of:%Y-%m-%d %H:%M} export of {scenario.name!r} (seed {seed}, replication "
        f"{replication}) as {profile}{shown}"
    )
    for table, path in written.items():
        click.echo(f"wrote {path} ({written.rows[table]:,} rows)")
