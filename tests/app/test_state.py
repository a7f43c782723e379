"""Where a session starts, free of Streamlit: a link's set-up and back, an upload read, a new
candidate's name, and a result taken from the cache only when all of it is there."""

from __future__ import annotations

import base64
import zlib

import pytest

from sla_sim.app.state import (
    MAX_LINK_CHARS,
    MAX_UPLOAD_BYTES,
    Candidate,
    RunCache,
    bundled_scenarios,
    cached_result,
    candidates_of,
    decode_state,
    encode_state,
    free_name,
    link_of,
    read_upload,
    run_candidates,
    setup_from_link,
    share_url,
)
from sla_sim.experiments.executors import InlineExecutor
from sla_sim.scenario.schema import ScenarioError

from conftest import SCENARIOS


def test_the_bundled_scenarios_are_named_and_the_baseline_comes_first() -> None:
    files = bundled_scenarios(SCENARIOS)
    assert next(iter(files.values())).name == "baseline.toml"
    assert len(files) == len(list(SCENARIOS.glob("*.toml")))


def test_a_set_up_goes_into_a_link_and_comes_back() -> None:
    files = bundled_scenarios(SCENARIOS)
    link = {
        "base": "Baseline",
        "candidates": [["Baseline", {}], ["Ten reps", {"team.reps": 10}]],
        "seed": 11,
        "replications": 4,
    }
    setup = setup_from_link(link, files)
    assert setup.candidates == [Candidate("Baseline", {}), Candidate("Ten reps", {"team.reps": 10})]
    assert (setup.seed, setup.replications, setup.upload_text) == (11, 4, None)
    assert link_of(setup) == link
    own = setup_from_link({"base": "Baseline"}, files)
    assert own.candidates == candidates_of(own.base), "no candidates: the file's own"


def test_a_link_that_does_not_fit_its_base_is_refused() -> None:
    files = bundled_scenarios(SCENARIOS)
    with pytest.raises(KeyError):
        setup_from_link({"base": "No such scenario"}, files)
    with pytest.raises(ScenarioError):
        setup_from_link({"base": "Baseline", "candidates": [["A", {"team.reps": -1}]]}, files)
    with pytest.raises(ValueError, match="256 KB"):
        setup_from_link({"upload": "# " + "x" * MAX_UPLOAD_BYTES, "file": "big.toml"}, files)


def test_a_link_with_numbers_out_of_range_keeps_its_candidates_with_a_note() -> None:
    files = bundled_scenarios(SCENARIOS)
    candidates = [["Baseline", {}], ["Ten", {"team.reps": 10}]]
    for seed, replications in (("seven", 4), (float("inf"), 4), (-1, 4), (3, 10**6), (3, 2.5)):
        link = {"base": "Baseline", "candidates": candidates, "seed": seed}
        setup = setup_from_link({**link, "replications": replications}, files)
        assert [c.name for c in setup.candidates] == ["Baseline", "Ten"]
        assert setup.notes, (seed, replications)
        assert (setup.seed, setup.replications) in ((7, 4), (3, 20))


def test_a_link_with_two_candidates_of_one_name_renames_the_second() -> None:
    files = bundled_scenarios(SCENARIOS)
    twins = [["Baseline", {}], ["Same", {"team.reps": 7}], ["Same", {"team.reps": 9}]]
    setup = setup_from_link({"base": "Baseline", "candidates": twins}, files)
    names = [c.name for c in setup.candidates]
    assert len(set(names)) == 3
    assert names[1] == "Same"
    assert "'Same'" in setup.notes[0]


def test_a_link_is_bounded_before_it_is_decompressed() -> None:
    bomb = base64.urlsafe_b64encode(zlib.compress(b'{"a": "' + b"0" * 10_000_000 + b'"}'))
    assert len(bomb) < MAX_LINK_CHARS, "small enough to reach the decompressor"
    assert decode_state(bomb.decode()) is None
    assert decode_state("A" * (MAX_LINK_CHARS + 1)) is None
    assert decode_state(encode_state({"seed": 3})) == {"seed": 3}


def test_an_uploaded_base_travels_inside_the_link() -> None:
    text = (SCENARIOS / "baseline.toml").read_text()
    upload = read_upload("mine.toml", text.encode())
    assert upload.scenario is not None
    assert not upload.problems
    setup = setup_from_link({"upload": upload.text, "file": "mine.toml"}, {})
    assert (setup.base_id, setup.upload_name) == ("upload", "mine.toml")
    assert link_of(setup)["upload"] == text


def test_an_upload_that_is_no_scenario_says_why() -> None:
    assert "too large" in read_upload("big.toml", b" " * (MAX_UPLOAD_BYTES + 1)).problems[0]
    assert "not a text file" in read_upload("x.toml", b"\xff\xfe").problems[0]
    problems = read_upload("bad.toml", b"[team]\nreps = 0\n").problems
    assert problems
    assert all(p.startswith("bad.toml") or "team" in p for p in problems)


def test_a_new_candidate_gets_a_name_no_other_has() -> None:
    assert free_name(["Baseline", "8 reps"]) == "Candidate 2"
    assert free_name(["Baseline", "Candidate 2"]) == "Candidate 3"


def test_a_cached_result_needs_every_candidate_run() -> None:
    files = bundled_scenarios(SCENARIOS)
    baseline = setup_from_link({"base": "Baseline"}, files).base
    first, second = (c.scenario(baseline) for c in candidates_of(baseline)[:2])
    cache = RunCache()
    run_candidates([first], 2, 1, cache, InlineExecutor())
    assert cached_result([first, second], 2, 1, cache) is None
    result = cached_result([first], 2, 1, cache)
    assert result is not None
    assert result.scenario_names == [first.name]


def test_the_share_address_drops_the_old_query() -> None:
    assert share_url("http://localhost:8501/?s=old", "new") == "http://localhost:8501/?s=new"
    assert share_url(None, "x") == "?s=x"
