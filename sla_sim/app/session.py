"""One browser session's planner in `st.session_state`: where it starts (a link or the bundled
baseline), its candidates, and the link written back into the address bar."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import streamlit as st

from sla_sim.app.state import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    Candidate,
    Setup,
    candidates_of,
    decode_state,
    encode_state,
    link_of,
    setup_from_link,
)
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario, ScenarioError


def new_item(candidate: Candidate) -> dict[str, Any]:
    """A candidate as the session keeps it, with an id of its own for its widgets' keys."""
    return {"uid": uuid.uuid4().hex[:8], "name": candidate.name, "overrides": candidate.overrides}


def set_base(base_id: str, scenario: Scenario, candidates: list[Candidate] | None = None) -> None:
    """Plan from `scenario`: its own candidates unless others are given; the baseline is edited."""
    state = st.session_state
    state.base_id = base_id
    state.base = scenario
    state.candidates = [new_item(c) for c in (candidates or candidates_of(scenario))]
    state.editing = 0


def start(files: dict[str, Path]) -> None:
    """First run of a session: the link's state if it carries one, else the bundled baseline."""
    state = st.session_state
    if "base" in state:
        return
    state.seed, state.replications = DEFAULT_SEED, DEFAULT_REPLICATIONS
    state.upload_text, state.upload_name = None, None
    link = decode_state(st.query_params.get("s", "")) if "s" in st.query_params else None
    if "s" in st.query_params and link is None:
        state.link_problem = "The link could not be read; showing the bundled baseline."
    if link:
        try:
            setup = setup_from_link(link, files)
        except (KeyError, ValueError, TypeError, OverflowError, ScenarioError) as error:
            why = "; ".join(error.problems) if isinstance(error, ScenarioError) else str(error)
            state.link_problem = (
                f"The link's candidates could not be used ({why.strip(chr(39))}); "
                "showing the bundled baseline."
            )
        else:
            state.upload_text, state.upload_name = setup.upload_text, setup.upload_name
            set_base(setup.base_id, setup.base, setup.candidates)
            state.seed, state.replications = setup.seed, setup.replications
            if setup.notes:
                state.link_problem = " ".join(setup.notes) + " The candidates were kept."
            return
    name = next(iter(files))
    set_base(name, load_scenario(files[name]))


def candidates() -> list[Candidate]:
    return [Candidate(c["name"], c["overrides"]) for c in st.session_state.candidates]


def scenarios_now() -> list[Scenario] | None:
    """The candidates as scenarios (None, with the problems shown, if one is not valid)."""
    try:
        return [c.scenario(st.session_state.base) for c in candidates()]
    except ScenarioError as error:
        for problem in error.problems:
            st.error(problem)
        return None


def write_link() -> None:
    """The session's set-up into the address bar, so that copying it shares the comparison."""
    state = st.session_state
    setup = Setup(
        state.base_id,
        state.base,
        candidates(),
        state.seed,
        state.replications,
        state.upload_text,
        state.upload_name,
    )
    text = encode_state(link_of(setup))
    if st.query_params.get("s") != text:
        st.query_params["s"] = text
