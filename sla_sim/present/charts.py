"""The charts of a comparison, in Altair, for the app and the reports alike.

Every chart takes the tidy summaries of a result (`summary`, `summarise_series`) and one colour per
candidate, so a candidate has the same colour in every chart, the baseline a neutral grey. Labels
carry units; numbers are formatted for people.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import altair as alt
import pandas as pd

from sla_sim.analysis.metrics import BY_KEY, FUNNEL_STAGES
from sla_sim.model.world import simulation_key
from sla_sim.present.captions import team_note
from sla_sim.present.numbers import (
    DOLLARS,
    chart_format,
    metric_chart_format,
    money_title,
    unit_of,
)
from sla_sim.scenario.calendar import add_months
from sla_sim.scenario.schema import Scenario

BASELINE_COLOUR = "#5f6b7a"
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
)
WIDTH = 420
WIDE = 470  # a chart of its own in a half-page column
HEIGHT = 260


class Palette(dict[str, str]):
    """Candidate -> colour, and the legend's label of each candidate that differs from its name."""

    labels: dict[str, str]
    legends: bool

    def __init__(
        self, colours: dict[str, str], labels: dict[str, str] | None = None, legends: bool = True
    ) -> None:
        super().__init__(colours)
        self.labels = labels or {}
        self.legends = legends


def colours(names: list[str], same: dict[str, str] | None = None) -> Palette:
    """One colour per candidate, in order: the first (the baseline) grey, then the palette. A
    candidate in `same` (name -> the earlier candidate it shares a simulation with) is labelled
    "same as ..." in the legends, since its marks lie under the other's."""
    out = {}
    for i, name in enumerate(names):
        out[name] = BASELINE_COLOUR if i == 0 else PALETTE[(i - 1) % len(PALETTE)]
    labels = {name: f"{name} (same as {other})" for name, other in (same or {}).items()}
    return Palette(out, labels)


def same_simulation(scenarios: list[Scenario]) -> dict[str, str]:
    """Candidate -> the first earlier one whose simulation is the same event for event (they
    differ only in terms the model measures against, not in what happens)."""
    first: dict[str, str] = {}
    same = {}
    for s in scenarios:
        key = simulation_key(s)
        if key in first:
            same[s.name] = first[key]
        else:
            first[key] = s.name
    return same


def _colour(palette: dict[str, str], title: str | None = "Candidate") -> alt.Color:
    labels = getattr(palette, "labels", {})
    expression = f"{json.dumps(labels)}[datum.label] || datum.label" if labels else None
    legend = alt.Legend(orient="bottom", columns=2, labelLimit=360)
    if expression:
        legend = alt.Legend(orient="bottom", columns=2, labelLimit=360, labelExpr=expression)
    return alt.Color(
        "scenario:N",
        title=title,
        scale=alt.Scale(domain=list(palette), range=list(palette.values())),
        legend=legend if title and getattr(palette, "legends", True) else None,
    )


def _metric_rows(summary: pd.DataFrame, keys: list[str], names: list[str]) -> pd.DataFrame:
    rows = summary[summary.metric.isin(keys) & summary.scenario.isin(names)].copy()
    rows["label"] = rows.metric.map(lambda k: BY_KEY[k].label)
    return rows


def _bars(
    rows: pd.DataFrame,
    palette: dict[str, str],
    title: str,
    key: str,
    width: int,
    currency: str = DOLLARS,
) -> alt.LayerChart:
    names = list(palette)
    shown = metric_chart_format(key, currency=currency)
    base = alt.Chart(rows).encode(
        x=alt.X("scenario:N", sort=names, title=None, axis=alt.Axis(labels=False, ticks=False)),
        tooltip=[
            alt.Tooltip("scenario:N", title="Candidate"),
            alt.Tooltip("mean:Q", title="Mean", format=shown),
            alt.Tooltip("ci_low:Q", title="95% from", format=shown),
            alt.Tooltip("ci_high:Q", title="95% to", format=shown),
        ],
    )
    bars = base.mark_bar().encode(
        y=alt.Y(
            "mean:Q",
            title=title,
            axis=alt.Axis(format=metric_chart_format(key, axis=True, currency=currency)),
        ),
        color=_colour(palette),
    )
    errors = base.mark_errorbar(ticks=True, color="#222").encode(
        y=alt.Y("ci_low:Q", title=title), y2="ci_high:Q"
    )
    return (bars + errors).properties(width=width, height=HEIGHT)


