"""What a planning meeting gets from a comparison: the headlines, the key metrics with intervals,
the terms of each candidate, the charts, and the assumptions with their sources, put together as a
`ReportContent` for the HTML report (`html`) and the deck (`deck`) and shown the same way in the app.

The tables need neither Altair nor the renderers; only `content` draws the charts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd

from sla_sim._version import __version__
from sla_sim.analysis.metrics import BY_KEY
from sla_sim.analysis.series import summarise_series
from sla_sim.experiments.compare import Comparison, compare
from sla_sim.experiments.runner import SimulationResult
from sla_sim.present.headlines import has_costs, headlines
from sla_sim.present.numbers import (
    DOLLARS,
    format_difference,
    format_range,
    is_missing,
    money,
    number,
    share,
)
from sla_sim.present.terms import (
    NOT_USED,
    all_terms,
    applies,
    changed_terms,
    in_words,
    phrases,
    term_value,
)
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
COST_METRICS = ["net_revenue", "sales_cost", "marketing_cost", "cost_per_deal"]
"""Shown after revenue when a candidate has costs."""
IGNORE_METRICS = ["leads_ignored"]
"""Shown after the leaks when a candidate leaves handoffs alone."""
ENFORCEMENT_METRICS = ["alerts", "reassignments", "other_work_displaced_hours"]
"""Shown after rep utilisation when a candidate enforces the response target."""
AE_METRICS = ["ae_wait_hours_mean", "ae_breach_rate", "ae_utilization"]
"""Shown after the opportunities when a candidate has account executives (`[ae]`)."""


def key_metrics(scenarios: list[Scenario]) -> list[str]:
    """The key metrics of these candidates: KEY_METRICS, with the costs, the ignored handoffs,
    the enforcement's and the account executives' figures where one of them has them (a table
    holds no row of zeros, nor one that applies to no candidate)."""
    keys = list(KEY_METRICS)

    def after(anchor: str, extra: list[str]) -> None:
        at = keys.index(anchor) + 1
        keys[at:at] = extra

    if any(has_costs(s) for s in scenarios):
        after("revenue", COST_METRICS)
    if any(s.team.ignore_share > 0 for s in scenarios):
        after("leads_lost_cold", IGNORE_METRICS)
    if any(s.sla.sales.enforcement != "none" for s in scenarios):
        after("rep_utilization", ENFORCEMENT_METRICS)
    if any(s.ae is not None for s in scenarios):
        after("opportunities", AE_METRICS)
    return keys


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
    differences_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    decision_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    chart_notes: dict[str, str] = field(default_factory=dict)
    """A line in plain words under a chart, by the chart's title."""

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


def summary_table(result: SimulationResult, keys: list[str] | None = None) -> pd.DataFrame:
    """Rows: metrics (labels, the candidates' `key_metrics` unless given); columns: candidates;
    cells: mean (95% interval)."""
    keys = key_metrics(result.scenarios) if keys is None else keys
    table = {}
    for scenario in result.scenarios:
        column = {}
        for key in keys:
            m = result.metric(scenario.name, key)
            column[BY_KEY[key].label] = format_range(
                key, m["mean"], m["ci_low"], m["ci_high"], scenario.costs.currency
            )
        table[scenario.name] = column
    return pd.DataFrame(table)


def difference_table(
    comparison: Comparison, keys: list[str] | None = None, currency: str = DOLLARS
) -> pd.DataFrame:
    """Rows: metrics (labels); columns: candidates; cells: the paired difference against the
    baseline with its 95% interval ("+14 (+9 to +19)"), money in the baseline's `currency`;
    KEY_METRICS unless `keys` says."""
    keys = KEY_METRICS if keys is None else keys
    table: dict[str, dict[str, str]] = {}
    d = comparison.differences
    for row in d[d.metric.isin(keys)].to_dict("records"):
        key = str(row["metric"])
        cell = format_difference(
            key, float(row["difference"]), float(row["ci_low"]), float(row["ci_high"]), currency
        )
        table.setdefault(str(row["scenario"]), {})[BY_KEY[key].label] = cell
    return pd.DataFrame(table).reindex([BY_KEY[k].label for k in keys])


