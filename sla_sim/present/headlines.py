"""One sentence per candidate, in plain words, against the baseline: what changed in the terms,
what it does to closed deals (with the 95% interval of the paired difference) and to response
breaches, and what it costs ('8 reps close 14 more deals a year (9 to 19) and cut response
breaches from 31% to 4%; $132k more in reps, net revenue +$52k (+$10k to +$94k)').
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sla_sim.experiments.compare import Comparison
from sla_sim.model.world import is_measured_only, simulation_key
from sla_sim.present.numbers import (
    NO_DIFFERENCE,
    count,
    format_difference,
    format_signed,
    hours,
    hours_adjective,
    money,
    share,
    signed_count,
)
from sla_sim.present.terms import Term, changed_terms, phrases
from sla_sim.scenario.schema import Scenario


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _deals(value: float, whole: bool) -> str:
    """A number of deals, unsigned: whole when the difference is ten or more, else to one decimal."""
    return count(abs(value), whole)


def _period(scenario: Scenario) -> str:
    months = scenario.scenario.months
    return "a year" if months == 12 else f"in {months} months"


def _row(differences: pd.DataFrame, name: str, metric: str) -> pd.Series | None:
    rows = differences[(differences.scenario == name) & (differences.metric == metric)]
    return None if rows.empty else rows.iloc[0]


RESPONSE_MEASURES = ("sla.sales.first_response_hours", "sla.sales.clock")
"""Terms the model does not read that still change the response breaches (what they count)."""


def _words(changes: list[tuple[Term, Any]]) -> str:
    words = phrases(changes)
    if len(words) > 3:
        more = len(words) - 3
        words = [*words[:3], f"{more} more change{'s' * (more > 1)}"]
    return _join(words)


def subject(candidate: Scenario, baseline: Scenario) -> str:
    """What the candidate changes, as words ('8 reps and a 1-hour response'), or its name."""
    return _words(changed_terms(candidate, baseline)) or candidate.name


def _singular(who: str) -> bool:
    """'a 1-hour response closes', but '8 reps close' and 'reps and a response close'."""
    return " and " not in who and who.split()[0] in ("a", "an", "the", "decay")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _deals_clause(deals: pd.Series | None, s: str, period: str) -> str | None:
    if deals is None or math.isnan(deals.ci_low):
        return None
    d, low, high = float(deals.difference), float(deals.ci_low), float(deals.ci_high)
    w = max(abs(d), abs(low), abs(high)) >= 9.5
    if low == high == 0:
        return f"leave{s} closed deals as they are (the same in every replication)"
    if low > 0:
        return (
            f"close{s} {_deals(d, w)} more deals {period} ({_deals(low, w)} to {_deals(high, w)})"
        )
    if high < 0:
        return (
            f"close{s} {_deals(d, w)} fewer deals {period} ({_deals(high, w)} to {_deals(low, w)})"
        )
    return (
        f"make{s} no clear difference to deals {period} "
        f"({signed_count(low, w)} to {signed_count(high, w)})"
    )


def _breaches(breach: pd.Series | None) -> tuple[str, str] | None:
    """(verb, rest) of the response breaches' change: ("cut", "from 31% to 4%")."""
    if breach is None or math.isnan(breach.ci_low):
        return None
    before, after = float(breach.baseline_mean), float(breach["mean"])
    if breach.ci_high < 0:
        return "cut", f"from {share(before, 0)} to {share(after, 0)}"
    if breach.ci_low > 0:
        return "raise", f"from {share(before, 0)} to {share(after, 0)}"
    return "leave", f"near {share(before, 0)}"


PASSIVE = {"cut": "fall", "raise": "rise", "leave": "stay"}


def _target(scenario: Scenario, clock: bool) -> tuple[str, str]:
    """The response target before a noun and as a duration ("1-hour", "24 h"), with its clock
    when `clock`."""
    sales = scenario.sla.sales
    on = f" {sales.clock}" if clock else ""
    return hours_adjective(sales.first_response_hours) + on, hours(sales.first_response_hours) + on


def _other_target(breach: pd.Series | None, candidate: Scenario, baseline: Scenario) -> str | None:
    """The breaches of a candidate with a response target of its own: a share of another
    target than the baseline's, so said beside it rather than as a change."""
    if breach is None or math.isnan(float(breach["mean"])):
        return None
    clock = candidate.sla.sales.clock != baseline.sla.sales.clock
    own, _ = _target(candidate, clock)
    _, theirs = _target(baseline, clock)
    return (
        f"response breaches of a {own} target {share(float(breach['mean']), 0)} "
        f"(baseline: {share(float(breach.baseline_mean), 0)} of {theirs})"
    )


def _moves_target(candidate: Scenario, baseline: Scenario) -> bool:
    a, b = candidate.sla.sales, baseline.sla.sales
    return (a.first_response_hours, a.clock) != (b.first_response_hours, b.clock)


def has_costs(scenario: Scenario) -> bool:
    """Whether the scenario says what reps, account executives or leads cost."""
    costs = scenario.costs
    return (
        costs.rep_cost_per_month > 0
        or (scenario.ae is not None and costs.ae_cost_per_month > 0)
        or any(s.cost_per_lead > 0 for s in scenario.sources)
    )


