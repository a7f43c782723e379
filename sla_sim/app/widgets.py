"""Pieces drawn on more than one tab: a chart at its own size, a run's progress bar and the
question a long run asks before it starts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import streamlit as st

from sla_sim.app.shared import executor
from sla_sim.experiments.budget import BudgetError, check_run
from sla_sim.present.captions import replications_done
from sla_sim.scenario.schema import Scenario

PAGE_SECONDS = 60.0
"""A run estimated to take longer than this on the page's workers asks before it starts."""


def show_chart(chart: Any) -> None:
    """A chart as wide as its column (its height its own), titles inside that width; charts side
    by side (an hconcat) are drawn in columns of their own, since a concatenation cannot fit
    one; a panel per candidate (a facet) at the size of its panels."""
    if isinstance(chart, alt.HConcatChart):
        for column, part in zip(st.columns(len(chart.hconcat)), chart.hconcat, strict=True):
            with column:
                show_chart(part)
        return
    if isinstance(chart, alt.FacetChart):  # panels keep their own width: a facet fits none
        st.altair_chart(chart, width="content")
        return
    fitted = chart.properties(
        width="container", autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )
    st.altair_chart(fitted, width="stretch")


def progress_bar(text: str) -> tuple[Any, Callable[[int, int], None]]:
    """A progress bar showing `text` until the first replications are done, and the callback
    that moves it."""
    bar = st.progress(0.0, text=text)

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=replications_done(done, total))

    return bar, progress


def may_run(scenarios: list[Scenario], replications: int, *, key: str, scale: float = 1.0) -> bool:
    """Whether a run of `replications` of each scenario (each source's volume times `scale`)
    may start. Above the run limits it is refused with the estimate and the limit; estimated
    over a minute, it starts only once the user ticks the box that states its size."""
    try:
        found = check_run(scenarios, replications, workers=executor().workers, scale=scale)
    except BudgetError as error:
        st.error(f"Not run, {error}. Lower the replications, the candidates or the volumes.")
        return False
    if found.seconds <= PAGE_SECONDS:
        return True
    return st.checkbox(f"Run it anyway: {found.describe()}", key=key)
