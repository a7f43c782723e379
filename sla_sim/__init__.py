"""sla_sim: a simulator and what-if planner for the Marketing-Sales SLA."""

__version__ = "0.4.0"

from sla_sim.runner import SimulationResult, simulate
from sla_sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "load_scenario",
    "simulate",
]