def deals_and_revenue(
    summary: pd.DataFrame, palette: dict[str, str], currency: str = DOLLARS
) -> alt.HConcatChart:
    """Closed deals and revenue per candidate, with 95% intervals (revenue in `currency`)."""
    names = list(palette)
    deals = _bars(
        _metric_rows(summary, ["closed_deals"], names),
        palette,
        BY_KEY["closed_deals"].label,
        "closed_deals",
        WIDTH // 2 + 60,
    )
    revenue = _bars(
        _metric_rows(summary, ["revenue"], names),
        palette,
        money_title(BY_KEY["revenue"].label, currency),
        "revenue",
        WIDTH // 2 + 60,
        currency,
    )
    return alt.hconcat(deals, revenue).resolve_scale(color="shared")


def breaches(summary: pd.DataFrame, palette: dict[str, str]) -> alt.LayerChart:
    """Response and attempt breach rates per candidate, with 95% intervals."""
    names = list(palette)
    rows = _metric_rows(summary, ["response_breach_rate", "attempt_breach_rate"], names)
    base = alt.Chart(rows).encode(
        x=alt.X("label:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("scenario:N", sort=names),
        tooltip=[
            alt.Tooltip("scenario:N", title="Candidate"),
            alt.Tooltip("label:N", title="Breach"),
            alt.Tooltip("mean:Q", title="Mean", format=chart_format("share")),
            alt.Tooltip("ci_low:Q", title="95% from", format=chart_format("share")),
            alt.Tooltip("ci_high:Q", title="95% to", format=chart_format("share")),
        ],
    )
    bars = base.mark_bar().encode(
        y=alt.Y(
            "mean:Q", title="Share breached", axis=alt.Axis(format=chart_format("share", axis=True))
        ),
        color=_colour(palette),
    )
    errors = base.mark_errorbar(ticks=True, color="#222").encode(
        y=alt.Y("ci_low:Q", title="Share breached"), y2="ci_high:Q"
    )
    return (bars + errors).properties(width=WIDTH, height=HEIGHT)


def response_times(
    series: pd.DataFrame, palette: dict[str, str], targets: dict[str, float]
) -> alt.LayerChart:
    """Share of handoffs first attempted within x hours, with each candidate's target marked."""
    rows = series[(series.series == "response_within") & series.scenario.isin(list(palette))]
    x = alt.X(
        "x:Q",
        title="Hours from handoff to first attempt (SLA clock, log scale)",
        scale=alt.Scale(type="log"),
    )
    lines = (
        alt.Chart(rows)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y(
                "mean:Q",
                title="Share answered within",
                axis=alt.Axis(format=chart_format("share", axis=True)),
            ),
            color=_colour(palette),
            tooltip=[
                alt.Tooltip("scenario:N", title="Candidate"),
                alt.Tooltip("x:Q", title="Within (h)"),
                alt.Tooltip("mean:Q", title="Share", format=chart_format("share")),
            ],
        )
    )
    rules = _marks(targets, palette, "x", "SLA target (h)", log=True)
    return (lines + rules).properties(
        width=WIDE, height=HEIGHT, title="Dashed: each candidate's response target"
    )


def _marks(
    values: dict[str, float], palette: dict[str, str], axis: str, title: str, log: bool = False
) -> alt.Chart:
    """A dashed rule per candidate at its own value (a target, a commitment), in its colour."""
    marks = pd.DataFrame({"scenario": list(values), "value": list(values.values())})
    scale = alt.Scale(type="log") if log else alt.Scale()
    position = alt.X("value:Q", scale=scale) if axis == "x" else alt.Y("value:Q", scale=scale)
    return (
        alt.Chart(marks)
        .mark_rule(strokeDash=[6, 4], strokeWidth=2)
        .encode(
            position,
            color=_colour(palette),
            tooltip=[
                alt.Tooltip("scenario:N", title="Candidate"),
                alt.Tooltip("value:Q", title=title, format=chart_format("number")),
            ],
        )
    )


