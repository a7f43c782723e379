"""Terms as typed in the app and the app's sentences with numbers."""

from __future__ import annotations

import pytest

from sla_sim.present.captions import plan_heading, replications_done, sweep_size
from sla_sim.present.inputs import (
    hours_text,
    read_hours,
    sweep_default,
    sweep_values,
    term_help,
    term_label,
)
from sla_sim.present.terms import all_terms, term_value
from sla_sim.scenario.file import load_scenario

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
