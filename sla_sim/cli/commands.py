"""The command line of SPEC §6: run, validate, compare, sweep, optimize, funnel, warmup, report,
and for a team's CRM export calibrate, backtest, review and export-crm.

Front end only: each command reads its options and files, calls the layers below, and shows or
writes what comes back. `cli.main.entry` runs this group.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

# Each command's module, imported when the command runs (or `--help` lists them all), so a
# command loads only what it uses: `validate` needs no simulation, `run` no renderer.
COMMANDS = {
    "run": "sla_sim.cli.run",
    "validate": "sla_sim.cli.validate",
    "funnel": "sla_sim.cli.funnel",
    "compare": "sla_sim.cli.compare",
    "sweep": "sla_sim.cli.sweep",
    "optimize": "sla_sim.cli.optimize",
    "warmup": "sla_sim.cli.warmup",
    "report": "sla_sim.cli.report",
    "export-crm": "sla_sim.cli.export_crm",
    "calibrate": "sla_sim.cli.calibrate",
    "backtest": "sla_sim.cli.backtest",
    "review": "sla_sim.cli.review",
}


class _Commands(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 (click's signature)
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:  # noqa: ARG002
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[cmd_name])
        command: Any = getattr(module, cmd_name.replace("-", "_"))
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sla-sim")
def main() -> None:
    """sla-sim: simulate the Marketing-Sales SLA before you sign it."""
