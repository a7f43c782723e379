"""The "Plan backwards" tab: the leads a target of deals or revenue takes, by the arithmetic and
by simulation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sla_sim.app.shared import executor
from sla_sim.app.state import run_key
from sla_sim.experiments.funnel import plan as plan_funnel
from sla_sim.present.captions import plan_heading
from sla_sim.present.numbers import money_title
from sla_sim.present.tables import funnel_answer, funnel_findings, funnel_table
from sla_sim.scenario.schema import Scenario


def plan_tab(scenarios: list[Scenario] | None) -> None:
    state = st.session_state
    if scenarios is None:
        st.info("Fix the candidates' terms first (see Compare candidates).")
        return
    st.markdown(
        "How many leads does a target take? The arithmetic divides by today's stage rates; the "
        "simulation finds the volume that really gets there, with the reps and their queue."
    )
    top = st.columns([2, 2, 2, 1])
    origin = top[0].selectbox("Candidate", [s.name for s in scenarios], key="plan_candidate")
    scenario = next(s for s in scenarios if s.name == origin)
    kind = top[1].radio("Target", ["Deals per month", "Revenue per month"], horizontal=True)
    if kind == "Deals per month":
        target = top[2].number_input("Closed deals per month", 0.5, 10_000.0, 12.0, 1.0)
    else:
        label = money_title("Revenue per month", scenario.costs.currency)
        target = top[2].number_input(label, 1_000.0, 1e9, 200_000.0, 10_000.0)
    replications = top[3].number_input("Replications", 2, 100, 10, key="plan_reps")
    key = run_key(scenario, kind, target, replications, int(state.seed))
    plans = state.setdefault("plans", {})
    if st.button("Plan", type="primary", disabled=key in plans):
        bar = st.progress(0.0, text="Simulating today's volume")
        runs = [0]

        def progress(done: int, total: int) -> None:
            if done == total:
                runs[0] += 1
            bar.progress(
                done / total,
                text=f"Simulating volumes until the target is met: {runs[0]} volumes tried",
            )

        try:
            plans[key] = plan_funnel(
                scenario,
                deals_per_month=target if kind == "Deals per month" else None,
                revenue_per_month=target if kind != "Deals per month" else None,
                replications=int(replications),
                seed=int(state.seed),
                executor=executor(),
                progress=progress,
            )
        except ValueError as error:
            st.error(str(error))
        bar.empty()
    if key in plans:
        result = plans[key]
        st.subheader(plan_heading(result.target_deals))
        answer = funnel_answer(result)
        (st.success if result.reachable else st.warning)(answer)
        st.table(pd.DataFrame(funnel_table(result)).set_index("Stage"))
        for line in funnel_findings(result):
            st.markdown(f"- {line}")
