"""sla_sim: a simulator and what-if planner for the Marketing-Sales SLA.

The package's folders are its layers, each importing only from those before it:
scenario -> model -> analysis -> experiments -> verification | present -> cli | app.
Its names load on first use, so `sla-sim` can handle Ctrl-C before numpy and pandas load.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from sla_sim._version import __version__

if TYPE_CHECKING:
    from sla_sim.experiments.runner import SimulationResult, simulate
    from sla_sim.scenario.file import load_scenario
    from sla_sim.scenario.schema import Scenario, ScenarioError

_WHERE = {
    "SimulationResult": "sla_sim.experiments.runner",
    "simulate": "sla_sim.experiments.runner",
    "load_scenario": "sla_sim.scenario.file",
    "Scenario": "sla_sim.scenario.schema",
    "ScenarioError": "sla_sim.scenario.schema",
}

__all__ = [
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "__version__",
    "load_scenario",
    "simulate",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sla_sim' has no attribute {name!r}")
