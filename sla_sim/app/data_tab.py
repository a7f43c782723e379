"""The "Your data" tab (SPEC §11): a team's CRM export read in this page's memory, what was read
or refused, the SLA review against the agreed terms, and "Use as the baseline": the scenario
fitted to the export, backtested against it, becomes the baseline every candidate is compared
with.

Nothing of the export is written anywhere: the uploads, and what is read from them, live in the
session's memory and go with it. Every figure is computed by the functions the CLI calls
(`crm.read`, `analysis.review`, `experiments.calibrate`, `experiments.backtest`); this module
lays them out."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from sla_sim.analysis.review import By, Per, Review, review
from sla_sim.app.session import candidates, set_base
from sla_sim.app.shared import executor
from sla_sim.app.state import MAX_EXPORT_BYTES, MAX_EXPORT_MB, MAX_UPLOAD_BYTES
from sla_sim.app.widgets import may_run, progress_bar, show_chart
from sla_sim.crm.fields import Table
from sla_sim.crm.profiles import PROFILE_NAMES, PROFILES
from sla_sim.crm.read import Source, parse_mapping, read_export
from sla_sim.crm.tables import CrmExport, ExportError
from sla_sim.experiments.backtest import Backtest, over_period, run_backtest
from sla_sim.experiments.budget import estimate
from sla_sim.experiments.calibrate import (
    CHECK_HOURS,
    SEARCH_REPLICATIONS,
    Calibration,
    calibrate,
    default_terms,
)
from sla_sim.present.backtest import (
    VERDICT_COLUMNS,
    VIEWS,
    backtest_chart,
    month_rows,
    verdict_rows,
    verdict_sentence,
)
from sla_sim.present.calibration import calibration_rows
from sla_sim.present.numbers import count
from sla_sim.present.pack import worded
from sla_sim.present.review import (
    LEGEND,
    SIDES,
    breach_rows,
    note_lines,
    nothing_to_review,
    review_charts,
    scorecard_rows,
    subtitle,
    summary_rows,
)
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario, ScenarioError

FILES: dict[Table, str] = {
    "leads": "Leads or contacts (required)",
    "deals": "Deals or opportunities",
    "activities": "Activities: calls, e-mails",
}
BACKTEST_REPLICATIONS = 30
BACKTEST_COLUMNS = 2
"""The backtest's panels to a row: two fit beside the sidebar on a 1280-pixel screen."""
LEAD_WORK_PATTERNS = len(CHECK_HOURS) + 2
"""The patterns of lead work the fit simulates at most: as they come, in blocks, and a look at
the queue every few hours (`calibrate.choose_lead_work`)."""
FITTED_NAME = "Fitted baseline"
FITTED_FILE = "fitted-baseline.toml"
BASELINE, DEFAULTS = "The baseline now", "The defaults"
PERIODS: dict[str, By] = {"Month": "month", "Week": "week"}
GROUPS: dict[str, Per | None] = {"The team only": None, "Per rep": "rep", "Per source": "source"}
PROFILE_CHOICES = {"Detect from the headers": "auto", **{p: p for p in PROFILE_NAMES[1:]}}
"""The selects' options are what they show, each mapped to its value (AppTest replays no
`format_func`)."""
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~$])")


def _plain(text: str) -> str:
    """`text` shown as written in markdown (a "$" is not maths, a "*" not emphasis)."""
    return _MARKDOWN.sub(r"\\\1", text)


def _table(columns: list[str], rows: list[list[str]]) -> None:
    """Rows of words as a table, the first column as the rows' labels."""
    frame = pd.DataFrame(rows, columns=columns)
    st.table(frame.set_index(columns[0]))


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


# -- the files -------------------------------------------------------------------------------


def _uploads() -> dict[Table, Any]:
    """The three uploaders, side by side; the files given, by table."""
    chosen: dict[Table, Any] = {}
    for column, (table, label) in zip(st.columns(3), FILES.items(), strict=True):
        with column:
            upload = st.file_uploader(
                f"{label}: CSV, at most {MAX_EXPORT_MB} MB",
                type=["csv", "txt"],
                max_upload_size=MAX_EXPORT_MB,
                key=f"crm_{table}",
            )
        if upload is not None:
            chosen[table] = upload
    return chosen