DIFFERENCE_NOTE = (
    "Each candidate against the baseline over the same replications (common random numbers): "
    "the paired difference, with its 95% interval in brackets."
)
DECISION_NOTE = (
    "Baseline: mean (95% interval). Candidates: difference from the baseline (95% interval). "
    "Breaches, rep utilisation and leads waiting are better lower."
)
DECISION_GAINS = ["closed_deals", "revenue", "response_breach_rate", "attempt_breach_rate"]
DECISION_COSTS = ["rep_utilization", "backlog_mean"]
DECISION_MONEY = (["net_revenue"], ["sales_cost", "marketing_cost"])
"""What is bought and what is paid, when a candidate has costs (the marketing cost only when a
candidate changes it)."""
DECISION_ENFORCEMENT = ["other_work_displaced_hours"]
"""What enforcing the response target costs the reps, when a candidate enforces it."""


def decision_table(
    result: SimulationResult, comparison: Comparison, scenarios: list[Scenario]
) -> pd.DataFrame:
    """The candidates side by side: what each buys (deals, revenue, breaches) and what it costs
    (reps, rep time, leads waiting, the other terms changed), the baseline as its means, each candidate as
    its difference from the baseline with the 95% interval."""
    baseline = scenarios[0]
    currency = baseline.costs.currency
    differences = comparison.differences
    table: dict[str, dict[str, str]] = {}
    reps = "Costs: reps"
    terms = "Costs: other terms changed"
    gains, paid, costs = list(DECISION_GAINS), [], list(DECISION_COSTS)
    if any(has_costs(s) for s in scenarios):
        gains[2:2] = DECISION_MONEY[0]
        spent = differences[differences.metric.isin(DECISION_MONEY[1])]
        moved = set(spent[(spent.difference != 0) | (spent.ci_low != spent.ci_high)].metric)
        paid = [k for k in DECISION_MONEY[1] if k == "sales_cost" or k in moved]
    if any(s.sla.sales.enforcement != "none" for s in scenarios):
        costs[1:1] = DECISION_ENFORCEMENT
    for scenario in scenarios:
        column: dict[str, str] = {}
        for key in gains + paid + costs:
            group = "Buys" if key in gains else "Costs"
            label = f"{group}: {BY_KEY[key].label.lower()}"
            if scenario is baseline:
                m = result.metric(scenario.name, key)
                column[label] = format_range(key, m["mean"], m["ci_low"], m["ci_high"], currency)
                continue
            rows = differences[
                (differences.scenario == scenario.name) & (differences.metric == key)
            ].to_dict("records")
            if rows:
                row = rows[0]
                column[label] = format_difference(
                    key,
                    float(row["difference"]),
                    float(row["ci_low"]),
                    float(row["ci_high"]),
                    currency,
                )
        extra = scenario.team.reps - baseline.team.reps
        column[reps] = f"{scenario.team.reps}" + (f" ({extra:+d})" if extra else "")
        changed = phrases(
            [(t, v) for t, v in changed_terms(scenario, baseline) if t.key != "team.reps"]
        )
        column[terms] = "; ".join(changed) if changed else "none"
        table[scenario.name] = column
    order = [f"Buys: {BY_KEY[k].label.lower()}" for k in gains]
    order.append(reps)
    order += [f"Costs: {BY_KEY[k].label.lower()}" for k in paid + costs]
    return pd.DataFrame(table).reindex([*order, terms])


def terms_table(scenarios: list[Scenario]) -> pd.DataFrame:
    """Rows: the terms (labels); columns: candidates; cells: each candidate's value."""
    terms = all_terms(scenarios[0])
    same_sources = all(len(s.sources) == len(scenarios[0].sources) for s in scenarios)
    if not same_sources:
        terms = [t for t in terms if not t.key.startswith("sources.")]
    terms = [t for t in terms if any(applies(t, s) for s in scenarios)]
    return pd.DataFrame(
        {
            s.name: {
                t.label: t.show(term_value(s, t.key)) if applies(t, s) else NOT_USED for t in terms
            }
            for s in scenarios
        }
    )


