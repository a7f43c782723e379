"""sla_sim in the browser: test SLA terms, compare candidates, see the trade-offs, take them to
the planning meeting.

    make run            # http://localhost:8501

Front end only: the terms come from `sla_sim.present.terms`, runs from `sla_sim.app.state` (the same
`simulate` as the CLI), charts from `sla_sim.present.charts`, the report from `sla_sim.present.pack`.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from html import escape
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from sla_sim import __version__
from sla_sim.analysis.metrics import BY_KEY, METRICS
from sla_sim.analysis.series import summarise_series
from sla_sim.app.state import (
    MAX_CANDIDATES,
    Candidate,
    RunCache,
    candidates_from_state,
    candidates_of,
    decode_state,
    encode_state,
    run_candidates,
)
from sla_sim.experiments.compare import compare
from sla_sim.experiments.executors import LocalExecutor, default_jobs
from sla_sim.experiments.funnel import plan as plan_funnel
from sla_sim.experiments.result_files import scenario_file_name
from sla_sim.experiments.runner import SimulationResult
from sla_sim.experiments.sweep import parse_values, run_sweep
from sla_sim.present.charts import colours, comparison_charts, frontier, heatmap, sweep_line
from sla_sim.present.deck import write_pptx
from sla_sim.present.headlines import headlines, subject
from sla_sim.present.html import render_html
from sla_sim.present.pack import content, difference_table, summary_table, terms_table
from sla_sim.present.tables import funnel_findings, funnel_table
from sla_sim.present.terms import GROUPS, Term, all_terms, in_words, term_value
from sla_sim.scenario.file import load_scenario, parse_scenario_text, scenario_notes, scenario_toml
from sla_sim.scenario.schema import Scenario, ScenarioError

ROOT = Path(__file__).resolve().parent
BUNDLED = ROOT / "scenarios"
MAX_UPLOAD_BYTES = 256 * 1024
DEFAULT_REPLICATIONS = 20
DEFAULT_SEED = 7


# -- shared across sessions: the worker pool and the run cache ----------------------------------


@st.cache_resource
def executor() -> LocalExecutor:
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


def bundled() -> dict[str, Path]:
    """Bundled scenario files by their scenario name, the baseline first."""
    files = sorted(BUNDLED.glob("*.toml"), key=lambda p: (p.stem != "baseline", p.stem))
    return {load_scenario(p).name: p for p in files}


# -- state ---------------------------------------------------------------------------------------


def _new(candidate: Candidate) -> dict[str, Any]:
    return {"uid": uuid.uuid4().hex[:8], "name": candidate.name, "overrides": candidate.overrides}


def set_base(base_id: str, scenario: Scenario, candidates: list[Candidate] | None = None) -> None:
    state = st.session_state
    state.base_id = base_id
    state.base = scenario
    state.candidates = [_new(c) for c in (candidates or candidates_of(scenario))]
    state.editing = 0


def start() -> None:
    """First run of a session: the link's state if it carries one, else the bundled baseline."""
    state = st.session_state
    if "base" in state:
        return
    state.seed, state.replications = DEFAULT_SEED, DEFAULT_REPLICATIONS
    state.upload_text, state.upload_name = None, None
    files = bundled()
    link = decode_state(st.query_params.get("s", "")) if "s" in st.query_params else None
    if "s" in st.query_params and link is None:
        state.link_problem = "The link could not be read; showing the bundled baseline."
    if link:
        try:
            if link.get("upload"):
                text = str(link["upload"])
                scenario = parse_scenario_text(text, str(link.get("file", "uploaded file")))
                state.upload_text, state.upload_name = text, link.get("file")
                base_id = "upload"
            else:
                base_id = str(link.get("base"))
                scenario = load_scenario(files[base_id])
            candidates = candidates_from_state(link.get("candidates"))
            for c in candidates or []:
                c.scenario(scenario)  # every candidate must still be valid
            set_base(base_id, scenario, candidates)
            state.seed = int(link.get("seed", DEFAULT_SEED))
            state.replications = int(link.get("replications", DEFAULT_REPLICATIONS))
            return
        except (KeyError, ValueError, TypeError, ScenarioError):
            state.link_problem = "The link's candidates could not be read; showing the baseline."
    name = next(iter(files))
    set_base(name, load_scenario(files[name]))


def candidates() -> list[Candidate]:
    return [Candidate(c["name"], c["overrides"]) for c in st.session_state.candidates]


