"""The deck for the planning meeting: a 16:9 PowerPoint file with real tables and the charts as PNG.

The figures, sentences and charts come prepared as a `ReportContent` (`pack`); the file is written
atomically.
"""

from __future__ import annotations

import struct
from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd
import vl_convert
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from sla_sim.atomic import write_atomically
from sla_sim.present.pack import ASSUMPTION_COLUMNS, ReportContent, cell_text

ROWS_PER_SLIDE = 14
PNG_SCALE = 2

_INK = RGBColor(0x1F, 0x23, 0x28)
_MUTED = RGBColor(0x5F, 0x67, 0x70)
_HEADER_FILL = RGBColor(0xE9, 0xEC, 0xEF)
_BAND_FILL = RGBColor(0xF7, 0xF8, 0xF9)
_WHITE = RGBColor(0xFF, 0xFF, 0xFF)

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
        [cell_text(label), *(cell_text(value) for value in row)] for label, row in table.iterrows()
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
        [cell_text(value) for value in record]
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
    for title, spec in content.chart_specs():
        _chart_slide(prs, title, vl_convert.vegalite_to_png(spec, scale=PNG_SCALE))
    _candidate_table_slides(prs, content, "Terms", content.terms_table, "Term")
    _assumption_slides(prs, content.assumptions)
    return prs


def write_pptx(content: ReportContent, path: Path) -> None:
    """Write the deck to `path`, whole or not at all."""
    deck = _build_deck(content)
    write_atomically(Path(path), lambda target: deck.save(str(target)))
