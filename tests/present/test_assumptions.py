"""The assumptions of a scenario file as a leader reads them: labels, values in words, and the
source of each value (articles by title, planning assumptions, studies cited as they are)."""

from __future__ import annotations

import pandas as pd
import pytest

from sla_sim.present.pack import ARTICLES, assumptions, source_in_words, worded
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario

from conftest import SCENARIOS


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(SCENARIOS / "baseline.toml")


@pytest.fixture(scope="module")
def table(baseline: Scenario) -> pd.DataFrame:
    return assumptions(baseline).set_index("Term")


def test_no_dotted_keys_raw_values_or_seed_numbers_reach_the_reader(table: pd.DataFrame) -> None:
    text = " ".join([*table.index, *table.Value.astype(str), *table.Source.astype(str)])
    for raw in ("seed 0", "_", "dist ", "Sla:", '"', " | ", "assumption:"):
        assert raw not in text.replace("planning assumption:", ""), raw


def test_values_are_in_words(table: pd.DataFrame) -> None:
    assert table.Value["Demo requests: fit with the ideal customer"] == "beta with mean 0.63"
    assert table.Value["Time per call attempt"] == "lognormal, median 6 min"
    assert table.Value["Delay syncing a lead to the CRM"] == "exponential with mean 15 min"
    assert table.Value["Deal value"] == "lognormal, median $12k"
    assert table.Value["How leads reach reps"] == "round robin"
    assert table.Value["Lead blocks"] == "10:00–11:30 and 15:00–16:00"
    assert table.Value["Handoffs nobody picks up"] == "20%"
    assert table.Value["Open hours"] == "9:00–18:00"
    assert table.Value["Times a lead may return to nurture"] == "1"


def test_sla_terms_keep_their_labels(table: pd.DataFrame) -> None:
    assert table.Value["First response within"] == "24 h"
    assert table.Value["Who is called first"] == "oldest first"
    assert table.Value["How the target is enforced"] == "not enforced: it only measures"
    assert table.Value["Candidate “8 reps, 1h SLA with reassignment”"] == (
        "Reps: 8; First response within: 1 h; How the target is enforced: alert, then reassign; Reassign after: 30 min"
    )


def test_sources_name_the_article_or_say_planning_assumption(table: pd.DataFrame) -> None:
    growth = table.Source["Content downloads: growth per month"]
    assert growth == f"the article '{ARTICLES['000']}': +10% a month"
    assert table.Source["Months simulated"] == "planning assumption: one planning year"
    assert table.Source["Attempts before giving up"].startswith("Velocify: 93%")
    assert ARTICLES["002"] in table.Source["Lowest fit Sales accepts"]


def test_a_list_of_options_is_no_source(baseline: Scenario, table: pd.DataFrame) -> None:
    assert table.Source["Who is called first"].startswith(
        "planning choice; other options: newest first, highest score first"
    )
    assert table.Source["How leads reach reps"] == (
        "planning assumption: the CRM gives each lead an owner in turn (other options: one "
        "shared queue or to the least busy rep)"
    ), "options quoted inside a note are named too"
    assert table.Source["Response clock"] == "planning choice; other option: calendar hours"
    assert source_in_words('"disqualify"', "sla.sales.on_no_contact", baseline) == (
        "planning choice; other option: disqualified"
    )


def test_every_seed_article_has_its_title(baseline: Scenario) -> None:
    for number, title in ARTICLES.items():
        assert (
            source_in_words(f"seed {number}: x", "team.reps", baseline)
            == f"the article '{title}': x"
        )
    assert source_in_words("assumption", "team.reps", baseline) == "planning assumption"
    assert source_in_words("HBR 2011: within 1 h", "team.reps", baseline) == "HBR 2011: within 1 h"


def test_other_distributions_in_words(baseline: Scenario) -> None:
    cycle = {"dist": "triangular", "low": 20, "mode": 30, "high": 60}
    assert (
        worded("deals.cycle_days", cycle, baseline)[1]
        == "from 20 days to 60 days, most often 30 days"
    )
    spread = {"dist": "uniform", "low": 2, "high": 10}
    assert worded("team.attempt_minutes", spread, baseline)[1] == "uniform from 2 min to 10 min"
    seen = {"dist": "empirical", "values": [1, 2, 3]}
    assert worded("team.attempt_minutes", seen, baseline)[1] == "3 observed values, mean 2 min"
    assert worded("team.attempt_minutes", 6, baseline) == ("Time per call attempt", "6 min")