def funnel(summary: pd.DataFrame, palette: dict[str, str]) -> alt.Chart:
    """Leads at each stage of the funnel per candidate (log scale: leads are thousands, deals
    tens)."""
    names = list(palette)
    rows = _metric_rows(summary, list(FUNNEL_STAGES), names)
    order = [BY_KEY[k].label for k in FUNNEL_STAGES]
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("scenario:N", sort=names),
            y=alt.Y(
                "mean:Q",
                title="Leads over the horizon (log scale)",
                scale=alt.Scale(type="log", domainMin=1),
            ),
            y2=alt.datum(1),  # bars on a log scale start at one lead, not zero
            color=_colour(palette),
            tooltip=[
                alt.Tooltip("scenario:N", title="Candidate"),
                alt.Tooltip("label:N", title="Stage"),
                alt.Tooltip("mean:Q", title="Mean", format=chart_format("count")),
            ],
        )
        .properties(width=WIDE, height=HEIGHT)
    )


def _dates(start: dt.date, unit: str, x: pd.Series) -> pd.Series:
    if unit == "week":
        return x.map(lambda i: pd.Timestamp(start) + pd.Timedelta(weeks=int(i)))
    return x.map(lambda i: pd.Timestamp(add_months(start, int(i))))


def backlog(series: pd.DataFrame, palette: dict[str, str], start: dt.date) -> alt.LayerChart:
    """Leads waiting for a first attempt, week by week, with 95% bands."""
    rows = series[(series.series == "backlog") & series.scenario.isin(list(palette))].copy()
    rows["date"] = _dates(start, "week", rows.x)
    base = alt.Chart(rows).encode(x=alt.X("date:T", title="Week"))
    band = base.mark_area(opacity=0.15).encode(
        y=alt.Y("ci_low:Q", title="Leads waiting for a first attempt"),
        y2="ci_high:Q",
        color=_colour(palette),
    )
    line = base.mark_line().encode(
        y="mean:Q",
        color=_colour(palette),
        tooltip=[
            alt.Tooltip("scenario:N", title="Candidate"),
            alt.Tooltip("date:T", title="Week of", format="%d %b %Y"),
            alt.Tooltip("mean:Q", title="Waiting", format=chart_format("leads")),
        ],
    )
    return (band + line).properties(width=WIDE, height=HEIGHT)


def utilisation(summary: pd.DataFrame, palette: dict[str, str]) -> alt.LayerChart:
    """Share of the reps' prospecting time spent on attempts, with 95% intervals."""
    rows = _metric_rows(summary, ["rep_utilization"], list(palette))
    return _bars(rows, palette, BY_KEY["rep_utilization"].label, "rep_utilization", WIDTH // 2 + 60)


def mqls_per_month(
    series: pd.DataFrame, palette: dict[str, str], start: dt.date, commitments: dict[str, float]
) -> alt.LayerChart:
    """MQLs handed off each month against each candidate's monthly commitment."""
    rows = series[(series.series == "handoffs") & series.scenario.isin(list(palette))].copy()
    rows["month"] = _dates(start, "month", rows.x)
    line = (
        alt.Chart(rows)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("mean:Q", title="MQLs handed off per month"),
            color=_colour(palette),
            tooltip=[
                alt.Tooltip("scenario:N", title="Candidate"),
                alt.Tooltip("month:T", title="Month", format="%b %Y"),
                alt.Tooltip("mean:Q", title="MQLs", format=chart_format("count")),
                alt.Tooltip("ci_low:Q", title="95% from", format=chart_format("count")),
                alt.Tooltip("ci_high:Q", title="95% to", format=chart_format("count")),
            ],
        )
    )
    rule = _marks(commitments, palette, "y", "Commitment")
    return (line + rule).properties(
        width=WIDE, height=HEIGHT, title="Dashed: the monthly MQL commitment"
    )


