"""The backtest (SPEC §11): a scenario run over an export's period and set against what
happened, month by month, by calendar month and by cohort.

The scenario is moved to the export's period (its start on the period's first day, enough
months to reach the export date). Each replication is read as the team's CRM would have
recorded it (`export_crm.export_of`) and counted by the very function that counts the team's
export (`analysis.observed.monthly`), so the two sides differ only in what happened. For each
month and measure the table gives the observed value, the replications' mean and the band in
which one more run should fall (`intervals.prediction_band`), and whether the observation lies in
it; the verdict is `analysis.agreement`'s test over the calendar months of each measure.

The simulation starts with an empty desk while the real team had leads in hand: the first month
of a backtest reads low on the simulated side unless the scenario has a warm-up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sla_sim.analysis.agreement import Agreement, agree_all
from sla_sim.analysis.intervals import prediction_band
from sla_sim.analysis.observed import MEASURES, monthly
from sla_sim.crm.tables import CrmExport
from sla_sim.experiments.executors import Executor, Task, use
from sla_sim.experiments.export_crm import exports_of_runs
from sla_sim.experiments.runner import chunks
from sla_sim.scenario.schema import Scenario

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Backtest:
    scenario: Scenario
    """The scenario as run: moved to the export's period."""
    table: pd.DataFrame
    """One row per view, month and measure: observed, mean, low, high, inside."""
    agreements: list[Agreement]
    replications: int
    seed: int

    @property
    def agrees(self) -> bool:
        return all(a.agrees for a in self.agreements)


def over_period(scenario: Scenario, export: CrmExport) -> Scenario:
    """The scenario's base moved to the export's period: it starts on the period's first day and
    runs whole months to the export date (or past it)."""
    start, as_of = export.start.normalize(), export.as_of
    months = (as_of.year - start.year) * 12 + as_of.month - start.month
    if (start + pd.DateOffset(months=months)) < as_of:
        months += 1
    base = scenario.expand()[0]
    return base.with_overrides(
        {"scenario.start_date": start.date().isoformat(), "scenario.months": max(1, months)},
        name=base.name,
    )


def _chunk(payload: str, seed: int, replications: Sequence[int], _: object) -> list[pd.DataFrame]:
    """Replications of the scenario, each counted as the team's export is."""
    document = json.loads(payload)
    scenario = Scenario.model_validate_json(document["scenario"])
    as_of = pd.Timestamp(document["as_of"]).to_pydatetime()
    return [
        monthly(simulated, scenario).assign(replication=r)
        for r, simulated in exports_of_runs(scenario, as_of, seed, replications)
    ]


def run_backtest(
    scenario: Scenario,
    export: CrmExport,
    replications: int = 30,
    seed: int = 1,
    *,
    jobs: int | None = 1,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Backtest:
    """The backtest of `scenario` against `export`, `replications` runs from `seed`."""
    run = over_period(scenario, export)
    payload = json.dumps({"scenario": run.canonical_json(), "as_of": export.as_of.isoformat()})
    frames: list[pd.DataFrame] = []
    with use(executor, jobs) as runner:
        tasks = [Task(0, payload, c) for c in chunks(range(replications), runner.workers)]
        for _, result in runner.run(_chunk, tasks, seed, None):
            frames.extend(result)
            if progress:
                progress(len(frames), replications)
    simulated = pd.concat(frames, ignore_index=True)
    observed = monthly(export, run)
    return Backtest(
        run, _table(observed, simulated), _verdict(observed, simulated), replications, seed
    )


def _wide(simulated: pd.DataFrame, view: str, measure: str, months: pd.Index) -> np.ndarray:
    rows = simulated[(simulated.view == view) & (simulated.measure == measure)]
    wide = rows.pivot(index="replication", columns="month", values="value")
    return wide.reindex(columns=months).to_numpy(dtype=float)


def _table(observed: pd.DataFrame, simulated: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for (view, measure), rows in observed.groupby(["view", "measure"], sort=False):
        months = pd.Index(rows["month"])
        mean, low, high = prediction_band(_wide(simulated, str(view), str(measure), months))
        value = rows["value"].to_numpy(dtype=float)
        low, high = np.maximum(low, 0.0), high  # no count, share or revenue below zero
        if measure == "response_within_target":
            high = np.minimum(high, 1.0)
        inside = np.where(np.isnan(value), np.nan, (value >= low) & (value <= high))
        parts.append(
            pd.DataFrame(
                {
                    "view": view,
                    "month": months,
                    "measure": measure,
                    "observed": value,
                    "mean": mean,
                    "low": low,
                    "high": high,
                    "inside": inside,
                }
            )
        )
    order = {m: i for i, m in enumerate(MEASURES)}
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(
        ["view", "measure", "month"], key=lambda c: c.map(order) if c.name == "measure" else c
    ).reset_index(drop=True)


def _verdict(observed: pd.DataFrame, simulated: pd.DataFrame) -> list[Agreement]:
    """The test of each measure over the calendar months the export has it for."""
    rows = []
    calendar = observed[observed.view == "calendar"]
    for measure in MEASURES:
        mine = calendar[calendar.measure == measure]
        if mine["value"].isna().all():
            continue
        months = pd.Index(mine["month"])
        sim = _wide(simulated, "calendar", measure, months)
        rows.append((measure, mine["value"].to_numpy(dtype=float), sim))
    return agree_all(rows)