def _terms_options(files: dict[str, Path]) -> list[str]:
    """The choices of terms by what the select shows (AppTest replays no `format_func`)."""
    return [BASELINE, *(f"The file {name}" for name in files), DEFAULTS]


def _terms(option: str, files: dict[str, Path]) -> Scenario:
    """The scenario whose SLA terms and calendar the export is judged by and fitted over."""
    state = st.session_state
    if option == BASELINE:
        fit = state.get("crm_fit")
        if fit is not None and _planned(fit[1]):
            # The fitted baseline holds what the team did (its attempts, say): the terms are
            # still those it was fitted over.
            return fit[3]
        try:  # the baseline as edited in "Compare candidates"
            return candidates()[0].scenario(state.base)
        except (IndexError, ScenarioError):
            return state.base
    name = option.removeprefix("The file ")
    if option != DEFAULTS and name in files:
        return load_scenario(files[name])
    return default_terms()


def read(
    chosen: dict[Table, Source], key: str, profile: str, timezone: str, mapping: list[str]
) -> Any:
    """The export read from the uploaded files (kept for the session under `key`, made of the
    uploads and the options), or the ExportError's problems as a list."""
    state = st.session_state
    cached = state.get("crm_read")
    if cached is None or cached[0] != key:
        try:
            with st.spinner("Reading the export"):
                export: CrmExport | list[str] = read_export(
                    chosen["leads"],
                    deals=chosen.get("deals"),
                    activities=chosen.get("activities"),
                    profile=profile,
                    mapping=parse_mapping(mapping),
                    timezone=timezone or None,
                    max_bytes=MAX_EXPORT_BYTES,
                )
        except ExportError as error:
            export = error.problems
        cached = state.crm_read = (key, export)
    return cached[1]


def _what_was_read(export: CrmExport) -> None:
    profile = PROFILES[export.profile]
    how = "detected from the leads file's headers" if export.detected else "as chosen"
    last_day = export.end - pd.Timedelta(days=1)
    rows = [
        ["CRM", f"{profile.name}: {profile.label} ({how})"],
        [
            "Period",
            f"leads created from {export.start:%d %b %Y} to {last_day:%d %b %Y}; "
            f"export date {export.as_of:%d %b %Y %H:%M} ({export.timezone})",
        ],
    ]
    frames: dict[Table, pd.DataFrame | None] = {
        "leads": export.leads,
        "deals": export.deals,
        "activities": export.activities,
    }
    for table, frame in frames.items():
        name = export.files.get(table)
        rows.append(
            [
                table.title(),
                f"{count(len(frame), whole=True)} (from {name})"
                if frame is not None and name
                else "no file",
            ]
        )
    missing = [
        f"{export.files.get(table, table)}: {', '.join(names)}"
        for table, names in export.missing.items()
        if names
    ]
    rows.append(["Not in the files", "; ".join(missing) or "every field was found"])
    st.subheader("What was read")
    _table(["Read", "What"], rows)
    if export.notes:
        lines = "\n".join(f"- {_plain(note.message())}" for note in export.notes)
        st.info(f"Rows read differently or left out, counted:\n\n{lines}")


# -- the review ------------------------------------------------------------------------------


def _review(export: CrmExport, terms: Scenario, export_key: str) -> Review:
    state = st.session_state
    left, right = st.columns(2)
    by = PERIODS[str(left.radio("Scorecard by", list(PERIODS), horizontal=True, key="crm_by"))]
    group = right.radio("Scorecard for", list(GROUPS), horizontal=True, key="crm_per")
    per = GROUPS[str(group)]
    key = _key(export_key, terms.canonical_json(), by, per)
    cached = state.get("crm_review")
    if cached is None or cached[0] != key:
        with st.spinner("Counting the review"):
            cached = state.crm_review = (key, review(export, terms, by=by, per=per))
    return cached[1]


