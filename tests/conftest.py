"""Shared helpers: scenario documents built in code, and TOML files written for the CLI path."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sla_sim.scenario import keys
from sla_sim.scenario.file import parse_scenario
from sla_sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SLA_SIM = [sys.executable, "-m", "sla_sim"]


def run(
    argv: list[str], cwd: Path = ROOT, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """A command run as a user runs it (without SLA_SIM_DEBUG), its output captured as text."""
    env = {k: v for k, v in os.environ.items() if k != "SLA_SIM_DEBUG"}
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def sla_sim(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`sla-sim ARGS` (as `python -m sla_sim`) from the project root."""
    return run([*SLA_SIM, *map(str, args)], cwd)


# The metric contract of SPEC §4: every result file reports at least these.
SPEC_METRICS = [
    "leads",
    "mqls",
    "handed_off",
    "contacted",
    "opportunities",
    "closed_deals",
    "revenue",
    "pipeline_value",
    "lead_to_deal_rate",
    "mql_to_deal_rate",
    "acceptance_rate",
    "response_hours_mean",
    "response_hours_median",
    "response_hours_p90",
    "response_within_sla",
    "response_breach_rate",
    "attempt_breach_rate",
    "mql_shortfall_months",
    "leads_lost_cold",
    "leads_recycled",
    "leads_never_contacted",
    "rep_utilization",
    "backlog_mean",
]

# A small, fully deterministic-in-its-terms set-up: always open, one source of hand-raisers with
# fit 1, no sync delay, every attempt connects and qualifies, every deal is won after one day.
SIMPLE: dict[str, Any] = {
    "scenario": {"name": "Simple", "start_date": "2027-01-04", "months": 3},
    "calendar": {"always_open": True},
    "sources": [
        {
            "name": "Requests",
            "leads_per_month": 100,
            "hand_raiser_share": 1.0,
            "fit": 1.0,
            "arrival": "flat",
        }
    ],
    "handoff": {"sync_delay_minutes": 0, "accept_min_fit": 0.0},
    "team": {"reps": 50, "attempt_minutes": 6, "prospecting_share": 1.0},
    "response": {
        "connect_prob": 1.0,
        "connect_floor": 1.0,
        "qualify_prob": 1.0,
        "qualify_floor": 1.0,
    },
    "deals": {"cycle_days": 1, "win_prob": 1.0, "deal_value": 1000},
    "sla": {
        "marketing": {"mql_threshold": 60, "monthly_mql_commitment": 0},
        "sales": {
            "first_response_hours": 1,
            "clock": "calendar",
            "min_attempts": 1,
            "retry_gap_hours": [4],
            "follow_up_window_days": 14,
            "on_no_contact": "disqualify",
            "max_recycles": 0,
        },
    },
}


def merged(base: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A deep copy of `base` with dotted keys set: merged(SIMPLE, **{"team.reps": 2})."""
    document = copy.deepcopy(base)
    for key, value in overrides.items():
        keys.set_key(document, key, value)
    return document


def scenario_from(base: dict[str, Any] = SIMPLE, **overrides: Any) -> Scenario:
    return parse_scenario(merged(base, **overrides), "test")


@pytest.fixture
def simple() -> Scenario:
    return scenario_from()
