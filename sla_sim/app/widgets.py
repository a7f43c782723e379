"""Pieces drawn on more than one tab: a chart at its own size and a run's progress bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import streamlit as st

from sla_sim.present.captions import replications_done


def show_chart(chart: Any) -> None:
    """A chart as wide as its column (its height its own), titles inside that width; charts side
    by side (an hconcat) are drawn in columns of their own, since a concatenation cannot fit
    one."""
    if isinstance(chart, alt.HConcatChart):
        for column, part in zip(st.columns(len(chart.hconcat)), chart.hconcat, strict=True):
            with column:
                show_chart(part)
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