def _show_review(result: Review) -> None:
    nothing = nothing_to_review(result)
    if nothing is not None:
        st.warning(_plain(f"The export gives {nothing}."))
        return
    period = "month" if result.by == "month" else "week"
    st.caption(f"{subtitle(result)}. {LEGEND}.")
    for side, name in SIDES.items():
        columns, rows = scorecard_rows(result, side)
        if rows:
            st.markdown(f"**{name}: what it committed to and what it did, {period} by {period}**")
            _table(columns, rows)
    if result.by == "month" and not result.weekly.empty:
        with st.expander("Sales: response, week by week"):
            _table(*scorecard_rows(result, "sales", result.weekly))
    st.markdown("**Over the whole export, and the trend**")
    columns, rows = summary_rows(result)
    frame = pd.DataFrame(rows, columns=columns)
    st.table(frame.set_index(columns[:2]))
    if result.per is not None:
        for side, name in SIDES.items():
            columns, rows = scorecard_rows(result, side, grouped=True)
            if rows:
                st.markdown(f"**{name} per {result.per}, {period} by {period}**")
                st.table(pd.DataFrame(rows, columns=columns).set_index(columns[:2]))
    if not result.breaches.empty:
        st.markdown("**Who breached and how often**")
        _table(*breach_rows(result))
    charts = review_charts(result)
    for start in range(0, len(charts), 2):
        pair = charts[start : start + 2]
        for column, (title, chart) in zip(st.columns(2), pair, strict=False):
            with column:
                st.markdown(f"**{title}**")
                show_chart(chart)
    with st.expander("How this review was counted"):
        st.markdown("\n".join(f"- {_plain(line)}" for line in note_lines(result)))


# -- the fitted baseline ---------------------------------------------------------------------


def _fit(export: CrmExport, terms: Scenario, files_key: str) -> None:
    """Fit, backtest, and make the fitted scenario the baseline candidate."""
    state = st.session_state
    seed = int(state.seed)
    bar, progress = progress_bar("Fitting the scenario to the export")
    calibration = calibrate(
        export, terms, name=FITTED_NAME, seed=seed, executor=executor(), progress=progress
    )
    bar.empty()
    bar, progress = progress_bar("Backtesting the fitted scenario over the export's period")
    result = run_backtest(
        calibration.scenario,
        export,
        BACKTEST_REPLICATIONS,
        seed,
        executor=executor(),
        progress=progress,
    )
    bar.empty()
    state.upload_text, state.upload_name = calibration.text, FITTED_FILE
    set_base("upload", calibration.scenario)
    state.crm_fit = (files_key, calibration, result, terms)


def _baseline(export: CrmExport, terms: Scenario, files_key: str) -> None:
    """The button, its estimate, and the last fit to these files (whatever the options now)."""
    state = st.session_state
    st.subheader("Use as the baseline")
    st.markdown(
        "Fit a scenario to this export (volumes, team, response, attempts, deals) over the "
        "terms above, run it over the export's period to check it against what happened, and "
        "plan from it: every candidate is then compared against your team as it is."
    )
    period = over_period(terms, export)
    expected = period.expected_leads()
    scale = len(export.leads) / expected if expected > 0 else 1.0
    runs = BACKTEST_REPLICATIONS + LEAD_WORK_PATTERNS * SEARCH_REPLICATIONS
    found = estimate([period], runs, workers=executor().workers, scale=scale)
    left, right = st.columns([1, 3], vertical_alignment="center")
    with right:
        st.caption(
            f"The fit and its backtest run the export's period up to {runs} times: "
            f"{found.describe()}."
        )
        allowed = may_run([period], runs, key="crm_ask", scale=scale)
    if left.button("Use as the baseline", type="primary", disabled=not allowed):
        _fit(export, terms, files_key)
        st.rerun()
    fit = state.get("crm_fit")
    if fit is not None and fit[0] == files_key:
        _show_fit(fit[1], fit[2])


def _fitted_row(calibration: Calibration, key: str, value: str, interval: str) -> list[str]:
    """A fitted value as a leader reads it (its term's words and units, where it has some;
    a table or a list as the calibration's table words it), its interval and its evidence."""
    setting = calibration.settings[key]
    label, words = worded(key, setting.value, calibration.scenario)
    if not words.startswith(("{", "[")):
        value = words
    if interval:
        low = worded(key, setting.low, calibration.scenario)[1]
        high = worded(key, setting.high, calibration.scenario)[1]
        interval = f"{low} to {high}"
    return [label, value, interval, setting.evidence]


def _planned(calibration: Calibration) -> bool:
    """Whether the session plans from this fitted scenario (it is the baseline)."""
    state = st.session_state
    return bool(state.base_id == "upload" and state.get("upload_text") == calibration.text)


