"""`python -m sla_sim` runs the command line."""

from sla_sim.cli.main import entry

if __name__ == "__main__":  # worker processes of a local Dask cluster import this module too
    entry()
