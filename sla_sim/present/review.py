"""The SLA review's scorecard for people (SPEC §11): tables for the terminal, a section of the
HTML report with its charts, and a JSON document, each from one `Review`.

A cell gives the value and the counts it is made of ("66.7% (4 of 6)", "2 h (n = 5)"), and a
mark: ✓ met, ✗ missed, none where the measure has no target or the period was not judged.
Numbers are worded by `present.numbers`; the charts and the HTML page need the report extras
(Altair, vl-convert) and load them only when drawn.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.table import Table

from sla_sim.analysis.review import ALL, BY_KEY, Measure, Review
from sla_sim.atomic import write_atomically
from sla_sim.present.numbers import (
    MINUS,
    MISSING,
    chart_format,
    count,
    hours,
    number,
    period_name,
    points,
    share,
    share_as_set,
)

if TYPE_CHECKING:
    import altair as alt

MET, MISSED = "✓", "✗"
LEGEND = f"{MET} met, {MISSED} missed; no mark: no target, or not judged (see the notes)"
SIDES = {"marketing": "Marketing", "sales": "Sales"}
GROUP_TITLES = {"rep": "Rep", "source": "Source"}
BREACH_KINDS = {
    "late": "Answered late",
    "never": "Never attempted",
    "attempts_short": "Too few attempts",
    "not_returned": "Not returned",
}
"""The kinds of breach, in the order the breach table and chart give them."""
TITLE = "The SLA review"


# --- words --------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def value_text(measure: Measure, value: float) -> str:
    """A measure's value as a person reads it."""
    if _missing(value):
        return MISSING
    if measure.unit == "share":
        return share(value)
    if measure.unit == "hours":
        return hours(value)
    if measure.unit == "count":
        return count(value, whole=True)
    return number(round(value, 2))


def cell(row: Mapping[Any, Any]) -> str:
    """One scorecard row as a cell: value, the counts it is made of, pending leads and the mark."""
    measure = BY_KEY[str(row["measure"])]
    shown = value_text(measure, row["value"])
    parts = []
    whole = row["whole"]
    if _missing(whole) or not whole:
        pass  # no lead to count: the value is missing, only pending leads are worth saying
    elif measure.unit == "share":
        parts.append(f"{count(row['part'], whole=True)} of {count(whole, whole=True)}")
    elif measure.unit in ("hours", "number"):
        parts.append(f"n = {count(whole, whole=True)}")
    censored = row["censored"]
    if not _missing(censored) and censored:
        parts.append(f"{count(censored, whole=True)} pending")
    if parts:
        shown += f" ({', '.join(parts)})"
    met = row["met"]
    if not _missing(met):
        shown += f" {MET if met else MISSED}"
    return shown


def heading(review: Review, measure: Measure) -> str:
    """A measure's column heading, with the agreed term it is judged by."""
    terms = review.terms
    clock = terms["sla.sales.clock"]
    if measure.key == "mqls":
        commitment = number(terms["sla.marketing.monthly_mql_commitment"])
        return f"MQLs (commitment {commitment} a month)"
    if measure.key == "acceptance":
        return f"{measure.label} (target {share_as_set(terms['sla.marketing.acceptance_target'])})"
    if measure.key == "response_within_target":
        within = number(terms["sla.sales.first_response_hours"])
        return f"Answered within {within} {clock} hours (target 100%)"
    if measure.key == "response_hours_median":
        return f"{measure.label} ({clock} hours)"
    if measure.key == "attempts_kept":
        attempts = number(terms["sla.sales.min_attempts"])
        days = number(terms["sla.sales.follow_up_window_days"])
        return f"Not reached: {attempts} attempts in {days} days (target 100%)"
    if measure.key == "returned_as_agreed":
        agreed = terms["sla.sales.on_no_contact"]
        what = "returned to nurture" if agreed == "recycle" else "disqualified"
        return f"Not reached: {what} (target 100%)"
    return measure.label


def _period_heading(review: Review) -> str:
    return "Month" if review.by == "month" else "Week of"


def _name(review: Review, period: pd.Timestamp, by: str | None = None) -> str:
    return period_name(pd.Timestamp(period).date(), by or review.by)


