"""The report renderers: an HTML file that opens offline, and a deck with real tables and charts."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.presentation import Presentation as PresentationFile
from pptx.util import Inches, Pt

from sla_sim.present import deck
from sla_sim.present.deck import write_pptx
from sla_sim.present.html import render_html, write_html
from sla_sim.present.pack import DECISION_NOTE, DIFFERENCE_NOTE, ReportContent

CANDIDATES = ["Baseline", "8 reps", "1 h response", "<b>Bold & brash</b>"]
COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756"]
CHART_TITLES = ["Closed deals by candidate", "Backlog over the year", "Breach rate with its band"]


def _charts() -> list[tuple[str, alt.TopLevelMixin]]:
    deals = pd.DataFrame(
        {
            "candidate": CANDIDATES,
            "mean": [14.0, 17.0, 15.5, 12.0],
            "low": [9.0, 12.0, 11.0, 8.0],
            "high": [19.0, 22.0, 20.0, 16.0],
        }
    )
    bars = alt.Chart(deals).mark_bar().encode(x="candidate:N", y="mean:Q", color="candidate:N")
    errors = alt.Chart(deals).mark_errorbar().encode(x="candidate:N", y="low:Q", y2="high:Q")
    months = pd.DataFrame(
        {
            "month": list(range(1, 13)) * 2,
            "backlog": [m * 2.0 for m in range(12)] + [m * 0.5 for m in range(12)],
            "candidate": ["Baseline"] * 12 + ["8 reps"] * 12,
        }
    )
    line = alt.Chart(months).mark_line().encode(x="month:Q", y="backlog:Q", color="candidate:N")
    band = alt.Chart(months).mark_area(opacity=0.2).encode(x="month:Q", y="backlog:Q")
    return [
        (CHART_TITLES[0], bars + errors),
        (CHART_TITLES[1], line),
        (CHART_TITLES[2], alt.layer(band, line).properties(width=500, height=250)),
    ]


DIFFERENCES = pd.DataFrame(
    [["+3 (+1 to +5)", "+1 (−1 to +3)", "−2 (−4 to ±0)"]],
    index=["Closed deals"],
    columns=CANDIDATES[1:],
)
DECISION = pd.DataFrame(
    [
        ["14 (9–19)", "+2.5 (+1 to +4)", "+1 (−1 to +3)", "−2 (−4 to ±0)"],
        ["6", "8 (+2)", "6", "7 (+1)"],
    ],
    index=["Buys: closed deals", "Costs: reps"],
    columns=CANDIDATES,
)


def _content(
    summary_rows: int = 5, assumption_rows: int = 6, headlines: bool = True
) -> ReportContent:
    summary = pd.DataFrame(
        [
            [f"{10 + row + column} ({8 + row}–{12 + row})" for column in range(4)]
            for row in range(summary_rows)
        ],
        index=[f"Metric {row}" for row in range(summary_rows)],
        columns=CANDIDATES,
    )
    terms = pd.DataFrame(
        [["6", "8", "6", "7"], ["4 h", "4 h", "1 h", "2 h"]],
        index=["Reps", "First response target"],
        columns=CANDIDATES,
    )
    assumptions = pd.DataFrame(
        {
            "Term": [f"Assumption {row}" for row in range(assumption_rows)],
            "Value": [f"{row * 3}%" for row in range(assumption_rows)],
            "Source": [f"Source document {row}" for row in range(assumption_rows)],
        }
    )
    return ReportContent(
        title="SLA terms: Baseline and 3 candidates",
        subtitle="20 replications each · seed 7 · 95% intervals · sla_sim 0.4.0",
        headlines=[(name, f"{name} closes more deals.") for name in CANDIDATES]
        if headlines
        else [],
        summary_table=summary,
        terms_table=terms,
        charts=_charts(),
        assumptions=assumptions,
        warnings=["unstable: leads arrive faster than the reps can attempt them"],
        colors=dict(zip(CANDIDATES, COLOURS, strict=True)),
        differences_table=DIFFERENCES,
        decision_table=DECISION,
    )


VOID_TAGS = frozenset({"meta", "br", "img", "input", "link", "hr", "wbr", "source"})


class _StrictParser(HTMLParser):
    """Collects start tags and fails on an end tag that does not close the innermost open tag."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.open, f"</{tag}> closes nothing"
        assert self.open[-1] == tag, f"</{tag}> closes <{self.open[-1]}>"
        self.open.pop()


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(_content())