COSTS = (("sales_cost", "in reps"), ("marketing_cost", "in marketing"))
AE_SALES_COST = "in reps and AEs"
"""What the sales cost is spent on when either scenario has account executives."""


def _cost(row: pd.Series, what: str, currency: str) -> str | None:
    """'$132k more in reps', with the interval when the replications differ; None when the
    difference rounds to nothing."""
    d, low, high = float(row.difference), float(row.ci_low), float(row.ci_high)
    if money(abs(d), currency) == money(0.0, currency):
        return None
    text = f"{money(abs(d), currency)} {'more' if d > 0 else 'less'} {what}"
    if not math.isnan(low) and low != high:
        key = str(row.metric)
        text += f" ({format_signed(key, low, currency)} to {format_signed(key, high, currency)})"
    return text


def _money_clause(candidate: Scenario, baseline: Scenario, comparison: Comparison) -> str:
    """What the change costs in reps and in marketing, and does to revenue net of costs, when
    either scenario has costs."""
    if not (has_costs(candidate) or has_costs(baseline)):
        return ""
    currency = baseline.costs.currency
    aes = candidate.ae is not None or baseline.ae is not None
    parts = []
    for metric, what in COSTS:
        what = AE_SALES_COST if aes and metric == "sales_cost" else what
        row = _row(comparison.differences, candidate.name, metric)
        if row is not None and not math.isnan(float(row.difference)):
            parts += [c for c in [_cost(row, what, currency)] if c]
    net = _row(comparison.differences, candidate.name, "net_revenue")
    if net is not None and not math.isnan(net.ci_low):
        shown = format_difference(
            "net_revenue", float(net.difference), float(net.ci_low), float(net.ci_high), currency
        )
        parts.append(
            "no difference to net revenue" if shown == NO_DIFFERENCE else f"net revenue {shown}"
        )
    return "; " + ", ".join(parts) if parts else ""


def _same_events(candidate: Scenario, baseline: Scenario) -> bool:
    """Whether the two scenarios simulate the same events (they differ only in what is
    measured), whatever terms have words."""
    bare: dict[str, Any] = {"variants": [], "sweep": {}}
    return simulation_key(candidate.model_copy(update=bare)) == simulation_key(
        baseline.model_copy(update=bare)
    )


def headline(candidate: Scenario, baseline: Scenario, comparison: Comparison) -> str:
    """The sentence for one candidate (the baseline itself gets none). Deals are put down only
    to the terms the simulation reads; a term it only measures against (a response target, an
    MQL commitment) is said to change what is measured, not what happens. A response target the
    simulation reads (under enforcement) gets its breaches said as a share of that target, beside
    the baseline's share of its own, since the two count against different targets. A change
    the simulation reads that no term words (the account executives) is said by the candidate's
    name."""
    changes = changed_terms(candidate, baseline)
    read = [(t, v) for t, v in changes if not is_measured_only(t.key, candidate)]
    measured = [(t, v) for t, v in changes if is_measured_only(t.key, candidate)]
    counting = [(t, v) for t, v in measured if t.key in RESPONSE_MEASURES]
    others = [(t, v) for t, v in measured if t.key not in RESPONSE_MEASURES]
    period = _period(baseline)
    deals = _row(comparison.differences, candidate.name, "closed_deals")
    breach = _row(comparison.differences, candidate.name, "response_breach_rate")
    breaches = _breaches(breach)
    own_target = None
    if any(t.key in RESPONSE_MEASURES for t, _ in read) and _moves_target(candidate, baseline):
        own_target, breaches = _other_target(breach, candidate, baseline), None
    if not read and _same_events(candidate, baseline):
        who = _words(measured) or candidate.name
        s = "s" if _singular(who) else ""
        text = f"{_capital(who)} change{s} what is measured, not what happens to the leads"
        if deals is not None and not math.isnan(deals.ci_low):
            text += f": the same deals {period}"
        if breaches:
            text += f", and response breaches {PASSIVE[breaches[0]]} {breaches[1]}"
        return text + _money_clause(candidate, baseline, comparison) + "."
    who = _words(read) or candidate.name
    s = "s" if _singular(who) else ""
    clauses = [c for c in [_deals_clause(deals, s, period)] if c]
    tail = ""
    if breaches and counting:
        tail = (
            f"; with {_words(counting)} too, response breaches {PASSIVE[breaches[0]]} {breaches[1]}"
        )
    elif breaches:
        clauses.append(f"{breaches[0]}{s} response breaches {breaches[1]}")
    if own_target:
        tail += f"; {own_target}"
    if not clauses and not tail:
        return f"{_capital(who)}: too few replications to tell."
    text = f"{_capital(who)} {_join(clauses)}" if clauses else _capital(who) + " change" + s
    text += tail
    if others:
        o = _words(others)
        text += f"; {o} change{'s' if _singular(o) else ''} only what is measured, not the deals"
    return text + _money_clause(candidate, baseline, comparison) + "."


def headlines(scenarios: list[Scenario], comparison: Comparison) -> list[tuple[str, str]]:
    """(candidate, sentence) for every candidate but the baseline, in order."""
    by_name = {s.name: s for s in scenarios}
    baseline = by_name[comparison.baseline]
    return [
        (s.name, headline(s, baseline, comparison))
        for s in scenarios
        if s.name != comparison.baseline
    ]
