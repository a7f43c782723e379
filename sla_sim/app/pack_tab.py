"""The "Meeting pack" tab: the last comparison as a report, a slide deck, CSV files, a
candidate's scenario file and a link."""

from __future__ import annotations

import streamlit as st

from sla_sim.app.state import share_url
from sla_sim.experiments.result_files import scenario_file_name
from sla_sim.experiments.runner import SimulationResult
from sla_sim.present.captions import pack_source
from sla_sim.present.downloads import deck_bytes
from sla_sim.present.html import render_html
from sla_sim.present.pack import content
from sla_sim.scenario.file import scenario_toml


def pack_tab() -> None:
    state = st.session_state
    if "result" not in state:
        st.info("Run a comparison first: the meeting pack is made from its results.")
        return
    result: SimulationResult = state.result
    st.markdown(pack_source(result))
    columns = st.columns(4)
    with columns[0]:
        st.markdown("**Report**")
        st.download_button(
            "HTML report",
            data=lambda: render_html(content(result)),
            file_name="sla-report.html",
            mime="text/html",
            help="One file that opens offline: headlines, key metrics, charts, terms, sources.",
        )
        st.download_button(
            "Slide deck (.pptx)",
            data=lambda: deck_bytes(result),
            file_name="sla-deck.pptx",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            help="One slide per key chart, and the summary tables.",
        )
    with columns[1]:
        st.markdown("**Results as CSV**")
        st.download_button(
            "Summary (CSV)",
            data=result.summary.to_csv(index=False),
            file_name="summary.csv",
            mime="text/csv",
        )
        st.download_button(
            "Every replication (CSV)",
            data=result.per_replication.to_csv(index=False),
            file_name="replications.csv",
            mime="text/csv",
        )
    with columns[2]:
        st.markdown("**A candidate's scenario file**")
        index = st.selectbox(
            "Candidate",
            range(len(result.scenarios)),
            format_func=lambda i: result.scenarios[i].name,
            label_visibility="collapsed",
        )
        chosen = result.scenarios[index]
        st.download_button(
            "Scenario file (.toml)",
            data=scenario_toml(chosen),
            file_name=scenario_file_name(index, chosen.name),
            mime="application/toml",
            help="Runs from the command line: sla-sim run FILE",
        )
    with columns[3]:
        st.markdown("**A link to these candidates**")
        st.code(
            share_url(st.context.url, st.query_params.get("s", "")), language=None, wrap_lines=True
        )
