"""`sla-sim validate`: check scenario files and say what is wrong."""

from __future__ import annotations

import json
import sys

import click

from sla_sim.cli.common import BAD_INPUT, say
from sla_sim.scenario.batch import check_file


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON document.")
def validate(files: tuple[str, ...], as_json: bool) -> None:
    """Check scenario FILEs and say what is wrong, with the dotted key of each problem."""
    report = [check_file(file) for file in files]
    if as_json:
        click.echo(json.dumps({"files": report}, indent=2))
    else:
        for item in report:
            for line in item["problems"]:
                say("error", line)
            for line in item["warnings"]:
                say("warning", line)
            if item["ok"]:
                click.echo(f"{item['file']}: ok ({', '.join(item['scenarios'])})")
    if not all(item["ok"] for item in report):
        sys.exit(BAD_INPUT)
