"""What every replication of a scenario shares (its calendar and month boundaries), and which
scenarios share one simulation because they differ only in what is measured."""

from __future__ import annotations

import json
from dataclasses import dataclass

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
# to, not the events. Scenarios that differ only in these share one simulation. Under an
# enforcement of the response target, or deadline priority (SPEC §9), the target and its clock
# set events too.
ENFORCED_TARGET = ("sla.sales.first_response_hours", "sla.sales.clock")
MEASURED_ONLY = (
    "scenario.name",
    "scenario.description",
    "sla.sales.first_response_hours",
    "sla.sales.clock",
    "sla.marketing.monthly_mql_commitment",
    "sla.marketing.acceptance_target",
)


def simulation_key(scenario: Scenario) -> str:
    """Equal for scenarios whose simulations are the same event for event."""
    document = scenario.model_dump(mode="json", by_alias=True)
    enforced = scenario.sla.sales.enforcement != "none" or scenario.team.priority == "deadline"
    for key in MEASURED_ONLY:
        if not (enforced and key in ENFORCED_TARGET):
            keys.set_key(document, key, None)
    return json.dumps(document, sort_keys=True)
