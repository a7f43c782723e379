"""The meeting pack as the app offers it: built on many threads at once, while charts are drawn the
way Streamlit draws them, every chart of the deck and of the HTML report still has its marks."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from typing import Any

import altair as alt
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from sla_sim.experiments.runner import SimulationResult, simulate
from sla_sim.present.downloads import deck_bytes
from sla_sim.present.html import render_html
from sla_sim.present.pack import content
from sla_sim.scenario.file import load_scenario

from conftest import SCENARIOS

BUILDS = 6
THREADS = 3
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_SYMBOL = re.compile(r"<[^>]*role=\"graphics-symbol\"[^>]*>")
_ROLE = re.compile(r'aria-roledescription="([^"]*)"')


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    return simulate(load_scenario(SCENARIOS / "baseline.toml"), 2, seed=3, jobs=1)


def data_marks(svg: str) -> int:
    """Bars, lines, points and rules drawn from data: symbols that are not axes, legends or the
    empty containers a chart without data still draws."""
    count = 0
    for element in _SYMBOL.findall(svg):
        role = _ROLE.search(element)
        name = role.group(1) if role else ""
        if name not in {"axis", "legend"} and not name.endswith("container"):
            count += 1
    return count


def html_marks(page: str) -> list[int]:
    return [data_marks(svg) for svg in _SVG.findall(page)]


def deck_pictures(data: bytes) -> list[bytes]:
    deck = Presentation(BytesIO(data))
    return [
        shape.image.blob
        for slide in deck.slides
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]


def coloured_pixels(png: bytes, colours: set[tuple[int, int, int]]) -> int:
    """Pixels painted in a candidate's colour: the bars and lines, and the legend swatches."""
    image = Image.open(BytesIO(png)).convert("RGB")
    counts = image.getcolors(image.width * image.height) or []
    return sum(n for n, colour in counts if colour in colours)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def _names_only(data: Any) -> dict[str, str]:
    return {"name": f"table-{id(data)}"}


@pytest.fixture
def streamlit_drawing(result: SimulationResult) -> Iterator[None]:
    """A thread drawing charts as `st.altair_chart` does: it switches Altair's process-wide data
    transformer to one that keeps the data aside and the theme to "none" while it serialises."""
    charts = [chart for _, chart in content(result).charts]
    alt.data_transformers.register("names_only", _names_only)
    stop = threading.Event()

    def draw() -> None:
        while not stop.is_set():
            for chart in charts:
                with alt.theme.enable("none"), alt.data_transformers.enable("names_only"):
                    chart.to_dict()

    thread = threading.Thread(target=draw, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _data_names(spec: Any) -> Iterator[str]:
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and "name" in data:
            yield data["name"]
        for value in spec.values():
            yield from _data_names(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _data_names(value)


@pytest.fixture(scope="module")
def reference(result: SimulationResult) -> tuple[list[int], list[int]]:
    """The marks of the HTML report and the coloured pixels of the deck, built alone."""
    colours = _candidate_colours(result)
    pixels = [coloured_pixels(png, colours) for png in deck_pictures(deck_bytes(result))]
    return html_marks(render_html(content(result))), pixels


def _candidate_colours(result: SimulationResult) -> set[tuple[int, int, int]]:
    report = content(result)
    return {_rgb(report.colour_of(name)) for name in result.scenario_names}


@pytest.mark.usefixtures("streamlit_drawing")
def test_every_chart_has_its_marks_when_packs_are_built_on_many_threads(
    result: SimulationResult, reference: tuple[list[int], list[int]]
) -> None:
    marks_alone, pixels_alone = reference
    assert len(marks_alone) == len(pixels_alone) == len(content(result).charts)
    assert all(count > 0 for count in marks_alone), marks_alone
    colours = _candidate_colours(result)

    def build(index: int) -> tuple[str, list[int]]:
        if index % 2:
            return "html", html_marks(render_html(content(result)))
        return "deck", [coloured_pixels(png, colours) for png in deck_pictures(deck_bytes(result))]

    with ThreadPoolExecutor(THREADS) as pool:
        built = list(pool.map(build, range(BUILDS)))

    for kind, counts in built:
        if kind == "html":
            assert counts == marks_alone
        else:
            assert len(counts) == len(pixels_alone)
            assert all(
                count >= 0.9 * alone for count, alone in zip(counts, pixels_alone, strict=True)
            ), (counts, pixels_alone)


@pytest.mark.usefixtures("streamlit_drawing")
def test_a_chart_serialised_while_streamlit_draws_holds_its_data(result: SimulationResult) -> None:
    for _ in range(10):
        for title, text in content(result).chart_specs():
            spec = json.loads(text)
            names = set(_data_names(spec))
            assert names, title
            assert names <= set(spec.get("datasets", {})), title
