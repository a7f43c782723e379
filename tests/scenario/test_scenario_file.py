"""Bad scenario files get one clear line per problem (SPEC §3); good files load and expand.

Every bad case starts from the text of scenarios/baseline.toml, changes one thing, and checks that the
message names the file, the dotted key, the offending value (where there is one) and what is allowed.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from sla_sim import Scenario, ScenarioError, load_scenario
from sla_sim.scenario.distributions import DIST_NAMES
from sla_sim.scenario.warnings import scenario_warnings

from conftest import SCENARIOS, merged

BASELINE = (SCENARIOS / "baseline.toml").read_text()
BUNDLED = sorted(SCENARIOS.glob("*.toml"))


def edited(*changes: tuple[str, str], text: str = BASELINE) -> str:
    """The text with each (old, new) replaced once; fails loudly if `old` is not in the text."""
    for old, new in changes:
        assert old in text, f"{old!r} is not in the text any more: update the test"
        text = text.replace(old, new, 1)
    return text


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    problems = caught.value.problems
    assert problems, "a ScenarioError must say what is wrong"
    for line in problems:
        assert isinstance(line, str)
        assert "\n" not in line, f"one line per problem, got {line!r}"
        assert "Traceback" not in line
    return problems


def settings(scenario: Scenario) -> dict[str, Any]:
    """The scenario's values as file data, without its variants and sweep."""
    document = scenario.to_document()
    document.pop("variants", None)
    document.pop("sweep", None)
    return document


def the_line(problems: list[str], key: str) -> str:
    """The one problem line that names the dotted key (a regular expression)."""
    lines = [line for line in problems if re.search(key, line)]
    assert len(lines) == 1, f"expected one line naming {key!r}, got {problems}"
    return lines[0]


# (id, edits of baseline.toml, dotted key (regex), offending value or None, what is allowed (regexes))
BAD_VALUES: list[tuple[str, list[tuple[str, str]], str, str | None, list[str]]] = [
    (
        "unknown key suggests the near one",
        [("reps = 6 ", "repz = 6 ")],
        r"team\.repz",
        None,
        [r"did you mean 'reps'"],
    ),
    (
        "unknown key in a table lists the allowed keys",
        [("always_open = false", 'always_open = false\nclock_x = "business"')],
        r"calendar\.clock_x",
        None,
        ["always_open", "open_days", "open_hours", "holidays"],
    ),
    (
        "wrong type",
        [("reps = 6 ", 'reps = "six" ')],
        r"team\.reps",
        "six",
        [r"whole number|integer"],
    ),
    (
        "negative rate",
        [("leads_per_month = 60 ", "leads_per_month = -60 ")],
        r"sources(\[0\]|\.0)\.leads_per_month",
        "-60",
        [r">= ?0|not be negative|non-negative"],
    ),
    (
        "probability above 1",
        [("connect_prob = 0.45", "connect_prob = 1.7")],
        r"response\.connect_prob",
        "1.7",
        [r"<= ?1|\[0, 1\]"],
    ),
    (
        "open_hours not increasing",
        [("open_hours = [9, 18]", "open_hours = [18, 9]")],
        r"calendar\.open_hours",
        "[18, 9]",
        [r"open < close"],
    ),
    (
        "unknown dist",
        [('{ dist = "lognormal", median = 6,', '{ dist = "lognormall", median = 6,')],
        r"team\.attempt_minutes",
        "lognormall",
        [name for name in DIST_NAMES if name != "lognormal"],
    ),
    (
        "a table without dist",
        [('{ dist = "exponential", mean = 15 }', "{ mean = 15 }")],
        r"handoff\.sync_delay_minutes",
        None,
        ["dist", *DIST_NAMES],
    ),
    (
        "fit distribution outside [0, 1]",
        [('fit = { dist = "beta", a = 5, b = 3 }', 'fit = { dist = "exponential", mean = 0.5 }')],
        r"sources(\[0\]|\.0)\.fit",
        "exponential",
        [r"\[0, 1\]", "beta"],
    ),
    (
        "months = 0",
        [("months = 12 ", "months = 0 ")],
        r"scenario\.months",
        "0",
        [r">= ?1"],
    ),
    (
        "reps = 0",
        [("reps = 6 ", "reps = 0 ")],
        r"team\.reps",
        "0",
        [r">= ?1"],
    ),
    (
        "first_response_hours = 0",
        [("first_response_hours = 24 ", "first_response_hours = 0 ")],
        r"sla\.sales\.first_response_hours",
        "0",
        [r"> ?0"],
    ),
    (
        "warm-up longer than the horizon",
        [("warmup_days = 0 ", "warmup_days = 400 ")],
        r"scenario\.warmup_days",
        "400",
        ["shorter than the horizon", "365"],
    ),
    (
        "duplicate source names",
        [('name = "Content downloads"', 'name = "Demo requests"')],
        r"sources",
        "Demo requests",
        ["unique"],
    ),
    (
        "duplicate variant names",
        [('name = "1h SLA with alerts"\n', 'name = "8 reps"\n')],
        r"variants",
        "8 reps",
        ["unique"],
    ),
]


