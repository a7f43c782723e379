"""The validation set-ups of SPEC §5: scenario files whose answer theory knows.

Each set-up is written as a real scenario file, loaded and simulated like any other, and its metrics
are compared with theory: Erlang C (M/M/c), Erlang A (M/M/c+M, leads that lose patience), Little's
law, and the funnel arithmetic of a team that never runs out of capacity. A model value agrees when
theory lies within four standard errors of the replications' mean. The tests and
`scripts/validate.py` (the README's table) use these same set-ups.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sla_sim.experiments.runner import simulate
from sla_sim.scenario.file import load_scenario
from sla_sim.verification import theory

SIGMAS = 4.0
START = "2027-07-01"  # July and August have the same length, so a flat rate is the same in both
HOURS = 62 * 24.0


def _header(
    name: str,
    leads_per_month: float,
    hand_raisers: float = 1.0,
    fit: float = 1.0,
    warmup_days: float = 0.0,
) -> str:
    """The start every set-up shares: two months of equal length, always open, one flat source."""
    return f"""
[scenario]
name = "{name}"
start_date = "{START}"
months = 2
warmup_days = {warmup_days!r}

[calendar]
always_open = true

[[sources]]
name = "Leads"
leads_per_month = {leads_per_month!r}
hand_raiser_share = {hand_raisers!r}
fit = {fit!r}
arrival = "flat"
"""


@dataclass(frozen=True)
class Check:
    """One measure of one set-up: what theory (or a study) says, and the model's value with the
    band it is known to (four standard errors)."""

    setup: str
    metric: str
    theory: float
    mean: float
    low: float
    high: float
    replications: int

    @property
    def band(self) -> float:
        return (self.high - self.low) / 2

    @property
    def agrees(self) -> bool:
        return self.low <= self.theory <= self.high


@dataclass(frozen=True)
class QueueSetup:
    """SPEC §5: reps as an M/M/c queue (with exponential patience, M/M/c+M)."""

    name: str
    reps: int
    leads_per_hour: float
    attempt_minutes: float
    target_hours: float
    patience_hours: float | None = None
    replications: int = 16
    warmup_days: float = 3.0

    @property
    def service_rate(self) -> float:
        return 60.0 / self.attempt_minutes

    @property
    def utilisation(self) -> float:
        return self.leads_per_hour / (self.reps * self.service_rate)

    def toml(self) -> str:
        patience = (
            f"patience_hours = {{ dist = 'exponential', mean = {self.patience_hours!r} }}"
            if self.patience_hours
            else ""
        )
        header = _header(self.name, self.leads_per_hour * 31 * 24, warmup_days=self.warmup_days)
        return (
            header
            + f"""
[handoff]
sync_delay_minutes = 0
accept_min_fit = 0.0

[team]
reps = {self.reps}
attempt_minutes = {{ dist = "exponential", mean = {self.attempt_minutes!r} }}
prospecting_share = 1.0
routing = "shared_queue"
priority = "fifo"

[response]
connect_prob = 1.0
connect_floor = 1.0
{patience}

[sla.sales]
first_response_hours = {self.target_hours!r}
clock = "calendar"
min_attempts = 1
"""
        )

    def theory(self) -> dict[str, float]:
        """Theory's value of each metric checked."""
        c, lam, mu, t = self.reps, self.leads_per_hour, self.service_rate, self.target_hours
        if self.patience_hours is None:
            return {
                "response_within_sla": theory.erlang_c_service_level(c, lam, mu, t),
                "response_hours_mean": theory.erlang_c_mean_wait(c, lam, mu),
                "backlog_mean": theory.erlang_c_queue_length(c, lam, mu),
                "rep_utilization": lam / (c * mu),
            }
        queue = theory.ErlangA(c, lam, mu, 1.0 / self.patience_hours)
        return {
            "response_within_sla": queue.served_within(t),
            "response_hours_mean": queue.mean_wait_served,
            "lost_cold_share": queue.p_abandon,
            "backlog_mean": queue.mean_queue_length,
            "rep_utilization": queue.p_served * lam / (c * mu),
        }


ERLANG_C = [
    QueueSetup("M/M/1, 50% busy, 15-minute target", 1, 3.0, 10.0, 0.25, replications=40),
    QueueSetup("M/M/5, 80% busy, 1-hour target", 5, 8.0, 30.0, 1.0, replications=24),
    QueueSetup("M/M/10, 70% busy, 30-minute target", 10, 14.0, 30.0, 0.5),
    QueueSetup("M/M/20, 90% busy, 3-minute target", 20, 36.0, 30.0, 0.05),
    QueueSetup("M/M/100, 95% busy, 15-minute target", 100, 95.0, 60.0, 0.25),
]
ERLANG_A = [
    QueueSetup("M/M/10+M, 100% offered, patience 2x a call", 10, 10.0, 60.0, 0.25, 2.0),
    QueueSetup("M/M/20+M, 90% offered, patience = a call", 20, 18.0, 60.0, 0.1, 1.0),
    QueueSetup("M/M/50+M, 110% offered, patience half a call", 50, 55.0, 60.0, 0.05, 0.5),
]


