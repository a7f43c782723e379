"""The whole page on each rerun: the session's start, the sidebar, the five tabs, the link."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sla_sim.app.compare_tab import compare_tab
from sla_sim.app.data_tab import data_tab
from sla_sim.app.pack_tab import pack_tab
from sla_sim.app.plan_tab import plan_tab
from sla_sim.app.session import start, write_link
from sla_sim.app.shared import bundled, executor
from sla_sim.app.sidebar import sidebar
from sla_sim.app.tradeoff_tab import tradeoff_tab

HIDE_UPLOAD_LIMIT = (
    "<style>[data-testid='stFileUploaderDropzoneInstructions'] {display: none}</style>"
)
"""Streamlit words one upload limit for every uploader (the server's); each uploader's label says
its own instead: 256 KB for a scenario file, 20 MB for each file of a CRM export."""


def show(scenario_folder: Path) -> None:
    """The page, offering the scenario files of `scenario_folder` to start from."""
    executor()
    files = bundled(scenario_folder)
    start(files)
    sidebar(files)
    state = st.session_state
    st.markdown(HIDE_UPLOAD_LIMIT, unsafe_allow_html=True)
    st.title("Marketing–Sales SLA planner")
    st.caption(
        "Test the terms before you sign them: closed deals, revenue, breaches and reps, "
        "simulated lead by lead with 95% intervals."
    )
    if state.get("link_problem"):
        st.warning(state.pop("link_problem"))
    if state.get("upload_rejected"):
        problems = " ".join(state.get("upload_problems", []))
        st.error(
            f"The uploaded file {state.upload_rejected} was not used: {problems} "
            f"The candidates were kept: still planning from {state.base.name}."
        )
    data_view, compare_view, tradeoff_view, plan_view, pack_view = st.tabs(
        ["Your data", "Compare candidates", "Explore a trade-off", "Plan backwards", "Meeting pack"]
    )
    with data_view:
        data_tab(files)
    with compare_view:
        scenarios = compare_tab()  # after the editor: the candidates as they now are
    with tradeoff_view:
        tradeoff_tab(scenarios)
    with plan_view:
        plan_tab(scenarios)
    with pack_view:
        pack_tab()
    write_link()