TEAM_SERIES = {
    "headcount": "Reps on the team",
    "capacity": "Their capacity (shaded: 95% interval)",
    "load": "Work done on leads",
}
"""The series of the team chart and their names in its legend, in the legend's order."""
TEAM_DASHES = ([6, 3], [1, 0], [2, 2])
"""Dashed: reps on the team; solid: their capacity; dotted: the work done."""
TEAM_TITLE = "The team over the year"
_SAME = 1e-9  # reps: closer than this is the same value


def team_rows(series: pd.DataFrame, names: list[str], start: dt.date) -> pd.DataFrame:
    """The team chart's data: one row per candidate, series and month, with the month's date and
    the series' name in the legend."""
    rows = series[series.series.isin(list(TEAM_SERIES)) & series.scenario.isin(names)].copy()
    rows["month"] = _dates(start, "month", rows.x)
    rows["line"] = rows.series.map(TEAM_SERIES)
    return rows[["scenario", "series", "line", "x", "month", "mean", "ci_low", "ci_high"]]


def team_changes(series: pd.DataFrame) -> bool:
    """Whether the team changes over the year for some candidate: its headcount is not the same
    every month, or its capacity falls below its headcount (ramping hires, days off). Otherwise
    the team chart would be flat lines at the reps, and is left out."""
    rows = series[series.series.isin(["headcount", "capacity"])]
    if rows.empty:
        return False
    wide = rows.pivot_table(index=["scenario", "x"], columns="series", values="mean")
    if wide.shape[1] < 2:
        return False
    spread = wide.groupby(level="scenario")["headcount"].agg(lambda v: v.max() - v.min())
    below = wide["headcount"] - wide["capacity"]
    return bool((spread > _SAME).any() or (below > _SAME).any())


TEAM_WIDTH = 2 * WIDE - 180
"""The width of the team chart's panels together, as of two charts side by side less their
axes: a facet cannot fit its column, so it is sized to fit a page's or a slide's."""


def _team_grid(candidates: int) -> tuple[int, int, int]:
    """Panels per row (all in one row up to three, two rows of two for four, rows of three), and
    each panel's width and height."""
    columns = candidates if candidates <= 3 else 2 if candidates == 4 else 3
    return columns, TEAM_WIDTH // columns - 20, HEIGHT - (40 if candidates <= 3 else 90)


def team_over_the_year(
    series: pd.DataFrame, palette: dict[str, str], start: dt.date
) -> alt.FacetChart:
    """One panel per candidate, in its colour: reps on the team (dashed) and their capacity
    (solid, with its 95% band), both counting ramping hires and days off, against the work done
    on leads (dotted), month by month, all in reps at full speed."""
    names = list(palette)
    rows = team_rows(series, names, start)
    lines = list(TEAM_SERIES.values())
    colour = _colour(palette, title=None)
    # Each month at its first day, so that the first month has its tick too.
    x = alt.X(
        "yearmonth(month):T",
        title=None,
        axis=alt.Axis(format="%b", labelAngle=0, tickCount="month"),
    )
    base = alt.Chart().encode(x=x)
    band = (
        base.transform_filter(alt.datum.series == "capacity")
        .mark_area(opacity=0.15)
        .encode(y=alt.Y("ci_low:Q", title="Reps"), y2="ci_high:Q", color=colour)
    )
    line = base.mark_line(strokeWidth=2).encode(
        y="mean:Q",
        color=colour,
        strokeDash=alt.StrokeDash(
            "line:N",
            sort=lines,
            scale=alt.Scale(domain=lines, range=list(TEAM_DASHES)),
            legend=alt.Legend(
                title=None,
                orient="bottom",
                labelLimit=400,
                symbolType="stroke",
                symbolSize=600,
                symbolStrokeWidth=2,
                symbolStrokeColor="#444",
            ),
        ),
        tooltip=[
            alt.Tooltip("scenario:N", title="Candidate"),
            alt.Tooltip("month:T", title="Month", format="%b %Y"),
            alt.Tooltip("line:N", title="Line"),
            alt.Tooltip("mean:Q", title="Reps", format=chart_format("tenths")),
            alt.Tooltip("ci_low:Q", title="95% from", format=chart_format("tenths")),
            alt.Tooltip("ci_high:Q", title="95% to", format=chart_format("tenths")),
        ],
    )
    labels = getattr(palette, "labels", {})
    header = alt.Header(
        title=None,
        labelFontWeight="bold",
        labelAnchor="start",
        labelExpr=f"{json.dumps(labels)}[datum.value] || datum.value" if labels else alt.Undefined,
        labelColor=alt.ExprRef(f"{json.dumps(dict(palette))}[parent.scenario] || '#222'"),
    )
    columns, width, height = _team_grid(len(names))
    return (
        alt.layer(band, line, data=rows)
        .properties(width=width, height=height)
        .facet(facet=alt.Facet("scenario:N", sort=names, header=header), columns=columns)
    )