def check_queue(setup: QueueSetup, seed: int = 1, jobs: int | None = 2) -> list[Check]:
    """Write the set-up as a scenario file, run it, and compare each metric with theory."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "setup.toml"
        path.write_text(setup.toml())
        scenario = load_scenario(path)
    result = simulate(scenario, setup.replications, seed=seed, jobs=jobs, variants=False)
    values = result.per_replication.copy()
    values["lost_cold_share"] = values["leads_lost_cold"] / values["handed_off"]
    return [
        _check(setup.name, key, expected, values[key]) for key, expected in setup.theory().items()
    ]


def _check(setup: str, metric: str, expected: float, values: pd.Series) -> Check:
    v = values.to_numpy(dtype=float)
    mean, half = float(v.mean()), SIGMAS * float(v.std(ddof=1) / math.sqrt(len(v)))
    return Check(setup, metric, expected, mean, mean - half, mean + half, len(v))


# ---------------------------------------------------------------------------------------------
# Funnel arithmetic: no capacity limit, fixed fit, every probability as written in the file.

FUNNEL = {
    "leads_per_month": 2000.0,
    "hand_raiser_share": 0.3,
    "fit": 0.8,
    "fit_points": 50.0,
    "mql_threshold": 45.0,  # 0.8 * 50 = 40 < 45: nurtured leads need a touch; none come
    "accept_min_fit": 0.5,
    "connect_prob": 0.4,
    "min_attempts": 3,
    "qualify_prob": 0.5,
    "win_prob": 0.5,
}


def funnel_toml() -> str:
    f = FUNNEL
    header = _header("Funnel arithmetic", f["leads_per_month"], f["hand_raiser_share"], f["fit"])
    return (
        header
        + f"""
[nurture]
fit_points = {f["fit_points"]!r}
touches_per_week = 0

[handoff]
accept_min_fit = {f["accept_min_fit"]!r}

[team]
reps = 100000
attempt_minutes = 1
prospecting_share = 1.0

[response]
connect_prob = {f["connect_prob"]!r}
connect_floor = 1.0
qualify_prob = {f["qualify_prob"]!r}
qualify_floor = 1.0

[deals]
cycle_days = 0.001
win_prob = {f["win_prob"]!r}
deal_value = 1000

[sla.marketing]
mql_threshold = {f["mql_threshold"]!r}

[sla.sales]
min_attempts = {f["min_attempts"]!r}
retry_gap_hours = [0.001]
on_no_contact = "disqualify"
"""
    )


def funnel_arithmetic() -> dict[str, float]:
    """Mean count per stage over the two months, as the product of the file's probabilities."""
    f = FUNNEL
    leads = 2 * f["leads_per_month"]
    nurtured_qualify = f["fit"] * f["fit_points"] >= f["mql_threshold"]
    mqls = leads * (f["hand_raiser_share"] + (1 - f["hand_raiser_share"]) * nurtured_qualify)
    handed_off = mqls * (f["fit"] >= f["accept_min_fit"])
    contacted = handed_off * (1 - (1 - f["connect_prob"]) ** f["min_attempts"])
    opportunities = contacted * f["qualify_prob"] * f["fit"]
    deals = opportunities * f["win_prob"] * f["fit"]
    return {
        "leads": leads,
        "mqls": mqls,
        "handed_off": handed_off,
        "contacted": contacted,
        "opportunities": opportunities,
        "closed_deals": deals,
        "revenue": deals * 1000,
    }


def check_funnel(replications: int = 30, seed: int = 1, jobs: int | None = 2) -> list[Check]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "funnel.toml"
        path.write_text(funnel_toml())
        scenario = load_scenario(path)
    result = simulate(scenario, replications, seed=seed, jobs=jobs, variants=False)
    values = result.per_replication
    return [
        _check("Funnel arithmetic, unlimited reps", key, expected, values[key])
        for key, expected in funnel_arithmetic().items()
    ]


# ---------------------------------------------------------------------------------------------
# Published speed-to-lead results, measured from the model's own attempt records.

CADENCE_HOURS = 244.0  # the default cadence's last attempt comes 244 h after the first
MINUTES = 60.0


def _spread(low: float, high: float, points: int = 100) -> list[float]:
    step = (high - low) / points
    return [low + step * (i + 0.5) for i in range(points)]


