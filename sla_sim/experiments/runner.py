"""Replications of scenarios, sequentially or on a process pool, with identical results either way.

Replication r of every scenario draws from the streams of (seed, r), whatever worker runs it, so
`jobs=1` and `jobs=8` give the same numbers, and scenarios run with one seed share their random
numbers (common random numbers). `SimulationResult` holds what a run gave and slices, merges and
summarises itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from sla_sim import interrupts
from sla_sim.analysis.intervals import COLUMNS, summarise
from sla_sim.analysis.metrics import (
    BY_KEY,
    METRIC_KEYS,
    Facts,
    by_month,
    check_monthly,
    compute_metrics,
)
from sla_sim.analysis.series import compute_series, monthly_series, series_frame
from sla_sim.experiments.executors import Executor, Task, use
from sla_sim.model.events import Event
from sla_sim.model.replication import Replication, run_replication
from sla_sim.model.world import World, build_world, simulation_key
from sla_sim.scenario.schema import Scenario
from sla_sim.scenario.warnings import scenario_warnings

Progress = Callable[[int, int], None]
UNSTABLE_UTILIZATION = 0.9
OVERLOADED_SHARE = 0.5


@dataclass
class SimulationResult:
    """Per-replication metrics, their summary with 95% intervals, and the event log if asked for."""

    scenarios: list[Scenario]
    seed: int
    replications: int
    per_replication: pd.DataFrame
    summary: pd.DataFrame
    events: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    series: pd.DataFrame | None = None  # per replication: scenario, replication, series, x, value

    @property
    def scenario_names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def metric(self, scenario: str, key: str) -> dict[str, float]:
        """The summary of one metric of a scenario; undefined (NaN, n = 0) where the metric does
        not apply to it (`Metric.applies`)."""
        row = self.summary[(self.summary.scenario == scenario) & (self.summary.metric == key)]
        if row.empty:
            return {k: 0.0 if k == "n" else float("nan") for k in COLUMNS}
        values = row.iloc[0]
        return {k: float(values[k]) for k in COLUMNS}

    def only(self, names: Sequence[str]) -> SimulationResult:
        """The result of some of its scenarios, in the order given."""
        wanted = set(names)
        order = {name: i for i, name in enumerate(names)}

        def rows(frame: pd.DataFrame) -> pd.DataFrame:
            kept = frame[frame.scenario.isin(wanted)]
            return kept.sort_values("scenario", key=lambda c: c.map(order), kind="stable")

        by_name = {s.name: s for s in self.scenarios}
        return SimulationResult(
            scenarios=[by_name[name] for name in names],
            seed=self.seed,
            replications=self.replications,
            per_replication=rows(self.per_replication).reset_index(drop=True),
            summary=rows(self.summary).reset_index(drop=True),
            events=None if self.events is None else rows(self.events).reset_index(drop=True),
            warnings=[w for w in self.warnings if any(w.startswith(f"{n}:") for n in names)],
            series=None if self.series is None else rows(self.series).reset_index(drop=True),
        )

    @staticmethod
    def side_by_side(results: Sequence[SimulationResult]) -> SimulationResult:
        """Results of different scenarios (one seed) as one result; series kept only when every
        result has them."""
        series = [r.series for r in results if r.series is not None]
        events = [r.events for r in results if r.events is not None]
        return SimulationResult(
            scenarios=[s for r in results for s in r.scenarios],
            seed=results[0].seed,
            replications=min(r.replications for r in results),
            per_replication=pd.concat([r.per_replication for r in results], ignore_index=True),
            summary=pd.concat([r.summary for r in results], ignore_index=True),
            events=pd.concat(events, ignore_index=True) if len(events) == len(results) else None,
            warnings=[w for r in results for w in r.warnings],
            series=pd.concat(series, ignore_index=True) if len(series) == len(results) else None,
        )

    def with_more(self, more: SimulationResult) -> SimulationResult:
        """This result with the replications of `more` (the same scenarios, later replication
        numbers) added, summarised again."""
        order = {s.name: i for i, s in enumerate(self.scenarios)}

        def merged(a: pd.DataFrame | None, b: pd.DataFrame | None) -> pd.DataFrame:
            rows = pd.concat([a, b], ignore_index=True)
            rows = rows.sort_values("replication", kind="stable")
            rows = rows.sort_values("scenario", key=lambda c: c.map(order), kind="stable")
            return rows.reset_index(drop=True)

        return result_from(
            self.scenarios,
            self.seed,
            merged(self.per_replication, more.per_replication),
            series=merged(self.series, more.series),
        )


@lru_cache(maxsize=32)
def _world(scenario_json: str) -> World:
    return build_world(Scenario.model_validate_json(scenario_json))


def event_frame(replication: Replication, scenario_name: str) -> pd.DataFrame:
    """The per-lead event log of one replication: arrivals and MQLs from the lead table, then the
    events of the run, ordered by time."""
    leads = replication.leads
    names = [s.name for s in replication.world.scenario.sources]
    horizon = replication.world.horizon
    mql = leads.mql_time < horizon
    columns = replication.log.columns()
    ids = np.arange(len(leads))
    frames = [
        pd.DataFrame({"time_hours": leads.arrival, "lead": ids, "event": "arrived"}),
        pd.DataFrame({"time_hours": leads.mql_time[mql], "lead": ids[mql], "event": "mql"}),
        pd.DataFrame(
            {
                "time_hours": columns["time"],
                "lead": columns["lead"],
                "event": [Event(e).name.lower() for e in columns["event"]],
                "episode": columns["episode"],
                "rep": columns["rep"],
                "attempt": columns["number"],
                "value": columns["value"],
            }
        ),
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame["source"] = np.asarray(names, dtype=object)[leads.source[frame["lead"].to_numpy()]]
    frame["fit"] = leads.fit[frame["lead"].to_numpy()]
    frame.insert(0, "replication", replication.replication)
    frame.insert(0, "scenario", scenario_name)
    return frame.sort_values(["time_hours", "lead"], kind="stable").reset_index(drop=True)


class ReplicationOutput(NamedTuple):
    """What a worker sends back for one replication of one scenario of its group."""

    replication: int
    member: int  # the scenario's place in the task's group
    metrics: dict[str, float]  # by metric key, with backlog_mid
    series: dict[str, np.ndarray]  # by series name (analysis.series)
    log: pd.DataFrame | None  # the event log, when asked for


class Asked(NamedTuple):
    """What a worker gives beyond the metrics and series of each replication."""

    event_log: bool = False
    monthly: tuple[str, ...] = ()  # metrics also taken over each month's leads, as series


def _values(
    replication: Replication, monthly: tuple[str, ...] = ()
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """The metrics of a replication with the backlog at mid-horizon (to tell an unstable team),
    and its series for charts (with the `monthly` metrics month by month)."""
    facts = Facts(replication)
    backlog_mid = float(facts.waiting_at(np.array([facts.horizon / 2]))[0])
    series = compute_series(facts)
    if monthly:
        months = by_month(replication, list(monthly))
        series |= {monthly_series(key): values for key, values in months.items()}
    return compute_metrics(facts) | {"backlog_mid": backlog_mid}, series


def run_chunk(
    scenarios_json: str, seed: int, replications: Sequence[int], asked: Asked
) -> list[ReplicationOutput]:
    """Run some replications of a group of scenarios that share one simulation (the unit of
    work of a worker): per replication and scenario of the group, its metrics, its series and
    what else is `asked` (the event log, metrics by month). `scenarios_json` is a JSON list of
    the scenarios' JSON."""
    worlds = [_world(text) for text in json.loads(scenarios_json)]
    out = []
    with np.errstate(all="ignore"):  # extreme draws overflow; the metrics say so, not numpy
        for r in replications:
            interrupts.check()
            run = run_replication(worlds[0], seed, r)
            for member, world in enumerate(worlds):
                replication = run.measured_as(world)
                values, series = _values(replication, asked.monthly)
                log = event_frame(replication, world.scenario.name) if asked.event_log else None
                out.append(ReplicationOutput(r, member, values, series, log))
    return out


