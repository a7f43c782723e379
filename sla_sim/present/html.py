"""Reports for the planning meeting: prepared content rendered as one offline HTML file or a deck.

This module only renders. The figures, sentences and charts are assembled elsewhere into a
`ReportContent`; here they become a self-contained HTML page (inline CSS, charts as inline SVG) and a
16:9 PowerPoint deck (real tables, charts as PNG). Both files are written atomically.
"""

from __future__ import annotations

import html
import math
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from sla_sim.atomic import write_atomically

ASSUMPTION_COLUMNS = ("Term", "Value", "Source")
ROWS_PER_SLIDE = 14
PNG_SCALE = 2

_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_FALLBACK_COLOUR = "#888888"
_INK = RGBColor(0x1F, 0x23, 0x28)
_MUTED = RGBColor(0x5F, 0x67, 0x70)
_HEADER_FILL = RGBColor(0xE9, 0xEC, 0xEF)
_BAND_FILL = RGBColor(0xF7, 0xF8, 0xF9)
_WHITE = RGBColor(0xFF, 0xFF, 0xFF)


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


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _chart_specs(content: ReportContent) -> Iterator[tuple[str, str]]:
    """Each chart's title and its Vega-Lite JSON, serialised once."""
    for title, chart in content.charts:
        yield title, chart.to_json()