def comparison_charts(
    scenarios: list[Scenario], summary: pd.DataFrame, series: pd.DataFrame, legends: bool = True
) -> list[tuple[str, Any]]:
    """Every chart of a comparison, titled, in the order a meeting reads them; without
    `legends` when the page shows the candidates' colours once for all of them. The team over
    the year comes last, and only when some candidate's team changes (`team_changes`)."""
    palette = colours([s.name for s in scenarios], same_simulation(scenarios))
    palette.legends = legends
    start = scenarios[0].scenario.start_date
    targets = {s.name: s.sla.sales.first_response_hours for s in scenarios}
    commitments = {s.name: s.sla.marketing.monthly_mql_commitment for s in scenarios}
    team = (
        [(TEAM_TITLE, team_over_the_year(series, palette, start))] if team_changes(series) else []
    )
    return [
        (
            "Closed deals and revenue",
            deals_and_revenue(summary, palette, scenarios[0].costs.currency),
        ),
        ("Breach rates", breaches(summary, palette)),
        ("Response time against the SLA target", response_times(series, palette, targets)),
        ("The funnel, stage by stage", funnel(summary, palette)),
        ("Backlog over the year", backlog(series, palette, start)),
        ("Rep utilisation", utilisation(summary, palette)),
        (
            "MQLs per month against the commitment",
            mqls_per_month(series, palette, start, commitments),
        ),
        *team,
    ]


def chart_notes(scenarios: list[Scenario], titles: list[str]) -> dict[str, str]:
    """A line in plain words under the charts that need one to be read, by title."""
    return {TEAM_TITLE: team_note(scenarios)} if TEAM_TITLE in titles else {}


def _label(metric: str, currency: str) -> str:
    """The metric's label, with the currency's symbol when it is money."""
    label = BY_KEY[metric].label
    return money_title(label, currency) if unit_of(metric) == "money" else label


def heatmap(
    table: pd.DataFrame,
    x: str,
    y: str,
    metric: str,
    x_title: str,
    y_title: str,
    currency: str = DOLLARS,
) -> alt.LayerChart:
    """The mean of `metric` at each point of a two-term sweep; the better end of the scale is
    always yellow (whichever way the metric is better) and each cell's text reads on its colour."""
    # The sweep's columns are dotted keys, which Vega-Lite would read as nested fields.
    rows = table[table.metric == metric].rename(columns={x: "x_value", y: "y_value"})
    label = _label(metric, currency)
    lower_is_better = BY_KEY[metric].better == "lower"
    fmt = metric_chart_format(metric, currency=currency)
    x, y = "x_value", "y_value"
    middle = (rows["mean"].min() + rows["mean"].max()) / 2 if len(rows) else 0.0
    bright = f"datum.mean {'<=' if lower_is_better else '>='} {float(middle)!r}"
    base = alt.Chart(rows).encode(
        x=alt.X(f"{x}:O", title=x_title), y=alt.Y(f"{y}:O", title=y_title, sort="descending")
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "mean:Q",
            title=f"{label} (yellow: better)",
            scale=alt.Scale(scheme="viridis", reverse=lower_is_better),
            legend=alt.Legend(
                orient="bottom", format=metric_chart_format(metric, axis=True, currency=currency)
            ),
        ),
        tooltip=[
            alt.Tooltip(f"{x}:O", title=x_title),
            alt.Tooltip(f"{y}:O", title=y_title),
            alt.Tooltip("mean:Q", title=label, format=fmt),
            alt.Tooltip("ci_low:Q", title="95% from", format=fmt),
            alt.Tooltip("ci_high:Q", title="95% to", format=fmt),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("mean:Q", format=fmt),
        color=alt.condition(bright, alt.value("black"), alt.value("white")),
    )
    return (cells + text).properties(width=WIDE, height=HEIGHT + 40)