def chunks(replications: Sequence[int], workers: int) -> list[list[int]]:
    """Split replications into chunks: a few per worker, so progress shows and Ctrl-C is quick."""
    size = max(1, math.ceil(len(replications) / (4 * workers)))
    return [list(replications[i : i + size]) for i in range(0, len(replications), size)]


def simulate(
    scenario: Scenario | Sequence[Scenario],
    replications: int = 30,
    seed: int = 0,
    jobs: int | None = 1,
    *,
    variants: bool = True,
    event_log: bool = False,
    progress: Progress | None = None,
    executor: Executor | None = None,
    first_replication: int = 0,
    on_scenario_done: Callable[[int, pd.DataFrame], None] | None = None,
    monthly: Sequence[str] = (),
) -> SimulationResult:
    """Run `replications` replications of each scenario (and, with `variants`, each of its variants).

    Returns the per-replication metrics, their summary with 95% intervals and, with `event_log`, the
    per-lead event log of every replication. Replications run on `executor` (default: a local pool of
    `jobs` processes; `jobs=None` uses every core) and are numbered from `first_replication`, so more
    can be added later with the same seed. `on_scenario_done(index, rows)` is called as each
    scenario's replications are all in (a sweep writes its points as they finish). `monthly`
    metrics are also taken over the leads of each month, as series (`monthly_series(key)`, one
    value a month; only those of `metrics.MONTHLY_KEYS`).
    """
    given = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    scenarios = [s for item in given for s in (item.expand() if variants else [item])]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must be unique, got {names}")
    if replications < 1:
        raise ValueError("replications must be at least 1")
    for key in monthly:
        check_monthly(key)
    numbers = range(first_replication, first_replication + replications)
    # Scenarios that differ only in what is measured (a response target, say) share a simulation.
    groups: dict[str, list[int]] = {}
    for index, s in enumerate(scenarios):
        groups.setdefault(simulation_key(s), []).append(index)
    members = list(groups.values())
    outputs: dict[tuple[int, int], ReplicationOutput] = {}
    finished = [0] * len(scenarios)
    total, done = len(scenarios) * replications, 0
    with use(executor, jobs) as runner:
        tasks = [
            Task(group, json.dumps([scenarios[i].canonical_json() for i in indices]), chunk)
            for group, indices in enumerate(members)
            for chunk in chunks(numbers, runner.workers)
        ]
        interrupts.check()  # a stop asked for while the scenarios were written out
        asked = Asked(event_log, tuple(monthly))
        for group, chunk_result in runner.run(run_chunk, tasks, seed, asked):
            interrupts.check()
            for output in chunk_result:
                index = members[group][output.member]
                outputs[(index, output.replication)] = output
                finished[index] += 1
            done += len(chunk_result)
            if progress:
                progress(done, total)
            if on_scenario_done:
                for index in members[group]:
                    if finished[index] == replications:  # the group's last chunk: once
                        on_scenario_done(index, _rows(scenarios[index], index, numbers, outputs))
    per_replication = pd.concat(
        [_rows(s, i, numbers, outputs) for i, s in enumerate(scenarios)], ignore_index=True
    )
    logs = [outputs[(i, r)].log for i in range(len(scenarios)) for r in numbers]
    events = pd.concat(logs) if event_log else None
    series = series_frame(
        [(s.name, r, outputs[(i, r)].series) for i, s in enumerate(scenarios) for r in numbers]
    )
    return result_from(scenarios, seed, per_replication, events, series)