ARTICLES = {
    "000": "Como Criar SLA entre Marketing e Vendas",
    "001": "7 Componentes de um Contrato de Nível de Serviço (SLA) de Vendas e Marketing B2B",
    "002": "Como integrar marketing e vendas: etapas para criar um SLA entre as áreas",
    "003": "Estratégias de SLA: o que é e como usá-las?",
    "004": "O que é SLA de Leads?",
}
PLANNING_ASSUMPTION = "planning assumption"
PLANNING_CHOICE = "planning choice"

_SEED = re.compile(r"\bseed (\d{3})\b")
_ASSUMPTION = re.compile(r"^(?:planning )?assumption\b", re.IGNORECASE)
_OPTIONS = re.compile(r'^\s*"[^"]+"')
_QUOTED = re.compile(r'"([^"]+)"')
_INLINE_OPTIONS = re.compile(r'"[^"]+"(?:\s*\|\s*"[^"]+")*')
_INDEX = re.compile(r"\.\d+\.")

ROUTINGS = {
    "shared_queue": "one shared queue",
    "round_robin": "round robin",
    "least_loaded": "to the least busy rep",
}
ARRIVALS = {"flat": "spread over the whole day", "business": "mostly in open hours"}


def _plain(value: float) -> str:
    """A number to two decimals at most, halves rounded up ("0.63", "15")."""
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return number(float(rounded))


def _with(unit: str) -> Callable[[float], str]:
    return lambda value: f"{_plain(value)} {unit}".rstrip()


def _percent(value: float) -> str:
    return share(float(value), 0)


def _distribution(spec: dict[str, Any], show: Callable[[float], str]) -> str:
    """A distribution of the file in words: "beta with mean 0.63", "lognormal, median 6 min"."""
    kind = str(spec.get("dist"))
    if kind == "fixed":
        return show(float(spec["value"]))
    if kind == "lognormal":
        return f"lognormal, median {show(float(spec['median']))}"
    if kind == "beta":
        a, b = float(spec["a"]), float(spec["b"])
        return f"beta with mean {show(a / (a + b))}"
    if kind in ("exponential", "gamma"):
        return f"{kind} with mean {show(float(spec['mean']))}"
    if kind == "uniform":
        return f"uniform from {show(float(spec['low']))} to {show(float(spec['high']))}"
    if kind == "triangular":
        low, mode, high = (show(float(spec[k])) for k in ("low", "mode", "high"))
        return f"from {low} to {high}, most often {mode}"
    if kind == "empirical":
        values = [float(v) for v in spec["values"]]
        return f"{len(values)} observed values, mean {show(sum(values) / len(values))}"
    return kind


def _value_of(kind: Callable[[float], str]) -> Callable[[Any], str]:
    """A value shown by `kind`, whether the file gives a number or a distribution."""

    def show(value: Any) -> str:
        if isinstance(value, dict):
            return _distribution(value, kind)
        return kind(float(value))

    return show


def _choice(names: dict[str, str]) -> Callable[[Any], str]:
    return lambda value: names.get(str(value), str(value).replace("_", " "))


def _date(value: Any) -> str:
    day = dt.date.fromisoformat(str(value))
    return f"{day.day} {day:%b %Y}"


def _open_hours(value: Any) -> str:
    start, end = (float(v) for v in value)
    return f"{_clock(start)}–{_clock(end)}"


def _clock(hour: float) -> str:
    return f"{int(hour)}:{round((hour % 1) * 60):02d}"


def _days_of_week(value: Any) -> str:
    return ", ".join(str(day).capitalize() for day in value) or "none"


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _dates(value: Any) -> str:
    return ", ".join(_date(day) for day in value) or "none"


_NONE_IF_ZERO = "none"
_MONEY = _value_of(money)  # an amount in dollars; `worded` shows it in the scenario's currency

