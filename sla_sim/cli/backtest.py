"""`sla-sim backtest`: a scenario over a CRM export's period, against what happened, month by
month (SPEC §11)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sla_sim.atomic import Staged
from sla_sim.cli.common import (
    check_writable,
    console,
    err,
    load_one,
    running,
    say,
    table,
    within_budget,
)
from sla_sim.cli.crm_options import crm_file_options, read_export_from_options
from sla_sim.cli.options import Common, common_options, html_page
from sla_sim.experiments.backtest import over_period, run_backtest
from sla_sim.present.backtest import (
    VERDICT_COLUMNS,
    VIEWS,
    backtest_document,
    backtest_title,
    month_rows,
    verdict_rows,
    verdict_sentence,
    write_backtest_html,
)


@click.command()
@click.argument("scenario_file", metavar="SCENARIO")
@click.argument("leads", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@crm_file_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for backtest.csv (every month and measure) and backtest.json.",
)
@html_page("the backtest, its chart, verdict and months,")
@common_options(30)
def backtest(
    scenario_file: str,
    leads: Path,
    out: Path | None,
    html_file: Path | None,
    common: Common,
    **options: Any,
) -> None:
    """Run SCENARIO over the period of the CRM export LEADS and set it against what happened."""
    check_writable("--out", out, folder=True)
    check_writable("--html", html_file, folder=False)
    scenario = load_one(scenario_file)
    if options.get("timezone") is None:
        options["timezone"] = scenario.calendar.timezone
    export = read_export_from_options(leads, **options)
    for note in export.notes:
        say("note", note.message())
    within_budget([over_period(scenario, export)], common.replications, common)
    with running(common) as (pool, update):
        result = run_backtest(
            scenario, export, common.replications, common.seed, executor=pool, progress=update
        )
    document = backtest_document(result)
    if out is not None:
        written = result.table.assign(month=result.table["month"].astype(str))
        text = json.dumps(document, indent=2)
        with Staged() as staged:
            staged.file(out / "backtest.csv", lambda p: written.to_csv(p, index=False))
            staged.file(out / "backtest.json", lambda p: p.write_text(text, "utf-8"))
    if html_file is not None:
        write_backtest_html(result, leads.name, html_file)
    if common.as_json:
        click.echo(json.dumps(document, indent=2))
    else:
        currency = scenario.costs.currency
        title = backtest_title(result, leads.name)
        tables = [table(title, VERDICT_COLUMNS, verdict_rows(result))]
        for view, named in VIEWS:
            header, rows = month_rows(result, view, currency)
            tables.append(table(f"What happened (the band of one more run), {named}", header, rows))
        shown = console(*tables)
        for each in tables:
            shown.print(each)
        shown.print(verdict_sentence(result))
    if out is not None:
        err.print(f"wrote {out / 'backtest.csv'} and {out / 'backtest.json'}")
    if html_file is not None:
        err.print(f"wrote {html_file}")