@pytest.mark.parametrize(
    ("edits", "key", "value", "allowed"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_VALUES],
)
def test_a_bad_value_names_file_key_value_and_what_is_allowed(
    tmp_path: Path, edits: list[tuple[str, str]], key: str, value: str | None, allowed: list[str]
) -> None:
    path = write(tmp_path, edited(*edits))
    problems = problems_of(path)
    assert len(problems) == 1, problems
    line = the_line(problems, key)
    assert str(path) in line
    if value is not None:
        assert value in line, f"the offending value {value!r} is not shown: {line!r}"
    for pattern in allowed:
        assert re.search(pattern, line), f"{pattern!r} (what is allowed) missing from {line!r}"


def test_a_calendar_without_any_open_hour_says_so(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        edited(('open_days = ["mon", "tue", "wed", "thu", "fri"]', "open_days = []")),
    )
    line = the_line(problems_of(path), r"calendar")
    assert str(path) in line
    assert "no open hour" in line
    assert "open_days" in line
    assert "always_open" in line


def test_a_variant_reports_every_bad_override_with_its_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        edited(('set = { "team.reps" = 8 }', 'set = { "team.repz" = 8, "team.reps" = 0 }')),
    )
    problems = problems_of(path)
    assert len(problems) == 2, problems
    unknown = the_line(problems, r"team\.repz")
    bad_value = the_line(problems, r"team\.reps = 0")
    for line in (unknown, bad_value):
        assert str(path) in line
        assert "8 reps" in line, f"the variant's name is missing from {line!r}"
    assert "team.reps" in unknown.split("team.repz", 1)[1], "should suggest team.reps"
    assert re.search(r">= ?1", bad_value)


def test_several_problems_in_one_file_are_all_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        edited(
            ("reps = 6 ", "repz = 6 "),
            ("connect_prob = 0.45", "connect_prob = 1.7"),
            ("open_hours = [9, 18]", "open_hours = [18, 9]"),
        ),
    )
    problems = problems_of(path)
    assert len(problems) == 3, problems
    for key in (r"team\.repz", r"response\.connect_prob = 1\.7", r"calendar\.open_hours"):
        assert str(path) in the_line(problems, key)


def _binary_file(folder: Path) -> Path:
    path = folder / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00\x81 garbage")
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(lambda d: d / "missing.toml", ["no such file"], id="missing file"),
        pytest.param(lambda d: d, ["directory"], id="a directory"),
        pytest.param(
            lambda d: write(d, "[scenario\nname = = 'x'\n"), ["TOML"], id="not TOML at all"
        ),
        pytest.param(lambda d: write(d, ""), ["empty", "scenario", "sources"], id="empty file"),
        pytest.param(
            lambda d: write(d, "  \n\t\n   \n"), ["scenario", "sources"], id="only whitespace"
        ),
        pytest.param(
            lambda d: write(d, "# a scenario, one day\n\n   # nothing yet\n"),
            ["scenario", "sources"],
            id="only comments",
        ),
        pytest.param(_binary_file, ["text"], id="not a text file"),
    ],
)
def test_a_file_that_is_not_a_scenario_is_named_with_the_reason(
    tmp_path: Path, make: Any, words: list[str]
) -> None:
    path = make(tmp_path)
    problems = problems_of(path)
    text = " ".join(problems)
    assert str(path) in text
    for word in words:
        assert word in text, f"{word!r} missing from {problems}"


