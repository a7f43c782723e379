"""The candidates editor: pick a candidate, name it, add or remove one, and set its terms, each
input in the leader's words with its unit, its meaning and the baseline's value. The terms of
the SLA stand in three columns; the team over the year (hires and leavers as a table) and, when
the file has them, the account executives are boxed under the reps."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sla_sim.app.session import new_item
from sla_sim.app.state import MAX_CANDIDATES, Candidate, free_name
from sla_sim.present.inputs import (
    BLOCKS_EXAMPLE,
    CHANGE_COLUMNS,
    RAMP_EXAMPLE,
    blocks_text,
    changes_table,
    hours_text,
    month_names,
    ramp_note,
    ramp_text,
    read_blocks,
    read_changes,
    read_hours,
    read_ramp,
    term_help,
    term_label,
)
from sla_sim.present.terms import GROUPS, Group, Term, all_terms, in_words, term_value
from sla_sim.scenario.file import scenario_notes
from sla_sim.scenario.schema import Scenario, ScenarioError

SIDE_BY_SIDE: tuple[Group, ...] = ("marketing", "sales", "capacity")
"""The groups of terms in columns."""
BOXED: dict[str, tuple[Group, ...]] = {"team.reps": ("team", "ae")}
"""The other groups, each in a box of its own in a column, right after a term: the team over the
year and the account executives (when the file has them) after the reps."""


def _bounds(term: Term, value: float, scale: int) -> tuple[float | None, float | None]:
    """The input's range, scaled, widened to hold `value` (a link or a file may set a value
    outside the usual range; the scenario's own checks still apply)."""
    low = None if term.minimum is None else min(term.minimum, value) * scale
    high = None if term.maximum is None else max(term.maximum, value) * scale
    if term.kind == "share":
        low = min(term.minimum or 0, value) * scale
        high = max(term.maximum if term.maximum is not None else 1, value) * scale
    return low, high


def changes_input(value: list[dict[str, Any]], scenario: Scenario, key: str) -> Any:
    """Hires and leavers as a table of months and reps, rows added and removed at will. An
    editor counts its edits from the table it was given, so that table stays as it was when the
    editor was drawn anew (first, or after a rerun without it: its edits then are gone)."""
    state = st.session_state
    start, months = scenario.scenario.start_date, scenario.scenario.months
    first = f"{key}|table"
    if key not in state or first not in state:
        state[first] = changes_table(value, start)
    month, reps = CHANGE_COLUMNS
    edited = st.data_editor(
        state[first],
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            month: st.column_config.SelectboxColumn(
                month,
                options=month_names(start, months),
                required=True,
                help="At the start of this month",
            ),
            reps: st.column_config.NumberColumn(
                reps, step=1, format="%d", required=True, help="Hired: positive; leaving: negative"
            ),
        },
    )
    changes, waiting = read_changes(edited, start, months)
    if waiting:
        rows = ", ".join(str(row) for row in waiting)
        st.caption(
            f"Row{'s' * (len(waiting) > 1)} {rows} count{'s' * (len(waiting) == 1)} once "
            "both the month and the reps are set."
        )
    return changes


