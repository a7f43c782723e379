"""The "Your data" tab, driven by Streamlit's AppTest: a generated CRM export uploaded, the
profile it was read with, a refused file's one message, the review's scorecard per month, week,
rep and source, and "Use as the baseline" making the fitted scenario the baseline, with the
backtest's verdict beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sla_sim.experiments.export_crm import Untidy, simulated_export, write_export
from sla_sim.scenario.file import load_scenario, parse_scenario_text
from sla_sim.scenario.schema import Scenario

from conftest import ROOT, SCENARIOS

APP = str(ROOT / "app.py")
TIMEOUT = 300  # seconds: generous for a slow CI machine; no test asserts a duration
LABELS = {"leads": "Leads", "deals": "Deals", "activities": "Activities"}
Files = dict[str, tuple[str, bytes]]


def small_team() -> Scenario:
    """Two months of the baseline with a few hundred leads: an export read and fitted fast."""
    return load_scenario(SCENARIOS / "baseline.toml").with_overrides(
        {"scenario.months": 2, "sources.0.leads_per_month": 60, "sources.1.leads_per_month": 300}
    )


def export_files(folder: Path, profile: str, *untidy: str) -> Files:
    """The small team's export as `profile`'s CRM writes it: {table: (file name, bytes)}."""
    export = simulated_export(small_team(), seed=5)
    written = write_export(export, profile, folder, Untidy.of(list(untidy)))
    return {table: (path.name, path.read_bytes()) for table, path in written.items()}


@pytest.fixture(scope="module")
def hubspot(tmp_path_factory: pytest.TempPathFactory) -> Files:
    """HubSpot's files with names, e-mails and phones in them, `;` separated."""
    folder = tmp_path_factory.mktemp("hubspot")
    return export_files(folder, "hubspot", "personal_data", "semicolons")


def uploaded(files: Files, tables: tuple[str, ...] = ("leads", "deals", "activities")) -> AppTest:
    """The page with these of the export's files in the tab's uploaders."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for table in tables:
        name, data = files[table]
        uploader = next(u for u in at.main.file_uploader if u.label.startswith(LABELS[table]))
        uploader.set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_text(at: AppTest) -> str:
    """Every word the page shows: markdown, captions, messages and tables."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.error, *at.success)]
    parts += [e.value for e in at.warning]
    parts += [t.value.to_string() for t in at.table]
    return "\n".join(str(p) for p in parts)


def table_with(at: AppTest, column: str) -> object:
    """The first table with a column (or index level) whose heading starts with `column`."""
    for table in at.main.table:
        frame = table.value
        headings = [*map(str, frame.columns), *map(str, frame.index.names)]
        if any(h.startswith(column) for h in headings):
            return frame
    raise AssertionError(f"no table with a column {column!r}")


def test_the_tab_is_first_and_says_the_limit_and_that_nothing_is_kept() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.label for t in at.tabs][:2] == ["Your data", "Compare candidates"]
    labels = [u.label for u in at.main.file_uploader]
    assert len(labels) == 3, labels
    assert all("at most 20 MB" in label for label in labels), labels
    assert "nothing is kept once the page is closed" in shown_text(at)
    assert any("Upload the leads file" in i.value for i in at.info)


def test_an_upload_shows_the_detected_profile_what_was_read_and_the_review(
    hubspot: Files,
) -> None:
    at = uploaded(hubspot)
    read = table_with(at, "What")
    assert "hubspot" in read.loc["CRM", "What"]  # type: ignore[attr-defined]
    assert "detected from the leads file's headers" in read.loc["CRM", "What"]  # type: ignore[attr-defined]
    assert read.loc["Leads", "What"].endswith("(from leads.csv)")  # type: ignore[attr-defined]
    assert "export date" in read.loc["Period", "What"]  # type: ignore[attr-defined]
    marketing = table_with(at, "MQLs (commitment 200 a month)")
    assert list(marketing.index)[:2] == ["Jan 2027", "Feb 2027"]  # type: ignore[attr-defined]
    sales = table_with(at, "Answered within 24 business hours")
    assert any("✓" in c or "✗" in c for c in sales.iloc[:, 1])  # type: ignore[attr-defined]
    table_with(at, "Answered late")  # who breached
    assert at.main.get("vega_lite_chart"), "the review's charts are drawn"
    text = shown_text(at)
    assert "@example.test" not in text, "no e-mail address is shown"
    assert "Lead 1" not in text, "no name is shown"


