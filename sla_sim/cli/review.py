"""`sla-sim review`: the monthly SLA review of a team's CRM export against the agreed terms
(SPEC §11): a scorecard per side, who breached and how often, and the trend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sla_sim.cli.common import check_writable, console, err, fail, load_one, say
from sla_sim.cli.crm_options import crm_file_options, read_export_from_options
from sla_sim.cli.options import html_page
from sla_sim.present.review import (
    nothing_to_review,
    review_document,
    review_tables,
    write_review_html,
)


@click.command()
@click.argument("leads", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@crm_file_options
@click.option(
    "--terms",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A scenario file with the SLA terms that were agreed and their calendar (open hours, "
    "holidays, time zone), which the export is judged by.",
)
@click.option(
    "--by",
    type=click.Choice(["month", "week"]),
    default="month",
    show_default=True,
    help="The period of the scorecard (response is also given week by week).",
)
@click.option(
    "--per",
    type=click.Choice(["rep", "source"]),
    default=None,
    help="Also give the scorecard per rep (the lead's owner) or per source.",
)
@html_page("the review, with its charts,")
@click.option("--json", "as_json", is_flag=True, help="Print the whole review as JSON.")
def review(
    leads: Path,
    terms: Path,
    by: str,
    per: str | None,
    html_file: Path | None,
    as_json: bool,
    **options: Any,
) -> None:
    """Review the CRM export LEADS (with --deals and --activities) against the agreed --terms."""
    from sla_sim.analysis.review import review as review_export

    check_writable("--html", html_file, folder=False)
    agreed = load_one(str(terms))
    if options.get("timezone") is None:
        options["timezone"] = agreed.calendar.timezone
    export = read_export_from_options(leads, **options)
    for note in export.notes:
        say("note", note.message())
    result = review_export(export, agreed, by=by, per=per)  # type: ignore[arg-type]
    nothing = nothing_to_review(result)
    if nothing is not None:
        fail([f"{leads.name}: {nothing}"])
    if html_file is not None:
        write_review_html(result, html_file)
    if as_json:
        click.echo(json.dumps(review_document(result), indent=2, ensure_ascii=False))
    else:
        tables = review_tables(result)
        shown = console(*tables)
        for each in tables:
            shown.print(each)
    if html_file is not None:
        err.print(f"wrote {html_file}")