def decay_study_toml(decay: str, delays_minutes: list[float], leads_per_month: float) -> str:
    """Reps always free and the default cadence; a lead's first call comes after its sync delay,
    drawn from `delays_minutes`, so the study sets the age at the first call."""
    return (
        _header(f"Speed to lead, {decay}", leads_per_month)
        + f"""
[handoff]
sync_delay_minutes = {{ dist = "empirical", values = {delays_minutes!r} }}

[team]
reps = 3000
attempt_minutes = 1
prospecting_share = 1.0

[response]
connect_prob = 0.45
qualify_prob = 1.0
decay = "{decay}"

[sla.sales]
min_attempts = 6
retry_gap_hours = [4, 24, 48, 72, 96]
follow_up_window_days = 14
on_no_contact = "disqualify"
"""
    )


def first_calls(toml: str, replications: int = 2, seed: int = 11) -> pd.DataFrame:
    """Per lead whose cadence ends before the horizon: the age at its first call (minutes), whether
    that call connected, and whether the lead became an opportunity."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "study.toml"
        path.write_text(toml)
        scenario = load_scenario(path)
    result = simulate(scenario, replications, seed=seed, jobs=2, variants=False, event_log=True)
    events = result.events
    assert events is not None
    keys = ["replication", "lead"]
    mql = events[events.event == "mql"].set_index(keys)["time_hours"]
    first = events[events.event.isin(["attempt", "connect"]) & (events.attempt == 0)]
    first = first.set_index(keys)
    first = first[first.time_hours < HOURS - CADENCE_HOURS - 24]
    won = events[events.event == "opportunity"].set_index(keys).index
    return pd.DataFrame(
        {
            "age_minutes": (first.time_hours - mql.loc[first.index]).to_numpy() * MINUTES,
            "connected": (first.event == "connect").to_numpy(),
            "qualified": first.index.isin(won),
        }
    )


def ratio_check(
    setup: str, metric: str, published: float, hits: pd.Series, in_a: pd.Series, in_b: pd.Series
) -> Check:
    """The ratio of two shares, with a 4-sigma band on the log scale (delta method)."""
    xa, na = float(hits[in_a].sum()), float(in_a.sum())
    xb, nb = float(hits[in_b].sum()), float(in_b.sum())
    measured = (xa / na) / (xb / nb)
    sigma = math.sqrt(1 / xa - 1 / na + 1 / xb - 1 / nb)
    return Check(
        setup,
        metric,
        published,
        measured,
        measured * math.exp(-SIGMAS * sigma),
        measured * math.exp(SIGMAS * sigma),
        int(xb),
    )


def check_lrm2007() -> list[Check]:
    """Lead Response Management study (Oldroyd, MIT/InsideSales, 2007): odds of contact 100 times
    and of qualifying 21 times higher for a first call within 5 minutes than at 30 minutes."""
    calls = first_calls(decay_study_toml("lrm2007", _spread(0, 5) + _spread(30, 35), 60_000))
    age = calls.age_minutes
    fast, slow = age < 5, (age >= 30) & (age < 35)
    name = "decay = lrm2007, first call in 0-5 vs 30-35 min"
    return [
        ratio_check(name, "contact ratio", 100.0, calls.connected, fast, slow),
        ratio_check(name, "qualified ratio", 21.0, calls.qualified, fast, slow),
    ]


def check_hbr2011() -> list[Check]:
    """Oldroyd, McElheran & Elkington, HBR 2011: nearly 7 times as likely to qualify a lead when
    tried within an hour as an hour later, and over 60 times as likely as after 24 hours or more."""
    delays = _spread(0, 60, 120) + _spread(60, 120, 120) + _spread(24 * 60, 48 * 60, 120)
    calls = first_calls(decay_study_toml("hbr2011", delays, 45_000))
    age = calls.age_minutes
    hour = age < 60
    next_hour = (age >= 60) & (age < 120)
    day = (age >= 24 * 60) & (age < 48 * 60)
    return [
        ratio_check(
            "decay = hbr2011, first try in 0-1 h vs 1-2 h",
            "qualified ratio",
            7.0,
            calls.qualified,
            hour,
            next_hour,
        ),
        ratio_check(
            "decay = hbr2011, first try in 0-1 h vs 24-48 h",
            "qualified ratio",
            60.0,
            calls.qualified,
            hour,
            day,
        ),
    ]


def report(checks: list[Check]) -> str:
    """The checks as a Markdown table."""
    lines = [
        "| set-up | measure | theory or study | model (mean, 4-s.e. band) | agrees |",
        "| --- | --- | ---: | ---: | :---: |",
    ]
    for c in checks:
        lines.append(
            f"| {c.setup} | {c.metric} | {_fmt(c.theory)} | {_fmt(c.mean)} "
            f"({_fmt(c.low)} to {_fmt(c.high)}) "
            f"| {'yes' if c.agrees else '**no**'} |"
        )
    return "\n".join(lines)


def _fmt(value: float) -> str:
    """A measure of the technical table: four significant digits, so theory and model compare
    digit by digit (not the rounding for people of `present.numbers`, which this layer cannot use)."""
    if not np.isfinite(value):
        return str(value)
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}"