def test_html_shows_every_candidate_chart_and_source(page: str) -> None:
    for name in CANDIDATES[:3]:
        assert name in page
    for title in CHART_TITLES:
        assert f"<h3>{title}</h3>" in page
    for row in range(6):
        assert f"Source document {row}" in page
    assert page.count("<svg") == len(CHART_TITLES)
    assert "unstable: leads arrive faster" in page
    assert "Generated by sla_sim" in page


def test_html_escapes_names(page: str) -> None:
    assert "<b>Bold" not in page
    assert "&lt;b&gt;Bold &amp; brash&lt;/b&gt;" in page


def test_html_parses_and_loads_nothing_from_outside(page: str) -> None:
    parser = _StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.open == []
    for tag, attrs in parser.tags:
        for attribute in ("src", "href", "xlink:href"):
            value = attrs.get(attribute) or ""
            assert not re.match(r"\s*(https?:)?//", value), f"<{tag} {attribute}={value!r}>"
        assert not (tag == "script" and "src" in attrs)
        assert tag != "link"
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "@import" not in page


def test_html_marks_candidates_with_their_colours(page: str) -> None:
    for colour in COLOURS:
        assert f"background:{colour}" in page


def test_html_chart_ids_are_scoped_to_their_chart() -> None:
    clipped = (
        alt.Chart(pd.DataFrame({"x": range(10), "y": range(10)}))
        .mark_line(clip=True)
        .encode(x=alt.X("x:Q", scale=alt.Scale(domain=[0, 5])), y="y:Q")
    )
    content = _content()
    content.charts = [("One", clipped), ("Two", clipped)]
    page = render_html(content)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert {name.split("-")[0] for name in ids} == {"chart1", "chart2"}
    assert len(ids) == len(set(ids))
    for reference in re.findall(r"url\(#([^)]+)\)", page):
        assert reference in ids


def test_colour_that_is_not_hex_falls_back_to_grey() -> None:
    content = _content()
    content.colors["Baseline"] = "red;background:url(x)"
    content.colors["8 reps"] = "#AbC"
    assert content.colour_of("Baseline") == "#888888"
    assert content.colour_of("8 reps") == "#aabbcc"
    assert content.colour_of("nobody") == "#888888"


def test_assumptions_need_their_three_columns() -> None:
    content = _content()
    with pytest.raises(ValueError, match="Term"):
        ReportContent(**{**vars(content), "assumptions": pd.DataFrame({"Term": ["x"]})})


def test_write_html_writes_the_rendered_page(tmp_path: Path) -> None:
    content = _content()
    target = tmp_path / "out" / "report.html"
    write_html(content, target)
    assert target.read_text(encoding="utf-8") == render_html(content)


def _deck_texts(slide: Any) -> str:
    return " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_deck_has_one_slide_per_part(tmp_path: Path) -> None:
    target = tmp_path / "deck.pptx"
    write_pptx(_content(), target)
    deck = Presentation(str(target))
    slides = list(deck.slides)
    # title, headlines, decision, summary, differences, 3 charts, terms, assumptions
    assert len(slides) == 1 + 1 + 1 + 1 + 1 + len(CHART_TITLES) + 1 + 1
    assert deck.slide_width is not None
    assert deck.slide_height is not None
    assert deck.slide_width.inches == pytest.approx(13.333, abs=0.001)
    assert deck.slide_height.inches == pytest.approx(7.5)

    assert "SLA terms: Baseline and 3 candidates" in _deck_texts(slides[0])
    headline_runs = [
        run
        for shape in slides[1].shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
    ]
    baseline = next(run for run in headline_runs if run.text == "Baseline")
    assert baseline.font.bold
    assert str(baseline.font.color.rgb) == "4C78A8"

    tables = [shape.table for shape in slides[3].shapes if shape.has_table]
    assert len(tables) == 1
    header = [cell.text for cell in tables[0].rows[0].cells]
    for name in CANDIDATES:
        assert any(name in text for text in header)
    header_runs = [
        run for cell in tables[0].rows[0].cells for run in cell.text_frame.paragraphs[0].runs
    ]
    assert all(run.font.bold for run in header_runs if run.text in CANDIDATES)
    assert all(10 <= run.font.size.pt <= 14 for run in header_runs)
    assert len(tables[0].rows) == 1 + 5

    for slide, title in zip(slides[5:8], CHART_TITLES, strict=True):
        assert slide.shapes.title.text == title
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        picture = pictures[0]
        assert picture.left >= 0
        assert picture.top >= 0
        assert picture.left + picture.width <= deck.slide_width
        assert picture.top + picture.height <= deck.slide_height

    assert slides[8].shapes.title.text == "Terms"
    assert slides[9].shapes.title.text == "Assumptions"