def _side_measures(review: Review, side: str, grouped: bool = False) -> list[Measure]:
    return [
        m
        for m in review.measures
        if m.side == side and (not grouped or (review.per is not None and review.per in m.per))
    ]


def scorecard_rows(
    review: Review, side: str, frame: pd.DataFrame | None = None, grouped: bool = False
) -> tuple[list[str], list[list[str]]]:
    """The headings and rows of one side's scorecard: a row per period (per group and period
    when `grouped`), a cell per measure."""
    frame = review.scorecard if frame is None else frame
    by = "week" if frame is review.weekly else review.by
    measures = [m for m in _side_measures(review, side, grouped) if m.key in set(frame.measure)]
    rows = frame[frame.measure.isin([m.key for m in measures])]
    rows = rows[rows.group != ALL] if grouped else rows[rows.group == ALL]
    cells = {(r["group"], r["period"], r["measure"]): cell(r) for r in rows.to_dict("records")}
    first = ["Month" if by == "month" else "Week of"]
    if grouped and review.per is not None:
        first = [GROUP_TITLES[review.per], *first]
    columns = [*first, *(heading(review, m) for m in measures)]
    keys = rows[["group", "period"]].drop_duplicates()
    keys = keys.sort_values(["group", "period"]) if grouped else keys
    table = []
    for group, period in keys.itertuples(index=False, name=None):
        lead = [str(group)] if grouped else []
        table.append(
            [
                *lead,
                _name(review, period, by),
                *(cells.get((group, period, m.key), "") for m in measures),
            ]
        )
    return columns, table


def summary_rows(review: Review) -> tuple[list[str], list[list[str]]]:
    """Per measure, the team over the whole export: value and counts, periods met, missed and
    not judged, and the trend."""
    unit = "months" if review.by == "month" else "weeks"
    columns = ["Side", "Measure", "Whole export", f"{unit.title()} met", "Missed", "Not judged"]
    columns.append("Trend")
    rows = []
    for record in review.summary[review.summary.group == ALL].to_dict("records"):
        measure = BY_KEY[str(record["measure"])]
        judged = record["met"] + record["missed"] + record["not_judged"]
        shown = cell(dict(record) | {"met": None})
        rows.append(
            [
                SIDES[measure.side],
                heading(review, measure),
                shown,
                count(record["met"], whole=True) if judged else "",
                count(record["missed"], whole=True) if judged else "",
                count(record["not_judged"], whole=True) if judged else "",
                _trend_words(record, review.by),
            ]
        )
    return columns, rows


def _trend_words(record: Mapping[Any, Any], by: str) -> str:
    """The trend in words: "worse, −2 a month", "better, +8.3 pts a week"."""
    trend = str(record["trend"])
    if trend in ("n/a", "steady"):
        return "" if trend == "n/a" else trend
    measure = BY_KEY[str(record["measure"])]
    slope = float(record["slope"])
    size = points(abs(slope)) if measure.unit == "share" else value_text(measure, abs(slope))
    return f"{trend}, {'+' if slope > 0 else MINUS}{size} a {by}"


def breach_rows(review: Review) -> tuple[list[str], list[list[str]]]:
    """Who breached and how often: per rep, handoffs, each kind of breach out of the leads it
    was judged on, and the leads with any breach."""
    columns = ["Rep", "Handoffs", *BREACH_KINDS.values(), "Breaches", "Leads breached"]
    known = {
        "late": "response_known",
        "never": "response_known",
        "attempts_short": "attempts_known",
        "not_returned": "returns_known",
    }
    absent = {
        "attempts_short": "attempts_kept",
        "not_returned": "returned_as_agreed",
        "late": "response_within_target",
        "never": "response_within_target",
    }
    rows = []
    for record in review.breaches.to_dict("records"):
        kinds = [
            ""
            if absent[kind] in review.absent
            else f"{count(record[kind], whole=True)} of {count(record[known[kind]], whole=True)}"
            for kind in BREACH_KINDS
        ]
        rows.append(
            [
                str(record["rep"]),
                count(record["handoffs"], whole=True),
                *kinds,
                *(
                    "" if _missing(record[name]) else count(record[name], whole=True)
                    for name in ("breaches", "leads_breached")
                ),
            ]
        )
    return columns, rows