def term_input(
    term: Term, value: Any, default: Any, note: str | None, key: str, scenario: Scenario
) -> Any:
    """One input of a term, showing its unit and what it means; returns the value set."""
    help_text = term_help(term, default, note)
    label = term_label(term)
    if term.kind == "changes":
        st.markdown(f":small[{label}]", help=help_text)  # the size of the other inputs' labels
        return changes_input(value, scenario, key)
    if term.kind == "optional_number":
        low, high = _bounds(term, float(value if value is not None else term.minimum or 0), 1)
        shown = st.number_input(
            label,
            min_value=float(low) if low is not None else None,
            max_value=float(high) if high is not None else None,
            value=None if value is None else float(value),
            step=float(term.step or 1),
            format="%g",
            placeholder=term.unset_words,
            key=key,
            help=help_text,
        )
        return None if shown is None else float(shown)
    if term.kind == "ramp":
        text = st.text_input(
            label, value=ramp_text(value), placeholder=RAMP_EXAMPLE, key=key, help=help_text
        )
        try:
            ramp = read_ramp(term, text)
        except ValueError as error:
            st.error(str(error))
            return value
        st.caption(ramp_note(ramp))
        return ramp
    if term.kind in ("int", "number"):
        whole = term.kind == "int"
        cast = int if whole else float
        low, high = _bounds(term, cast(value), 1)
        return cast(
            st.number_input(
                label,
                min_value=cast(low) if low is not None else None,
                max_value=cast(high) if high is not None else None,
                value=cast(value),
                step=1 if whole else float(term.step or 1),
                format="%d" if whole else "%g",
                key=key,
                help=help_text,
            )
        )
    if term.kind == "share":
        low, high = _bounds(term, float(value), 100)
        shown = st.number_input(
            label,
            min_value=float(low if low is not None else 0),
            max_value=float(high if high is not None else 100),
            value=round(float(value) * 100, 2),
            step=float(term.step or 0.05) * 100,
            format=f"%.{term.decimals}f",
            key=key,
            help=help_text,
        )
        return round(shown / 100, 4 + term.decimals)
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
    if term.kind == "blocks":
        text = st.text_input(
            label,
            value=blocks_text(value),
            placeholder=BLOCKS_EXAMPLE,
            key=key,
            help=f"{help_text}\n\nStart and end hour of each block, e.g. {BLOCKS_EXAMPLE} "
            "(10:00 to 11:30 and 15:00 to 16:00).",
        )
        try:
            return read_blocks(term, text)
        except ValueError as error:
            st.error(str(error))
            return value
    text = st.text_input(
        label + ", comma-separated", value=hours_text(value), key=key, help=help_text
    )
    try:
        return read_hours(term, text)
    except ValueError as error:
        st.error(str(error))
        return value


def editor() -> None:
    """The editor; every candidate's terms, the baseline's included, can be changed."""
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
        items.append(new_item(Candidate(free_name(names), dict(item["overrides"]))))
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
        base.with_overrides(overrides)
    except ScenarioError:
        overrides = {}

    def set_now(key: str) -> Any:
        """The value of a key as the inputs above have set it."""
        return overrides[key] if key in overrides else term_value(base, key)

    def inputs(group: list[Term]) -> None:
        """The inputs of these terms, each setting (or clearing) its key in `overrides`."""
        for term in group:
            default = term_value(base, term.key)
            if term.needs and not term.needed(set_now(term.needs[0])):
                # Not asked for by the terms above: no input, and no value that the
                # scenario would refuse beside them (the base's own is unset).
                overrides.pop(term.key, None)
                if default is not None and not term.ignored_outside:
                    overrides[term.key] = None
                continue
            baseline = term.unset if default is None else default
            value = overrides.get(term.key, default)
            if value is None and term.kind != "optional_number":  # empty means "none" there
                value = term.example if baseline is None else baseline
            value = term_input(
                term,
                value,
                baseline,
                notes.get(term.key),
                key=f"{state.base_id}|{item['uid']}|{term.key}",
                scenario=base,
            )
            if value == baseline:
                overrides.pop(term.key, None)
            else:
                overrides[term.key] = value
            for boxed in BOXED.get(term.key, ()):
                inner = [t for t in terms if t.group == boxed]
                if inner:  # no account executives unless the file has them
                    with st.container(border=True):
                        st.markdown(f"**{GROUPS[boxed]}**")
                        inputs(inner)

    for column, group in zip(st.columns(len(SIDE_BY_SIDE)), SIDE_BY_SIDE, strict=True):
        with column:
            st.subheader(GROUPS[group])
            inputs([t for t in terms if t.group == group])
    if editing == 0:
        changed = sum(v is not None for v in overrides.values())
        differ = f"{changed} term{'s differ' if changed != 1 else ' differs'} from the file. "
        st.caption(
            (f"A changed baseline: {differ}" if changed else "")
            + "Changing the baseline's terms changes what every candidate is compared with (the "
            "scenario file stays as it is); the other candidates keep their own terms."
        )
    try:
        base.with_overrides(overrides)
        item["overrides"] = overrides
    except ScenarioError as error:
        for problem in error.problems:
            st.error(in_words(problem, base))
