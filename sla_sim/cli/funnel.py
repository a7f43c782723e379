"""`sla-sim funnel`: the leads needed per stage for a monthly target, by arithmetic and by
simulation."""

from __future__ import annotations

import json

import click

from sla_sim.cli.common import console, err, fail, load_one, running, table, within_budget
from sla_sim.cli.options import Common, common_options
from sla_sim.experiments.executors import default_jobs
from sla_sim.experiments.funnel import plan
from sla_sim.present.tables import funnel_findings, funnel_table, funnel_title


@click.command()
@click.argument("file")
@click.option(
    "--deals", type=click.FloatRange(min=0, min_open=True), help="Deals a month to reach."
)
@click.option(
    "--revenue", type=click.FloatRange(min=0, min_open=True), help="Revenue a month to reach."
)
@common_options(10, per="volume tried", shown="plan")
def funnel(file: str, deals: float | None, revenue: float | None, common: Common) -> None:
    """Leads needed per stage for a monthly target: by arithmetic and by simulation."""
    if (deals is None) == (revenue is None):
        fail(["funnel: give one target, --deals N or --revenue X (per month)"])
    scenario = load_one(file)
    within_budget(scenario.expand()[:1], common.replications, common)
    err.print(f"planning {scenario.name}: searching lead volumes and team sizes ...")
    try:
        with running(common) as (pool, update):
            result = plan(
                scenario,
                deals_per_month=deals,
                revenue_per_month=revenue,
                replications=common.replications,
                seed=common.seed,
                executor=pool,
                progress=update,
                workers=common.jobs or default_jobs(),
            )
    except ValueError as error:
        fail([f"{file}: {error}"])
    if common.as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    rows = funnel_table(result)
    stages = table(
        funnel_title(result, scenario.name), list(rows[0]), [list(r.values()) for r in rows]
    )
    shown = console(stages)
    shown.print(stages)
    for line in funnel_findings(result):
        shown.print(line)