def note_lines(review: Review) -> list[str]:
    """What the export cannot give and why, then how it was counted."""
    missing = [
        f"{BY_KEY[k].label}: not in this review, as {why}." for k, why in review.absent.items()
    ]
    return [*missing, *review.notes]


def nothing_to_review(review: Review) -> str | None:
    """Why the export gives no measure at all (each reason once), or None when it gives one."""
    if review.measures:
        return None
    reasons = list(dict.fromkeys(review.absent.values()))
    return "nothing to review: " + "; ".join(reasons)


def subtitle(review: Review) -> str:
    """The period reviewed, the export date and the grouping, in a line."""
    per = f", per {review.per}" if review.per else ""
    return (
        f"By {review.by}{per}, from {review.start:%d %b %Y} to the export date "
        f"{review.as_of:%d %b %Y %H:%M}"
    )


def _sections(review: Review) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every table of the review: title, headings and rows, in the order a meeting reads them."""
    period = "month" if review.by == "month" else "week"
    sections = []
    for side in SIDES:
        if _side_measures(review, side):
            columns, rows = scorecard_rows(review, side)
            title = f"{SIDES[side]}: what it committed to and what it did, {period} by {period}"
            sections.append((title, columns, rows))
    if review.by == "month" and not review.weekly.empty:
        columns, rows = scorecard_rows(review, "sales", review.weekly)
        sections.append(("Sales: response, week by week", columns, rows))
    columns, rows = summary_rows(review)
    sections.append(("Over the whole export, and the trend", columns, rows))
    if review.per is not None:
        for side in SIDES:
            if _side_measures(review, side, grouped=True):
                columns, rows = scorecard_rows(review, side, grouped=True)
                title = f"{SIDES[side]} per {review.per}, {period} by {period}"
                sections.append((title, columns, rows))
    if not review.breaches.empty:
        columns, rows = breach_rows(review)
        sections.append(("Who breached and how often", columns, rows))
    return sections


# --- the terminal ---------------------------------------------------------------------------


def _rich(title: str, columns: list[str], rows: list[list[str]], caption: str = "") -> Table:
    """A table whose labels (the leading columns of words) are to the left, figures right."""
    labels = (
        2
        if columns[:2]
        in (
            ["Side", "Measure"],
            *([g, p] for g in GROUP_TITLES.values() for p in ("Month", "Week of")),
        )
        else 1
    )
    shown = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        caption=caption or None,
        caption_justify="left",
        min_width=len(title),  # a title is not wrapped over a narrow table
    )
    for index, column in enumerate(columns):
        shown.add_column(column, justify="left" if index < labels else "right")
    for row in rows:
        shown.add_row(*row)
    return shown


NOTE_WIDTH = 110
"""The widest a note's line runs in the terminal: prose wraps, tables do not."""


def review_tables(review: Review) -> list[Table]:
    """The scorecard for the terminal: each side by period, the response week by week, the
    whole export with its trend, per rep or source, who breached, and the notes."""
    tables = [
        _rich(title, columns, rows, LEGEND if index == 0 else "")
        for index, (title, columns, rows) in enumerate(_sections(review))
    ]
    notes = Table(title="How this review was counted", title_justify="left", show_header=False)
    notes.add_column("Note", overflow="fold", max_width=NOTE_WIDTH)
    for line in note_lines(review):
        notes.add_row(line)
    return [*tables, notes]


# --- JSON ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A cell as JSON data: None for a missing value, text for a moment, Python numbers."""
    if _missing(value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): _plain(v) for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


