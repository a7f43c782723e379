"""Numbers worded for people in one place: one minus sign, units, intervals and differences; the
reverse funnel's table and findings; the wording importable without the renderers."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sla_sim.analysis.metrics import BY_KEY, FUNNEL_STAGES
from sla_sim.experiments.funnel import FunnelPlan
from sla_sim.present.numbers import (
    MINUS,
    chart_format,
    format_difference,
    format_range,
    format_signed,
    format_value,
    hours_adjective,
    hours_list,
    money,
    money_title,
    share,
    signed_count,
)
from sla_sim.present.tables import funnel_answer, funnel_findings, funnel_table

from conftest import ROOT


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("closed_deals", 1783.0, "1,783"),
        ("closed_deals", 4.56, "4.6"),
        ("revenue", 1_234_567.0, "$1.23M"),
        ("response_breach_rate", 0.3125, "31.2%"),
        ("response_breach_rate", 0.004, "0.40%"),
        ("response_hours_median", 4.5, "4.5 h"),
        ("response_hours_median", 0.5, "30 min"),
        ("mql_shortfall_months", 2.0, "2.0"),
        ("closed_deals", float("nan"), "n/a"),
    ],
)
def test_a_value_is_worded_by_the_unit_of_its_metric(key: str, value: float, shown: str) -> None:
    assert format_value(key, value) == shown


def test_every_negative_number_carries_the_one_minus_sign() -> None:
    worded = [
        format_value("closed_deals", -12.0),
        format_value("revenue", -1_234_567.0),
        format_value("response_breach_rate", -0.02),
        format_signed("closed_deals", -12.0),
        format_signed("response_breach_rate", -0.027),
        format_difference("revenue", -2000.0, -3000.0, -1000.0),
        signed_count(-0.8, whole=False),
        share(-0.05, 0),
    ]
    for text in worded:
        assert "-" not in text, text
        assert text.startswith(MINUS), text


def test_differences_and_intervals() -> None:
    assert format_range("closed_deals", 14, 9, 19) == "14 (9–19)"
    assert format_range("closed_deals", 14, 14, 14) == "14 (every replication)"
    assert format_range("response_hours_median", 0, 0, 0) == "0 min (every replication)"
    assert format_signed("closed_deals", 14) == "+14"
    assert format_signed("closed_deals", 0) == "0"
    assert format_signed("revenue", 0.2) == "$0", "a difference that rounds to nothing has no sign"
    assert format_signed("response_breach_rate", -0.27) == f"{MINUS}27.0 pts"
    assert format_difference("closed_deals", 14, 9, 19) == "+14 (+9 to +19)"
    assert format_difference("closed_deals", 14, float("nan"), float("nan")) == "+14"
    assert format_difference("response_breach_rate", 0.0001, -0.0002, 0.0003) == "no difference"
    assert format_difference("revenue", 0.0, 0.0, 0.0) == "no difference"
    assert format_value("backlog_mean", 8.8) == "8.8 leads"


def test_money_is_worded_in_the_scenario_currency() -> None:
    assert format_value("revenue", 1_234_567.0, "EUR") == "€1.23M"
    assert format_value("net_revenue", -850.0, "BRL") == f"{MINUS}R$850"
    assert format_value("revenue", 12_300.0, "CHF") == "CHF\u00a012.3k", (
        "a symbol of letters is spaced"
    )
    assert format_value("revenue", 1_234_567.0) == format_value("revenue", 1_234_567.0, "USD")
    assert format_signed("revenue", 2000.0, "GBP") == "+£2k"
    assert format_range("cost_per_deal", 1500, 1000, 2000, "EUR") == "€1.5k (€1k–€2k)"
    assert format_difference("net_revenue", -2000.0, -3000.0, -1000.0, "EUR") == (
        f"{MINUS}€2k ({MINUS}€3k to {MINUS}€1k)"
    )
    assert money(12.5, "USD", exact=True) == "$12.50"
    assert money(8500, "EUR", exact=True) == "€8,500"
    assert money_title("Revenue", "BRL") == "Revenue (R$)"
    assert chart_format("money") == "$,.3s", "d3-format writes dollars itself"
    assert chart_format("money", currency="EUR") == ",.3s"
    assert chart_format("money", axis=True, currency="EUR") == ",.3s"


def test_terms_in_hours() -> None:
    assert hours_adjective(1) == "1-hour"
    assert hours_adjective(0.5) == "30-minute"
    assert hours_list([4, 24, 48]) == "4, 24, 48 h"


def _plan(reachable: bool) -> FunnelPlan:
    at = {stage: {"mean": 10.0, "ci_low": 9.0, "ci_high": 11.0} for stage in FUNNEL_STAGES}
    return FunnelPlan(
        target_deals=12.5,
        months=11,
        rates=dict.fromkeys(FUNNEL_STAGES[:-1], 0.5),
        arithmetic={"closed_deals": 12.5, "leads": 1783},
        scale_by_arithmetic=1.5,
        scale_by_simulation=1.8 if reachable else None,
        simulated=at if reachable else {},
        simulated_at_arithmetic=at,
        reps=6,
        reps_needed=8,
        mean_deal_value=1000.0,
    )


def test_the_funnel_plan_in_words() -> None:
    rows = funnel_table(_plan(reachable=True))
    assert [row["Stage"] for row in rows] == [BY_KEY[stage].label for stage in FUNNEL_STAGES]
    assert rows[0]["Arithmetic, per month"] == "1,783.0", "one rounding for every count"
    assert rows[-1]["Arithmetic, per month"] == "12.5"
    assert rows[0]["Today's rate to the next stage"] == "50.0%"
    assert rows[-1]["Today's rate to the next stage"] == ""
    assert funnel_answer(_plan(reachable=True)).startswith("1.80 times today's leads")
    findings = funnel_findings(_plan(reachable=True))
    assert (
        findings[1]
        == "Simulation: 1.80 times today's leads with 6 reps (+20% against the arithmetic)."
    )
    assert "8 reps reach the target" in findings[2]
    unreachable = _plan(reachable=False)
    assert not any("reaches it" in column for column in funnel_table(unreachable)[0]), (
        "no column of 'out of reach' in every row"
    )
    assert funnel_answer(unreachable).startswith("8 reps instead of 6"), "the answer first"
    assert funnel_findings(unreachable)[-1].startswith(
        "With 6 reps no lead volume reaches 12.5 deals a month"
    )
    assert "saturate" not in " ".join(funnel_findings(unreachable)), "no cause the plan lacks"


def test_the_wording_needs_no_renderer() -> None:
    blocked = ("pptx", "vl_convert", "streamlit", "altair")
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}:\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import sla_sim.present.numbers, sla_sim.present.terms, sla_sim.present.headlines\n"
        "from sla_sim.present.pack import assumptions, difference_table, summary_table\n"
        "import sla_sim.present.tables\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("value", "shown"),
    [(999_499, "$999k"), (999_500, "$1M"), (999.7, "$1k"), (999.4, "$999"), (-999_600, "−$1M")],
)
def test_money_rounds_before_it_chooses_k_or_m(value: float, shown: str) -> None:
    assert money(value) == shown


def test_a_range_stays_within_what_the_metric_can_take() -> None:
    assert format_range("leads_ignored", 1.2, -0.25, 2.65) == "1.2 (0–2.6)"
    assert format_range("response_within_sla", 0.99, 0.97, 1.01) == "99.0% (97.0%–100.0%)"
    assert "−" in format_range("net_revenue", 1000.0, -5000.0, 7000.0)
