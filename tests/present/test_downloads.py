"""The meeting pack as the app offers it: built on many threads at once, while charts are drawn the
way Streamlit draws them, every chart of the deck and of the HTML report still has its marks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import altair as alt
import pytest

from sla_sim.experiments.runner import SimulationResult, simulate
from sla_sim.present.downloads import deck_bytes
from sla_sim.present.html import render_html
from sla_sim.present.pack import content
from sla_sim.scenario.file import load_scenario

from conftest import SCENARIOS
from marks import coloured_pixels, deck_pictures, html_marks, rgb

BUILDS = 4
THREADS = 2


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    return simulate(load_scenario(SCENARIOS / "baseline.toml"), 2, seed=3, jobs=1)


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
                    # Stay switched a while, as a slow draw would, without holding the GIL.
                    stop.wait(0.02)

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
    return {rgb(report.colour_of(name)) for name in result.scenario_names}


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
    for _ in range(3):
        for title, text in content(result).chart_specs():
            spec = json.loads(text)
            names = set(_data_names(spec))
            assert names, title
            assert names <= set(spec.get("datasets", {})), title
