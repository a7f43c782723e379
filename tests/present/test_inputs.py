"""Terms as typed in the app and the app's sentences with numbers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sla_sim.present.captions import plan_heading, replications_done, sweep_size, team_note
from sla_sim.present.headlines import subject
from sla_sim.present.inputs import (
    changes_table,
    hours_text,
    month_names,
    ramp_note,
    ramp_text,
    read_changes,
    read_hours,
    read_ramp,
    sweep_default,
    sweep_values,
    term_help,
    term_label,
)
from sla_sim.present.numbers import month_name, share_as_set
from sla_sim.present.pack import terms_table
from sla_sim.present.terms import all_terms, applies, in_words, term_value
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import ScenarioError

from conftest import SCENARIOS


@pytest.fixture(scope="module")
def terms():  # type: ignore[no-untyped-def]
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    return baseline, {t.key: t for t in all_terms(baseline)}


def test_a_label_carries_the_unit_and_the_help_the_baseline(terms) -> None:  # type: ignore[no-untyped-def]
    baseline, by_key = terms
    reps = by_key["team.reps"]
    assert term_label(reps) == "Reps", "a unit the label names is not repeated"
    assert term_label(by_key["sla.sales.first_response_hours"]) == "First response within (hours)"
    text = term_help(reps, term_value(baseline, "team.reps"), "a note")
    assert text.startswith(reps.help)
    assert text.endswith("Source: a note.")
    assert "Baseline: " in term_help(reps, 6, None)


def test_hours_are_read_from_commas_or_semicolons_and_must_be_positive(terms) -> None:  # type: ignore[no-untyped-def]
    _, by_key = terms
    term = next(t for t in by_key.values() if t.kind == "hours_list")
    assert read_hours(term, "4; 24, 48") == [4.0, 24.0, 48.0]
    assert hours_text([4.0, 24.0, 0.5]) == "4, 24, 0.5"
    with pytest.raises(ValueError, match="numbers separated by commas"):
        read_hours(term, "4, soon")
    with pytest.raises(ValueError, match="more than 0 hours"):
        read_hours(term, "0")


def test_swept_values_are_read_like_the_cli_with_shares_in_percent(terms) -> None:  # type: ignore[no-untyped-def]
    _, by_key = terms
    reps = by_key["team.reps"]
    assert sweep_values(reps, "4:6") == [4, 5, 6]
    assert sweep_default(reps, 6) == "4, 5, 6, 7, 8", "a grid that runs in moments"
    share = next(t for t in by_key.values() if t.kind == "share")
    assert sweep_values(share, "50, 75") == [0.5, 0.75]
    with pytest.raises(ValueError, match="give numbers"):
        sweep_values(reps, "4, many")


def test_the_sentences_with_numbers() -> None:
    assert replications_done(3, 20) == "3 of 20 replications"
    assert sweep_size({"a": [1, 2, 3], "b": [1, 2]}, 10) == "6 points × 10 replications"
    assert plan_heading(12.345) == "What it takes to close 12.3 deals a month"


def test_a_ramp_is_typed_in_percent_and_must_end_at_full_speed(terms) -> None:  # type: ignore[no-untyped-def]
    _, by_key = terms
    ramp = by_key["team.ramp"]
    assert read_ramp(ramp, "25, 50%; 75, 100") == [0.25, 0.5, 0.75, 1.0]
    assert read_ramp(ramp, " ") == [1.0], "empty: full speed from day one"
    assert ramp_text([0.25, 0.5, 1.0]) == "25, 50, 100"
    assert ramp_text(None) == "100"
    assert ramp_note([0.25, 0.5, 0.75, 1.0]) == "New reps reach full speed after 3 months."
    assert ramp_note(None) == "New reps are at full speed from their first day."
    with pytest.raises(ValueError, match="the last month is at full speed, 100"):
        read_ramp(ramp, "50, 80")
    with pytest.raises(ValueError, match="more than 0% and at most 100%"):
        read_ramp(ramp, "0, 100")
    with pytest.raises(ValueError, match="in percent, separated by commas"):
        read_ramp(ramp, "half, 100")


def test_hires_and_leavers_are_a_table_of_months_by_name_and_reps() -> None:
    start = dt.date(2027, 1, 4)
    assert month_name(start, 3) == "Mar 2027"
    assert month_names(start, 14)[-1] == "Feb 2028"
    changes = [{"month": 3, "reps": 2}, {"month": 7, "reps": -1}]
    table = changes_table(changes, start)
    assert table.to_dict("list") == {"Month": ["Mar 2027", "Jul 2027"], "Reps": [2, -1]}
    assert read_changes(table, start, 12) == (changes, [])
    edited = pd.concat(
        [table, pd.DataFrame({"Month": ["Sep 2027", None, None], "Reps": [None, 3, None]})],
        ignore_index=True,
    )
    assert read_changes(edited, start, 12) == (changes, [3, 4]), "half-filled rows wait"
    assert read_changes(changes_table([], start), start, 12) == ([], [])


def test_the_team_over_the_year_in_words(terms) -> None:  # type: ignore[no-untyped-def]
    baseline, _ = terms
    base = baseline.expand()[0]
    hires = base.with_overrides(
        {
            "team.changes": [{"month": 3, "reps": 2}],
            "team.ramp": [0.25, 0.5, 0.75, 1.0],
            "team.attrition_per_month": 0.035,
        },
        "Hires",
    )
    assert subject(hires, base) == (
        "2 reps hired in Mar 2027, a 3-month ramp for new reps and 3.5% of reps leaving a month"
    )
    table = terms_table([base, hires])
    assert table.loc["Hires and leavers"].tolist() == ["none", "+2 in Mar 2027"]
    assert table.loc["New reps' speed by month", "Hires"] == "25%, 50%, 75%, 100%"
    assert table.loc["New reps' speed by month", base.name] == "full speed from day one"
    assert table.loc["Leavers replaced after"].tolist() == ["–", "not replaced"]
    assert share_as_set(0.03) == "3%"
    backfill = next(t for t in all_terms(base) if t.key == "team.backfill_days")
    assert not applies(backfill, base), "no one leaves on their own: nobody to replace"
    assert applies(backfill, hires)
    assert sweep_default(backfill, None) == "15, 30, 60, 90"
    with pytest.raises(ScenarioError) as error:
        base.with_overrides({"team.changes": [{"month": 2, "reps": -9}]})
    message = in_words(error.value.problems[0], base)
    assert message.startswith("Hires and leavers (row 1, reps) = -9: the team falls to")
    note = team_note([base, hires])
    assert "25%, 50%, 75%" in note
    assert "average" in note, "reps leave at random"


def test_account_executives_are_terms_only_when_the_file_has_them(terms) -> None:  # type: ignore[no-untyped-def]
    baseline, by_key = terms
    assert not [key for key in by_key if key.startswith("ae.")]
    base = baseline.expand()[0].with_overrides({"ae.reps": 3})
    keys = [t.key for t in all_terms(base) if t.group == "ae"]
    assert keys == [
        "ae.reps",
        "ae.max_open_opportunities",
        "ae.accept_within_hours",
        "ae.win_half_life_days",
        "ae.changes",
    ]
    for key in keys:
        term_value(base, key)
