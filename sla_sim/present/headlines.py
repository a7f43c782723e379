"""One sentence per candidate, in plain words, against the baseline: what changed in the terms,
what it does to closed deals (with the 95% interval of the paired difference) and to response
breaches ('8 reps and a 1-hour response close 14 more deals a year (9 to 19) and cut response
breaches from 31% to 4%').
"""

from __future__ import annotations

import math

import pandas as pd

from sla_sim.experiments.compare import Comparison
from sla_sim.present.numbers import count, share, signed_count
from sla_sim.present.terms import changed_terms
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


def subject(candidate: Scenario, baseline: Scenario) -> str:
    """What the candidate changes, as words ('8 reps and a 1-hour response'), or its name."""
    words = [term.phrase(value) for term, value in changed_terms(candidate, baseline)]
    if not words:
        return candidate.name
    if len(words) > 3:
        words = [*words[:3], f"{len(words) - 3} more changes"]
    return _join(words)


def _singular(who: str) -> bool:
    """'a 1-hour response closes', but '8 reps close' and 'reps and a response close'."""
    return " and " not in who and who.split()[0] in ("a", "an", "the", "decay")


def headline(candidate: Scenario, baseline: Scenario, comparison: Comparison) -> str:
    """The sentence for one candidate (the baseline itself gets none)."""
    who = subject(candidate, baseline)
    s = "s" if _singular(who) else ""
    period = _period(baseline)
    deals = _row(comparison.differences, candidate.name, "closed_deals")
    clauses = []
    if deals is not None and not math.isnan(deals.ci_low):
        d, low, high = float(deals.difference), float(deals.ci_low), float(deals.ci_high)
        w = max(abs(d), abs(low), abs(high)) >= 9.5
        if low == high == 0:
            clauses.append(f"change{s} no deal {period}: the same deals in every replication")
        elif low > 0:
            clauses.append(
                f"close{s} {_deals(d, w)} more deals {period} ({_deals(low, w)} to {_deals(high, w)})"
            )
        elif high < 0:
            clauses.append(
                f"close{s} {_deals(d, w)} fewer deals {period} ({_deals(high, w)} to {_deals(low, w)})"
            )
        else:
            clauses.append(
                f"make{s} no clear difference to deals {period} ({signed_count(low, w)} to {signed_count(high, w)})"
            )
    breach = _row(comparison.differences, candidate.name, "response_breach_rate")
    if breach is not None and not math.isnan(breach.ci_low):
        before, after = float(breach.baseline_mean), float(breach["mean"])
        if breach.ci_high < 0:
            clauses.append(f"cut{s} response breaches from {share(before, 0)} to {share(after, 0)}")
        elif breach.ci_low > 0:
            clauses.append(
                f"raise{s} response breaches from {share(before, 0)} to {share(after, 0)}"
            )
        else:
            clauses.append(f"leave{s} response breaches near {share(before, 0)}")
    if not clauses:
        return f"{who[0].upper()}{who[1:]}: too few replications to tell."
    return f"{who[0].upper()}{who[1:]} {_join(clauses)}."


def headlines(scenarios: list[Scenario], comparison: Comparison) -> list[tuple[str, str]]:
    """(candidate, sentence) for every candidate but the baseline, in order."""
    by_name = {s.name: s for s in scenarios}
    baseline = by_name[comparison.baseline]
    return [
        (s.name, headline(s, baseline, comparison))
        for s in scenarios
        if s.name != comparison.baseline
    ]
