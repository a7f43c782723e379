"""The "Compare candidates" tab: the editor, the run, and its headlines, tables and charts."""

from __future__ import annotations

from html import escape
from typing import Any

import altair as alt
import streamlit as st

from sla_sim.analysis.series import summarise_series
from sla_sim.app.editor import editor
from sla_sim.app.session import scenarios_now
from sla_sim.app.shared import executor, run_cache
from sla_sim.app.state import cached_result, run_candidates
from sla_sim.app.widgets import may_run, progress_bar, show_chart
from sla_sim.experiments.compare import compare
from sla_sim.experiments.runner import SimulationResult
from sla_sim.present.captions import interval_note
from sla_sim.present.charts import chart_notes, colours, comparison_charts, same_simulation
from sla_sim.present.headlines import headlines, subject
from sla_sim.present.pack import difference_table, key_metrics, summary_table, terms_table
from sla_sim.present.terms import in_words
from sla_sim.scenario.schema import Scenario


def run(scenarios: list[Scenario], cached_only: bool) -> SimulationResult | None:
    """The candidates' result; with `cached_only`, None unless every one was run before.
    A new run shows its progress and its first results while the rest still run."""
    state = st.session_state
    cache, replications, seed = run_cache(), int(state.replications), int(state.seed)
    if cached_only:
        return cached_result(scenarios, replications, seed, cache)
    bar, progress = progress_bar("Starting the workers")
    early = st.empty()

    def ready(partial: SimulationResult) -> None:
        with early.container():
            st.caption("First results (the rest still running)")
            st.table(summary_table(partial).iloc[:4])

    result = run_candidates(
        scenarios, replications, seed, cache, executor(), progress=progress, on_ready=ready
    )
    bar.empty()
    early.empty()
    return result


def _swatch(colour: str) -> str:
    return f"<span style='color:{colour};font-size:1.2em'>■</span>"


def show_results(result: SimulationResult) -> None:
    names = result.scenario_names
    same = same_simulation(result.scenarios)
    palette = colours(names, same)
    comparison = compare(result, names[0])
    st.subheader("In one sentence")
    lines = headlines(result.scenarios, comparison)
    if not lines:
        st.write("Add a candidate to compare it with the baseline.")
    else:
        st.caption("Figures in brackets are the 95% interval of the difference from the baseline.")
    for name, sentence in lines:
        swatch = _swatch(palette[name])
        st.markdown(f"{swatch} **{escape(name)}**: {escape(sentence)}", unsafe_allow_html=True)
    for name, other in same.items():
        st.caption(
            f"“{name}” and “{other}” differ only in terms the simulation measures against, not "
            "in what happens: but for the breaches and the dashed targets, their bars and lines "
            f"are the same, and {other}'s lie under {name}'s (marked “same as” below)."
        )
    for warning in result.warnings:
        st.warning(in_words(warning, result.scenarios[0]))
    st.subheader("Key metrics")
    st.caption(interval_note(result.replications))
    st.table(summary_table(result))
    if len(names) > 1:
        st.subheader("Against the baseline")
        st.caption("Paired difference and its 95% interval (same leads, same luck)")
        st.table(
            difference_table(
                comparison,
                key_metrics(result.scenarios),
                currency=result.scenarios[0].costs.currency,
            )
        )
    series = summarise_series(result.series) if result.series is not None else None
    if series is None:
        return
    charts = comparison_charts(result.scenarios, result.summary, series, legends=False)
    notes = chart_notes(result.scenarios, [title for title, _ in charts])
    key = " &nbsp; ".join(
        f"{_swatch(palette[n])} {escape(n)}"
        + (f" (same as {escape(same[n])})" if n in same else "")
        for n in names
    )
    st.markdown(f"Colours in every chart: {key}", unsafe_allow_html=True)
    for alone, row in _chart_rows(charts):
        for column, (title, chart) in zip(
            [st.container()] if alone else st.columns(2), row, strict=False
        ):
            with column:
                st.markdown(f"**{title}**")
                if title in notes:
                    st.caption(notes[title])
                show_chart(chart)


def _chart_rows(charts: list[tuple[str, Any]]) -> list[tuple[bool, list[tuple[str, Any]]]]:
    """The charts as rows of the page: the first and every one of a panel per candidate alone
    (True), across the whole width; the others two to a row."""
    rows: list[tuple[bool, list[tuple[str, Any]]]] = []
    for i, item in enumerate(charts):
        if i == 0 or isinstance(item[1], alt.FacetChart):
            rows.append((True, [item]))
        elif rows and not rows[-1][0] and len(rows[-1][1]) == 1:
            rows[-1][1].append(item)
        else:
            rows.append((False, [item]))
    return rows


def compare_tab() -> list[Scenario] | None:
    """The tab; returns the candidates as scenarios after this run's edits (None if one is not
    valid), for the other tabs. The Run button sits above the editor, filled in once the edits
    of this rerun are known."""
    state = st.session_state
    st.markdown(
        "Edit the terms of each candidate, then run. Every candidate sees the same simulated "
        "leads, so differences are the terms, not luck."
    )
    top = st.container()
    editor()
    scenarios = scenarios_now()
    if scenarios is None:
        return None
    with st.expander("What each candidate changes"):
        base = scenarios[0]
        for s in scenarios[1:]:
            st.markdown(f"**{escape(s.name)}**: {subject(s, base)}")
        st.table(terms_table(scenarios))
    result = run(scenarios, cached_only=True)
    cached = "Already run: these results are cached."
    with top:
        left, right = st.columns([1, 3], vertical_alignment="center")
        slot = left.empty()
        note = right.empty()
        allowed = result is not None or may_run(scenarios, int(state.replications), key="ask")
        clicked = slot.button(
            "Run comparison",
            type="primary",
            disabled=result is not None or not allowed,
            help=cached if result is not None else None,
        )
        if result is None and "result" in state:
            note.info("The terms changed since the results below: run the comparison again.")
        elif result is None:
            note.caption(f"{len(scenarios)} candidates × {int(state.replications)} replications")
        if clicked:
            note.empty()
            result = run(scenarios, cached_only=False)
            slot.button("Run comparison", type="primary", disabled=True, help=cached, key="ran")
    if result is not None:
        state.result = result
        show_results(result)
    elif "result" in state:
        show_results(state.result)
    return scenarios
