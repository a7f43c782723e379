"""Calibrate (SPEC §11): a scenario fitted to a team's CRM export, every value with its evidence.

The statistical fits are `analysis.fitting`'s (volumes, growth, arrival, hand-raisers, fit,
acceptance, the team over the period, the cadence, connect and qualification by age, the deals).
What no formula gives is how the reps work new leads: the lead-work pattern (`team.lead_work`) is
chosen by simulation, as the one whose response times (handoff to first attempt, on the terms'
clock, read from each run's export exactly as from the team's) come nearest the observed ones.
The candidates are working leads as they come (`"interleaved"`), in the blocks of the day where
the team's first attempts crowd (when they do), and looking at the queue every 1, 2 or 4 open
hours (`"checks"`). The share of handoffs nobody picks up (`team.ignore_share`) is read directly:
handoffs old enough that their follow-up window had closed by the export date and that were
never attempted.

The written file starts from the terms (`--terms`, or the defaults): what was agreed stays as
the file says (the response target and its clock, the commitments), and what the team did is
fitted over it. The cadence is the team's own: `sla.sales.min_attempts` and `retry_gap_hours`
become what the reps do, and their note says what the terms had agreed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sla_sim.analysis.fitting import ExportFit, Fitted, fit_export, lead_fit, period_of
from sla_sim.analysis.observed import first_attempts, response
from sla_sim.crm.tables import CrmExport
from sla_sim.experiments.executors import Executor, Task, use
from sla_sim.experiments.export_crm import exports_of_runs
from sla_sim.model.replication import run_replication
from sla_sim.model.world import build_world
from sla_sim.scenario.file import (
    parse_scenario,
    parse_scenario_text,
    scenario_toml,
    with_settings,
    with_variants,
)
from sla_sim.scenario.schema import HALF_LIFE_KEYS, Scenario, ScenarioError, Variant

Progress = Callable[[int, int], None]
CHECK_HOURS = (1.0, 2.0, 4.0)
SEARCH_REPLICATIONS = 3
QUANTILES = np.linspace(0.1, 0.9, 9)
BIN_HOURS = 0.5  # first attempts' time of day, read in half hours
CROWD = 0.5  # a half hour is in a block when it has at least this share of its even share
IN_BLOCKS = 0.8  # blocks are a candidate when they hold this share of first attempts
MOST_OF_THE_DAY = 0.7  # ... and leave at least the rest of the open day out


def default_terms() -> Scenario:
    """The terms when no file gives them: the schema's defaults (SPEC §3)."""
    return parse_scenario(
        {
            "scenario": {"name": "Defaults"},
            "sources": [{"name": "Leads", "leads_per_month": 100}],
        },
        "the defaults",
    )


@dataclass(frozen=True)
class Setting:
    value: Any
    evidence: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class LeadWork:
    """A candidate pattern of lead work and how near its response times came."""

    label: str
    keys: dict[str, Any]
    distance: float
    """Mean absolute difference of the response-time deciles, in log₂ hours."""


@dataclass(frozen=True)
class Calibration:
    scenario: Scenario
    text: str
    settings: dict[str, Setting]
    candidates: tuple[LeadWork, ...]
    missing: dict[str, tuple[str, ...]]
    notes: tuple[str, ...] = field(default=())
    """The values the export could not tell, kept at the terms' (or the default)."""
    variants: tuple[str, ...] = field(default=())
    """How the terms' variants came over: the candidates to compare with the team as it is."""

    def document(self) -> dict[str, Any]:
        """The fitted values with their intervals and the fields that were missing (`--json`)."""

        def clean(x: Any) -> Any:
            if isinstance(x, float) and not math.isfinite(x):
                return None
            return x

        return {
            "scenario": self.scenario.name,
            "settings": {
                key: {
                    "value": s.value,
                    "low": clean(s.low),
                    "high": clean(s.high),
                    "evidence": s.evidence,
                }
                for key, s in self.settings.items()
            },
            "lead_work_candidates": [
                {"pattern": c.label, "keys": c.keys, "distance": clean(c.distance)}
                for c in self.candidates
            ],
            "missing": {table: list(names) for table, names in self.missing.items()},
            "notes": list(self.notes),
            "variants": list(self.variants),
            "toml": self.text,
        }


def _fitted(value: Fitted, digits: int = 4) -> Setting:
    return Setting(round(value.value, digits), value.evidence, value.low, value.high)