def write_link() -> None:
    state = st.session_state
    link: dict[str, Any] = {
        "base": state.base_id,
        "candidates": [[c.name, c.overrides] for c in candidates()],
        "seed": state.seed,
        "replications": state.replications,
    }
    if state.base_id == "upload":
        link["upload"], link["file"] = state.upload_text, state.upload_name
    text = encode_state(link)
    if st.query_params.get("s") != text:
        st.query_params["s"] = text


# -- the sidebar: which scenario, how many replications -----------------------------------------


def sidebar() -> None:
    state = st.session_state
    files = bundled()
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
            "Or upload a scenario file",
            type=["toml"],
            help="A TOML scenario file as described in the README (at most 256 KB).",
        )
        if upload is not None and upload.file_id != state.get("upload_id"):
            state.upload_id = upload.file_id
            data = upload.getvalue()
            problems: list[str] = []
            if len(data) > MAX_UPLOAD_BYTES:
                problems = [f"{upload.name}: {len(data) // 1024} KB is too large (at most 256 KB)"]
            else:
                try:
                    text = data.decode("utf-8")
                    scenario = parse_scenario_text(text, upload.name)
                except UnicodeDecodeError:
                    problems = [f"{upload.name}: not a text file (a scenario is a TOML file)"]
                except ScenarioError as error:
                    problems = error.problems
            state.upload_problems = problems
            if not problems:
                state.upload_text, state.upload_name = text, upload.name
                set_base("upload", scenario)
                st.rerun()
        for problem in state.get("upload_problems", []):
            st.error(problem)
        st.header("Runs")
        state.replications = st.number_input(
            "Replications per candidate",
            min_value=2,
            max_value=500,
            value=int(state.replications),
            step=5,
            help="Simulated years per candidate. More give narrower 95% intervals (about 1/√n).",
        )
        state.seed = st.number_input(
            "Seed",
            min_value=0,
            max_value=2**31 - 1,
            value=int(state.seed),
            help="Same seed, same numbers. All candidates share the seed's random leads, so "
            "their differences are not noise (common random numbers).",
        )
        st.caption(
            f"sla_sim {__version__}. The address bar carries the candidates: copy it to share "
            "this comparison."
        )


# -- the candidates editor -----------------------------------------------------------------------


def _label(term: Term) -> str:
    return f"{term.label} ({term.unit})" if term.unit else term.label


def term_input(term: Term, value: Any, default: Any, note: str | None, key: str) -> Any:
    """One input of a term, showing its unit and what it means; returns the value set."""
    origin = f"Baseline: {term.show(default)}" + (f". Source: {note}." if note else ".")
    help_text = f"{term.help}\n\n{origin}"
    label = _label(term)
    if term.kind in ("int", "number"):
        whole = term.kind == "int"
        cast = int if whole else float
        return cast(
            st.number_input(
                label,
                min_value=cast(term.minimum) if term.minimum is not None else None,
                max_value=cast(term.maximum) if term.maximum is not None else None,
                value=cast(value),
                step=1 if whole else float(term.step or 1),
                format="%d" if whole else "%g",
                key=key,
                help=help_text,
            )
        )
    if term.kind == "share":
        shown = st.number_input(
            label,
            min_value=float(term.minimum or 0) * 100,
            max_value=float(term.maximum if term.maximum is not None else 1) * 100,
            value=round(float(value) * 100, 2),
            step=float(term.step or 0.05) * 100,
            format="%.0f",
            key=key,
            help=help_text,
        )
        return round(shown / 100, 4)
    if term.kind == "choice":
        options = list(term.choices)
        if str(value) not in options:
            options.append(str(value))
        return st.selectbox(
            label,
            options,
            index=options.index(str(value)),
            format_func=lambda v: term.choices.get(v, v),
            key=key,
            help=help_text,
        )
    text = st.text_input(
        label + ", comma-separated",
        value=", ".join(f"{v:g}" for v in value),
        key=key,
        help=help_text,
    )
    try:
        gaps = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        st.error(f"{term.label}: give hours as numbers separated by commas, e.g. 4, 24, 48")
        return value
    if not gaps or min(gaps) <= 0:
        st.error(f"{term.label}: give at least one gap, every one more than 0 hours")
        return value
    return gaps


