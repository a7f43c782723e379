"""`python -m sla_sim` runs the command line."""

from sla_sim.cli import entry

entry()
