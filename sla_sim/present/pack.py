"""What a planning meeting gets from a comparison: the headlines, the key metrics with intervals,
the terms of each candidate, the charts, and the assumptions with their sources, put together for
the HTML report and the deck (`report`) and shown the same way in the app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from sla_sim._version import __version__
from sla_sim.analysis.metrics import BY_KEY
from sla_sim.analysis.series import summarise_series
from sla_sim.experiments.compare import Comparison, compare
from sla_sim.experiments.runner import SimulationResult
from sla_sim.present.charts import colours, comparison_charts
from sla_sim.present.headlines import headlines
from sla_sim.present.html import ReportContent
from sla_sim.present.numbers import format_value
from sla_sim.present.terms import all_terms, in_words, term_value
from sla_sim.scenario.file import scenario_notes
from sla_sim.scenario.schema import Scenario

KEY_METRICS = [
    "closed_deals",
    "revenue",
    "response_breach_rate",
    "attempt_breach_rate",
    "response_hours_median",
    "response_hours_p90",
    "leads_lost_cold",
    "mql_shortfall_months",
    "handed_off",
    "contacted",
    "opportunities",
    "pipeline_value",
    "rep_utilization",
    "backlog_mean",
]


def with_interval(key: str, mean: float, low: float, high: float) -> str:
    """'14 (9–19)': the mean and its 95% interval, rounded for people."""
    shown = format_value(key, mean)
    if pd.isna(low) or pd.isna(high) or low == high:
        return shown
    return f"{shown} ({format_value(key, low)}–{format_value(key, high)})"


def summary_table(result: SimulationResult, keys: list[str] = KEY_METRICS) -> pd.DataFrame:
    """Rows: metrics (labels); columns: candidates; cells: mean (95% interval)."""
    table = {}
    for name in result.scenario_names:
        column = {}
        for key in keys:
            m = result.metric(name, key)
            column[BY_KEY[key].label] = with_interval(key, m["mean"], m["ci_low"], m["ci_high"])
        table[name] = column
    return pd.DataFrame(table)


def signed(key: str, value: float) -> str:
    """A difference, signed and rounded for people: "+14", "−27 pts", "+$1.2M"."""
    if pd.isna(value):
        return "n/a"
    if BY_KEY[key].unit == "share":
        return f"{value * 100:+.1f} pts".replace("-", "−")
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + format_value(key, abs(value))


def difference_table(comparison: Comparison, keys: list[str] = KEY_METRICS) -> pd.DataFrame:
    """Rows: metrics (labels); columns: candidates; cells: the paired difference against the
    baseline with its 95% interval ("+14 (+9 to +19)")."""
    table: dict[str, dict[str, str]] = {}
    d = comparison.differences
    for row in d[d.metric.isin(keys)].to_dict("records"):
        key = str(row["metric"])
        cell = signed(key, float(row["difference"]))
        low, high = float(row["ci_low"]), float(row["ci_high"])
        if not pd.isna(low):
            cell += f" ({signed(key, low)} to {signed(key, high)})"
        table.setdefault(str(row["scenario"]), {})[BY_KEY[key].label] = cell
    return pd.DataFrame(table).reindex([BY_KEY[k].label for k in keys])


def terms_table(scenarios: list[Scenario]) -> pd.DataFrame:
    """Rows: the terms (labels); columns: candidates; cells: each candidate's value."""
    terms = all_terms(scenarios[0])
    same_sources = all(len(s.sources) == len(scenarios[0].sources) for s in scenarios)
    if not same_sources:
        terms = [t for t in terms if not t.key.startswith("sources.")]
    return pd.DataFrame(
        {s.name: {t.label: t.show(term_value(s, t.key)) for t in terms} for s in scenarios}
    )


def _readable(key: str, scenario: Scenario) -> str:
    parts = key.split(".")
    if parts[0] == "sources" and len(parts) > 2:
        source = scenario.sources[int(parts[1])].name
        return f"{source}: {parts[2].replace('_', ' ')}"
    words = " ".join(parts[-1].split("_"))
    return f"{parts[0].capitalize()}: {words}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def assumptions(scenario: Scenario) -> pd.DataFrame:
    """Every value of the scenario file that says where it comes from: term, value, source."""
    labels = {t.key: t for t in all_terms(scenario)}
    rows = []
    for key, note in scenario_notes(scenario).items():
        try:
            value = term_value(scenario, key)
        except (KeyError, IndexError, TypeError):
            continue
        term = labels.get(key)
        rows.append(
            {
                "Term": term.label if term else _readable(key, scenario),
                "Value": term.show(value) if term else _show(value),
                "Source": note,
            }
        )
    return pd.DataFrame(rows, columns=["Term", "Value", "Source"])


def content(
    result: SimulationResult,
    comparison: Comparison | None = None,
    *,
    today: dt.date | None = None,
) -> ReportContent:
    """The report of a comparison (against its first scenario unless `comparison` says)."""
    comparison = comparison or compare(result, result.scenario_names[0])
    by_name = {s.name: s for s in result.scenarios}
    baseline = by_name[comparison.baseline]
    ordered = [baseline] + [s for s in result.scenarios if s.name != baseline.name]
    if result.series is None:
        raise ValueError("the result holds no series for the charts (run it again)")
    series = summarise_series(result.series)
    others = len(ordered) - 1
    day = (today or dt.date.today()).isoformat()
    return ReportContent(
        title=f"SLA terms: {baseline.name} and {others} candidate{'s' * (others != 1)}",
        subtitle=(
            f"{result.replications} replications each · seed {result.seed} · 95% intervals · "
            f"sla_sim {__version__} · {day}"
        ),
        headlines=headlines(ordered, comparison),
        summary_table=summary_table(result)[[s.name for s in ordered]],
        terms_table=terms_table(ordered),
        charts=comparison_charts(ordered, result.summary, series),
        assumptions=assumptions(baseline),
        warnings=[in_words(w, baseline) for w in result.warnings],
        colors=colours([s.name for s in ordered]),
    )
