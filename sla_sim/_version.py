"""The one version of sla_sim (pyproject.toml reads it from here)."""

__version__ = "0.8.0"
