"""Decay presets reproduce the published speed-to-lead results, measured from the model's own
attempt records: leads first called at one age against leads first called at another."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sla_sim import ScenarioError
from sla_sim.model.decay import PRESETS, Table
from sla_sim.scenario.warnings import scenario_warnings
from sla_sim.verification.setups import check_hbr2011, check_lrm2007

from conftest import scenario_from


@pytest.mark.slow
def test_lrm2007_five_minutes_against_thirty() -> None:
    """Lead Response Management study (Oldroyd, MIT/InsideSales, 2007): the odds of contact are 100
    times and the odds of qualifying 21 times higher when the first call is within 5 minutes than
    at 30 minutes. Measured from the run's own first calls; the published value must lie within
    four standard errors of the measured ratio."""
    checks = check_lrm2007()
    for check in checks:
        assert check.replications > 30, "too few events at 30 minutes to measure the ratio"
        assert check.agrees, check


@pytest.mark.slow
def test_hbr2011_within_an_hour_against_later() -> None:
    """Oldroyd, McElheran & Elkington, HBR 2011: firms that tried within an hour were nearly 7 times
    as likely to qualify the lead as those that tried an hour later, and more than 60 times as
    likely as those that waited 24 hours or longer."""
    checks = check_hbr2011()
    for check in checks:
        assert check.replications > 30
        assert check.agrees, check


def test_presets_are_curves_that_only_fall() -> None:
    for connect, qualify in PRESETS.values():
        ages = np.linspace(0, 500, 5001)
        for curve in (connect, qualify):
            values = curve.multiplier(ages)
            assert values[0] == 1.0
            assert (np.diff(values) <= 1e-15).all()


def test_a_table_in_the_file_is_the_users_own_curve() -> None:
    table = {"age_hours": [0, 1, 24], "connect": [1.0, 0.5, 0.1], "qualify": [1.0, 1.0, 0.5]}
    scenario = scenario_from(**{"response.decay": table})
    assert scenario.response.decay != "half_life"
    curve = Table((0.0, 1.0, 24.0), (1.0, 0.5, 0.1))
    # Joined exponentially: half-way in time is the geometric mean.
    assert curve.multiplier(np.array([0.5]))[0] == pytest.approx(math.sqrt(0.5))
    assert curve.multiplier(np.array([100.0]))[0] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"age_hours": [0, 1], "connect": [1.0, 0.5], "qualify": [1.0]}, "same number"),
        ({"age_hours": [0, 0], "connect": [1.0, 0.5], "qualify": [1.0, 1]}, "must increase"),
        ({"age_hours": [0, 1], "connect": [0.5, 1.0], "qualify": [1.0, 1]}, "must not rise"),
        ({"age_hours": [0, 1], "connect": [1.0, 1.5], "qualify": [1.0, 1]}, "<= 1"),
    ],
)
def test_a_bad_table_is_refused_with_its_key(table: dict[str, list[float]], words: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from(**{"response.decay": table})
    message = "\n".join(caught.value.problems)
    assert "response.decay" in message
    assert words in message


def test_an_unknown_preset_is_refused() -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from(**{"response.decay": "hbr2012"})
    assert "response.decay" in caught.value.problems[0]
    assert "lrm2007" in caught.value.problems[0]


def test_half_life_keys_beside_a_preset_get_a_warning() -> None:
    scenario = scenario_from(**{"response.decay": "lrm2007", "response.connect_half_life_hours": 2})
    assert any("connect_half_life_hours" in w for w in scenario_warnings(scenario))
    preset_only = scenario_from(**{"response": {"decay": "lrm2007"}})
    assert not scenario_warnings(preset_only)
    assert not scenario_warnings(preset_only.with_overrides({"team.reps": 3}))
