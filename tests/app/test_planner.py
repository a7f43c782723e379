"""What the app relies on: candidates as changes to a base file, runs cached by content and seed,
the link, the chart series, and a candidate written back as a commented scenario file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sla_sim.analysis.metrics import Facts, compute_metrics
from sla_sim.analysis.series import RESPONSE_GRID, compute_series, summarise_series
from sla_sim.app.state import (
    Candidate,
    RunCache,
    candidates_from_state,
    candidates_of,
    decode_state,
    encode_state,
    run_candidates,
)
from sla_sim.experiments.executors import InlineExecutor
from sla_sim.experiments.runner import simulate
from sla_sim.model.replication import run_replication
from sla_sim.model.world import build_world, reads_target
from sla_sim.present.inputs import read_blocks, sweep_default, sweep_start, sweep_terms
from sla_sim.present.terms import BY_TERM_KEY, all_terms, changed_terms, term_value
from sla_sim.scenario.file import (
    CHANGED,
    load_scenario,
    parse_scenario_text,
    scenario_notes,
    scenario_toml,
)

from conftest import SCENARIOS


@pytest.fixture(scope="module")
def baseline():  # type: ignore[no-untyped-def]
    return load_scenario(SCENARIOS / "baseline.toml")


def test_the_candidates_of_a_file_are_its_base_and_variants(baseline) -> None:  # type: ignore[no-untyped-def]
    names = [c.name for c in candidates_of(baseline)]
    assert names == [baseline.name] + [v.name for v in baseline.variants]
    assert [c.scenario(baseline) for c in candidates_of(baseline)] == baseline.expand()


def test_cached_candidates_are_not_run_again_and_give_the_same_numbers(baseline) -> None:  # type: ignore[no-untyped-def]
    scenarios = [c.scenario(baseline) for c in candidates_of(baseline)][:2]
    cache = RunCache()
    calls: list[int] = []
    first = run_candidates(
        scenarios[:1], 3, 5, cache, InlineExecutor(), progress=lambda _, t: calls.append(t)
    )
    calls.clear()
    both = run_candidates(
        scenarios, 3, 5, cache, InlineExecutor(), progress=lambda _, t: calls.append(t)
    )
    assert calls, "the new candidate ran"
    assert set(calls) == {3}, "only the new candidate's 3 replications ran"
    together = simulate(scenarios, 3, seed=5, variants=False)
    pd.testing.assert_frame_equal(both.per_replication, together.per_replication)
    pd.testing.assert_frame_equal(
        first.per_replication, together.per_replication.iloc[:3].reset_index(drop=True)
    )
    assert both.series is not None
    assert together.series is not None
    pd.testing.assert_frame_equal(both.series, together.series)
    calls.clear()
    again = run_candidates(
        scenarios, 3, 5, cache, InlineExecutor(), progress=lambda _, t: calls.append(t)
    )
    assert not calls, "all cached: nothing runs"
    pd.testing.assert_frame_equal(again.per_replication, both.per_replication)


def test_another_seed_or_replication_count_is_another_run(baseline) -> None:  # type: ignore[no-untyped-def]
    scenario = baseline.expand()[0]
    cache = RunCache()
    run_candidates([scenario], 2, 1, cache, InlineExecutor())
    assert cache.get(scenario, 1, 2) is not None
    assert cache.get(scenario, 2, 2) is None
    assert cache.get(scenario, 1, 3) is None
    assert cache.get(scenario.with_overrides({"team.reps": 9}), 1, 2) is None


def test_the_link_round_trips_and_a_mangled_one_is_refused() -> None:
    state = {"base": "Baseline", "candidates": [["A", {}], ["B", {"team.reps": 9}]], "seed": 3}
    text = encode_state(state)
    assert text.isascii()
    assert "=" not in text
    assert decode_state(text) == state
    assert decode_state("x" + text[1:-3]) is None
    assert decode_state("") is None
    assert candidates_from_state(state["candidates"]) == [
        Candidate("A", {}),
        Candidate("B", {"team.reps": 9}),
    ]
    assert candidates_from_state([["A"]]) is None
    assert candidates_from_state("A") is None


def test_a_candidate_file_keeps_the_comments_marks_its_changes_and_reads_back(baseline) -> None:  # type: ignore[no-untyped-def]
    candidate = Candidate("Eight reps, 2h", {"team.reps": 8, "sla.sales.first_response_hours": 2})
    scenario = candidate.scenario(baseline)
    text = scenario_toml(scenario)
    assert "# seed 000: expected response 24 h" not in text.split("first_response_hours")[1][:60]
    assert "seed 001: a demo request is handed off at once" in text, "comments kept"
    assert f"reps = 8 # {CHANGED}" in text
    assert "[[variants]]" not in text
    back = parse_scenario_text(text, "candidate.toml")
    assert back.name == "Eight reps, 2h"
    assert back.canonical_json() == scenario.canonical_json()


def test_a_candidate_that_unsets_a_key_of_its_base_writes_a_file_without_it(baseline) -> None:  # type: ignore[no-untyped-def]
    candidate = Candidate("Checks", {"team.lead_work": "checks", "team.lead_blocks": None})
    candidate.overrides["team.check_every_hours"] = 2.0
    scenario = candidate.scenario(baseline)
    text = scenario_toml(scenario)
    assert "lead_blocks" not in text
    back = parse_scenario_text(text, "candidate.toml")
    assert back.canonical_json() == scenario.canonical_json()
    from sla_sim.scenario.schema import Scenario

    built = Scenario.model_validate(scenario.to_document())  # no file text: written from its data
    assert built.file_text is None
    assert "lead_blocks" not in scenario_toml(built)


def test_blocks_are_typed_as_start_and_end_hours_with_one_clear_message() -> None:
    term = BY_TERM_KEY["team.lead_blocks"]
    assert read_blocks(term, "15–16, 10-11.5") == [[10.0, 11.5], [15.0, 16.0]]
    for bad, words in (
        ("10", "start and end hour"),
        ("11-10", "starts before it ends"),
        ("", "at least one"),
    ):
        with pytest.raises(ValueError, match=words):
            read_blocks(term, bad)


def test_the_default_sweep_starts_where_both_terms_act(baseline) -> None:  # type: ignore[no-untyped-def]
    scenarios = baseline.expand()
    start = scenarios[sweep_start(scenarios)]
    assert reads_target(start), "the response target must change what happens"
    assert start.name == "1h SLA with alerts"
    first, second = sweep_terms(start)
    assert (first, second) == ("team.reps", "sla.sales.first_response_hours")
    target = BY_TERM_KEY[second]
    values = sweep_default(target, term_value(start, second))
    assert "1" in values.split(", ")
    assert "24" in values.split(", "), "the baseline's target is in the grid"
    assert sweep_terms(scenarios[0]) == ("team.reps", "team.ignore_share"), (
        "without enforcement the target changes nothing: another term that acts"
    )
    assert sweep_start(scenarios[:1]) == 0


def test_a_scenario_built_in_code_is_written_from_its_data(baseline) -> None:  # type: ignore[no-untyped-def]
    document = baseline.expand()[0].to_document()
    from sla_sim.scenario.schema import Scenario

    built = Scenario.model_validate(document)
    assert built.file_text is None
    back = parse_scenario_text(scenario_toml(built), "built.toml")
    assert back.canonical_json() == built.canonical_json()


def test_notes_say_where_each_value_comes_from(baseline) -> None:  # type: ignore[no-untyped-def]
    notes = scenario_notes(baseline)
    assert notes["sla.marketing.monthly_mql_commitment"] == "seed 000: 200 qualified leads a month"
    assert notes["sources.1.growth_per_month"] == "seed 000: +10% a month"
    changed = scenario_notes(baseline.expand()[3])
    assert changed["team.reps"] == CHANGED


def test_every_term_names_a_real_key_and_the_changes_are_found(baseline) -> None:  # type: ignore[no-untyped-def]
    base = baseline.expand()[0]
    for term in all_terms(base):
        term_value(base, term.key)  # raises if the key does not exist
        assert term.label
        assert term.help
    variant = baseline.expand()[4]
    changed = {t.key: v for t, v in changed_terms(variant, base)}
    assert changed == {
        "sla.sales.first_response_hours": 1.0,
        "sla.sales.enforcement": "reassign",
        "sla.sales.reassign_after_minutes": 30.0,
        "team.reps": 8,
    }, "the alert share and the most reassignments are left at what the model uses"


def test_series_agree_with_the_metrics_of_the_same_replication(baseline) -> None:  # type: ignore[no-untyped-def]
    scenario = baseline.expand()[0].with_overrides(
        {"sla.sales.clock": "calendar", "sla.sales.first_response_hours": 4}
    )
    replication = run_replication(build_world(scenario), 3, 0)
    facts = Facts(replication)
    metrics = compute_metrics(facts)
    series = compute_series(facts)
    assert series["handoffs"].sum() == pytest.approx(facts.handoffs_per_month.sum())
    within = dict(zip(RESPONSE_GRID, series["response_within"], strict=True))
    assert within[4] == pytest.approx(metrics["response_within_sla"], abs=1e-12)
    assert np.all(np.diff(series["response_within"]) >= 0), "a share within x grows with x"
    weeks = len(series["backlog"])
    assert weeks == int(facts.horizon // 168), "full weeks only"
    hours = np.arange(0.5, weeks * 168, 1.0)
    assert series["backlog"].mean() == pytest.approx(facts.waiting_at(hours).mean()), (
        "the weekly means average to the hourly mean"
    )


def test_series_summaries_hold_the_mean_and_interval_of_each_point(baseline) -> None:  # type: ignore[no-untyped-def]
    result = simulate(baseline.expand()[0], 4, seed=2, variants=False)
    assert result.series is not None
    summary = summarise_series(result.series)
    point = summary[(summary.series == "handoffs") & (summary.x == 3)].iloc[0]
    values = result.series[(result.series.series == "handoffs") & (result.series.x == 3)].value
    assert point["mean"] == pytest.approx(values.mean())
    assert point["n"] == 4
    assert point["ci_low"] < point["mean"] < point["ci_high"]


def test_a_sweep_gives_a_frontier_and_charts_that_read_its_values(baseline) -> None:  # type: ignore[no-untyped-def]
    from sla_sim.experiments.sweep import run_sweep
    from sla_sim.present.charts import frontier, heatmap, sweep_line

    axes = {"team.reps": [3, 8], "sla.sales.first_response_hours": [1, 24]}
    swept = run_sweep(baseline.expand()[0], axes, 2, seed=4, jobs=1)
    points = swept.frontier()
    assert len(points) == 4
    assert points.frontier.any()
    for row in points.itertuples():
        beaten = (
            (points.deals >= row.deals)
            & (points.breach <= row.breach)
            & ((points.deals > row.deals) | (points.breach < row.breach))
        ).any()
        assert row.frontier == (not beaten)
    spec = heatmap(swept.table, *axes, "closed_deals", "Reps", "Response").to_dict()
    fields = json.dumps(spec["layer"][0]["encoding"])
    assert "team.reps" not in fields, "a dotted field name reads as a nested field"
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert {v["x_value"] for v in values} == {3, 8}
    line = sweep_line(swept.table, "team.reps", "closed_deals", "Reps").to_dict()
    assert "team.reps" not in json.dumps(line["layer"][0]["encoding"])
    frontier(points, "Reps × response").to_dict()


def test_messages_for_a_leader_name_terms_not_dotted_keys(baseline) -> None:  # type: ignore[no-untyped-def]
    from sla_sim.present.terms import in_words

    text = (
        "Baseline: sla.sales.first_response_hours = 2 and team.reps = 3; sources.1.leads_per_month"
    )
    assert in_words(text, baseline) == (
        "Baseline: First response within = 2 and Reps = 3; Content downloads: leads per month"
    )


def test_the_first_candidates_figures_come_before_the_last_candidate_finishes(baseline) -> None:  # type: ignore[no-untyped-def]
    scenarios = [
        baseline.expand()[0],
        baseline.expand()[0].with_overrides({"team.reps": 9}, name="Nine"),
    ]
    seen: list[list[str]] = []
    final = run_candidates(
        scenarios,
        2,
        6,
        RunCache(),
        InlineExecutor(),
        on_ready=lambda r: seen.append(r.scenario_names),
    )
    assert seen[0] == [scenarios[0].name], "the baseline's figures first, on their own"
    assert seen[-1] == final.scenario_names
