"""A backtest as people read it: the verdict per measure, the months set against their bands,
and the chart of observed against simulated."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from sla_sim.analysis.observed import LABELS, MEASURES
from sla_sim.atomic import write_atomically
from sla_sim.experiments.backtest import Backtest
from sla_sim.present.numbers import count, money, number, share

COLUMNS = 4
VERDICT_COLUMNS = [
    "Measure",
    "Months",
    "Outside the band",
    "Level z",
    "Level p",
    "Months p",
    "Agrees",
]
"""The headings of `verdict_rows`."""


def _value(measure: str, value: float, currency: str) -> str:
    if math.isnan(value):
        return "–"
    if measure == "response_within_target":
        return share(value)
    if measure == "revenue":
        return money(value, currency)
    return count(value, whole=True)


def verdict_rows(result: Backtest) -> list[list[str]]:
    """Measure, months tested, months outside the band, the level's z, the two p-values, and
    whether it agrees."""
    rows = []
    for a in result.agreements:
        rows.append(
            [
                LABELS[a.measure],
                str(a.cells),
                str(a.outside),
                number(round(a.level_z, 2) + 0.0),  # + 0.0: no "−0"
                number(round(a.level_p_value, 4)),
                number(round(a.p_value, 4)),
                "yes" if a.agrees else "NO",
            ]
        )
    return rows


def verdict_sentence(result: Backtest) -> str:
    failing = [LABELS[a.measure] for a in result.agreements if not a.agrees]
    runs = f"{result.replications} replications, seed {result.seed}"
    if not failing:
        return (
            f"The scenario agrees with what happened: every measure, month by month and over the "
            f"period, within what its runs give ({runs}; 5% level over all measures)."
        )
    return (
        f"The scenario does not agree with what happened on {', '.join(failing)} ({runs}; 5% "
        "level over all measures): look at the months outside their band."
    )


def month_rows(result: Backtest, view: str, currency: str) -> tuple[list[str], list[list[str]]]:
    """One row a month, one column a measure: the observed value and the band of one more run,
    marked ✗ when outside it."""
    table = result.table[result.table.view == view]
    months = list(dict.fromkeys(table["month"]))
    header = ["Month", *[LABELS[m] for m in MEASURES if m in set(table.measure)]]
    rows = []
    for month in months:
        cells = [str(month)]
        for measure in MEASURES:
            row = table[(table.month == month) & (table.measure == measure)]
            if row.empty:
                continue
            r = row.iloc[0]
            mark = "" if pd.isna(r["inside"]) or r["inside"] else " ✗"
            band = f"{_value(measure, r['low'], currency)}–{_value(measure, r['high'], currency)}"
            cells.append(f"{_value(measure, r['observed'], currency)} ({band}){mark}")
        rows.append(cells)
    return header, rows


def backtest_document(result: Backtest) -> dict[str, Any]:
    """The whole backtest as JSON-ready data (`--json`)."""

    def clean(x: Any) -> Any:
        return None if isinstance(x, float) and math.isnan(x) else x

    table = result.table.assign(month=result.table["month"].astype(str))
    return {
        "scenario": result.scenario.name,
        "replications": result.replications,
        "seed": result.seed,
        "agrees": result.agrees,
        "verdict": verdict_sentence(result),
        "agreements": [{k: clean(v) for k, v in a.__dict__.items()} for a in result.agreements],
        "table": [{k: clean(v) for k, v in row.items()} for row in table.to_dict("records")],
    }


def _panel_order() -> list[str]:
    return [LABELS[m] + (", %" if m == "response_within_target" else "") for m in MEASURES]


def backtest_chart(result: Backtest, columns: int = COLUMNS) -> alt.FacetChart:
    """Each measure by calendar month, `columns` panels to a row: the band of one more run
    (shaded), the runs' mean (line) and what happened (dots, hollow where outside the band)."""
    table = result.table[result.table.view == "calendar"].copy()
    table["month"] = table["month"].dt.to_timestamp()
    table["label"] = table["measure"].map(LABELS)
    shares = table["measure"].eq("response_within_target")  # in percent: its own axis is bare
    for name in ("observed", "mean", "low", "high"):
        table.loc[shares, name] = table.loc[shares, name] * 100
    table.loc[shares, "label"] = LABELS["response_within_target"] + ", %"
    table["where"] = table["inside"].map({1.0: "inside the band", 0.0: "outside the band"})
    months = alt.Axis(format="%b %y", tickCount="month")  # one tick a month, each named once
    base = alt.Chart(table).encode(x=alt.X("month:T", title=None, axis=months))
    band = base.mark_area(opacity=0.25, color="#1f77b4").encode(
        y=alt.Y("low:Q", title=None, scale=alt.Scale(zero=False)), y2="high:Q"
    )
    mean = base.mark_line(color="#1f77b4").encode(y="mean:Q")
    dots = base.mark_point(filled=True, size=40).encode(
        y="observed:Q",
        color=alt.Color(
            "where:N",
            title="What happened",
            scale=alt.Scale(
                domain=["inside the band", "outside the band"], range=["#1f2328", "#d62728"]
            ),
        ),
    )
    return (
        alt.layer(band, mean, dots, data=table)
        .properties(width=200, height=140)
        .facet(
            facet=alt.Facet("label:N", title=None, sort=_panel_order()),
            columns=columns,
        )
        .resolve_scale(y="independent")
    )


VIEWS = (("calendar", "by calendar month"), ("cohort", "by the month leads were created"))
"""The backtest's two readings of the months, and how a table's title names each."""


def backtest_title(result: Backtest, export_name: str) -> str:
    return f"{result.scenario.name} against {export_name}"


def backtest_html(result: Backtest, export_name: str) -> str:
    """The backtest as a page of its own that opens offline: the verdict, the chart of observed
    against simulated, and the months against their bands in both views."""
    import html

    from sla_sim.present.html import chart_figure, page_foot, page_head, text_table
    from sla_sim.present.pack import vega_lite_json

    currency = result.scenario.costs.currency
    title = backtest_title(result, export_name)
    subtitle = f"{result.replications} replications, seed {result.seed}"
    parts = page_head(f"Backtest: {title}", subtitle)
    parts.append(f"<section><p>{html.escape(verdict_sentence(result))}</p>")
    parts.append(
        text_table("The verdict, measure by measure", VERDICT_COLUMNS, verdict_rows(result))
    )
    parts.append(
        chart_figure(
            "What happened against the simulated months",
            vega_lite_json(backtest_chart(result)),
            "backtest-",
            "Shaded: the band of one more run; line: the runs' mean; dots: what happened "
            "(red where outside the band).",
        )
    )
    for view, named in VIEWS:
        header, rows = month_rows(result, view, currency)
        parts.append(text_table(f"What happened (the band of one more run), {named}", header, rows))
    parts.append("</section>")
    parts.append(page_foot(f"{title}, {subtitle}"))
    return "\n".join(parts)


def write_backtest_html(result: Backtest, export_name: str, path: Path) -> None:
    """Write the backtest's page to `path`, whole or not at all."""
    page = backtest_html(result, export_name)
    write_atomically(Path(path), lambda target: target.write_text(page, encoding="utf-8"))