def review_document(review: Review, *, leads: bool = False) -> dict[str, Any]:
    """The review as JSON data: the terms, the measures and their definitions, every frame's
    rows, what is absent and why, and the notes; with `leads`, the per-lead facts too (ids
    and moments only, no personal data)."""
    document: dict[str, Any] = {
        "by": review.by,
        "per": review.per,
        "start": review.start.date().isoformat(),
        "as_of": review.as_of.isoformat(),
        "terms": review.terms,
        "measures": [
            {
                "key": m.key,
                "side": m.side,
                "label": m.label,
                "unit": m.unit,
                "better": m.better,
                "definition": m.definition,
            }
            for m in review.measures
        ],
        "absent": dict(review.absent),
        "notes": list(review.notes),
        "scorecard": _records(review.scorecard),
        "weekly": _records(review.weekly),
        "summary": _records(review.summary),
        "breaches": _records(review.breaches),
    }
    if leads:
        document["leads"] = _records(review.leads)
    return document


# --- charts and HTML ----------------------------------------------------------------------


def response_chart(review: Review) -> alt.LayerChart:
    """The share answered within the response target, period by period (per group when the
    review has them), against the target line."""
    import altair as alt

    from sla_sim.present.charts import BASELINE_COLOUR, HEIGHT, PALETTE, WIDE

    rows = review.scorecard[review.scorecard.measure == "response_within_target"].copy()
    rows = rows[rows.value.notna()]
    rows["name"] = rows.period.map(lambda p: _name(review, p))
    groups = [ALL, *sorted(g for g in rows.group.unique() if g != ALL)]
    colours = [BASELINE_COLOUR, *(PALETTE[i % len(PALETTE)] for i in range(len(groups) - 1))]
    period = _period_heading(review)
    line = (
        alt.Chart(rows[["period", "name", "group", "value", "part", "whole", "censored"]])
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "period:T",
                title=period,
                axis=alt.Axis(format="%b %Y", tickCount="month")  # each month named once
                if review.by == "month"
                else alt.Axis(format="%d %b %Y"),
            ),
            y=alt.Y(
                "value:Q",
                title="Answered within target",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format=chart_format("share", axis=True)),
            ),
            color=alt.Color(
                "group:N",
                title=None,
                scale=alt.Scale(domain=groups, range=colours),
                legend=alt.Legend(orient="bottom") if len(groups) > 1 else None,
            ),
            tooltip=[
                alt.Tooltip("name:N", title=period),
                alt.Tooltip("group:N", title="Who"),
                alt.Tooltip("value:Q", title="Within target", format=chart_format("share")),
                alt.Tooltip("part:Q", title="Answered in time", format=chart_format("count")),
                alt.Tooltip("whole:Q", title="Handoffs judged", format=chart_format("count")),
                alt.Tooltip("censored:Q", title="Pending", format=chart_format("count")),
            ],
        )
    )
    target = (
        alt.Chart(pd.DataFrame({"target": [1.0]}))
        .mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#d62728")
        .encode(y="target:Q")
    )
    return (line + target).properties(
        width=WIDE, height=HEIGHT, title="Dashed: the target (every handoff in time)"
    )


def breaches_chart(review: Review) -> alt.Chart:
    """Breaches per rep, stacked by kind."""
    import altair as alt

    from sla_sim.present.charts import HEIGHT, PALETTE, WIDE

    kinds = [k for k in BREACH_KINDS if not _kind_absent(review, k)]
    rows = review.breaches.melt(id_vars=["rep"], value_vars=kinds, var_name="kind")
    rows["kind"] = rows.kind.map(BREACH_KINDS)
    order = list(review.breaches.rep)
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=alt.Y("rep:N", sort=order, title=None),
            x=alt.X("value:Q", title="Breaches", axis=alt.Axis(format=",d", tickMinStep=1)),
            color=alt.Color(
                "kind:N",
                title=None,
                sort=list(BREACH_KINDS.values()),
                scale=alt.Scale(
                    domain=list(BREACH_KINDS.values()), range=list(PALETTE[: len(BREACH_KINDS)])
                ),
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            order=alt.Order("kind:N"),
            tooltip=[
                alt.Tooltip("rep:N", title="Rep"),
                alt.Tooltip("kind:N", title="Breach"),
                alt.Tooltip("value:Q", title="Leads", format=chart_format("count")),
            ],
        )
        .properties(width=WIDE, height=min(HEIGHT, 40 + 28 * len(order)))
    )


def _kind_absent(review: Review, kind: str) -> bool:
    measure = {
        "attempts_short": "attempts_kept",
        "not_returned": "returned_as_agreed",
    }.get(kind, "response_within_target")
    return measure in review.absent