# ---------------------------------------------------------------------------------------------
# Good files


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_scenarios_load(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name
    assert scenario.sources
    assert scenario.variants, "every bundled file shows at least one variant"


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_expand_gives_the_base_and_each_variant_with_its_values(path: Path) -> None:
    scenario = load_scenario(path)
    expanded = scenario.expand()
    assert [s.name for s in expanded] == [scenario.name] + [v.name for v in scenario.variants]
    base = expanded[0]
    assert base.variants == []
    assert settings(base) == settings(scenario)
    for variant, result in zip(scenario.variants, expanded[1:], strict=True):
        expected = merged(settings(base), **variant.set)
        expected["scenario"]["name"] = variant.name
        assert settings(result) == expected, variant.name


def test_baseline_eight_reps_changes_only_the_reps() -> None:
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    by_name = {s.name: s for s in scenario.expand()}
    base, eight = by_name["Baseline"], by_name["8 reps"]
    assert base.team.reps == 6
    assert eight.team.reps == 8
    assert eight.team.model_copy(update={"reps": 6}) == base.team
    for section in ("calendar", "sources", "nurture", "handoff", "response", "deals", "sla"):
        assert getattr(eight, section) == getattr(base, section), section
    assert eight.scenario.model_copy(update={"name": "Baseline"}) == base.scenario


def test_with_overrides_sets_a_dotted_key_and_leaves_the_rest() -> None:
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    before = copy.deepcopy(settings(scenario))
    nine = scenario.with_overrides({"team.reps": 9})
    assert nine.team.reps == 9
    assert scenario.team.reps == 6, "the original scenario must not change"
    assert settings(scenario) == before
    assert settings(nine) == merged(before, **{"team.reps": 9})


def test_with_overrides_of_an_unknown_key_names_it() -> None:
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({"team.nope": 1})
    line = the_line(caught.value.problems, r"team\.nope")
    assert "reps" in line, f"should say what [team] allows: {line!r}"


def test_with_overrides_of_a_bad_value_names_key_and_value() -> None:
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    with pytest.raises(ScenarioError) as caught:
        scenario.with_overrides({"response.connect_prob": 1.7})
    line = the_line(caught.value.problems, r"response\.connect_prob")
    assert "1.7" in line


# ---------------------------------------------------------------------------------------------
# Warnings: legal terms that will surprise a reader


def _calendar_clock(tmp_path: Path, hours: int) -> Scenario:
    text = edited(
        ('clock = "business"', 'clock = "calendar"'),
        ("first_response_hours = 24 ", f"first_response_hours = {hours} "),
    )
    return load_scenario(write(tmp_path, text))


def test_a_calendar_clock_target_shorter_than_the_weekend_warns(tmp_path: Path) -> None:
    scenario = _calendar_clock(tmp_path, 24)
    warnings = [w for w in scenario_warnings(scenario) if "first_response_hours" in w]
    assert len(warnings) == 1, scenario_warnings(scenario)
    warning = warnings[0]
    assert "calendar" in warning
    assert "24" in warning
    assert "63" in warning, "Friday 18:00 to Monday 9:00 is the longest closed stretch (63 h)"


def test_a_calendar_clock_target_longer_than_the_weekend_does_not_warn(tmp_path: Path) -> None:
    scenario = _calendar_clock(tmp_path, 72)
    assert not [w for w in scenario_warnings(scenario) if "first_response_hours" in w]


def test_the_bundled_baseline_has_no_warnings() -> None:
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    assert [w for s in scenario.expand() for w in scenario_warnings(s)] == []