# Keys of the file that are no term of the SLA: a label for a leader and how to say the value.
# `{source}` stands for the lead source's name.
ASSUMPTION_LABELS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "scenario.start_date": ("Start of the simulated period", _date),
    "scenario.months": ("Months simulated", _value_of(_with("months"))),
    "scenario.warmup_days": (
        "Warm-up before counting",
        lambda v: _NONE_IF_ZERO if float(v) == 0 else f"{_plain(v)} days",
    ),
    "calendar.always_open": ("Open around the clock", _yes_no),
    "calendar.open_days": ("Open days", _days_of_week),
    "calendar.open_hours": ("Open hours", _open_hours),
    "calendar.holidays": ("Holidays", _dates),
    "sources.*.hand_raiser_share": ("{source}: share asking to be contacted", _percent),
    "sources.*.fit": ("{source}: fit with the ideal customer", _value_of(_plain)),
    "sources.*.arrival": ("{source}: when leads arrive", _choice(ARRIVALS)),
    "sources.*.business_share": ("{source}: share arriving in open hours", _percent),
    "nurture.fit_points": ("Score points for a perfect fit", _value_of(_with("points"))),
    "nurture.points_per_touch": ("Score points per touch", _value_of(_with("points"))),
    "nurture.touches_per_week": ("Touches per lead", _value_of(_with("a week"))),
    "nurture.points_half_life_days": ("Engagement half-life", _value_of(_with("days"))),
    "nurture.max_days": ("Longest time in nurture", _value_of(_with("days"))),
    "handoff.sync_delay_minutes": ("Delay syncing a lead to the CRM", _value_of(_with("min"))),
    "handoff.accept_min_fit": ("Lowest fit Sales accepts", _value_of(_plain)),
    "team.attempt_minutes": ("Time per call attempt", _value_of(_with("min"))),
    "team.routing": ("How leads reach reps", _choice(ROUTINGS)),
    "response.connect_prob": ("Chance to reach a fresh lead", _percent),
    "response.connect_half_life_hours": (
        "Hours until the chance to reach halves",
        _value_of(_with("h")),
    ),
    "response.connect_floor": ("Lowest chance to reach a cold lead", _percent),
    "response.qualify_prob": ("Chance a fresh lead qualifies", _percent),
    "response.qualify_half_life_hours": (
        "Hours until the chance to qualify halves",
        _value_of(_with("h")),
    ),
    "response.qualify_floor": ("Lowest chance a cold lead qualifies", _percent),
    "response.patience_hours": ("How long a lead waits for a call", _value_of(_with("h"))),
    "deals.cycle_days": ("Sales cycle", _value_of(_with("days"))),
    "deals.win_prob": ("Win rate of an opportunity", _percent),
    "deals.deal_value": ("Deal value", _MONEY),
    "sla.sales.max_recycles": ("Times a lead may return to nurture", _value_of(_plain)),
}


def _in_currency(show: Callable[[Any], str], scenario: Scenario) -> Callable[[Any], str]:
    """`show`, with an amount of money in the scenario's currency."""
    if show is not _MONEY:
        return show
    currency = scenario.costs.currency
    return _value_of(lambda value: money(value, currency))


def _pattern(key: str) -> str:
    return _INDEX.sub(".*.", key)


def _fallback_label(key: str) -> str:
    words = key.split(".")[-1].replace("_", " ")
    return words[:1].upper() + words[1:]


def worded(key: str, value: Any, scenario: Scenario) -> tuple[str, str]:
    """A key of the file and its value as a leader reads them: ("Time per call attempt",
    "lognormal, median 6 min"); SLA terms keep their labels from `terms`."""
    term = {t.key: t for t in all_terms(scenario)}.get(key)
    if term is not None:
        return term.label, term.show(value)
    parts = key.split(".")
    if parts[0] == "variants" and len(parts) > 2 and isinstance(value, dict):
        name = scenario.variants[int(parts[1])].name
        changes = [worded(k, v, scenario) for k, v in value.items()]
        return f"Candidate “{name}”", "; ".join(f"{label}: {shown}" for label, shown in changes)
    label, show = ASSUMPTION_LABELS.get(_pattern(key), (_fallback_label(key), _show))
    if parts[0] == "sources" and len(parts) > 2:
        label = label.format(source=scenario.sources[int(parts[1])].name)
    return label, _in_currency(show, scenario)(value)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return (
            _distribution(value, _plain)
            if "dist" in value
            else ", ".join(f"{k} {v}" for k, v in value.items())
        )
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).replace("_", " ")


