"""What a planning meeting gets from a comparison: the headlines, the key metrics with intervals,
the terms of each candidate, the charts, and the assumptions with their sources, put together as a
`ReportContent` for the HTML report (`html`) and the deck (`deck`) and shown the same way in the app.

The tables need neither Altair nor the renderers; only `content` draws the charts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from sla_sim._version import __version__
from sla_sim.analysis.metrics import BY_KEY
from sla_sim.analysis.series import summarise_series
from sla_sim.experiments.compare import Comparison, compare
from sla_sim.experiments.runner import SimulationResult
from sla_sim.present.headlines import headlines
from sla_sim.present.numbers import format_difference, format_range, is_missing
from sla_sim.present.terms import all_terms, in_words, term_value
from sla_sim.scenario.file import scenario_notes
from sla_sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import altair as alt

ASSUMPTION_COLUMNS = ("Term", "Value", "Source")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_FALLBACK_COLOUR = "#888888"

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


@dataclass
class ReportContent:
    """Everything a report shows, already worded and formatted for people."""

    title: str
    subtitle: str
    headlines: list[tuple[str, str]]
    summary_table: pd.DataFrame
    terms_table: pd.DataFrame
    charts: list[tuple[str, alt.TopLevelMixin]]
    assumptions: pd.DataFrame
    warnings: list[str]
    colors: dict[str, str]

    def __post_init__(self) -> None:
        if tuple(self.assumptions.columns) != ASSUMPTION_COLUMNS:
            raise ValueError(
                f"assumptions must have the columns {list(ASSUMPTION_COLUMNS)}, "
                f"not {list(self.assumptions.columns)}"
            )

    def colour_of(self, candidate: str) -> str:
        """The candidate's colour as `#rrggbb`, grey when it has none or it is not a hex colour."""
        colour = self.colors.get(candidate, "")
        if not _HEX_COLOUR.fullmatch(colour):
            return _FALLBACK_COLOUR
        if len(colour) == 4:
            colour = "#" + "".join(2 * digit for digit in colour[1:])
        return colour.lower()

    def chart_specs(self) -> list[tuple[str, str]]:
        """Each chart's title and its Vega-Lite JSON, serialised once."""
        return [(title, vega_lite_json(chart)) for title, chart in self.charts]


_CHART_PARTS = ("layer", "hconcat", "vconcat", "concat", "spec")
_DEFAULT_VIEW = {"continuousWidth": 300, "continuousHeight": 300}


def _inline_data(chart: Any) -> Any:
    """A copy of the chart with every table turned into inline values, here and in its parts."""
    import altair as alt

    copy = chart.copy(deep=False)
    data = getattr(copy, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        copy.data = alt.InlineData(values=alt.to_values(data)["values"])
    for part in _CHART_PARTS:
        children = getattr(copy, part, alt.Undefined)
        if isinstance(children, list):
            setattr(copy, part, [_inline_data(child) for child in children])
        elif isinstance(children, alt.TopLevelMixin):
            setattr(copy, part, _inline_data(children))
    return copy


def vega_lite_json(chart: alt.TopLevelMixin) -> str:
    """The chart as a self-contained Vega-Lite spec, the same on any thread.

    Altair's data transformer and theme are process-wide, and Streamlit switches them while it
    draws a chart (`st.altair_chart`): a chart serialised meanwhile on another thread would name
    its data without holding it, and be drawn blank. Inline values bypass the transformer, and the
    view size of the default theme is set here rather than read from the active theme.
    """
    spec = _inline_data(chart).to_dict()
    view = spec.setdefault("config", {}).setdefault("view", {})
    for key, size in _DEFAULT_VIEW.items():
        view.setdefault(key, size)
    return json.dumps(spec, indent=2, sort_keys=True)


def cell_text(value: object) -> str:
    """A table cell as text; an empty cell for a missing value."""
    return "" if is_missing(value) else str(value)


def summary_table(result: SimulationResult, keys: list[str] = KEY_METRICS) -> pd.DataFrame:
    """Rows: metrics (labels); columns: candidates; cells: mean (95% interval)."""
    table = {}
    for name in result.scenario_names:
        column = {}
        for key in keys:
            m = result.metric(name, key)
            column[BY_KEY[key].label] = format_range(key, m["mean"], m["ci_low"], m["ci_high"])
        table[name] = column
    return pd.DataFrame(table)


def difference_table(comparison: Comparison, keys: list[str] = KEY_METRICS) -> pd.DataFrame:
    """Rows: metrics (labels); columns: candidates; cells: the paired difference against the
    baseline with its 95% interval ("+14 (+9 to +19)")."""
    table: dict[str, dict[str, str]] = {}
    d = comparison.differences
    for row in d[d.metric.isin(keys)].to_dict("records"):
        key = str(row["metric"])
        cell = format_difference(
            key, float(row["difference"]), float(row["ci_low"]), float(row["ci_high"])
        )
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
    from sla_sim.present.charts import colours, comparison_charts

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
