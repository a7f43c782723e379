"""The deck for the planning meeting: a 16:9 PowerPoint file with real tables and the charts as PNG.

The figures, sentences and charts come prepared as a `ReportContent` (`pack`); the file is written
atomically.
"""

from __future__ import annotations

import json
import math
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
from sla_sim.present.pack import (
    ASSUMPTION_COLUMNS,
    DECISION_NOTE,
    DIFFERENCE_NOTE,
    ReportContent,
    cell_text,
)

PNG_SCALE = 2
MIN_LABEL_PT = 12
_FIRST_LABEL_PX = 14
_EMU_PER_PT = 12700
_GLYPH_EM = 0.5
_LINE_EM = 1.17
_CELL_PADDING = Inches(0.1)
_NOTE_HEIGHT = Inches(0.45)

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


def _lines(text: str, width: int, size_pt: float) -> int:
    """How many lines `text` takes in a cell `width` EMU wide, wrapping at spaces."""
    room = max(1, int((width - 2 * _CELL_PADDING) / _EMU_PER_PT / (size_pt * _GLYPH_EM)))
    lines, used = 1, 0
    for word in text.split():
        if not used:
            used = len(word)
        elif used + 1 + len(word) <= room:
            used += 1 + len(word)
        else:
            lines, used = lines + 1, len(word)
        while used > room:
            lines, used = lines + 1, used - room
    return lines


def _row_height(values: list[str], widths: list[int], size_pt: float) -> int:
    lines = max(_lines(text, width, size_pt) for text, width in zip(values, widths, strict=True))
    return int(Pt(size_pt * _LINE_EM * lines) + Inches(0.08))


def _column_widths(columns: list[list[str]], first_share: float, alike: bool) -> list[int]:
    """Widths in proportion to each column's typical text, the first column at most
    `first_share` of the table; `alike` columns after the first (candidates) get equal widths."""
    weights = [min(max(sum(map(len, c)) / max(1, len(c)), 16.0), 60.0) for c in columns]
    if alike:
        weights[1:] = [1.0] * (len(weights) - 1)
        first = first_share
    else:
        first = min(first_share, weights[0] / sum(weights))
    widths = [int(_BODY_WIDTH * first)]
    rest = sum(weights[1:])
    widths += [int((_BODY_WIDTH - widths[0]) * weight / rest) for weight in weights[1:]]
    return widths


def table_pages(
    header: list[str], rows: list[list[str]], widths: list[int], size_pt: float, height: int
) -> list[list[list[str]]]:
    """Rows cut into slides whose table, header included, fits `height`; one empty page when
    there are no rows."""
    room = height - _row_height(header, widths, size_pt)
    pages: list[list[list[str]]] = [[]]
    used = 0
    for row in rows:
        needed = _row_height(row, widths, size_pt)
        if pages[-1] and used + needed > room:
            pages.append([])
            used = 0
        pages[-1].append(row)
        used += needed
    return pages


def _add_table(
    slide: Slide,
    header: list[str],
    rows: list[list[str]],
    widths: list[int],
    size_pt: float,
    swatches: dict[int, str] | None = None,
) -> None:
    """A styled table: bold header on grey, banded rows; `swatches` marks header cells by colour."""
    heights = [_row_height(values, widths, size_pt) for values in [header, *rows]]
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), _MARGIN, _BODY_TOP, _BODY_WIDTH, Emu(sum(heights))
    )
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for index, width in enumerate(widths):
        table.columns[index].width = Emu(width)
    for row, row_height in zip(table.rows, heights, strict=True):
        row.height = Emu(row_height)
    for index, text in enumerate(header):
        runs = [(text, True, _INK)]
        if swatches and index in swatches:
            runs.insert(0, ("■ ", False, _rgb(swatches[index])))
        _fill_cell(table.cell(0, index), runs, size_pt, _HEADER_FILL)
    for row_index, values in enumerate(rows, start=1):
        fill = _BAND_FILL if row_index % 2 == 0 else _WHITE
        for column_index, text in enumerate(values):
            _fill_cell(table.cell(row_index, column_index), [(text, False, _INK)], size_pt, fill)


def _page_title(title: str, page: int, pages: int) -> str:
    return title if pages == 1 else f"{title} ({page}/{pages})"


def _note(slide: Slide, text: str) -> None:
    top = SLIDE_HEIGHT - Inches(0.35) - _NOTE_HEIGHT
    box = slide.shapes.add_textbox(_MARGIN, Emu(top), _BODY_WIDTH, _NOTE_HEIGHT)
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = text
    _style_runs(frame.paragraphs[0], 12, colour=_MUTED)


def _table_slides(
    prs: Any,
    title: str,
    header: list[str],
    rows: list[list[str]],
    *,
    size_pt: float,
    first_share: float,
    alike: bool = False,
    swatches: dict[int, str] | None = None,
    note: str | None = None,
) -> None:
    """Slides holding a table, continued on more slides when it does not fit one."""
    columns = [list(column) for column in zip(header, *rows, strict=True)]
    widths = _column_widths(columns, first_share, alike)
    height = _BODY_HEIGHT - (_NOTE_HEIGHT if note else 0)
    pages = table_pages(header, rows, widths, size_pt, height)
    for page, page_rows in enumerate(pages, start=1):
        slide = _content_slide(prs, _page_title(title, page, len(pages)))
        _add_table(slide, header, page_rows, widths, size_pt, swatches)
        if note:
            _note(slide, note)


ONE_SLIDE_MIN_PT = 10
"""The smallest text a table is set in to keep it on one slide."""