def _rows(
    scenario: Scenario,
    index: int,
    numbers: Sequence[int],
    outputs: dict[tuple[int, int], ReplicationOutput],
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"scenario": scenario.name, "replication": r, **outputs[(index, r)].metrics}
            for r in numbers
        ]
    )


def result_from(
    scenarios: list[Scenario],
    seed: int,
    per_replication: pd.DataFrame,
    events: pd.DataFrame | None = None,
    series: pd.DataFrame | None = None,
) -> SimulationResult:
    """A result from per-replication rows (of one run, or of several runs put together)."""
    warnings = [w for s in scenarios for w in scenario_warnings(s)]
    if "backlog_mid" in per_replication:
        warnings += _instability(per_replication)
    counts = per_replication.groupby("scenario").size()
    with np.errstate(all="ignore"):
        summary = summarise(per_replication, METRIC_KEYS)
    summary = summary[applicable(summary, scenarios)].reset_index(drop=True)
    return SimulationResult(
        scenarios=scenarios,
        seed=seed,
        replications=int(counts.min()) if len(counts) else 0,
        per_replication=per_replication[["scenario", "replication", *METRIC_KEYS]].reset_index(
            drop=True
        ),
        summary=summary,
        events=events.reset_index(drop=True) if events is not None else None,
        warnings=warnings,
        series=series,
    )


def applicable(summary: pd.DataFrame, scenarios: list[Scenario]) -> pd.Series:
    """Which rows of a summary hold a metric that applies to their scenario (`Metric.applies`)."""
    by_name = {s.name: s for s in scenarios}
    keep = [
        name not in by_name or BY_KEY[str(metric)].applies_to(by_name[name])
        for name, metric in zip(summary["scenario"].astype(str), summary["metric"], strict=True)
    ]
    return pd.Series(keep, index=summary.index, dtype=bool)


def _instability(per_replication: pd.DataFrame) -> list[str]:
    """Scenarios whose reps are saturated and cannot keep up: the backlog keeps growing, most
    handoffs miss the response deadline, or most go cold or wait to the horizon unattempted (a
    backlog held down by leads dropping out is overload too)."""
    warnings = []
    for name, group in per_replication.groupby("scenario", sort=False):
        utilization = group["rep_utilization"].mean()
        if not utilization >= UNSTABLE_UTILIZATION:
            continue
        mid, end = group["backlog_mid"].mean(), group["backlog_end"].mean()
        breaches = group["response_breach_rate"].mean()
        handed = group["handed_off"].mean()
        dropped = group["leads_lost_cold"].mean() + end
        busy = f"reps {utilization:.0%} busy"
        if end > 1.5 * mid + 5:
            warnings.append(
                f"{name}: unstable: leads arrive faster than the reps can attempt them, so the "
                f"backlog grows without bound ({mid:.0f} waiting at mid-horizon, {end:.0f} at the "
                f"end; {busy}). Add reps or prospecting time."
            )
        elif breaches >= OVERLOADED_SHARE or (handed and dropped / handed >= OVERLOADED_SHARE):
            warnings.append(
                f"{name}: overloaded: the reps cannot keep up with the leads ({busy}): "
                f"{breaches:.0%} of handoffs miss the response deadline and {dropped:,.0f} of "
                f"{handed:,.0f} handed-off leads go cold or are still waiting at the horizon "
                "without an attempt. Add reps or prospecting time, or lower the volume."
            )
    return warnings
