"""Pieces drawn on more than one tab: a chart at its own size and a run's progress bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import streamlit as st

from sla_sim.present.captions import replications_done


def show_chart(chart: Any) -> None:
    """A chart at its own size, its legend and titles added around the plot rather than
    squeezed into it."""
    st.altair_chart(chart.properties(autosize=alt.AutoSizeParams(type="pad")), width="content")


def progress_bar(text: str) -> tuple[Any, Callable[[int, int], None]]:
    """A progress bar showing `text` until the first replications are done, and the callback
    that moves it."""
    bar = st.progress(0.0, text=text)

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=replications_done(done, total))

    return bar, progress
