"""The sidebar: which scenario to start from (bundled or uploaded), and the runs' replications
and seed."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sla_sim import __version__
from sla_sim.app.session import set_base
from sla_sim.app.state import REPLICATIONS, SEEDS, read_upload
from sla_sim.scenario.file import load_scenario, parse_scenario_text


def sidebar(files: dict[str, Path]) -> None:
    state = st.session_state
    with st.sidebar:
        st.header("Scenario")
        options = list(files) + (["Uploaded file"] if state.upload_text else [])
        current = "Uploaded file" if state.base_id == "upload" else state.base_id
        choice = st.selectbox(
            "Start from",
            options,
            index=options.index(current) if current in options else 0,
            help="A bundled scenario (scenarios/*.toml) and its variants become the candidates.",
        )
        if choice != current:
            if choice == "Uploaded file":
                set_base("upload", parse_scenario_text(state.upload_text, state.upload_name))
            else:
                set_base(choice, load_scenario(files[choice]))
            st.rerun()
        upload = st.file_uploader(
            "Or upload a scenario file (TOML, at most 256 KB)",
            type=["toml"],
            max_upload_size=1,
            help="A TOML scenario file as described in the README (at most 256 KB).",
        )
        if upload is not None and upload.file_id != state.get("upload_id"):
            state.upload_id = upload.file_id
            read = read_upload(upload.name, upload.getvalue())
            state.upload_problems = read.problems
            state.upload_rejected = read.name if read.problems else None
            if read.scenario is not None:
                state.upload_text, state.upload_name = read.text, read.name
                set_base("upload", read.scenario)
                st.rerun()
        for problem in state.get("upload_problems", []):
            st.error(problem)
        st.header("Runs")
        state.replications = st.number_input(
            "Replications per candidate",
            min_value=REPLICATIONS[0],
            max_value=REPLICATIONS[1],
            value=int(state.replications),
            step=5,
            help="Simulated years per candidate. More give narrower 95% intervals (about 1/√n).",
        )
        state.seed = st.number_input(
            "Seed",
            min_value=SEEDS[0],
            max_value=SEEDS[1],
            value=int(state.seed),
            help="Same seed, same numbers. All candidates share the seed's random leads, so "
            "their differences are not noise (common random numbers).",
        )
        st.caption(
            f"sla_sim {__version__}. The address bar carries the candidates: copy it to share "
            "this comparison."
        )