def _candidate_table_slides(
    prs: Any,
    content: ReportContent,
    title: str,
    table: pd.DataFrame,
    corner: str,
    note: str | None = None,
    size_pt: float | None = None,
    one_slide: bool = False,
) -> None:
    """Slides holding a candidates-by-column table (text of `size_pt`, else by how many);
    `one_slide`: the text a point or two smaller (down to ONE_SLIDE_MIN_PT) if that keeps the
    table on one slide."""
    if table.empty:
        return
    candidates = [str(name) for name in table.columns]
    header = [corner, *candidates]
    rows = [
        [cell_text(label), *(cell_text(value) for value in row)] for label, row in table.iterrows()
    ]
    swatches = {index: content.colour_of(name) for index, name in enumerate(header) if index > 0}
    size = size_pt or (14 if len(candidates) <= 4 else 12)
    first = 0.22 if len(candidates) <= 4 else 0.16
    if one_slide:
        columns = [list(column) for column in zip(header, *rows, strict=True)]
        widths = _column_widths(columns, first, True)
        height = _BODY_HEIGHT - (_NOTE_HEIGHT if note else 0)
        while size > ONE_SLIDE_MIN_PT and len(table_pages(header, rows, widths, size, height)) > 1:
            size -= 1
    _table_slides(
        prs,
        title,
        header,
        rows,
        size_pt=size,
        first_share=first,
        alike=True,
        swatches=swatches,
        note=note,
    )


def _assumption_slides(prs: Any, assumptions: pd.DataFrame) -> None:
    rows = [
        [cell_text(value) for value in record]
        for record in assumptions.itertuples(index=False, name=None)
    ]
    _table_slides(prs, "Assumptions", list(ASSUMPTION_COLUMNS), rows, size_pt=12, first_share=0.28)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _slide_spec(spec: str, label_px: float) -> str:
    """The chart's spec with its text set to `label_px` (titles a little larger)."""
    chart = json.loads(spec)
    config = chart.setdefault("config", {})
    sizes = {
        "axis": {"labelFontSize": label_px, "titleFontSize": label_px + 1},
        "legend": {"labelFontSize": label_px, "titleFontSize": label_px + 1},
        "header": {"labelFontSize": label_px, "titleFontSize": label_px + 1},
        "title": {"fontSize": label_px + 2},
        "text": {"fontSize": label_px},
    }
    for part, values in sizes.items():
        config.setdefault(part, {}).update(values)
    return json.dumps(chart)


def _points_per_pixel(png: bytes, room: int = _BODY_HEIGHT) -> float:
    """Points on the slide per pixel of the spec, the picture fitted to the body (`room` high)."""
    width, height = _png_size(png)
    fitted = min(_BODY_WIDTH / width, room / height)
    return fitted * PNG_SCALE / _EMU_PER_PT


def chart_png(spec: str, room: int = _BODY_HEIGHT) -> tuple[bytes, float]:
    """The chart as a PNG for a slide (`room` EMU high for it), and the size in points its axis
    labels have there: the text is enlarged until the labels are at least MIN_LABEL_PT on the
    slide."""
    label_px = float(_FIRST_LABEL_PX)
    for _ in range(4):
        png = vl_convert.vegalite_to_png(_slide_spec(spec, label_px), scale=PNG_SCALE)
        shown = label_px * _points_per_pixel(png, room)
        if shown >= MIN_LABEL_PT:
            break
        label_px = math.ceil(label_px * MIN_LABEL_PT / shown) + 1
    return png, shown


def _chart_room(note: str | None) -> int:
    """The height a chart has on its slide, above its note if it has one."""
    return int(_BODY_HEIGHT - (_NOTE_HEIGHT if note else 0))


def _chart_slide(prs: Any, title: str, png: bytes, note: str | None = None) -> None:
    """A slide with the chart as large as fits below its title (and above its note), aspect
    ratio kept, centred."""
    slide = _content_slide(prs, title)
    width, height = _png_size(png)
    scale = min(_BODY_WIDTH / width, _chart_room(note) / height)
    shown_width, shown_height = int(width * scale), int(height * scale)
    left = _MARGIN + (_BODY_WIDTH - shown_width) // 2
    slide.shapes.add_picture(
        BytesIO(png), Emu(left), _BODY_TOP, Emu(shown_width), Emu(shown_height)
    )
    if note:
        _note(slide, note)


def _build_deck(content: ReportContent) -> Any:
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _title_slide(prs, content)
    if content.headlines:
        _headlines_slide(prs, content)
    _candidate_table_slides(
        prs,
        content,
        "The decision: what each candidate buys and costs",
        content.decision_table,
        "",
        DECISION_NOTE,
        one_slide=True,
    )
    _candidate_table_slides(prs, content, "Summary", content.summary_table, "Metric")
    _candidate_table_slides(
        prs,
        content,
        "Differences against the baseline",
        content.differences_table,
        "Metric",
        DIFFERENCE_NOTE,
        size_pt=12,
    )
    for title, spec in content.chart_specs():
        note = content.chart_notes.get(title)
        _chart_slide(prs, title, chart_png(spec, _chart_room(note))[0], note)
    _candidate_table_slides(prs, content, "Terms", content.terms_table, "Term")
    _assumption_slides(prs, content.assumptions)
    return prs


def write_pptx(content: ReportContent, path: Path) -> None:
    """Write the deck to `path`, whole or not at all."""
    deck = _build_deck(content)
    write_atomically(Path(path), lambda target: deck.save(str(target)))
