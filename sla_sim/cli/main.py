"""`sla-sim`: the console entry point. It installs the handling of Ctrl-C and SIGTERM before the
commands (and numpy, pandas, SimPy) load, so stopping it at any moment exits without a traceback.
The commands themselves are in `cli.commands`; `main` (the click group) is read from there.

Bad input exits with status 2 and one line per problem; nothing is written for it. Ctrl-C exits
130, SIGTERM 143.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from sla_sim.cli import signals


def entry() -> None:
    """Console entry point: no traceback reaches a user unless SLA_SIM_DEBUG is set."""
    signals.install()
    # An interrupt that lands in pydantic's serializer is caught there and printed as a warning
    # about the serialization; it is raised again at the next check (sla_sim.interrupts).
    warnings.filterwarnings("ignore", message="Pydantic serializer warnings", category=UserWarning)
    try:
        import click

        from sla_sim.cli.commands import main as group

        _run(group, click)
    except KeyboardInterrupt as error:
        _stopped(error)


def _stopped(error: BaseException) -> None:
    """Say so and exit 130 (Ctrl-C) or 143 (SIGTERM). Every `with` of the command has run its
    clean-up by now (temporary files, workers); the exit is immediate, since an interrupt that
    landed in the interpreter's own shutdown would otherwise end it by the signal (status −2)."""
    signals.ignore()
    print("interrupted; nothing was written for the unfinished run", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(signals.exit_status(error))


def _run(group: Any, click: Any) -> None:
    from sla_sim.cli.common import say

    try:
        group.main(standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort) as error:
        _stopped(error)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:  # the last line of defence: no traceback for the user
        if os.environ.get("SLA_SIM_DEBUG"):
            raise
        say("internal error", f"{type(error).__name__}: {error}")
        print("Set SLA_SIM_DEBUG=1 to see the details, and please report it.", file=sys.stderr)
        sys.exit(1)


def __getattr__(name: str) -> Any:
    """`main`, the click group, loaded on first use (tests and scripts call it directly)."""
    if name == "main":
        from sla_sim.cli.commands import main

        return main
    raise AttributeError(name)
