"""sla_sim in the browser: test SLA terms, compare candidates, see the trade-offs, take them to
the planning meeting.

    make run            # http://localhost:8501

The page is drawn by `sla_sim.app`; this file is what `streamlit run` starts.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sla_sim.app import page

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def main() -> None:
    st.set_page_config(page_title="sla_sim: SLA planner", page_icon="📈", layout="wide")
    page.show(SCENARIOS)


if __name__ == "__main__":  # Streamlit runs the page as __main__; worker processes import it
    main()