def _without_fit(out: dict[str, Setting], sources: list[dict[str, Any]], terms: Scenario) -> None:
    """An export with no fit (nor a score out of 100): each source keeps the terms' fit
    distribution (of the source of that name, else the first); `_per_lead` then reads the
    per-lead chances and the share turned down against it."""
    by_name = {s.name: s.fit for s in terms.sources}
    for i, table in enumerate(sources):
        dist = by_name.get(table["name"], terms.sources[0].fit)
        table["fit"] = dist.model_dump(mode="json", exclude_unset=False)
        out[f"sources.{i}.fit"] = Setting(
            table["fit"], "the export has no fit: the terms' fit distribution stays"
        )


def _per_lead(out: dict[str, Setting], base: Scenario, accepted: Fitted, seed: int) -> None:
    """Without fit, the fitted chances are per lead, while the model scales qualification by a
    lead's fit and winning by it again, and turns MQLs down below a fit. One run of the fitted
    scenario gives the fit of its MQLs (scored by the terms' nurture, so not the fit
    distribution itself): the threshold is their quantile at the share Sales turned down, and
    the chances are divided by the mean fit of the MQLs it accepts (qualification) and of
    their opportunities (winning, weighted by fit once more)."""
    run = run_replication(build_world(base), seed, 0)
    leads = run.leads
    fits = np.sort(leads.fit[leads.mql_time < run.world.horizon])
    if len(fits) < 20:
        return
    refused = 1 - accepted.value
    threshold = float(np.quantile(fits, refused)) if refused > 0 else 0.0
    kept = fits[fits >= threshold]
    qualify_mean = float(kept.mean())
    win_mean = float(np.mean(kept**2) / qualify_mean)
    out["handoff.accept_min_fit"] = Setting(
        round(threshold, 3),
        f"the export has no fit: the {refused:.1%} of MQLs Sales turned down are those whose "
        f"fit is below this quantile of the fit of a run's {len(fits):,} MQLs "
        f"({accepted.evidence})",
    )
    for key, mean_fit, what in (
        ("response.qualify_prob", qualify_mean, "the MQLs Sales accepts"),
        ("deals.win_prob", win_mean, "their opportunities"),
    ):
        if key in out:
            per_lead = out[key]
            scale = 1 / mean_fit
            out[key] = Setting(
                round(min(1.0, float(per_lead.value) * scale), 4),
                f"{per_lead.evidence}; per lead, divided by {mean_fit:.2f}, the mean fit of "
                f"{what} in a run of this scenario",
                None if per_lead.low is None else min(1.0, per_lead.low * scale),
                None if per_lead.high is None else min(1.0, per_lead.high * scale),
            )


