"""What every replication of a scenario shares (its calendar and month boundaries), and which
scenarios share one simulation because they differ only in what is measured."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from sla_sim.scenario import keys
from sla_sim.scenario.calendar import Calendar, month_bounds_hours
from sla_sim.scenario.schema import Scenario

CALENDAR_SLACK_DAYS = 400  # business-hour deadlines past the horizon still need open hours


@dataclass(frozen=True)
class World:
    """What every replication of a scenario shares: its calendar and month boundaries."""

    scenario: Scenario
    calendar: Calendar
    month_bounds: np.ndarray

    @property
    def horizon(self) -> float:
        return float(self.month_bounds[-1])

    @property
    def warmup(self) -> float:
        return self.scenario.scenario.warmup_days * 24.0


def build_world(scenario: Scenario) -> World:
    calendar = scenario.business_calendar(CALENDAR_SLACK_DAYS)
    bounds = month_bounds_hours(scenario.scenario.start_date, scenario.scenario.months)
    return World(scenario, calendar, bounds)


# Keys the simulation never reads: they set the deadlines and commitments its events are held
# to, or what the team and the leads cost, not the events. Scenarios that differ only in these
# share one simulation. `*` stands for any item of an array of tables (every source). Under an
# enforcement of the response target, or deadline priority (SPEC §9), the target and its clock
# set events too (`reads_target`).
ENFORCED_TARGET = ("sla.sales.first_response_hours", "sla.sales.clock")
MEASURED_ONLY = (
    "scenario.name",
    "scenario.description",
    "calendar.timezone",
    "sla.sales.first_response_hours",
    "sla.sales.clock",
    "sla.marketing.monthly_mql_commitment",
    "sla.marketing.acceptance_target",
    "costs.rep_cost_per_month",
    "costs.ae_cost_per_month",
    "costs.currency",
    "sources.*.cost_per_lead",
)


def _matches(key: str, pattern: str) -> bool:
    steps, wanted = key.split("."), pattern.split(".")
    return len(steps) == len(wanted) and all(
        w == s or (w == "*" and s.isdigit()) for s, w in zip(steps, wanted, strict=True)
    )


def reads_target(scenario: Scenario) -> bool:
    """Whether the simulation of this scenario reads its response target (SPEC §9)."""
    return scenario.sla.sales.enforcement != "none" or scenario.team.priority == "deadline"


def is_measured_only(key: str, scenario: Scenario | None = None) -> bool:
    """Whether the dotted key (`sources.1.cost_per_lead`) is one the simulation never reads (of
    this scenario, when given: under enforcement it reads the response target)."""
    if scenario is not None and reads_target(scenario) and key in ENFORCED_TARGET:
        return False
    return any(_matches(key, pattern) for pattern in MEASURED_ONLY)


def _measured_keys(document: dict[str, Any]) -> list[str]:
    """The keys of MEASURED_ONLY in a document, each `*` spelled out for every item there."""
    out = []
    for pattern in MEASURED_ONLY:
        head, _, tail = pattern.partition(".*.")
        if tail:
            out += [f"{head}.{i}.{tail}" for i in range(len(document.get(head, [])))]
        else:
            out.append(pattern)
    return out


def simulation_key(scenario: Scenario) -> str:
    """Equal for scenarios whose simulations are the same event for event."""
    document = scenario.model_dump(mode="json", by_alias=True)
    enforced = reads_target(scenario)
    for key in _measured_keys(document):
        if not (enforced and key in ENFORCED_TARGET):
            keys.set_key(document, key, None)
    return json.dumps(document, sort_keys=True)