def editor() -> None:
    state = st.session_state
    base: Scenario = state.base.expand()[0]
    notes = scenario_notes(state.base)
    items = state.candidates
    names = [c["name"] for c in items]
    top = st.columns([3, 2, 1.3, 1.3])
    state.editing = min(state.editing, len(items) - 1)
    editing = top[0].selectbox(
        "Candidate to edit",
        range(len(items)),
        index=state.editing,
        format_func=lambda i: names[i] + (" (baseline)" if i == 0 else ""),
    )
    if editing != state.editing:
        state.editing = editing
        st.rerun()
    item = items[editing]
    name = top[1].text_input(
        "Name", value=item["name"], key=f"name|{item['uid']}", disabled=editing == 0
    )
    top[2].write("")
    top[3].write("")
    if top[2].button(
        "Add a candidate",
        disabled=len(items) >= MAX_CANDIDATES,
        help=f"A copy of this candidate to change (at most {MAX_CANDIDATES}).",
        width="stretch",
    ):
        copy = _new(Candidate(_free_name(names), dict(item["overrides"])))
        items.append(copy)
        state.editing = len(items) - 1
        st.rerun()
    if top[3].button(
        "Remove it",
        disabled=editing == 0,
        help="The baseline stays.",
        width="stretch",
    ):
        items.pop(editing)
        state.editing = 0
        st.rerun()
    if name.strip() and name.strip() not in names[:editing] + names[editing + 1 :]:
        item["name"] = name.strip()
    elif name.strip() != item["name"]:
        st.error(f"Another candidate is called {name.strip()!r}: give this one its own name.")

    terms = all_terms(base)
    overrides = dict(item["overrides"])
    try:
        current = base.with_overrides(overrides)
    except ScenarioError:
        current = base
        overrides = {}
    columns = st.columns(3)
    for column, (group, title) in zip(columns, GROUPS.items(), strict=True):
        with column:
            st.subheader(title)
            for term in (t for t in terms if t.group == group):
                default = term_value(base, term.key)
                value = term_input(
                    term,
                    term_value(current, term.key),
                    default,
                    notes.get(term.key),
                    key=f"{state.base_id}|{item['uid']}|{term.key}",
                )
                if editing == 0:
                    continue  # the baseline is the file itself
                if value == default:
                    overrides.pop(term.key, None)
                else:
                    overrides[term.key] = value
    if editing == 0:
        st.caption("The baseline is the scenario file as it is; add a candidate to change terms.")
        return
    try:
        base.with_overrides(overrides)
        item["overrides"] = overrides
    except ScenarioError as error:
        for problem in error.problems:
            st.error(problem)


def _free_name(names: list[str]) -> str:
    n = len(names)
    while f"Candidate {n}" in names:
        n += 1
    return f"Candidate {n}"


# -- results -------------------------------------------------------------------------------------


def scenarios_now() -> list[Scenario] | None:
    """The candidates as scenarios (None, with the problems shown, if one is not valid)."""
    try:
        return [c.scenario(st.session_state.base) for c in candidates()]
    except ScenarioError as error:
        for problem in error.problems:
            st.error(problem)
        return None


def run(scenarios: list[Scenario], cached_only: bool) -> SimulationResult | None:
    state = st.session_state
    cache, replications, seed = run_cache(), int(state.replications), int(state.seed)
    if cached_only:
        if all(cache.get(s, seed, replications) for s in scenarios):
            return run_candidates(scenarios, replications, seed, cache, executor())
        return None
    bar = st.progress(0.0, text="Starting the workers")
    early = st.empty()

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{done} of {total} replications")

    def ready(partial: SimulationResult) -> None:
        with early.container():
            st.caption("First results (the rest still running)")
            st.dataframe(summary_table(partial).iloc[:4], width="stretch")

    result = run_candidates(
        scenarios, replications, seed, cache, executor(), progress=progress, on_ready=ready
    )
    bar.empty()
    early.empty()
    return result


def show_chart(chart: Any) -> None:
    """A chart at its own size, its legend and titles added around the plot rather than
    squeezed into it."""
    st.altair_chart(chart.properties(autosize=alt.AutoSizeParams(type="pad")), width="content")


def _swatch(colour: str) -> str:
    return f"<span style='color:{colour};font-size:1.2em'>■</span>"


