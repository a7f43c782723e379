"""The scenario layer: a scenario file read, checked and written back (SPEC §3)."""

from sla_sim.scenario.file import load_scenario, parse_scenario, parse_scenario_text
from sla_sim.scenario.schema import Scenario, ScenarioError
from sla_sim.scenario.warnings import scenario_warnings

__all__ = [
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parse_scenario",
    "parse_scenario_text",
    "scenario_warnings",
]