def test_picture_keeps_the_chart_aspect_ratio(tmp_path: Path) -> None:
    content = _content()
    content.charts = content.charts[2:]
    target = tmp_path / "deck.pptx"
    write_pptx(content, target)
    slide = list(Presentation(str(target)).slides)[5]
    picture = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
    width, height = picture.image.size
    assert picture.width / picture.height == pytest.approx(width / height, rel=0.01)


def test_long_tables_continue_on_more_slides(tmp_path: Path) -> None:
    content = _content(summary_rows=30, assumption_rows=40, headlines=False)
    target = tmp_path / "deck.pptx"
    write_pptx(content, target)
    slides = list(Presentation(str(target)).slides)
    titles = [slide.shapes.title.text for slide in slides]
    summary = [title for title in titles if title.startswith("Summary")]
    assumptions = [title for title in titles if title.startswith("Assumptions")]
    assert len(summary) >= 2
    assert summary[0] == f"Summary (1/{len(summary)})"
    assert len(assumptions) >= 2
    labels = [
        row.cells[0].text
        for slide in slides
        if slide.shapes.title.text.startswith("Summary")
        for shape in slide.shapes
        if shape.has_table
        for row in list(shape.table.rows)[1:]
    ]
    assert labels == [f"Metric {row}" for row in range(30)]


def _tables(deck_file: Any) -> list[tuple[str, Any]]:
    return [
        (slide.shapes.title.text, shape)
        for slide in deck_file.slides
        for shape in slide.shapes
        if shape.has_table
    ]


def test_every_table_fits_its_slide_even_when_its_cells_wrap(tmp_path: Path) -> None:
    content = _content(summary_rows=16, assumption_rows=30)
    content.summary_table = content.summary_table.map(
        lambda text: f"{text} and a long explanation that wraps over several lines"
    )
    target = tmp_path / "deck.pptx"
    write_pptx(content, target)
    deck_file = Presentation(str(target))
    bottom = deck.SLIDE_HEIGHT - Inches(0.4)
    for title, shape in _tables(deck_file):
        height = sum(row.height for row in shape.table.rows)
        assert shape.top + height <= bottom, title
    summary = [title for title, _ in _tables(deck_file) if title.startswith("Summary")]
    assert len(summary) >= 3


def test_row_heights_grow_with_the_lines_of_their_cells() -> None:
    width = Inches(2)
    assert deck._lines("short", width, 14) == 1
    assert deck._lines("one two three four five six seven eight nine ten", width, 14) == 3
    assert deck._lines("x" * 60, width, 14) == 4
    assert deck._row_height(["a " * 40], [width], 14) > deck._row_height(["a"], [width], 14)


def test_chart_labels_are_at_least_12_pt_on_the_slide(tmp_path: Path) -> None:
    content = _content()
    for title, spec in content.chart_specs():
        _, label_pt = deck.chart_png(spec)
        assert label_pt >= deck.MIN_LABEL_PT, title
        sized = json.loads(deck._slide_spec(spec, 14))
        assert sized["config"]["axis"]["labelFontSize"] == 14
    target = tmp_path / "deck.pptx"
    write_pptx(content, target)
    for slide in Presentation(str(target)).slides:
        for picture in (s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE):
            width_px = picture.image.size[0]
            points_per_css_px = picture.width / Pt(1) / width_px * deck.PNG_SCALE
            assert points_per_css_px == pytest.approx(
                deck._points_per_pixel(picture.image.blob), rel=0.01
            )


