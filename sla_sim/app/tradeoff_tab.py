"""The "Explore a trade-off" tab: sweep one or two terms of a candidate, a metric over the grid
and the deals-against-breaches frontier."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sla_sim.analysis.metrics import BY_KEY, METRICS
from sla_sim.app.shared import executor, sweep_cache
from sla_sim.app.state import run_key
from sla_sim.app.widgets import may_run, progress_bar, show_chart
from sla_sim.experiments.sweep import grid, run_sweep
from sla_sim.present.captions import sweep_size
from sla_sim.present.charts import frontier, heatmap, sweep_line
from sla_sim.present.inputs import sweep_default, sweep_start, sweep_terms, sweep_values, term_label
from sla_sim.present.terms import all_terms, applies, term_value
from sla_sim.scenario.schema import Scenario, ScenarioError


def tradeoff_tab(scenarios: list[Scenario] | None) -> None:
    state = st.session_state
    if scenarios is None:
        st.info("Fix the candidates' terms first (see Compare candidates).")
        return
    st.markdown(
        "Sweep one or two terms of a candidate and see a metric at every combination, and which "
        "combinations give the most deals for the fewest response breaches."
    )
    top = st.columns([2, 2, 2, 1])
    origin = top[0].selectbox(
        "Candidate to start from",
        [s.name for s in scenarios],
        index=sweep_start(scenarios),
        help="The default is a candidate whose simulation reads the response target (one that "
        "enforces it), so that both terms swept change what happens.",
    )
    scenario = next(s for s in scenarios if s.name == origin)
    numeric = [
        t
        for t in all_terms(scenario)
        if t.kind in ("int", "number", "share") and applies(t, scenario)
    ]
    by_label = {term_label(t): t for t in numeric}
    labels = list(by_label)
    shown = [m.key for m in METRICS if m.better != "neither"]
    metric = top[1].selectbox(
        "Metric to show",
        shown,
        index=shown.index("closed_deals"),
        format_func=lambda k: BY_KEY[k].label,
    )
    replications = top[3].number_input("Replications", 2, 200, 10, help="Per point of the grid.")
    axes: dict[str, list[Any]] = {}
    titles: dict[str, str] = {}
    row = st.columns(2)
    first_key, second_key = sweep_terms(scenario)
    keys = [t.key for t in numeric]
    first = keys.index(first_key)
    second = keys.index(second_key) if second_key in keys else first
    for column, (title, index, optional) in zip(
        row, (("First term", first, False), ("Second term", second, True)), strict=True
    ):
        with column:
            options = (["(none)"] if optional else []) + labels
            chosen = st.selectbox(title, options, index=index + (1 if optional else 0))
            if chosen == "(none)":
                continue
            term = by_label[chosen]
            text = st.text_input(
                f"Values of {term_label(term)}"
                + (" in %" if term.kind == "share" and "%" not in term.unit else ""),
                value=sweep_default(term, term_value(scenario, term.key)),
                key=f"values|{origin}|{term.key}",
            )
            try:
                axes[term.key] = sweep_values(term, text)
                titles[term.key] = term_label(term)
            except ValueError as error:
                st.error(f"{term.label}: {error}")
    if len(axes) == 0:
        return
    st.caption(sweep_size(axes, replications))
    key = run_key(scenario, axes, replications, int(state.seed))
    cache = sweep_cache()
    slot = st.empty()
    points = [point for _, point in grid(scenario, axes)]
    allowed = key in cache or may_run(points, int(replications), key="ask_sweep")
    if slot.button("Run the sweep", type="primary", disabled=key in cache or not allowed):
        bar, progress = progress_bar("Starting")
        try:
            cache[key] = run_sweep(
                scenario,
                axes,
                int(replications),
                int(state.seed),
                executor=executor(),
                progress=progress,
            )
        except ScenarioError as error:
            for problem in error.problems:
                st.error(problem)
        bar.empty()
        slot.button("Run the sweep", type="primary", disabled=True, key="swept")
    if key not in cache:
        return
    table = cache[key].table
    keys = list(axes)
    currency = scenario.costs.currency
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{BY_KEY[metric].label}**")
        if len(keys) == 2:
            chart = heatmap(
                table, keys[0], keys[1], metric, titles[keys[0]], titles[keys[1]], currency
            )
        else:
            chart = sweep_line(table, keys[0], metric, titles[keys[0]], currency)
        show_chart(chart)
    with right:
        st.markdown("**Deals against response breaches**")
        show_chart(frontier(cache[key].frontier(), " × ".join(titles.values())))