def _show_fit(calibration: Calibration, result: Backtest) -> None:
    if _planned(calibration):
        st.success(
            f"“{calibration.scenario.name}” is the baseline now: the candidates in “Compare "
            "candidates” are compared against it."
        )
    else:
        st.info(
            f"The baseline has changed since “{calibration.scenario.name}” was fitted; click "
            "“Use as the baseline” to plan from it again."
        )
    if len(calibration.text.encode()) > MAX_UPLOAD_BYTES:
        st.warning(
            "The fitted file is larger than a link carries (256 KB): download it to share it."
        )
    st.markdown("**The backtest: the fitted scenario against what happened**")
    (st.success if result.agrees else st.warning)(verdict_sentence(result))
    _table(VERDICT_COLUMNS, verdict_rows(result))
    st.caption(
        "Dots: what happened, hollow red where outside the band; line: the runs' mean; shaded: "
        "the band one more run falls in (95%)."
    )
    show_chart(backtest_chart(result, columns=BACKTEST_COLUMNS))
    with st.expander("Month by month"):
        currency = result.scenario.costs.currency
        for view, named in VIEWS:
            st.markdown(f"**{named.capitalize()}**")
            _table(*month_rows(result, view, currency))
    st.markdown("**The fitted values and their evidence**")
    rows = [_fitted_row(calibration, *row) for row in calibration_rows(calibration)]
    _table(["Setting", "Value", "95% interval", "Evidence"], rows)
    for kept in calibration.notes:
        st.caption(f"Default kept: {kept}")
    st.download_button(
        "Fitted scenario (.toml)",
        data=calibration.text,
        file_name=FITTED_FILE,
        mime="application/toml",
        help="Runs from the command line as it is: sla-sim run fitted-baseline.toml",
    )


# -- the tab ---------------------------------------------------------------------------------


def data_tab(files: dict[str, Path]) -> None:
    """The tab; `files` are the bundled scenario files, whose terms the export may be judged
    by."""
    st.markdown(
        "Upload what your CRM exports (HubSpot, Salesforce, Pipedrive, RD Station or any CSV "
        "with the fields' names) to see the SLA review of what happened, and to plan from your "
        "team as it is."
    )
    st.caption(
        f"CSV files of at most {MAX_EXPORT_MB} MB each, read in this page's memory only: "
        "nothing is written anywhere and nothing is kept once the page is closed. Names, "
        "e-mails and phone numbers are never read."
    )
    chosen = _uploads()
    profile_column, zone_column, terms_column = st.columns(3)
    with terms_column:
        option = st.selectbox(
            "Judge against the terms of",
            _terms_options(files),
            key="crm_terms",
            help="The SLA terms that were agreed, and the calendar their hours are counted in.",
        )
    terms = _terms(str(option), files)
    terms_column.caption(f"The terms of “{terms.name}”")
    with profile_column:
        profile = PROFILE_CHOICES[
            str(st.selectbox("CRM", list(PROFILE_CHOICES), key="crm_profile"))
        ]
    with zone_column:
        timezone = st.text_input(
            "Time zone of the export",
            value=terms.calendar.timezone or "",
            placeholder="UTC",
            help="Times without an offset are read as written in it (an IANA name such as "
            "America/Sao_Paulo); by default the terms' time zone, else UTC.",
        )
    with st.expander("Columns your CRM names otherwise"):
        typed = st.text_area(
            "One FIELD=COLUMN a line",
            key="crm_map",
            placeholder="created_at=Created on\ndeals.amount=Value (R$)",
            help="A canonical field (README, “Your data”; deals.FIELD and activities.FIELD for "
            "the other files) and the column of your file that holds it, as --map in the CLI.",
        )
    mapping = [line.strip() for line in typed.splitlines() if line.strip()]
    if "leads" not in chosen:
        st.info("Upload the leads file to start (deals and activities make the fit fuller).")
        return
    ids = [f"{table}:{upload.file_id}" for table, upload in chosen.items()]
    sources: dict[Table, Source] = {
        table: (upload.name, upload.getvalue()) for table, upload in chosen.items()
    }
    export_key = _key(ids, profile, timezone.strip(), mapping)
    export = read(sources, export_key, profile, timezone.strip(), mapping)
    if isinstance(export, list):
        lines = "\n".join(f"- {_plain(problem)}" for problem in export)
        st.error(f"The export was not read:\n\n{lines}")
        return
    _what_was_read(export)
    st.subheader("The SLA review")
    _show_review(_review(export, terms, export_key))
    _baseline(export, terms, _key(ids))
