"""The HTML report for the planning meeting: one self-contained file that opens offline.

The figures, sentences and charts come prepared as a `ReportContent` (`pack`); here they become a
page with inline CSS and the charts as inline SVG, written atomically.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pandas as pd
import vl_convert

from sla_sim.atomic import write_atomically
from sla_sim.present.pack import (
    ASSUMPTION_COLUMNS,
    DECISION_NOTE,
    DIFFERENCE_NOTE,
    ReportContent,
    cell_text,
)

_CSS = """
:root {
  --ink: #1f2328; --muted: #5f6770; --line: #d8dee4; --band: #f7f8f9; --head: #eef1f4;
  --warn-bg: #fff8e6; --warn-line: #e3b341;
}
* { box-sizing: border-box; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", sans-serif;
}
main { max-width: 1200px; margin: 0 auto; padding: 40px 32px 24px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 16px; margin-bottom: 8px; }
h1 { font-size: 30px; line-height: 1.2; margin: 0 0 6px; }
.subtitle { color: var(--muted); margin: 0; }
h2 { font-size: 20px; margin: 36px 0 12px; }
h3 { font-size: 16px; margin: 0 0 8px; }
section { break-inside: auto; }
.headlines { list-style: none; padding: 0; margin: 0; }
.headlines li { padding: 8px 0; border-bottom: 1px solid var(--band); }
.swatch {
  display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px;
  margin-right: 0.4em; vertical-align: -0.05em;
  -webkit-print-color-adjust: exact; print-color-adjust: exact;
}
.name { font-weight: 600; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 7px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th {
  background: var(--head); font-weight: 600; text-align: right; white-space: nowrap;
  border-bottom: 2px solid var(--line);
}
thead th:first-child, tbody th { text-align: left; }
tbody th { font-weight: 500; min-width: 9em; }
tbody td { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--band); }
table.assumptions td, table.assumptions thead th { text-align: left; white-space: normal; }
table.assumptions td.source { color: var(--muted); }
table.wrap td { white-space: normal; }
table.long-heads thead th { white-space: normal; min-width: 6em; }
figure { margin: 0 0 28px; break-inside: avoid; }
figure .chart svg { max-width: 100%; height: auto; display: block; }
.warnings {
  background: var(--warn-bg); border-left: 4px solid var(--warn-line); padding: 10px 16px 10px 32px;
  margin: 0;
}
.warnings li { margin: 4px 0; }
footer {
  max-width: 1200px; margin: 24px auto 40px; padding: 12px 32px 0; color: var(--muted);
  font-size: 13px; border-top: 1px solid var(--line);
}
.note { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
.chart-note { margin: -4px 0 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; }
  main { padding: 0; max-width: none; }
  footer { padding: 8px 0 0; max-width: none; }
  h1 { font-size: 20pt; }
  h2 { font-size: 14pt; margin-top: 18pt; break-after: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; }
  table.assumptions tbody th { width: 28%; }
  table.assumptions td.source { width: 47%; }
  th, td { padding: 3px 5px; white-space: normal; overflow-wrap: anywhere; }
  thead th, tbody td { white-space: normal; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  figure { break-inside: avoid; }
  figure .chart svg { width: auto; max-width: 100%; max-height: 125mm; height: auto; }
}
"""


def _swatch(content: ReportContent, candidate: str) -> str:
    colour = content.colour_of(candidate)
    return f'<span class="swatch" style="background:{colour}" aria-hidden="true"></span>'


def _table_section(
    content: ReportContent,
    title: str,
    table: pd.DataFrame,
    corner: str,
    note: str = "",
    wrap: bool = False,
) -> str:
    """A section with a candidates-by-column table and a note under it; nothing for no table.
    `wrap` lets long cells wrap, for a table too wide for the page otherwise."""
    if table.empty:
        return ""
    below = f"<p class='note'>{html.escape(note)}</p>" if note else ""
    shown = _html_table(content, table, corner, wrap)
    return f"<section><h2>{html.escape(title)}</h2>{shown}{below}</section>"


def _html_table(
    content: ReportContent, table: pd.DataFrame, corner: str, wrap: bool = False
) -> str:
    """A table whose columns are candidates (marked by colour) and whose index labels the rows."""
    head = "".join(
        f"<th scope='col'>{_swatch(content, str(name))}{html.escape(str(name))}</th>"
        for name in table.columns
    )
    rows = []
    for label, row in table.iterrows():
        cells = "".join(f"<td>{html.escape(cell_text(value))}</td>" for value in row)
        rows.append(f"<tr><th scope='row'>{html.escape(cell_text(label))}</th>{cells}</tr>")
    attributes = " class='wrap'" if wrap else ""
    return (
        f"<div class='table-wrap'><table{attributes}>"
        f"<thead><tr><th scope='col'>{html.escape(corner)}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def text_table(title: str, columns: list[str], rows: list[list[str]]) -> str:
    """A titled table of text cells under `columns`, the first cell of a row its label; long
    headings wrap."""
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        first, *rest = row
        cells = "".join(f"<td>{html.escape(c)}</td>" for c in rest)
        body.append(f"<tr><th scope='row'>{html.escape(first)}</th>{cells}</tr>")
    return (
        f"<h3>{html.escape(title)}</h3><div class='table-wrap'><table class='long-heads'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _assumptions_table(assumptions: pd.DataFrame) -> str:
    head = "".join(f"<th scope='col'>{html.escape(name)}</th>" for name in ASSUMPTION_COLUMNS)
    rows = []
    for term, value, source in assumptions.itertuples(index=False, name=None):
        rows.append(
            f"<tr><th scope='row'>{html.escape(cell_text(term))}</th>"
            f"<td>{html.escape(cell_text(value))}</td>"
            f"<td class='source'>{html.escape(cell_text(source))}</td></tr>"
        )
    return (
        "<div class='table-wrap'><table class='assumptions'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _scoped_svg(svg: str, prefix: str) -> str:
    """The SVG with its element ids (clip paths, gradients) prefixed, so charts cannot clash."""
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', svg)


def chart_figure(
    title: str, spec: str | dict[str, Any], prefix: str, note: str | None = None
) -> str:
    """A chart (a Vega-Lite spec) as a titled figure of inline SVG; `prefix` keeps its element
    ids apart from the other charts' on the page."""
    svg = _scoped_svg(vl_convert.vegalite_to_svg(spec), prefix)
    below = f"<p class='note chart-note'>{html.escape(note)}</p>" if note else ""
    return (
        f"<figure><h3>{html.escape(title)}</h3>{below}<div class='chart' role='img' "
        f"aria-label='{html.escape(title)}'>{svg}</div></figure>"
    )


def _chart_figures(content: ReportContent) -> str:
    return "".join(
        chart_figure(title, spec, f"chart{number}-", content.chart_notes.get(title))
        for number, (title, spec) in enumerate(content.chart_specs(), start=1)
    )


def page_head(title: str, subtitle: str) -> list[str]:
    """The start of a page of the report's look: its CSS, title and subtitle."""
    return [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<header><h1>{html.escape(title)}</h1>",
        f"<p class='subtitle'>{html.escape(subtitle)}</p></header>",
    ]


def page_foot(subtitle: str) -> str:
    """The end of such a page."""
    return f"</main><footer>Generated by sla_sim · {html.escape(subtitle)}</footer></body></html>\n"


def render_html(content: ReportContent) -> str:
    """The whole report as one HTML document that opens offline: inline CSS, charts as SVG."""
    parts = page_head(content.title, content.subtitle)
    if content.warnings:
        items = "".join(f"<li>{html.escape(warning)}</li>" for warning in content.warnings)
        parts.append(f"<section><h2>Warnings</h2><ul class='warnings'>{items}</ul></section>")
    if content.headlines:
        items = "".join(
            f"<li>{_swatch(content, name)}<span class='name'>{html.escape(name)}</span>: "
            f"{html.escape(sentence)}</li>"
            for name, sentence in content.headlines
        )
        parts.append(f"<section><h2>Headlines</h2><ul class='headlines'>{items}</ul></section>")
    parts.append(
        _table_section(
            content,
            "The decision: what each candidate buys and costs",
            content.decision_table,
            "",
            DECISION_NOTE,
            wrap=True,
        )
    )
    parts.append(_table_section(content, "Summary", content.summary_table, "Metric"))
    parts.append(
        _table_section(
            content,
            "Differences against the baseline",
            content.differences_table,
            "Metric",
            DIFFERENCE_NOTE,
        )
    )
    if content.charts:
        parts.append(f"<section><h2>Charts</h2>{_chart_figures(content)}</section>")
    parts.append(
        f"<section><h2>Terms</h2>{_html_table(content, content.terms_table, 'Term')}</section>"
    )
    parts.append(
        f"<section><h2>Assumptions</h2>{_assumptions_table(content.assumptions)}</section>"
    )
    parts.append(page_foot(content.subtitle))
    return "\n".join(parts)


def write_html(content: ReportContent, path: Path) -> None:
    """Write the HTML report to `path`, whole or not at all."""
    document = render_html(content)
    write_atomically(Path(path), lambda target: target.write_text(document, encoding="utf-8"))
