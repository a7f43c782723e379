"""The browser planner, driven by Streamlit's AppTest: it renders, runs, reacts to a changed term
(the baseline's too), reports a bad upload in the page, reopens from a link and survives hostile
ones."""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from streamlit.testing.v1 import AppTest

from sla_sim.app.state import MAX_LINK_CHARS, encode_state
from sla_sim.scenario.schema import known_keys

from conftest import ROOT

APP = str(ROOT / "app.py")
TIMEOUT = 300  # seconds: generous for a slow CI machine; no test asserts a duration
REPLICATIONS = 3


def fresh(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def by_label(widgets: object, label: str) -> object:
    matches = [w for w in widgets if w.label == label]  # type: ignore[attr-defined]
    assert matches, f"no widget labelled {label!r}"
    return matches[0]


def run_comparison(at: AppTest, seed: int) -> None:
    """Run with a seed of the test's own (runs are cached by content and seed across sessions)."""
    by_label(at.number_input, "Replications per candidate").set_value(REPLICATIONS).run()
    by_label(at.number_input, "Seed").set_value(seed).run()
    by_label(at.button, "Run comparison").click().run()
    assert not at.exception, [e.value for e in at.exception]


def table_of(at: AppTest, column: str) -> dict[str, str]:
    """The key-metrics table (the first with this candidate's column) as {metric: cell}."""
    for frame in at.table:
        data = frame.value
        if column in data.columns and "Closed deals" in data.index:
            return {str(k): str(v) for k, v in data[column].items()}
    raise AssertionError(f"no key-metrics table with a column {column!r}")


def test_the_page_renders_with_the_terms_in_leaders_words() -> None:
    at = fresh()
    assert any("SLA planner" in t.value for t in at.title)
    labels = [w.label for w in (*at.number_input, *at.selectbox, *at.text_input)]
    for label in (
        "Reps",
        "First response within (hours)",
        "MQL score threshold (points of 100)",
    ):
        assert label in labels, label
    dotted = set(known_keys())
    shown = " ".join(labels) + " ".join(m.value for m in at.markdown)
    assert not [k for k in dotted if k in shown], "a dotted key is shown to the user"
    for widget in (*at.number_input, *at.selectbox):
        if widget.label in ("Reps", "Acceptance target (% of MQLs)"):
            assert "Baseline:" in (widget.help or ""), widget.label


def test_a_run_shows_headlines_tables_and_charts_for_every_candidate() -> None:
    at = fresh()
    run_comparison(at, seed=101)
    for name in ("8 reps, 1h SLA with reassignment", "8 reps", "1h SLA with alerts"):
        lines = [m.value for m in at.markdown if f"**{name}**: " in m.value and "■" in m.value]
        assert lines, f"no headline for {name}"
        assert "deal" in lines[0], lines[0]
    for name in ("Baseline", "8 reps, 1h SLA with reassignment", "8 reps", "1h SLA with alerts"):
        assert table_of(at, name)["Closed deals"]
    charts = [m.value for m in at.markdown if m.value.startswith("**") and m.value.endswith("**")]
    assert "**Closed deals and revenue**" in charts
    assert "**Backlog over the year**" in charts
    team = [c.value for c in at.caption if c.value.startswith("All in reps at full speed")]
    assert not team, "no team changes: no chart of flat lines"


def test_changing_a_term_and_running_changes_the_table() -> None:
    at = fresh()
    run_comparison(at, seed=102)
    before, baseline = table_of(at, "8 reps"), table_of(at, "Baseline")
    by_label(at.selectbox, "Candidate to edit").set_value(3).run()
    by_label(at.number_input, "Reps").set_value(14).run()
    run = by_label(at.button, "Run comparison")
    assert not run.disabled, "a changed candidate must be run again"
    run.click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = table_of(at, "8 reps")
    assert after["Rep utilisation"] != before["Rep utilisation"]
    assert table_of(at, "Baseline") == baseline, "the other candidates keep their results"


def test_going_back_to_a_run_candidate_set_needs_no_new_run() -> None:
    at = fresh()
    run_comparison(at, seed=103)
    at.run()
    assert by_label(at.button, "Run comparison").disabled, "cached results show at once"


def test_an_invalid_upload_shows_the_messages_in_the_page() -> None:
    at = fresh()
    bad = b'[scenario]\nname = "Bad"\n\n[[sources]]\nname = "Web"\nleads_per_month = -5\n\n[team]\nreps = 0\n'
    at.sidebar.file_uploader[0].set_value(("bad.toml", bad, "application/toml")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any("bad.toml" in e and "sources[0].leads_per_month" in e for e in errors), errors
    assert any("team.reps" in e for e in errors), errors
    assert any("SLA planner" in t.value for t in at.title), "the page still works"


def test_a_link_reopens_the_same_candidates() -> None:
    state = encode_state(
        {
            "base": "Baseline",
            "candidates": [["Baseline", {}], ["Ten reps", {"team.reps": 10}]],
            "seed": 11,
            "replications": 4,
        }
    )
    at = fresh({"s": state})
    editing = by_label(at.selectbox, "Candidate to edit")
    assert list(editing.options) == ["Baseline (baseline)", "Ten reps"]
    assert by_label(at.number_input, "Seed").value == 11
    assert by_label(at.number_input, "Replications per candidate").value == 4
    editing.set_value(1).run()
    assert by_label(at.number_input, "Reps").value == 10


def test_a_mangled_link_falls_back_to_the_baseline_with_a_warning() -> None:
    at = fresh({"s": "not-a-state"})
    assert not at.exception
    assert any("link could not be read" in w.value for w in at.warning)
    options = list(by_label(at.selectbox, "Candidate to edit").options)
    assert options[0] == "Baseline (baseline)"


def test_the_meeting_pack_offers_every_download_after_a_run() -> None:
    at = fresh()
    run_comparison(at, seed=104)
    text = " ".join(m.value for m in at.markdown)
    for heading in ("**Report**", "**Results as CSV**", "**A candidate's scenario file**"):
        assert heading in text, heading


def test_a_trade_off_sweep_reads_ranges_and_draws_its_charts() -> None:
    at = fresh()
    by_label(at.number_input, "Replications").set_value(2).run()
    by_label(at.selectbox, "Second term").set_value("(none)").run()
    by_label(at.text_input, "Values of Reps").set_value("4:5").run()
    assert any("2 points × 2 replications" in c.value for c in at.caption)
    by_label(at.button, "Run the sweep").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert "**Deals against response breaches**" in text
    by_label(at.text_input, "Values of Reps").set_value("4, many").run()
    assert any("Reps:" in e.value for e in at.error), "a bad value is named, nothing breaks"


def test_editing_the_baseline_makes_a_changed_baseline_that_runs() -> None:
    at = fresh()
    run_comparison(at, seed=105)
    before = table_of(at, "Baseline")
    by_label(at.number_input, "Reps").set_value(12).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("A changed baseline: 1 term differs" in c.value for c in at.caption)
    run = by_label(at.button, "Run comparison")
    assert not run.disabled, "a changed baseline must be run again"
    by_label(at.button, "Add a candidate").click().run()
    assert by_label(at.number_input, "Reps").value == 12, "the copy takes the typed value"
    by_label(at.button, "Run comparison").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert table_of(at, "Baseline")["Rep utilisation"] != before["Rep utilisation"]


def test_a_rejected_upload_is_said_in_the_main_page_and_keeps_the_candidates() -> None:
    at = fresh()
    names = list(by_label(at.selectbox, "Candidate to edit").options)
    at.sidebar.file_uploader[0].set_value(("bad.toml", b"not = [toml", "application/toml")).run()
    assert not at.exception, [e.value for e in at.exception]
    main = [e.value for e in at.main.error]
    assert any("bad.toml" in e and "candidates were kept" in e for e in main), main
    assert list(by_label(at.selectbox, "Candidate to edit").options) == names


def _large_upload(at: AppTest) -> None:
    """The baseline two months long with about a million leads a month (some 40 s of one core a
    replication), and four more variants."""
    text = (
        (ROOT / "scenarios" / "baseline.toml")
        .read_text()
        .replace("months = 12", "months = 2")
        .replace("leads_per_month = 900", "leads_per_month = 950000")
    )
    for reps in (9, 10, 11, 12):  # seven candidates that each run their own simulation
        text += f'\n[[variants]]\nname = "{reps} reps"\nset = {{ "team.reps" = {reps} }}\n'
    at.sidebar.file_uploader[0].set_value(("large.toml", text.encode(), "application/toml")).run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_long_run_asks_before_it_starts_and_a_too_large_one_is_refused() -> None:
    at = fresh()
    _large_upload(at)
    by_label(at.number_input, "Replications per candidate").set_value(REPLICATIONS).run()
    ask = [c for c in at.checkbox if c.label.startswith("Run it anyway")]
    assert ask, [c.label for c in at.checkbox]
    assert "simulated leads" in ask[0].label
    assert by_label(at.button, "Run comparison").disabled
    ask[0].check().run()
    assert not by_label(at.button, "Run comparison").disabled
    by_label(at.number_input, "Replications per candidate").set_value(500).run()
    refused = [e.value for e in at.main.error if e.value.startswith("Not run, too large")]
    assert refused, [e.value for e in at.main.error]
    assert "core-hours" in refused[0]
    assert by_label(at.button, "Run comparison").disabled
    assert not at.exception


def _link(**changes: object) -> dict[str, object]:
    link: dict[str, object] = {
        "base": "Baseline",
        "candidates": [["Baseline", {}], ["Ten reps", {"team.reps": 10}]],
        "seed": 11,
        "replications": 4,
    }
    link.update(changes)
    return link


def _raw(text: str) -> str:
    """A link's state made of any JSON text, even text json.dumps would not write (1e400)."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


HOSTILE = {
    "seed out of range": encode_state(_link(seed=-5)),
    "replications out of range": encode_state(_link(replications=10**6)),
    "seed 1e400": _raw(json.dumps(_link()).replace('"seed": 11', '"seed": 1e400')),
    "seed a text": encode_state(_link(seed="seven")),
    "reps above the input's maximum": encode_state(
        _link(candidates=[["Baseline", {}], ["Huge", {"team.reps": 100000}]])
    ),
    "two candidates with one name": encode_state(
        _link(candidates=[["Baseline", {}], ["Same", {"team.reps": 7}], ["Same", {"team.reps": 9}]])
    ),
    "unknown base": encode_state(_link(base="Nowhere")),
    "upload over the limit": encode_state(
        _link(base="upload", upload="# " + "x" * 300_000, file="big.toml")
    ),
    "a zip bomb": _raw('{"pad": "' + "0" * 5_000_000 + '"}'),
    "too long": "A" * (MAX_LINK_CHARS + 1),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_link_gives_a_message_never_a_traceback(name: str) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["s"] = HOSTILE[name]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if name != "reps above the input's maximum":  # a valid scenario: nothing to say
        assert at.warning, "the page says what of the link it could not use"
    assert any("SLA planner" in t.value for t in at.title)


def test_a_link_with_bad_numbers_keeps_its_candidates() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["s"] = HOSTILE["seed 1e400"]
    at.run()
    assert any("candidates were kept" in w.value for w in at.warning)
    assert list(by_label(at.selectbox, "Candidate to edit").options)[1] == "Ten reps"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["s"] = HOSTILE["two candidates with one name"]
    at.run()
    options = list(by_label(at.selectbox, "Candidate to edit").options)
    assert len(options) == 3, options
    assert len(set(options)) == 3, options
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["s"] = HOSTILE["reps above the input's maximum"]
    at.run()
    by_label(at.selectbox, "Candidate to edit").set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert by_label(at.number_input, "Reps").value == 100000


def labels_of(at: AppTest) -> list[str]:
    return [w.label for w in (*at.number_input, *at.selectbox, *at.text_input)]


def test_enforcement_keys_show_only_when_the_enforcement_asks_for_them() -> None:
    at = fresh()
    assert "Reassign after (minutes)" not in labels_of(at), "the baseline does not enforce"
    by_label(at.selectbox, "Candidate to edit").set_value(2).run()  # 1h SLA with reassignment
    assert by_label(at.number_input, "Reassign after (minutes)").value == 30
    assert by_label(at.number_input, "Alert at (% of the target)").value == 75
    by_label(at.selectbox, "How the target is enforced").set_value("alert").run()
    assert "Reassign after (minutes)" not in labels_of(at)
    assert "Alert at (% of the target)" in labels_of(at)
    by_label(at.selectbox, "How the target is enforced").set_value("none").run()
    assert "Alert at (% of the target)" not in labels_of(at)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    by_label(at.selectbox, "How the target is enforced").set_value("reassign").run()
    assert by_label(at.number_input, "Reassign after (minutes)").value > 0
    assert not at.error, [e.value for e in at.error]


def test_lead_work_shows_its_blocks_or_checks_and_a_bad_block_gets_one_message() -> None:
    at = fresh()
    blocks = by_label(at.text_input, "Lead blocks (hours of the day)")
    assert blocks.value == "10–11.5, 15–16"
    by_label(at.selectbox, "When reps work new leads").set_value("checks").run()
    assert "Lead blocks (hours of the day)" not in labels_of(at)
    assert "Check the queue every (hours)" in labels_of(at)
    assert not at.error, [e.value for e in at.error]  # the base's blocks are unset, not refused
    by_label(at.selectbox, "When reps work new leads").set_value("interleaved").run()
    assert "Time on new leads (% of rep time)" in labels_of(at)
    assert not at.error, [e.value for e in at.error]
    by_label(at.selectbox, "When reps work new leads").set_value("blocks").run()
    by_label(at.text_input, "Lead blocks (hours of the day)").set_value("10-9").run()
    assert len(at.error) == 1, [e.value for e in at.error]
    assert "Lead blocks" in at.error[0].value
    by_label(at.text_input, "Lead blocks (hours of the day)").set_value("9-11, 10-12").run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert "overlap" in errors[0]
    assert "team.lead_blocks" not in errors[0], "the term in words, not its dotted key"
    assert not at.exception, [e.value for e in at.exception]


def test_the_trade_off_starts_from_a_candidate_whose_simulation_reads_the_target() -> None:
    at = fresh()
    assert by_label(at.selectbox, "Candidate to start from").value == "1h SLA with alerts"
    assert by_label(at.selectbox, "Second term").value == "First response within (hours)"
    values = by_label(at.text_input, "Values of First response within (hours)").value
    assert "24" in values.split(", ")


def _hires(at: AppTest, month: str, reps: int) -> None:
    """One row typed into the candidate's table of hires and leavers (its only one)."""
    (table,) = at.data_editor
    edits = {"edited_rows": {}, "added_rows": [{"Month": month, "Reps": reps}], "deleted_rows": []}
    at.session_state[table.key] = edits
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_hires_table_sets_the_team_over_the_year_and_a_run_draws_it() -> None:
    at = fresh()
    assert "Leavers replaced after (days)" not in labels_of(at), "nobody leaves on their own"
    _hires(at, "Mar 2027", -9)
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert errors[0].startswith("Hires and leavers (row 1, reps) = -9: the team falls to"), errors
    _hires(at, "Mar 2027", 2)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["candidates"][0]["overrides"] == {
        "team.changes": [{"month": 3, "reps": 2}]
    }
    by_label(at.text_input, "New reps' speed by month (% of full speed)").set_value("50, 100").run()
    assert any(c.value == "New reps reach full speed after 1 month." for c in at.caption)
    by_label(at.number_input, "Reps leaving on their own (% a month)").set_value(3.0).run()
    assert by_label(at.number_input, "Leavers replaced after (days)").value is None
    run_comparison(at, seed=106)
    text = [m.value for m in at.markdown]
    assert text.count("**The team over the year**") == 2, "the editor's box, and the chart"
    assert any(
        c.value.startswith("All in reps at full speed: capacity counts a new rep at 50%")
        for c in at.caption
    )


def test_account_executives_have_their_inputs_only_when_the_file_has_them() -> None:
    at = fresh()
    assert "Account executives (AEs)" not in labels_of(at)
    text = (ROOT / "scenarios" / "baseline.toml").read_text() + "\n[ae]\nreps = 3\n"
    at.sidebar.file_uploader[0].set_value(
        ("two tiers.toml", text.encode(), "application/toml")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert by_label(at.number_input, "Account executives (AEs)").value == 3
    assert "AE takes an opportunity within (hours)" in labels_of(at)
    assert len(at.data_editor) == 2, "hires and leavers of reps and of AEs"