def show_results(result: SimulationResult) -> None:
    names = result.scenario_names
    palette = colours(names)
    comparison = compare(result, names[0])
    st.subheader("In one sentence")
    lines = headlines(result.scenarios, comparison)
    if not lines:
        st.write("Add a candidate to compare it with the baseline.")
    for name, sentence in lines:
        swatch = _swatch(palette[name])
        st.markdown(f"{swatch} **{escape(name)}**: {escape(sentence)}", unsafe_allow_html=True)
    for warning in result.warnings:
        st.warning(in_words(warning, result.scenarios[0]))
    left, right = st.columns(2)
    with left:
        st.subheader("Key metrics")
        st.caption(f"Mean and 95% interval over {result.replications} replications")
        st.dataframe(summary_table(result), width="stretch")
    with right:
        st.subheader("Against the baseline")
        st.caption("Paired difference and its 95% interval (same leads, same luck)")
        if len(names) > 1:
            st.dataframe(difference_table(comparison), width="stretch")
    series = summarise_series(result.series) if result.series is not None else None
    if series is None:
        return
    (title, first), *others = comparison_charts(result.scenarios, result.summary, series)
    st.markdown(f"**{title}**")
    show_chart(first)
    for i in range(0, len(others), 2):
        row = st.columns(2)
        for column, (title, chart) in zip(row, others[i : i + 2], strict=False):
            with column:
                st.markdown(f"**{title}**")
                show_chart(chart)


def compare_tab() -> list[Scenario] | None:
    state = st.session_state
    st.markdown(
        "Edit the terms of each candidate, then run. Every candidate sees the same simulated "
        "leads, so differences are the terms, not luck."
    )
    editor()
    scenarios = scenarios_now()
    if scenarios is None:
        return None
    with st.expander("What each candidate changes"):
        base = scenarios[0]
        for s in scenarios[1:]:
            st.markdown(f"**{s.name}**: {subject(s, base)}")
        st.dataframe(terms_table(scenarios), width="stretch")
    result = run(scenarios, cached_only=True)
    slot = st.empty()
    cached = "Already run: these results are cached."
    clicked = slot.button(
        "Run comparison",
        type="primary",
        disabled=result is not None,
        help=cached if result is not None else None,
    )
    if clicked:
        result = run(scenarios, cached_only=False)
        slot.button("Run comparison", type="primary", disabled=True, help=cached, key="ran")
    if result is not None:
        state.result = result
        show_results(result)
    elif "result" in state:
        st.info("The terms changed since the results below: run the comparison again.")
        show_results(state.result)
    return scenarios


# -- trade-off -----------------------------------------------------------------------------------


def _default_values(term: Term, value: Any) -> str:
    if term.key == "team.reps":
        return ", ".join(str(v) for v in range(max(1, int(value) - 2), int(value) + 5))
    if term.key == "sla.sales.first_response_hours":
        return "1, 4, 8, 24, 48"
    if term.kind == "share":
        return ", ".join(f"{v:g}" for v in (30, 50, 70, 90))
    if term.kind == "int":
        return ", ".join(str(v) for v in range(max(1, int(value) - 2), int(value) + 3))
    return ", ".join(f"{float(value) * f:g}" for f in (0.5, 0.75, 1, 1.25, 1.5))


def _values(term: Term, text: str) -> list[Any]:
    """The values typed for a swept term, as `sla-sim sweep --set` reads them (`4, 6, 8` or
    `LO:HI[:STEP]`); shares are typed in percent."""
    values = parse_values(text)
    if not values or not all(isinstance(v, int | float) for v in values):
        raise ValueError(f"{text!r}: give numbers separated by commas, or LO:HI[:STEP]")
    if term.kind == "share":
        return [round(v / 100, 4) for v in values]
    return [int(v) for v in values] if term.kind == "int" else [float(v) for v in values]


def _show_progress(bar: Any, done: int, total: int) -> None:
    bar.progress(done / total, text=f"{done} of {total} replications")