def test_deck_has_the_decision_and_the_differences(tmp_path: Path) -> None:
    target = tmp_path / "deck.pptx"
    write_pptx(_content(), target)
    slides = list(Presentation(str(target)).slides)
    titles = [slide.shapes.title.text for slide in slides]
    decision = titles.index("The decision: what each candidate buys and costs")
    differences = titles.index("Differences against the baseline")
    assert decision < titles.index("Summary") < differences
    table = next(s.table for s in slides[decision].shapes if s.has_table)
    assert [row.cells[0].text for row in table.rows][1:] == list(DECISION.index)
    assert "+2.5 (+1 to +4)" in [cell.text for row in table.rows for cell in row.cells]
    assert DECISION_NOTE in _deck_texts(slides[decision])
    assert DIFFERENCE_NOTE in _deck_texts(slides[differences])
    header = [
        cell.text
        for cell in next(s.table for s in slides[differences].shapes if s.has_table).rows[0].cells
    ]
    assert not any("Baseline" in text for text in header)


def test_title_slide_lists_a_few_warnings_and_counts_the_rest(tmp_path: Path) -> None:
    content = _content()
    content.warnings = [f"warning number {index}" for index in range(8)]
    target = tmp_path / "deck.pptx"
    write_pptx(content, target)
    text = _deck_texts(Presentation(str(target)).slides[0])
    assert "warning number 4" in text
    assert "warning number 5" not in text
    assert "and 3 more" in text


def test_failing_deck_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(deck.vl_convert, "vegalite_to_png", broken)
    target = tmp_path / "deck.pptx"
    with pytest.raises(RuntimeError, match="renderer failed"):
        write_pptx(_content(), target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_failing_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"previous deck")

    def broken_save(_self: object, file: object) -> None:
        Path(str(file)).write_bytes(b"half a deck")
        raise OSError("disk full")

    monkeypatch.setattr(PresentationFile, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_pptx(_content(), target)
    assert target.read_bytes() == b"previous deck"
    assert [path.name for path in tmp_path.iterdir()] == ["deck.pptx"]


def test_html_has_the_decision_and_the_differences(page: str) -> None:
    assert "The decision: what each candidate buys and costs" in page
    assert "Differences against the baseline" in page
    assert "+2.5 (+1 to +4)" in page
    assert html.escape(DIFFERENCE_NOTE) in page
    decision = page.index("The decision")
    assert decision < page.index("<h2>Summary") < page.index("Differences against the baseline")


def test_html_prints_on_a4_with_tables_that_wrap_and_charts_that_shrink(page: str) -> None:
    css = page[page.index("<style>") : page.index("</style>")]
    print_css = css[css.index("@media print") :]
    assert "@page { size: A4" in css
    assert "overflow: visible" in print_css
    assert re.search(r"th, td \{[^}]*white-space: normal", print_css)
    assert re.search(r"svg \{[^}]*max-width: 100%[^}]*height: auto", print_css)


NOTE = "All in reps at full speed: where the work done meets capacity, leads wait."


def test_a_chart_with_a_note_has_it_under_its_title_in_the_page_and_on_its_slide(
    tmp_path: Path,
) -> None:
    content = _content()
    content.chart_notes = {CHART_TITLES[1]: NOTE}
    page = render_html(content)
    heading = page.index(f"<h3>{CHART_TITLES[1]}</h3>")
    assert page.index(html.escape(NOTE)) > heading
    assert page.count(html.escape(NOTE)) == 1, "under its own chart only"
    target = tmp_path / "deck.pptx"
    write_pptx(content, target)
    slides = {slide.shapes.title.text: slide for slide in Presentation(str(target)).slides}
    assert NOTE in _deck_texts(slides[CHART_TITLES[1]])
    assert NOTE not in _deck_texts(slides[CHART_TITLES[0]])
    slide = slides[CHART_TITLES[1]]
    picture = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
    note = next(s for s in slide.shapes if s.has_text_frame and s.text_frame.text == NOTE)
    assert picture.top + picture.height <= note.top, "the chart stays above its note"
    _, label_pt = deck.chart_png(content.chart_specs()[1][1], deck._chart_room(NOTE))
    assert label_pt >= deck.MIN_LABEL_PT