# --- HTML ----------------------------------------------------------------------------------------

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
tbody th { font-weight: 500; }
tbody td { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--band); }
table.assumptions td { text-align: left; white-space: normal; }
table.assumptions td.source { color: var(--muted); }
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
@media print {
  main { padding: 0; max-width: none; }
  footer { padding: 8px 0 0; max-width: none; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
}
"""


def _swatch(content: ReportContent, candidate: str) -> str:
    colour = content.colour_of(candidate)
    return f'<span class="swatch" style="background:{colour}" aria-hidden="true"></span>'


def _html_table(content: ReportContent, table: pd.DataFrame, corner: str) -> str:
    """A table whose columns are candidates (marked by colour) and whose index labels the rows."""
    head = "".join(
        f"<th scope='col'>{_swatch(content, str(name))}{html.escape(str(name))}</th>"
        for name in table.columns
    )
    rows = []
    for label, row in table.iterrows():
        cells = "".join(f"<td>{html.escape(_cell_text(value))}</td>" for value in row)
        rows.append(f"<tr><th scope='row'>{html.escape(_cell_text(label))}</th>{cells}</tr>")
    return (
        "<div class='table-wrap'><table>"
        f"<thead><tr><th scope='col'>{html.escape(corner)}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _assumptions_table(assumptions: pd.DataFrame) -> str:
    head = "".join(f"<th scope='col'>{html.escape(name)}</th>" for name in ASSUMPTION_COLUMNS)
    rows = []
    for term, value, source in assumptions.itertuples(index=False, name=None):
        rows.append(
            f"<tr><th scope='row'>{html.escape(_cell_text(term))}</th>"
            f"<td>{html.escape(_cell_text(value))}</td>"
            f"<td class='source'>{html.escape(_cell_text(source))}</td></tr>"
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


def _chart_figures(content: ReportContent) -> str:
    figures = []
    for number, (title, spec) in enumerate(_chart_specs(content), start=1):
        svg = _scoped_svg(vl_convert.vegalite_to_svg(spec), f"chart{number}-")
        figures.append(
            f"<figure><h3>{html.escape(title)}</h3><div class='chart' role='img' "
            f"aria-label='{html.escape(title)}'>{svg}</div></figure>"
        )
    return "".join(figures)


def render_html(content: ReportContent) -> str:
    """The whole report as one HTML document that opens offline: inline CSS, charts as SVG."""
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(content.title)}</title><style>{_CSS}</style></head><body><main>",
        f"<header><h1>{html.escape(content.title)}</h1>",
        f"<p class='subtitle'>{html.escape(content.subtitle)}</p></header>",
    ]
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
        f"<section><h2>Summary</h2>{_html_table(content, content.summary_table, 'Metric')}"
        "</section>"
    )
    if content.charts:
        parts.append(f"<section><h2>Charts</h2>{_chart_figures(content)}</section>")
    parts.append(
        f"<section><h2>Terms</h2>{_html_table(content, content.terms_table, 'Term')}</section>"
    )
    parts.append(
        f"<section><h2>Assumptions</h2>{_assumptions_table(content.assumptions)}</section>"
    )
    parts.append(
        f"</main><footer>Generated by sla_sim · {html.escape(content.subtitle)}</footer>"
        "</body></html>\n"
    )
    return "\n".join(parts)


def write_html(content: ReportContent, path: Path) -> None:
    """Write the HTML report to `path`, whole or not at all."""
    document = render_html(content)
    write_atomically(Path(path), lambda target: target.write_text(document, encoding="utf-8"))


# --- PowerPoint ----------------------------------------------------------------------------------

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
_MARGIN = Inches(0.6)
_BODY_TOP = Inches(1.35)
_BODY_WIDTH = Emu(SLIDE_WIDTH - 2 * _MARGIN)
_BODY_HEIGHT = Emu(SLIDE_HEIGHT - _BODY_TOP - Inches(0.45))
_ROW_HEIGHT = Inches(0.36)
_TITLE_ONLY_LAYOUT = 5
_TITLE_SLIDE_LAYOUT = 0
_WARNINGS_ON_TITLE_SLIDE = 5


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _style_runs(
    paragraph: Any, size_pt: float, bold: bool = False, colour: RGBColor = _INK
) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(size_pt)
        run.font.bold = bold
        run.font.color.rgb = colour


def _content_slide(prs: Any, title: str) -> Slide:
    """A Title Only slide with its title placed for a 16:9 page."""
    slide = prs.slides.add_slide(prs.slide_layouts[_TITLE_ONLY_LAYOUT])
    shape = slide.shapes.title
    shape.left, shape.top = _MARGIN, Inches(0.35)
    shape.width, shape.height = _BODY_WIDTH, Inches(0.85)
    frame = shape.text_frame
    frame.text = title
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    _style_runs(paragraph, 28, bold=True)
    return slide


def _title_slide(prs: Any, content: ReportContent) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[_TITLE_SLIDE_LAYOUT])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    title.left, title.top, title.width, title.height = (
        _MARGIN,
        Inches(2.2),
        _BODY_WIDTH,
        Inches(1.5),
    )
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        _MARGIN,
        Inches(3.8),
        _BODY_WIDTH,
        Inches(0.8),
    )
    title.text_frame.text = content.title
    subtitle.text_frame.text = content.subtitle
    for shape, size, bold, colour in ((title, 40, True, _INK), (subtitle, 18, False, _MUTED)):
        paragraph = shape.text_frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.LEFT
        _style_runs(paragraph, size, bold=bold, colour=colour)
    if content.warnings:
        box = slide.shapes.add_textbox(_MARGIN, Inches(5.0), _BODY_WIDTH, Inches(2.0))
        frame = box.text_frame
        frame.word_wrap = True
        frame.text = "Warnings"
        _style_runs(frame.paragraphs[0], 14, bold=True, colour=RGBColor(0x9A, 0x67, 0x00))
        shown = content.warnings[:_WARNINGS_ON_TITLE_SLIDE]
        hidden = len(content.warnings) - len(shown)
        lines = [f"• {warning}" for warning in shown]
        if hidden:
            lines.append(f"… and {hidden} more in the HTML report")
        for line in lines:
            paragraph = frame.add_paragraph()
            paragraph.text = line
            _style_runs(paragraph, 12, colour=_INK)


def _headlines_slide(prs: Any, content: ReportContent) -> None:
    slide = _content_slide(prs, "Headlines")
    box = slide.shapes.add_textbox(_MARGIN, _BODY_TOP, _BODY_WIDTH, _BODY_HEIGHT)
    frame = box.text_frame
    frame.word_wrap = True
    for index, (name, sentence) in enumerate(content.headlines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(12)
        for text, bold, colour in (
            ("■ ", False, _rgb(content.colour_of(name))),
            (name, True, _rgb(content.colour_of(name))),
            (f": {sentence}", False, _INK),
        ):
            run = paragraph.add_run()
            run.text = text
            run.font.size = Pt(20)
            run.font.bold = bold
            run.font.color.rgb = colour


def _fill_cell(
    cell: Any, runs: list[tuple[str, bool, RGBColor]], size_pt: float, fill: RGBColor
) -> None:
    """One table cell: a background and its text as runs of (text, bold, colour)."""
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill
    cell.margin_left = cell.margin_right = Inches(0.08)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = True
    frame.text = ""
    for text, bold, colour in runs:
        run = frame.paragraphs[0].add_run()
        run.text = text
        run.font.size = Pt(size_pt)
        run.font.bold = bold
        run.font.color.rgb = colour


def _add_table(
    slide: Slide,
    header: list[str],
    rows: list[list[str]],
    column_weights: list[float],
    size_pt: float,
    swatches: dict[int, str] | None = None,
) -> None:
    """A styled table: bold header on grey, banded rows; `swatches` marks header cells by colour."""
    height = _ROW_HEIGHT * (len(rows) + 1)
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), _MARGIN, _BODY_TOP, _BODY_WIDTH, Emu(height)
    )
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    total = sum(column_weights)
    for index, weight in enumerate(column_weights):
        table.columns[index].width = Emu(int(_BODY_WIDTH * weight / total))
    for row in table.rows:
        row.height = _ROW_HEIGHT
    for index, text in enumerate(header):
        runs = [(text, True, _INK)]
        if swatches and index in swatches:
            runs.insert(0, ("■ ", False, _rgb(swatches[index])))
        _fill_cell(table.cell(0, index), runs, size_pt, _HEADER_FILL)
    for row_index, values in enumerate(rows, start=1):
        fill = _BAND_FILL if row_index % 2 == 0 else _WHITE
        for column_index, text in enumerate(values):
            _fill_cell(table.cell(row_index, column_index), [(text, False, _INK)], size_pt, fill)


def _pages(rows: list[list[str]]) -> list[list[list[str]]]:
    """Rows cut into slides of at most ROWS_PER_SLIDE; one empty page when there are none."""
    return [
        rows[start : start + ROWS_PER_SLIDE] for start in range(0, len(rows), ROWS_PER_SLIDE)
    ] or [[]]


def _page_title(title: str, page: int, pages: int) -> str:
    return title if pages == 1 else f"{title} ({page}/{pages})"


def _candidate_table_slides(
    prs: Any, content: ReportContent, title: str, table: pd.DataFrame, corner: str
) -> None:
    """Slides holding a candidates-by-column table, continued on more slides when long."""
    candidates = [str(name) for name in table.columns]
    header = [corner, *candidates]
    rows = [
        [_cell_text(label), *(_cell_text(value) for value in row)]
        for label, row in table.iterrows()
    ]
    swatches = {index: content.colour_of(name) for index, name in enumerate(header) if index > 0}
    weights = [2.2] + [1.0] * len(candidates)
    size = 14 if len(candidates) <= 4 else 12
    pages = _pages(rows)
    for page, page_rows in enumerate(pages, start=1):
        slide = _content_slide(prs, _page_title(title, page, len(pages)))
        _add_table(slide, header, page_rows, weights, size, swatches)


def _assumption_slides(prs: Any, assumptions: pd.DataFrame) -> None:
    rows = [
        [_cell_text(value) for value in record]
        for record in assumptions.itertuples(index=False, name=None)
    ]
    pages = _pages(rows)
    for page, page_rows in enumerate(pages, start=1):
        slide = _content_slide(prs, _page_title("Assumptions", page, len(pages)))
        _add_table(slide, list(ASSUMPTION_COLUMNS), page_rows, [1.4, 1.0, 2.0], 11)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _chart_slide(prs: Any, title: str, png: bytes) -> None:
    """A slide with the chart as large as fits below its title, aspect ratio kept, centred."""
    slide = _content_slide(prs, title)
    width, height = _png_size(png)
    scale = min(_BODY_WIDTH / width, _BODY_HEIGHT / height)
    shown_width, shown_height = int(width * scale), int(height * scale)
    left = _MARGIN + (_BODY_WIDTH - shown_width) // 2
    slide.shapes.add_picture(
        BytesIO(png), Emu(left), _BODY_TOP, Emu(shown_width), Emu(shown_height)
    )


def _build_deck(content: ReportContent) -> Any:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _title_slide(prs, content)
    if content.headlines:
        _headlines_slide(prs, content)
    _candidate_table_slides(prs, content, "Summary", content.summary_table, "Metric")
    for title, spec in _chart_specs(content):
        _chart_slide(prs, title, vl_convert.vegalite_to_png(spec, scale=PNG_SCALE))
    _candidate_table_slides(prs, content, "Terms", content.terms_table, "Term")
    _assumption_slides(prs, content.assumptions)
    return prs


def write_pptx(content: ReportContent, path: Path) -> None:
    """Write the deck to `path`, whole or not at all."""
    deck = _build_deck(content)
    write_atomically(Path(path), lambda target: deck.save(str(target)))


__all__ = ["ReportContent", "render_html", "write_html", "write_pptx"]
