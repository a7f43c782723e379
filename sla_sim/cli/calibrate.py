"""`sla-sim calibrate`: a scenario fitted to a team's CRM export (SPEC §11), written as a file
that `sla-sim run` runs as it is, every fitted value with its evidence beside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sla_sim.atomic import write_atomically
from sla_sim.cli.common import check_writable, console, err, load_one, say, table
from sla_sim.cli.crm_options import crm_file_options, read_export_from_options
from sla_sim.experiments.calibrate import calibrate as fit_scenario
from sla_sim.experiments.executors import use
from sla_sim.present.calibration import calibration_rows


@click.command()
@click.argument("leads", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@crm_file_options
@click.option(
    "--terms",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A scenario file with the SLA terms that were agreed (and the calendar); the fit is "
    "written over it [default: the defaults].",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The scenario file to write (.toml).",
)
@click.option("--name", default="Fitted baseline", show_default=True, help="Its scenario name.")
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seed of the simulations that choose how the reps work new leads.",
)
@click.option("--jobs", "-j", default=None, type=click.IntRange(min=1), help="Worker processes.")
@click.option("--json", "as_json", is_flag=True, help="Print the fitted values as JSON.")
def calibrate(
    leads: Path,
    terms: Path | None,
    out: Path,
    name: str,
    seed: int,
    jobs: int | None,
    as_json: bool,
    **options: Any,
) -> None:
    """Fit a scenario to the CRM export LEADS (with --deals and --activities)."""
    check_writable("--out", out, folder=False)
    agreed = load_one(str(terms)) if terms is not None else None
    if options.get("timezone") is None and agreed is not None:
        options["timezone"] = agreed.calendar.timezone
    export = read_export_from_options(leads, **options)
    for note in export.notes:
        say("note", note.message())
    with use(None, jobs) as pool:
        result = fit_scenario(export, agreed, name=name, seed=seed, executor=pool)
    write_atomically(out, lambda path: path.write_text(result.text, encoding="utf-8"))
    if as_json:
        click.echo(json.dumps(result.document(), indent=2, ensure_ascii=False))
    else:
        title = f"{out.name}: fitted to {export.files.get('leads', leads.name)} ({export.profile})"
        shown = table(title, ["Key", "Value", "95% interval"], calibration_rows(result))
        console(shown).print(shown)
    for kept in result.notes:
        say("note", f"default kept: {kept}")
    for line in result.variants:
        say("note", line)
    for file, fields in result.missing.items():
        say("note", f"{file}: no column for {', '.join(fields)} (defaults kept where needed)")
    err.print(f"wrote {out} (the evidence of each value is beside it)")