def _settings(fit: ExportFit, terms: Scenario, export: CrmExport) -> dict[str, Setting]:
    """The keys the statistical fits set (values the export cannot tell are left out)."""
    out: dict[str, Setting] = {}
    sources = []
    agreed_sources = {s.name: s for s in terms.sources}
    for i, source in enumerate(fit.sources):
        table: dict[str, Any] = {
            "name": source.name,
            "leads_per_month": round(source.leads_per_month.value, 2),
            "growth_per_month": round(source.growth_per_month.value, 4),
            "hand_raiser_share": round(source.hand_raiser_share.value, 4),
            "arrival": source.arrival.arrival,
        }
        out[f"sources.{i}.leads_per_month"] = _fitted(source.leads_per_month, 2)
        out[f"sources.{i}.growth_per_month"] = _fitted(source.growth_per_month)
        out[f"sources.{i}.hand_raiser_share"] = _fitted(source.hand_raiser_share)
        if source.arrival.arrival == "business":
            table["business_share"] = round(source.arrival.business_share.value, 4)
            out[f"sources.{i}.business_share"] = _fitted(source.arrival.business_share)
        distribution = source.fit.distribution()
        if distribution is not None:
            table["fit"] = {
                k: round(v, 3) if isinstance(v, float) else v for k, v in distribution.items()
            }
            out[f"sources.{i}.fit"] = Setting(table["fit"], source.fit.evidence)
        out[f"sources.{i}.arrival"] = Setting(
            source.arrival.arrival, source.arrival.business_share.evidence
        )
        same = agreed_sources.get(source.name)
        if same is not None and same.cost_per_lead:  # an export holds no costs
            table["cost_per_lead"] = same.cost_per_lead
            out[f"sources.{i}.cost_per_lead"] = Setting(
                same.cost_per_lead, "the terms' cost per lead of this source (an export has none)"
            )
        sources.append(table)
    out["sources"] = Setting(sources, "")
    if not fit.acceptance.accept_min_fit.is_default:
        out["handoff.accept_min_fit"] = _fitted(fit.acceptance.accept_min_fit, 3)
    if not fit.team.reps.is_default:
        out["team.reps"] = Setting(round(fit.team.reps.value), fit.team.evidence)
        if fit.team.changes:
            out["team.changes"] = Setting(fit.team.changes_table(), fit.team.evidence)
    attempts = fit.attempts
    agreed = terms.sla.sales
    if not attempts.min_attempts.is_default:
        out["sla.sales.min_attempts"] = Setting(
            round(attempts.min_attempts.value),
            f"what the team does (the terms agreed {agreed.min_attempts}): "
            + attempts.min_attempts.evidence,
            attempts.min_attempts.low,
            attempts.min_attempts.high,
        )
    gaps = attempts.gaps()
    if gaps:
        out["sla.sales.retry_gap_hours"] = Setting(
            [round(g, 2) for g in gaps],
            f"what the team does (the terms agreed {list(agreed.retry_gap_hours)}): "
            + attempts.evidence,
        )
    decay = fit.decay
    if not decay.connect_prob.is_default:
        out["response.connect_prob"] = _fitted(decay.connect_prob)
    if not decay.qualify_prob.is_default:
        out["response.qualify_prob"] = _fitted(decay.qualify_prob)
    curves = decay.table()
    if curves is not None:
        parts = [c.evidence for c in (decay.connect, decay.qualify) if c is not None]
        out["response.decay"] = Setting(
            {k: [round(v, 4) for v in values] for k, values in curves.items()}, "; ".join(parts)
        )
        for key in HALF_LIFE_KEYS:  # the table replaces them
            if key in terms.response.model_fields_set:
                out[f"response.{key}"] = Setting(None, "")
    deals = fit.deals
    for key, lognormal in (
        ("deals.cycle_days", deals.cycle_days),
        ("deals.deal_value", deals.deal_value),
    ):
        distribution = lognormal.distribution()
        if distribution is not None:
            shown = {k: round(v, 3) if isinstance(v, float) else v for k, v in distribution.items()}
            out[key] = Setting(shown, lognormal.evidence)
    if not deals.win_prob.is_default:
        out["deals.win_prob"] = _fitted(deals.win_prob)
    if lead_fit(export)[0] is None:
        _without_fit(out, sources, terms)
    return out


# -- how the reps work new leads -----------------------------------------------------------------


def ignored_share(export: CrmExport, terms: Scenario) -> Setting | None:
    """The share of handoffs not attempted within their follow-up window, among those whose
    window had closed by the export date (younger ones may yet be attempted); Clopper–Pearson
    interval. A lead left alone is returned to nurture when its window closes, and may come
    back and be called later: its first attempt then comes after the window."""
    answered = response(export, terms)
    if answered.empty:
        return None
    window = pd.Timedelta(days=terms.sla.sales.follow_up_window_days)
    old = answered[answered["handed_off_at"] + window <= export.as_of]
    if len(old) == 0:
        return None
    first = first_attempts(export).set_axis(export.leads["lead_id"])
    waited = first.reindex(old["lead_id"]).to_numpy() - old["handed_off_at"].to_numpy()
    late = ~(waited <= window.to_timedelta64())  # never, or only after the window
    never = int(late.sum())
    interval = stats.binomtest(never, len(old)).proportion_ci(0.95)
    share = never / len(old)
    return Setting(
        round(share, 4),
        f"{never:,} of {len(old):,} handoffs whose {terms.sla.sales.follow_up_window_days:g}-day "
        f"window had closed had no attempt in it: {share:.1%} "
        f"({interval.low:.1%}–{interval.high:.1%}, Clopper–Pearson)",
        interval.low,
        interval.high,
    )


