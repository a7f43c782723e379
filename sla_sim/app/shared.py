"""What every browser session of a server shares: the worker pool and the caches of runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from sla_sim.app.state import RunCache, bundled_scenarios
from sla_sim.experiments.executors import LocalExecutor, default_jobs


@st.cache_resource
def executor() -> LocalExecutor:
    """The pool of workers, started from a forkserver."""
    pool = LocalExecutor(default_jobs(), start_method="forkserver")
    if pool.workers > 1:
        pool.start()  # the workers start while the page is read, not when Run is clicked
    return pool


@st.cache_resource
def run_cache() -> RunCache:
    return RunCache()


@st.cache_resource
def sweep_cache() -> dict[str, Any]:
    return {}


@st.cache_resource
def bundled(folder: Path) -> dict[str, Path]:
    """The bundled scenario files, read once per server rather than on every rerun."""
    return bundled_scenarios(folder)
