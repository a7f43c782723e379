"""sla_sim: a simulator and what-if planner for the Marketing-Sales SLA.

The package's folders are its layers, each importing only from those before it:
scenario -> model -> analysis -> experiments -> verification | present -> cli | app.
"""

from sla_sim._version import __version__
from sla_sim.experiments.runner import SimulationResult, simulate
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario, ScenarioError

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "load_scenario",
    "simulate",
]