def test_the_scorecard_by_week_and_per_rep(hubspot: Files) -> None:
    at = uploaded(hubspot)
    next(r for r in at.radio if r.label == "Scorecard by").set_value("Week").run()
    next(r for r in at.radio if r.label == "Scorecard for").set_value("Per rep").run()
    assert not at.exception, [e.value for e in at.exception]
    per_rep = table_with(at, "Rep")
    assert "Rep 01" in {str(i[0]) for i in per_rep.index}  # type: ignore[attr-defined]
    assert table_with(at, "Week of") is not None
    next(r for r in at.radio if r.label == "Scorecard for").set_value("Per source").run()
    sources = {str(i[0]) for i in table_with(at, "Source").index}  # type: ignore[attr-defined]
    assert "Demo requests" in sources


def test_a_refused_file_shows_one_error_naming_the_file_and_the_column(hubspot: Files) -> None:
    name, data = hubspot["leads"]
    renamed = {"leads": (name, data.replace(b"Record ID", b"Identifier", 1))}
    at = uploaded(renamed, ("leads",))
    errors = [e.value.replace("\\", "") for e in at.main.error]  # as shown, unescaped
    assert len(errors) == 1, errors
    for named in ("leads.csv", "lead_id", "'Record ID'", "'Identifier'"):
        assert named in errors[0], named
    assert "Traceback" not in errors[0]
    assert not [t for t in at.main.subheader if t.value == "The SLA review"]
    # Naming the column makes it read.
    at.text_area(key="crm_map").input("lead_id=Identifier").run()
    assert not at.main.error, [e.value for e in at.main.error]
    assert "hubspot" in table_with(at, "What").loc["CRM", "What"]  # type: ignore[attr-defined]


def test_another_profile_than_the_files_is_refused_with_the_closest(hubspot: Files) -> None:
    at = uploaded(hubspot, ("leads",))
    at.selectbox(key="crm_profile").set_value("salesforce").run()
    errors = [e.value for e in at.main.error]
    assert len(errors) == 1, errors
    assert "leads.csv" in errors[0], errors
    assert not at.exception


def test_use_as_the_baseline_makes_the_fitted_scenario_the_base_with_its_backtest(
    hubspot: Files,
) -> None:
    at = uploaded(hubspot)
    assert any("The fit and its backtest run" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Use as the baseline").click().run()
    assert not at.exception, [e.value for e in at.exception]
    state = at.session_state
    assert state.base.name == "Fitted baseline"
    assert state.base_id == "upload"
    assert parse_scenario_text(state.upload_text, "fitted").name == "Fitted baseline"
    assert state.upload_name == "fitted-baseline.toml"
    assert "@example.test" not in state.upload_text, "no personal data in the fitted file"
    assert at.sidebar.selectbox[0].value == "Uploaded file"
    verdicts = [m.value for m in (*at.success, *at.warning) if "with what happened" in m.value]
    assert verdicts, "the backtest's verdict is shown"
    assert table_with(at, "Outside the band") is not None
    fitted = table_with(at, "95% interval")
    assert "Reps" in list(fitted.index)  # type: ignore[attr-defined]
    assert any("is the baseline now" in s.value for s in at.success)
    assert at.main.get("vega_lite_chart"), "the backtest's chart is drawn"
    terms = [c.value for c in at.caption if c.value.startswith("The terms of")]
    assert terms == ["The terms of “Baseline”"], "judged by the terms it was fitted over"
    at.run()  # the result stays after another rerun
    assert any("with what happened" in m.value for m in (*at.success, *at.warning))


def test_a_bare_export_of_ids_and_dates_is_reviewed_and_fitted_without_a_traceback() -> None:
    rows = ["lead_id,created_at"] + [
        f"{i},2027-01-{1 + i % 28:02d} {9 + i % 8}:00" for i in range(40)
    ]
    at = uploaded({"leads": ("leads.csv", "\n".join(rows).encode())}, ("leads",))
    assert "generic" in table_with(at, "What").loc["CRM", "What"]  # type: ignore[attr-defined]
    assert "owner" in table_with(at, "What").loc["Not in the files", "What"]  # type: ignore[attr-defined]
    assert any("nothing to review" in w.value for w in at.warning)  # and why, not empty tables
    next(b for b in at.button if b.label == "Use as the baseline").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state.base.name == "Fitted baseline"