def crowded_blocks(export: CrmExport, terms: Scenario) -> list[list[float]] | None:
    """The blocks of the open day where first attempts crowd, when they hold most of them: the
    half hours with at least CROWD times their even share, joined where they touch (outside its
    blocks a team makes almost no first attempts)."""
    answered = response(export, terms)
    leads = export.leads.set_index("lead_id")
    if "first_attempt_at" not in leads.columns:
        return None
    first = pd.to_datetime(leads.loc[answered["lead_id"], "first_attempt_at"]).dropna()
    if len(first) < 50 or terms.calendar.always_open:
        return None
    opens, closes = terms.calendar.open_hours
    hour = (first - first.dt.normalize()) / pd.Timedelta(hours=1)
    hour = hour[(hour >= opens) & (hour < closes)]
    edges = np.arange(opens, closes + 1e-9, BIN_HOURS)
    if len(edges) < 3 or len(hour) < 50:
        return None
    counts, _ = np.histogram(hour, bins=edges)
    even = len(hour) / len(counts)
    crowded = counts >= CROWD * even
    if counts[crowded].sum() < IN_BLOCKS * len(hour) or crowded.mean() > MOST_OF_THE_DAY:
        return None
    blocks: list[list[float]] = []
    for i in np.flatnonzero(crowded):
        start, end = float(edges[i]), float(edges[i + 1])
        if blocks and blocks[-1][1] == start:
            blocks[-1][1] = end
        else:
            blocks.append([start, end])
    return blocks


def _log_deciles(hours: np.ndarray) -> np.ndarray:
    return np.log2(np.quantile(hours, QUANTILES) + 1 / 60)  # a minute keeps zero finite


def _response_runs(payload: str, seed: int, replications: Sequence[int], _: object) -> list[Any]:
    """Response hours of the attempted handoffs of some replications of one candidate."""
    document = json.loads(payload)
    scenario = Scenario.model_validate_json(document["scenario"])
    terms = Scenario.model_validate_json(document["terms"])
    as_of = pd.Timestamp(document["as_of"]).to_pydatetime()
    out = []
    for _, simulated in exports_of_runs(scenario, as_of, seed, replications):
        hours = response(simulated, terms)["hours"].to_numpy(dtype=float)
        out.append(hours[~np.isnan(hours)])
    return out


def choose_lead_work(
    base: Scenario,
    export: CrmExport,
    terms: Scenario,
    *,
    seed: int,
    replications: int = SEARCH_REPLICATIONS,
    executor: Executor | None = None,
    jobs: int | None = 1,
    progress: Progress | None = None,
) -> tuple[LeadWork, ...]:
    """Every candidate pattern with its distance from the observed response times, nearest
    first (ties: the simpler pattern, in the order tried)."""
    from sla_sim.experiments.backtest import over_period

    observed = response(export, terms)["hours"].to_numpy(dtype=float)
    observed = observed[~np.isnan(observed)]
    if len(observed) < 20:
        return ()
    target = _log_deciles(observed)
    candidates: list[tuple[str, dict[str, Any]]] = [
        ("as they come", {"team.lead_work": "interleaved"})
    ]
    blocks = crowded_blocks(export, terms)
    if blocks:
        candidates.append(("in blocks", {"team.lead_work": "blocks", "team.lead_blocks": blocks}))
    for hours in CHECK_HOURS:
        candidates.append(
            (
                f"a look every {hours:g} open hours",
                {"team.lead_work": "checks", "team.check_every_hours": hours},
            )
        )
    unset = dict.fromkeys(LEAD_WORK_KEYS)  # each pattern's keys only
    scenarios = [over_period(base.with_overrides(unset | keys), export) for _, keys in candidates]
    payloads = [
        json.dumps(
            {
                "scenario": s.canonical_json(),
                "terms": terms.canonical_json(),
                "as_of": export.as_of.isoformat(),
            }
        )
        for s in scenarios
    ]
    runs: dict[int, list[np.ndarray]] = {i: [] for i in range(len(candidates))}
    total = len(candidates) * replications
    with use(executor, jobs) as runner:
        tasks = [Task(i, p, [r]) for i, p in enumerate(payloads) for r in range(replications)]
        for group, result in runner.run(_response_runs, tasks, seed, None):
            runs[group].extend(result)
            if progress:
                progress(sum(len(v) for v in runs.values()), total)
    found = []
    for i, (label, keys) in enumerate(candidates):
        pooled = np.concatenate(runs[i]) if runs[i] else np.zeros(0)
        distance = (
            float(np.mean(np.abs(_log_deciles(pooled) - target))) if len(pooled) >= 20 else math.inf
        )
        found.append(LeadWork(label, keys, distance))
    return tuple(sorted(found, key=lambda c: c.distance))


# -- the fitted file -------------------------------------------------------------------------------

LEAD_WORK_KEYS = ("team.lead_work", "team.lead_blocks", "team.check_every_hours")


