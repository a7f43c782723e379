"""The meeting pack: headlines in plain words, the report content of a run, results read back
from their folder, and `sla-sim report` writing the HTML report and the deck."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation

from sla_sim.experiments.compare import Comparison, compare
from sla_sim.experiments.result_files import read_results, write_results
from sla_sim.experiments.runner import SimulationResult, simulate
from sla_sim.present.charts import TEAM_TITLE
from sla_sim.present.headlines import headline, headlines
from sla_sim.present.pack import content, difference_table, summary_table
from sla_sim.scenario.file import load_scenario
from sla_sim.scenario.schema import Scenario

from conftest import SCENARIOS, SLA_SIM

BAD_INPUT = 2


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(SCENARIOS / "baseline.toml")


@pytest.fixture(scope="module")
def result(baseline: Scenario) -> SimulationResult:
    return simulate(baseline, 5, seed=3, jobs=2)


def comparison_of(
    deals: tuple[float, float, float], breach: tuple[float, float, float, float]
) -> Comparison:
    """A comparison of one candidate: deals (difference, low, high); breach (before, after,
    low, high)."""
    rows = [
        {
            "scenario": "C",
            "metric": "closed_deals",
            "baseline_mean": 100.0,
            "mean": 100 + deals[0],
            "difference": deals[0],
            "ci_low": deals[1],
            "ci_high": deals[2],
        },
        {
            "scenario": "C",
            "metric": "response_breach_rate",
            "baseline_mean": breach[0],
            "mean": breach[1],
            "difference": breach[1] - breach[0],
            "ci_low": breach[2],
            "ci_high": breach[3],
        },
    ]
    return Comparison("Baseline", pd.DataFrame(rows), pd.DataFrame(), 20)


def test_a_headline_says_the_changes_the_deals_with_their_interval_and_the_breaches(
    baseline: Scenario,
) -> None:
    base = baseline.expand()[0]
    candidate = base.with_overrides({"team.reps": 8, "sla.sales.first_response_hours": 1}, "C")
    sentence = headline(
        candidate, base, comparison_of((14.2, 9.4, 19.1), (0.31, 0.04, -0.3, -0.24))
    )
    assert sentence == (
        "8 reps close 14 more deals a year (9 to 19); with a 1-hour response too, response "
        "breaches fall from 31% to 4%."
    ), "the deals are put down to the reps: the model does not read the response target"


def test_a_headline_blames_no_deal_on_a_term_the_model_does_not_read(
    baseline: Scenario,
) -> None:
    base = baseline.expand()[0]
    both = base.with_overrides(
        {"sla.marketing.mql_threshold": 75, "sla.marketing.monthly_mql_commitment": 150}, "C"
    )
    sentence = headline(both, base, comparison_of((-21.0, -27.0, -15.0), (0.3, 0.3, -0.01, 0.01)))
    assert sentence.startswith("An MQL threshold of 75 closes 21 fewer deals a year (15 to 27)")
    assert sentence.endswith("changes only what is measured, not the deals."), sentence
    assert "commitment" not in sentence.split(";")[0]
    target = base.with_overrides({"sla.sales.first_response_hours": 1}, "C")
    sentence = headline(target, base, comparison_of((0.0, 0.0, 0.0), (0.0, 0.17, 0.15, 0.19)))
    assert sentence == (
        "A 1-hour response changes what is measured, not what happens to the leads: the same "
        "deals a year, and response breaches rise from 0% to 17%."
    )
    assert "every replication:" not in sentence


def test_a_headline_does_not_claim_what_the_interval_does_not_show(baseline: Scenario) -> None:
    base = baseline.expand()[0]
    candidate = base.with_overrides({"team.reps": 7}, "C")
    sentence = headline(candidate, base, comparison_of((1.5, -0.8, 3.8), (0.2, 0.19, -0.02, 0.01)))
    assert sentence == (
        "7 reps make no clear difference to deals a year (−0.8 to +3.8) and leave response "
        "breaches near 20%."
    )
    worse = headline(
        base.with_overrides({"team.reps": 4}, "C"),
        base,
        comparison_of((-6.0, -9.0, -3.0), (0.1, 0.5, 0.35, 0.45)),
    )
    assert worse == (
        "4 reps close 6 fewer deals a year (3 to 9) and raise response breaches from 10% to 50%."
    )


def test_headlines_of_a_run_cover_every_candidate_but_the_baseline(
    result: SimulationResult,
) -> None:
    lines = headlines(result.scenarios, compare(result, "Baseline"))
    assert [name for name, _ in lines] == result.scenario_names[1:]
    assert all(sentence.endswith(".") and "deal" in sentence for _, sentence in lines)


def test_the_tables_hold_every_candidate_with_intervals(result: SimulationResult) -> None:
    table = summary_table(result)
    assert list(table.columns) == result.scenario_names
    assert "(" in table.loc["Closed deals", "Baseline"], "mean (95% interval)"
    diffs = difference_table(compare(result, "Baseline"))
    assert list(diffs.columns) == result.scenario_names[1:]
    assert diffs.loc["Response breaches", "1h SLA with alerts"].endswith(")")
    assert "pts" in diffs.loc["Response breaches", "1h SLA with alerts"]


def test_the_report_content_has_headlines_charts_terms_and_sources(
    result: SimulationResult,
) -> None:
    report = content(result)
    assert len(report.headlines) == len(result.scenarios) - 1
    titles = [title for title, _ in report.charts]
    assert len(titles) == 7
    assert "Backlog over the year" in titles
    assert TEAM_TITLE not in titles, "the team stays as it is: no chart of flat lines"
    assert report.chart_notes == {}
    assert list(report.terms_table.columns) == result.scenario_names
    assert report.terms_table.loc["Reps", "8 reps"] == "8"
    assert report.terms_table.loc["First response within", "1h SLA with alerts"] == "1 h"
    assert report.terms_table.loc["Reassign after", "1h SLA with reassignment"] == "30 min"
    assert report.terms_table.loc["Reassign after", "1h SLA with alerts"] == "–", "not used"
    for row in ("Net revenue", "Sales cost", "Ignored handoffs", "Reassignments"):
        assert row in report.summary_table.index, row
        assert row in report.differences_table.index, row
    sourced = "the article 'Como Criar SLA entre Marketing e Vendas': 200 qualified leads a month"
    assert (report.assumptions.Source == sourced).any()
    assert list(report.colors) == result.scenario_names


def test_a_team_that_changes_gets_its_chart_and_a_line_under_it(baseline: Scenario) -> None:
    short = baseline.expand()[0].with_overrides({"scenario.months": 3})
    hires = short.with_overrides(
        {"team.changes": [{"month": 2, "reps": 2}], "team.time_off_days_per_year": 20}, "Hires"
    )
    report = content(simulate([short, hires], 2, seed=3, variants=False))
    titles = [title for title, _ in report.charts]
    assert titles[-1] == TEAM_TITLE
    assert list(report.chart_notes) == [TEAM_TITLE]
    assert "nobody on a day off" in report.chart_notes[TEAM_TITLE]
    assert report.terms_table.loc["Hires and leavers", "Hires"] == "+2 in Feb 2027"


def test_results_read_back_from_their_folder_give_the_same_summary(
    result: SimulationResult, tmp_path: Path
) -> None:
    write_results(result, tmp_path)
    back = read_results(tmp_path)
    assert back.scenario_names == result.scenario_names
    pd.testing.assert_frame_equal(
        back.summary.reset_index(drop=True), result.summary.reset_index(drop=True)
    )
    assert back.series is not None
    assert len(back.series) == len(result.series)  # type: ignore[arg-type]
    assert back.scenarios[3].team.reps == 8


def test_sla_sim_report_writes_the_html_and_the_deck(
    result: SimulationResult, tmp_path: Path
) -> None:
    write_results(result, tmp_path / "run")
    html, deck = tmp_path / "report.html", tmp_path / "deck.pptx"
    done = subprocess.run(
        [*SLA_SIM, "report", str(tmp_path / "run"), "--html", str(html), "--pptx", str(deck)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = html.read_text()
    for name in result.scenario_names:
        assert name in page
    assert page.count("<svg") >= 7
    for reference in ('src="http', "src='http", 'href="http', "href='http", "<script src"):
        assert reference not in page, f"{reference}: the report must open offline"
    slides = Presentation(str(deck)).slides
    pictures = [s for s in slides if any(shape.shape_type == 13 for shape in s.shapes)]
    assert len(pictures) == 7, "one slide per key chart"
    titles = [s.shapes.title.text for s in slides if s.shapes.title is not None]
    assert "The decision: what each candidate buys and costs" in titles, "on one slide"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nowhere", "--html", "r.html"], "no such folder"),
        (["{empty}", "--html", "r.html"], "not a results folder"),
        (["{empty}"], "give --html FILE, --pptx FILE or both"),
        (["{empty}", "--html", "r.pdf"], "should end in .html"),
    ],
)
def test_sla_sim_report_refuses_bad_input_with_one_message(
    arguments: list[str], message: str, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    args = [a.replace("{empty}", str(tmp_path / "empty")) for a in arguments]
    done = subprocess.run(
        [*SLA_SIM, "report", *args], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == BAD_INPUT
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_the_decision_says_what_each_candidate_buys_and_costs(result: SimulationResult) -> None:
    report = content(result)
    table = report.decision_table
    assert list(table.columns) == result.scenario_names
    assert list(table.index) == [
        "Buys: closed deals",
        "Buys: revenue",
        "Buys: net revenue",
        "Buys: response breaches",
        "Buys: attempt breaches",
        "Costs: reps",
        "Costs: sales cost",
        "Costs: rep utilisation",
        "Costs: other work displaced",
        "Costs: backlog, mean",
        "Costs: other terms changed",
    ]
    assert table.loc["Costs: reps", "Baseline"] == "6"
    assert table.loc["Costs: reps", "8 reps"] == "8 (+2)"
    assert table.loc["Costs: sales cost", "8 reps"].startswith("+$")
    assert "Costs: marketing cost" not in table.index, "no candidate changes it"
    assert (
        table.loc["Costs: other terms changed", "1h SLA with alerts"] == "a 1-hour response; alerts"
    )
    assert table.loc["Costs: other terms changed", "1h SLA with reassignment"] == (
        "a 1-hour response; reassignment after 30 min"
    ), "a detail is said with what it details"
    assert table.loc["Costs: other terms changed", "8 reps"] == "none"
    assert " to " in table.loc["Buys: closed deals", "8 reps"]
    assert "–" in table.loc["Buys: closed deals", "Baseline"]
    assert list(report.differences_table.columns) == result.scenario_names[1:]


def test_a_headline_with_costs_says_what_the_change_does_to_net_revenue(
    baseline: Scenario,
) -> None:
    base = baseline.expand()[0].with_overrides(
        {"costs.rep_cost_per_month": 9000, "costs.currency": "EUR"}
    )
    candidate = base.with_overrides({"team.reps": 8}, "C")
    comparison = comparison_of((14.2, 9.4, 19.1), (0.31, 0.04, -0.3, -0.24))
    net = {
        "scenario": "C",
        "metric": "net_revenue",
        "baseline_mean": 500_000.0,
        "mean": 620_000.0,
        "difference": 120_000.0,
        "ci_low": 80_000.0,
        "ci_high": 160_000.0,
    }
    comparison.differences = pd.concat([comparison.differences, pd.DataFrame([net])])
    sentence = headline(candidate, base, comparison)
    assert sentence == (
        "8 reps close 14 more deals a year (9 to 19) and cut response breaches from 31% to 4%; "
        "net revenue +€120k (+€80k to +€160k)."
    )
    dearer = base.with_overrides({"costs.rep_cost_per_month": 9500}, "C")
    sentence = headline(dearer, base, comparison)
    assert sentence.startswith(
        "A rep cost of €9,500 a month changes what is measured, not what happens to the leads"
    ), sentence
    assert sentence.endswith("; net revenue +€120k (+€80k to +€160k)."), sentence
    free = baseline.expand()[0].with_overrides(
        {"costs.rep_cost_per_month": 0, "sources.0.cost_per_lead": 0, "sources.1.cost_per_lead": 0}
    )
    assert "net revenue" not in headline(
        free.with_overrides({"team.reps": 8}, "C"), free, comparison
    ), "no costs, no word of them"


def _difference(metric: str, before: float, after: float, low: float, high: float) -> dict:  # type: ignore[type-arg]
    return {
        "scenario": "C",
        "metric": metric,
        "baseline_mean": before,
        "mean": after,
        "difference": after - before,
        "ci_low": low,
        "ci_high": high,
    }


def test_a_headline_says_what_the_candidate_costs_as_well_as_what_it_buys(
    baseline: Scenario,
) -> None:
    base = baseline.expand()[0]
    candidate = base.with_overrides({"team.reps": 8}, "C")
    comparison = comparison_of((14.2, 9.4, 19.1), (0.31, 0.04, -0.3, -0.24))
    rows = [
        _difference("sales_cost", 396_000.0, 528_000.0, 132_000.0, 132_000.0),
        _difference("marketing_cost", 281_000.0, 281_000.0, 0.0, 0.0),
        _difference("net_revenue", 200_000.0, 252_000.0, 10_000.0, 94_000.0),
    ]
    comparison.differences = pd.concat([comparison.differences, pd.DataFrame(rows)])
    assert headline(candidate, base, comparison) == (
        "8 reps close 14 more deals a year (9 to 19) and cut response breaches from 31% to 4%; "
        "$132k more in reps, net revenue +$52k (+$10k to +$94k)."
    ), "the reps' cost, no word of an unchanged marketing cost"
    fewer = base.with_overrides({"team.reps": 5}, "C")
    comparison.differences.loc[
        comparison.differences.metric == "sales_cost", "difference"
    ] = -66_000.0
    assert "; $66k less in reps, net revenue" in headline(fewer, base, comparison)


def test_under_enforcement_a_new_target_takes_the_deals_and_its_breaches_are_its_own(
    baseline: Scenario,
) -> None:
    base = baseline.expand()[0]
    enforced = base.with_overrides(
        {"sla.sales.first_response_hours": 1, "sla.sales.enforcement": "alert"}, "C"
    )
    comparison = comparison_of((26.0, 17.0, 35.0), (0.20, 0.23, 0.026, 0.031))
    sentence = headline(enforced, base, comparison)
    assert sentence.startswith(
        "A 1-hour response and alerts close 26 more deals a year (17 to 35); "
    ), "the simulation reads the target under enforcement: the deals are put down to it"
    assert "response breaches of a 1-hour target 23% (baseline: 20% of 24 h)" in sentence
    for change in ("raise", "rise", "from 20%"):
        assert change not in sentence, "two targets: no like-for-like change"
    reassign = base.with_overrides(
        {
            "team.reps": 8,
            "sla.sales.first_response_hours": 1,
            "sla.sales.enforcement": "reassign",
            "sla.sales.reassign_after_minutes": 30,
        },
        "C",
    )
    assert headline(reassign, base, comparison).startswith(
        "A 1-hour response, reassignment after 30 min and 8 reps close 26 more deals"
    ), "the reassignment's detail says the enforcement too"
    same_target = base.with_overrides({"sla.sales.enforcement": "alert"}, "C")
    assert headline(same_target, base, comparison).startswith(
        "Alerts close 26 more deals a year (17 to 35) and raise response breaches from 20% to 23%"
    ), "the same target: a change like for like"
    calendar = base.with_overrides(
        {"sla.sales.clock": "calendar", "sla.sales.enforcement": "alert"}, "C"
    )
    assert "of a 24-hour calendar target 23% (baseline: 20% of 24 h business)" in headline(
        calendar, base, comparison
    )