def tradeoff_tab(scenarios: list[Scenario] | None) -> None:
    state = st.session_state
    if scenarios is None:
        st.info("Fix the candidates' terms first (see Compare candidates).")
        return
    st.markdown(
        "Sweep one or two terms of a candidate and see a metric at every combination, and which "
        "combinations give the most deals for the fewest response breaches."
    )
    numeric = [t for t in all_terms(scenarios[0]) if t.kind in ("int", "number", "share")]
    by_label = {_label(t): t for t in numeric}
    labels = list(by_label)
    top = st.columns([2, 2, 2, 1])
    origin = top[0].selectbox("Candidate to start from", [s.name for s in scenarios])
    scenario = next(s for s in scenarios if s.name == origin)
    metric = top[1].selectbox(
        "Metric to show",
        [m.key for m in METRICS if m.better != "neither"],
        index=[m.key for m in METRICS if m.better != "neither"].index("closed_deals"),
        format_func=lambda k: BY_KEY[k].label,
    )
    replications = top[3].number_input("Replications", 2, 200, 10, help="Per point of the grid.")
    axes: dict[str, list[Any]] = {}
    titles: dict[str, str] = {}
    row = st.columns(2)
    first = labels.index(_label(next(t for t in numeric if t.key == "team.reps")))
    second = labels.index(
        _label(next(t for t in numeric if t.key == "sla.sales.first_response_hours"))
    )
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
                f"Values of {term.label}" + (" (%)" if term.kind == "share" else ""),
                value=_default_values(term, term_value(scenario, term.key)),
                key=f"values|{term.key}",
            )
            try:
                axes[term.key] = _values(term, text)
                titles[term.key] = _label(term)
            except ValueError as error:
                st.error(f"{term.label}: {error}")
    if len(axes) == 0:
        return
    points = 1
    for values in axes.values():
        points *= len(values)
    st.caption(f"{points} points × {replications} replications")
    key = json.dumps([scenario.canonical_json(), axes, replications, int(state.seed)])
    cache = sweep_cache()
    slot = st.empty()
    if slot.button("Run the sweep", type="primary", disabled=key in cache):
        bar = st.progress(0.0, text="Starting")
        try:
            cache[key] = run_sweep(
                scenario,
                axes,
                int(replications),
                int(state.seed),
                executor=executor(),
                progress=lambda d, t: _show_progress(bar, d, t),
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
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{BY_KEY[metric].label}**")
        if len(keys) == 2:
            chart = heatmap(table, keys[0], keys[1], metric, titles[keys[0]], titles[keys[1]])
        else:
            chart = sweep_line(table, keys[0], metric, titles[keys[0]])
        show_chart(chart)
    with right:
        st.markdown("**Deals against response breaches**")
        show_chart(frontier(cache[key].frontier(), " × ".join(titles.values())))


# -- plan backwards ------------------------------------------------------------------------------


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
        target = top[2].number_input("Revenue per month ($)", 1_000.0, 1e9, 200_000.0, 10_000.0)
    replications = top[3].number_input("Replications", 2, 100, 10, key="plan_reps")
    key = json.dumps([scenario.canonical_json(), kind, target, replications, int(state.seed)])
    plans = state.setdefault("plans", {})
    if st.button("Plan", type="primary", disabled=key in plans):
        with st.spinner("Simulating volumes until the target is met"):
            try:
                plans[key] = plan_funnel(
                    scenario,
                    deals_per_month=target if kind == "Deals per month" else None,
                    revenue_per_month=target if kind != "Deals per month" else None,
                    replications=int(replications),
                    seed=int(state.seed),
                    executor=executor(),
                )
            except ValueError as error:
                st.error(str(error))
    if key in plans:
        result = plans[key]
        st.subheader(f"What it takes to close {result.target_deals:.3g} deals a month")
        st.dataframe(pd.DataFrame(funnel_table(result)), hide_index=True, width="stretch")
        for line in funnel_findings(result):
            st.markdown(f"- {line}")


# -- the meeting pack ----------------------------------------------------------------------------


def _deck(result: SimulationResult) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deck.pptx"
        write_pptx(content(result), path)
        return path.read_bytes()


def meeting_tab() -> None:
    state = st.session_state
    if "result" not in state:
        st.info("Run a comparison first: the meeting pack is made from its results.")
        return
    result: SimulationResult = state.result
    st.markdown(
        f"From the last comparison: {', '.join(result.scenario_names)} "
        f"({result.replications} replications each, seed {result.seed})."
    )
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
            data=lambda: _deck(result),
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
        url = f"{(st.context.url or '').split('?')[0]}?s={st.query_params.get('s', '')}"
        st.code(url, language=None, wrap_lines=True)


def main() -> None:
    st.set_page_config(page_title="sla_sim: SLA planner", page_icon="📈", layout="wide")
    executor()
    start()
    sidebar()
    state = st.session_state
    st.title("Marketing–Sales SLA planner")
    st.caption(
        "Test the terms before you sign them: closed deals, revenue, breaches and reps, "
        "simulated lead by lead with 95% intervals."
    )
    if state.get("link_problem"):
        st.warning(state.pop("link_problem"))
    compare_view, tradeoff_view, plan_view, meeting_view = st.tabs(
        ["Compare candidates", "Explore a trade-off", "Plan backwards", "Meeting pack"]
    )
    with compare_view:
        scenarios = compare_tab()  # after the editor: the candidates as they now are
    with tradeoff_view:
        tradeoff_tab(scenarios)
    with plan_view:
        plan_tab(scenarios)
    with meeting_view:
        meeting_tab()
    write_link()


if __name__ == "__main__":  # Streamlit runs the page as __main__; worker processes import it
    main()
