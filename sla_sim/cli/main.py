"""The command line of SPEC §6: run, validate, compare, sweep, optimize, funnel, warmup and report.

Front end only: each command reads its options and files, calls the layers below, and shows or
writes what comes back. Bad input exits with status 2 and one line per problem; nothing is
written for it. Ctrl-C exits 130.
"""

from __future__ import annotations

import os
import sys

import click

from sla_sim.cli.common import INTERRUPTED, err, say
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


def entry() -> None:
    """Console entry point: no traceback reaches a user unless SLA_SIM_DEBUG is set."""
    try:
        main.main(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        err.print("interrupted; nothing was written for the unfinished run")
        sys.exit(INTERRUPTED)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:  # the last line of defence: no traceback for the user
        if os.environ.get("SLA_SIM_DEBUG"):
            raise
        say("internal error", f"{type(error).__name__}: {error}")
        err.print("Set SLA_SIM_DEBUG=1 to see the details, and please report it.")
        sys.exit(1)