def mqls_chart(review: Review) -> alt.LayerChart:
    """MQLs month by month against the monthly commitment."""
    import altair as alt

    from sla_sim.present.charts import BASELINE_COLOUR, HEIGHT, WIDE

    rows = review.scorecard[
        (review.scorecard.measure == "mqls") & (review.scorecard.group == ALL)
    ].copy()
    rows["name"] = rows.period.map(lambda p: _name(review, p))
    rows["judged"] = rows.met.map(
        lambda m: "not judged" if _missing(m) else "met" if m else "missed"
    )
    bars = (
        alt.Chart(rows[["period", "name", "value", "judged"]])
        .mark_bar()
        .encode(
            x=alt.X(
                "name:N",
                sort=list(rows.name),
                title="Month",
                axis=alt.Axis(labelAngle=0 if len(rows) <= 6 else -45),
            ),
            y=alt.Y("value:Q", title="MQLs"),
            color=alt.Color(
                "judged:N",
                title="Commitment",
                scale=alt.Scale(
                    domain=["met", "missed", "not judged"],
                    range=[BASELINE_COLOUR, "#d62728", "#c7c7c7"],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Month"),
                alt.Tooltip("value:Q", title="MQLs", format=chart_format("count")),
                alt.Tooltip("judged:N", title="Commitment"),
            ],
        )
    )
    commitment = pd.DataFrame(
        {"commitment": [review.terms["sla.marketing.monthly_mql_commitment"]]}
    )
    rule = (
        alt.Chart(commitment)
        .mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#d62728")
        .encode(y="commitment:Q")
    )
    return (bars + rule).properties(
        width=WIDE, height=HEIGHT, title="Dashed: the monthly MQL commitment"
    )


def review_charts(review: Review) -> list[tuple[str, Any]]:
    """The review's charts, titled: response against its target, MQLs against the commitment
    (by month), breaches per rep."""
    charts: list[tuple[str, Any]] = []
    if "response_within_target" not in review.absent:
        period = "month" if review.by == "month" else "week"
        charts.append((f"Answered within target, {period} by {period}", response_chart(review)))
    if review.by == "month" and "mqls" not in review.absent:
        charts.append(("MQLs against the commitment", mqls_chart(review)))
    if not review.breaches.empty and "response_within_target" not in review.absent:
        charts.append(("Breaches per rep", breaches_chart(review)))
    return charts


def review_html_section(review: Review, prefix: str = "review-", *, titled: bool = True) -> str:
    """The review as a section of the HTML report: its tables, charts as inline SVG, and the
    notes; `prefix` keeps its charts' element ids apart from the page's other charts; not
    `titled` on a page of its own, whose head says the title and subtitle."""
    from sla_sim.present.html import chart_figure, text_table
    from sla_sim.present.pack import vega_lite_json

    tables = "".join(text_table(*section) for section in _sections(review))
    figures = "".join(
        chart_figure(title, vega_lite_json(chart), f"{prefix}{number}-")
        for number, (title, chart) in enumerate(review_charts(review), start=1)
    )
    notes = "".join(f"<li>{html.escape(line)}</li>" for line in note_lines(review))
    said = f"{html.escape(subtitle(review))}. " if titled else ""
    return (
        f"<section>{f'<h2>{TITLE}</h2>' if titled else ''}<p class='note'>{said}"
        f"{html.escape(LEGEND)}.</p>{tables}{figures}"
        f"<h3>How this review was counted</h3><ul class='note'>{notes}</ul></section>"
    )


def review_html(review: Review) -> str:
    """The review as a page of its own that opens offline."""
    from sla_sim.present.html import page_foot, page_head

    parts = page_head(TITLE, subtitle(review))
    parts.append(review_html_section(review, titled=False))
    parts.append(page_foot(subtitle(review)))
    return "\n".join(parts)


def write_review_html(review: Review, path: Path) -> None:
    """Write the review's page to `path`, whole or not at all."""
    page = review_html(review)
    write_atomically(Path(path), lambda target: target.write_text(page, encoding="utf-8"))