def _defaults_kept(fit: ExportFit) -> list[str]:
    """The sentences of every value the export could not tell (the default stays)."""
    kept: list[Fitted] = [fit.team.reps]
    kept += [fit.attempts.min_attempts, fit.decay.connect_prob, fit.decay.qualify_prob]
    kept += [fit.deals.win_prob, fit.deals.cycle_days.median, fit.deals.deal_value.median]
    return [f.evidence for f in kept if f.is_default]


def _render(terms: Scenario, settings: dict[str, Setting], source: str) -> tuple[str, Scenario]:
    text = with_settings(
        scenario_toml(terms), {key: (s.value, s.evidence) for key, s in settings.items()}
    )
    return text, parse_scenario_text(text, source)


def calibrate(
    export: CrmExport,
    terms: Scenario | None = None,
    *,
    name: str = "Fitted baseline",
    seed: int = 0,
    replications: int = SEARCH_REPLICATIONS,
    executor: Executor | None = None,
    jobs: int | None = 1,
    progress: Progress | None = None,
) -> Calibration:
    """The scenario fitted to `export` over `terms` (default: the schema's defaults), with the
    terms' variants that hold on it."""
    agreed = terms
    terms = (terms or default_terms()).expand()[0]
    fit = fit_export(export, terms)
    period = period_of(export)
    settings: dict[str, Setting] = {
        "scenario.name": Setting(name, ""),
        "scenario.description": Setting(
            f"Fitted to a {export.profile} export of {len(export.leads):,} leads, "
            f"{period.text()}, as of {export.as_of:%Y-%m-%d %H:%M}",
            "",
        ),
        "scenario.start_date": Setting(period.origin.date().isoformat(), "the export's first day"),
        "scenario.months": Setting(period.months, f"the export's period, {period.text()}"),
        "scenario.warmup_days": Setting(0, "the export's period from its first day"),
        "calendar.timezone": Setting(export.timezone, "the export's time zone"),
        **_settings(fit, terms, export),
    }
    ignored = ignored_share(export, terms)
    if ignored is not None:
        settings["team.ignore_share"] = ignored
    source = "the fitted scenario"
    _, base = _render(terms, settings, source)
    if lead_fit(export)[0] is None:
        _per_lead(settings, base, fit.acceptance.acceptance, seed)
        _, base = _render(terms, settings, source)
    candidates = choose_lead_work(
        base,
        export,
        terms,
        seed=seed,
        replications=replications,
        executor=executor,
        jobs=jobs,
        progress=progress,
    )
    if candidates:
        best = candidates[0]
        tried = "; ".join(f"{c.label} {c.distance:.2f}" for c in candidates)
        evidence = (
            f"nearest the observed response times ({len(candidates)} patterns simulated, "
            f"{replications} runs each; mean gap of the deciles in log2 hours: {tried})"
        )
        for key in LEAD_WORK_KEYS:
            settings[key] = Setting(best.keys.get(key), evidence)
    text, scenario = _render(terms, settings, source)
    kept, said = _variants(scenario, agreed.variants if agreed else [])
    if kept:
        text = with_variants(text, [v.model_dump(exclude_unset=True) for v in kept])
        scenario = parse_scenario_text(text, source)
    missing = {str(table): tuple(names) for table, names in export.missing.items() if names}
    return Calibration(
        scenario, text, settings, candidates, missing, tuple(_defaults_kept(fit)), said
    )


def _variants(fitted: Scenario, variants: list[Variant]) -> tuple[list[Variant], tuple[str, ...]]:
    """The terms' variants that hold on the fitted scenario, to compare with the team as it is,
    and sentences saying which came over and which did not, and why: a variant that sets a
    source's key is left out (the fitted sources are the export's, not the terms'), as is one
    the fitted scenario refuses."""
    kept: list[Variant] = []
    said: list[str] = []
    for variant in variants:
        sources = sorted(k for k in variant.set if k.startswith("sources"))
        if sources:
            said.append(
                f"variant {variant.name!r} left out: it sets {', '.join(sources)}, and the fitted "
                "sources are the export's"
            )
            continue
        try:
            fitted.with_overrides(variant.set)
        except ScenarioError as error:
            said.append(f"variant {variant.name!r} left out: {'; '.join(error.problems)}")
            continue
        kept.append(variant)
    if kept:
        names = ", ".join(repr(v.name) for v in kept)
        said.insert(0, f"the terms' variants, to compare with the team as it is: {names}")
    return kept, tuple(said)