def _frontier_labels(points: pd.DataFrame) -> pd.DataFrame:
    """One label per place on the frontier: points within a 25th of the chart of a labelled one
    (each way) join its label ("8, 24 = 8, 48"), so that no label is drawn over another."""
    step_deals = max(float(points.deals.max() - points.deals.min()) / 25, 1e-9)
    step_breach = max(float(points.breach.max() - points.breach.min()) / 25, 1e-9)
    spots: list[dict[str, Any]] = []
    for row in points[points.frontier].itertuples():
        near = next(
            (
                spot
                for spot in spots
                if abs(spot["deals"] - row.deals) <= step_deals
                and abs(spot["breach"] - row.breach) <= step_breach
            ),
            None,
        )
        if near is None:
            spots.append({"label": str(row.label), "deals": row.deals, "breach": row.breach})
        else:
            near["label"] += f" = {row.label}"
    return pd.DataFrame(spots, columns=["label", "deals", "breach"])


def frontier(points: pd.DataFrame, label_title: str) -> alt.LayerChart:
    """Closed deals against response breach rate at every point of a sweep; the points no other
    beats on both (more deals and fewer breaches) joined as the frontier.

    `points` has columns: label, deals, breach, frontier (bool)."""
    base = alt.Chart(points).encode(
        x=alt.X(
            "breach:Q",
            title=f"{BY_KEY['response_breach_rate'].label} (share of handoffs)",
            axis=alt.Axis(format=chart_format("share", axis=True)),
        ),
        y=alt.Y("deals:Q", title=BY_KEY["closed_deals"].label, scale=alt.Scale(zero=False)),
        tooltip=[
            alt.Tooltip("label:N", title=label_title),
            alt.Tooltip(
                "deals:Q", title=BY_KEY["closed_deals"].label, format=chart_format("tenths")
            ),
            alt.Tooltip(
                "breach:Q",
                title=BY_KEY["response_breach_rate"].label,
                format=chart_format("share"),
            ),
        ],
    )
    beaten = base.transform_filter("!datum.frontier").mark_circle(
        size=70, color="#9aa5b1", opacity=0.7
    )
    best = base.transform_filter("datum.frontier").mark_circle(size=90, color="#d62728")
    line = base.transform_filter("datum.frontier").mark_line(color="#d62728")
    names = (
        base.transform_filter("datum.frontier")
        .mark_text(align="left", dx=7, dy=-7, fontSize=11, color="#7f1d1d")
        .encode(text="label:N")
    )
    return (line + beaten + best + names).properties(
        width=WIDE,
        height=HEIGHT + 40,
        title=alt.Title(
            "Red, labelled: the frontier; grey: beaten on both",
            fontSize=12,
            fontWeight="normal",
        ),
    )


def sweep_line(
    table: pd.DataFrame, x: str, metric: str, x_title: str, currency: str = DOLLARS
) -> alt.LayerChart:
    """The mean of `metric` with its 95% interval at each value of a one-term sweep."""
    rows = table[table.metric == metric].rename(columns={x: "x_value"})
    label = _label(metric, currency)
    fmt = metric_chart_format(metric, currency=currency)
    x = "x_value"  # not the dotted key: Vega-Lite would read it as a nested field
    base = alt.Chart(rows).encode(x=alt.X(f"{x}:Q", title=x_title))
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y(
            "ci_low:Q",
            title=label,
            axis=alt.Axis(format=metric_chart_format(metric, axis=True, currency=currency)),
        ),
        y2="ci_high:Q",
    )
    line = base.mark_line(point=True).encode(
        y="mean:Q",
        tooltip=[
            alt.Tooltip(f"{x}:Q", title=x_title),
            alt.Tooltip("mean:Q", title=label, format=fmt),
            alt.Tooltip("ci_low:Q", title="95% from", format=fmt),
            alt.Tooltip("ci_high:Q", title="95% to", format=fmt),
        ],
    )
    return (band + line).properties(width=WIDE, height=HEIGHT + 40)