def _options_of(key: str, scenario: Scenario) -> dict[str, str]:
    term = {t.key: t for t in all_terms(scenario)}.get(key)
    if term is not None and term.choices:
        return term.choices
    return {"team.routing": ROUTINGS, "sources.*.arrival": ARRIVALS}.get(_pattern(key), {})


def source_in_words(note: str, key: str, scenario: Scenario) -> str:
    """The comment beside a value, as its source: seed articles by title, assumptions as
    planning assumptions, study citations kept; a bare list of other options is a planning
    choice, its options named."""
    if _OPTIONS.match(note):
        names = _options_of(key, scenario)
        others = [names.get(option, option.replace("_", " ")) for option in _QUOTED.findall(note)]
        noun = "option" if len(others) == 1 else "options"
        return f"{PLANNING_CHOICE}; other {noun}: {', '.join(others)}"
    names = _options_of(key, scenario)

    def options(match: re.Match[str]) -> str:
        others = [names.get(o, o.replace("_", " ")) for o in _QUOTED.findall(match.group(0))]
        return f"other option{'s' * (len(others) > 1)}: {' or '.join(others)}"

    parts = []
    for part in note.split(";"):
        part = _ASSUMPTION.sub(PLANNING_ASSUMPTION, part.strip())
        parts.append(_INLINE_OPTIONS.sub(options, _SEED.sub(_article, part)))
    return "; ".join(part for part in parts if part)


def _article(match: re.Match[str]) -> str:
    title = ARTICLES.get(match.group(1))
    return f"the article '{title}'" if title else match.group(0)


def assumptions(scenario: Scenario) -> pd.DataFrame:
    """Every value of the scenario file that says where it comes from: term, value, source,
    each worded for a leader."""
    rows = []
    for key, note in scenario_notes(scenario).items():
        try:
            value = term_value(scenario, key)
        except (KeyError, IndexError, TypeError):
            continue
        label, shown = worded(key, value, scenario)
        rows.append({"Term": label, "Value": shown, "Source": source_in_words(note, key, scenario)})
    return pd.DataFrame(rows, columns=list(ASSUMPTION_COLUMNS))


def content(
    result: SimulationResult,
    comparison: Comparison | None = None,
    *,
    today: dt.date | None = None,
) -> ReportContent:
    """The report of a comparison (against its first scenario unless `comparison` says)."""
    from sla_sim.present.charts import chart_notes, colours, comparison_charts

    comparison = comparison or compare(result, result.scenario_names[0])
    by_name = {s.name: s for s in result.scenarios}
    baseline = by_name[comparison.baseline]
    ordered = [baseline] + [s for s in result.scenarios if s.name != baseline.name]
    if result.series is None:
        raise ValueError("the result holds no series for the charts (run it again)")
    series = summarise_series(result.series)
    others = len(ordered) - 1
    day = (today or dt.date.today()).isoformat()
    charts = comparison_charts(ordered, result.summary, series)
    return ReportContent(
        title=f"SLA terms: {baseline.name} and {others} candidate{'s' * (others != 1)}",
        subtitle=(
            f"{result.replications} replications each · seed {result.seed} · 95% intervals · "
            f"sla_sim {__version__} · {day}"
        ),
        headlines=headlines(ordered, comparison),
        summary_table=summary_table(result, key_metrics(ordered))[[s.name for s in ordered]],
        differences_table=difference_table(
            comparison, key_metrics(ordered), currency=baseline.costs.currency
        )[[s.name for s in ordered[1:]]],
        decision_table=decision_table(result, comparison, ordered),
        terms_table=terms_table(ordered),
        charts=charts,
        chart_notes=chart_notes(ordered, [title for title, _ in charts]),
        assumptions=assumptions(baseline),
        warnings=[in_words(w, baseline) for w in result.warnings],
        colors=colours([s.name for s in ordered]),
    )
