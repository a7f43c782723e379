"""`sla-sim report`: the report of a results folder for a planning meeting, as HTML or slides.

The report libraries (altair, vl-convert, python-pptx) are imported only when it runs, so the
other commands start without them and work where they are not installed."""

from __future__ import annotations

from pathlib import Path

import click

from sla_sim.cli.common import err, fail

REPORT_EXTRAS = ("altair", "vl_convert", "pptx")
"""The modules of the report extras, which only this command needs."""


@click.command()
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
    try:
        from sla_sim.present.deck import write_pptx
        from sla_sim.present.html import write_html
        from sla_sim.present.report import UnknownScenarioError, report_of_folder
    except ImportError as error:
        if (error.name or "").split(".")[0] not in REPORT_EXTRAS:
            raise
        fail(["sla-sim report needs the report extras: pip install 'sla-sim[report]'"])

    if html_file is None and pptx_file is None:
        fail(["report: give --html FILE, --pptx FILE or both"])
    for target, suffixes in ((html_file, (".html", ".htm")), (pptx_file, (".pptx",))):
        if target is not None and target.suffix.lower() not in suffixes:
            fail([f"{target}: the file name should end in {suffixes[0]}"])
    try:
        document = report_of_folder(results_dir, baseline)
    except UnknownScenarioError as error:
        fail([f"--baseline {error}"])
    except ValueError as error:
        fail([str(error)])
    if html_file is not None:
        write_html(document, html_file)
        err.print(f"wrote {html_file}")
    if pptx_file is not None:
        write_pptx(document, pptx_file)
        err.print(f"wrote {pptx_file}")
