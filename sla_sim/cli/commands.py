"""The command line of SPEC §6: run, validate, compare, sweep, optimize, funnel, warmup and report.

Front end only: each command reads its options and files, calls the layers below, and shows or
writes what comes back. `cli.main.entry` runs this group.
"""

from __future__ import annotations

import click

from sla_sim.cli.compare import compare
from sla_sim.cli.funnel import funnel
from sla_sim.cli.optimize import optimize
from sla_sim.cli.report import report
from sla_sim.cli.run import run
from sla_sim.cli.sweep import sweep
from sla_sim.cli.validate import validate
from sla_sim.cli.warmup import warmup


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sla-sim")
def main() -> None:
    """sla-sim: simulate the Marketing-Sales SLA before you sign it."""


for command in (run, validate, funnel, compare, sweep, optimize, warmup, report):
    main.add_command(command)
