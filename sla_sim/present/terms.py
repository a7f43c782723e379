"""The terms of an SLA as a leader thinks of them: what Marketing commits to, what Sales commits
to, the capacity and market they work in, the team over the year and, when the file has them, the
account executives.

Each term names the dotted key of the scenario it sets, a label and unit for people, what it means,
and how to say a value in a sentence ("8 reps", "a 1-hour response"). The app builds its inputs
from this list, the reports their terms table, the headlines their wording; nobody shows a leader
a dotted key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from babel.numbers import get_currency_name, list_currencies

from sla_sim.present.numbers import (
    LOCALE,
    count,
    hour_blocks,
    hours,
    hours_adjective,
    hours_list,
    money,
    month_name,
    number,
    share,
    share_as_set,
    signed_count,
)
from sla_sim.scenario import keys
from sla_sim.scenario.schema import ALERT_AT, Scenario

Group = Literal["marketing", "sales", "capacity", "team", "ae"]
Kind = Literal[
    "int", "number", "optional_number", "share", "choice", "hours_list", "blocks", "ramp", "changes"
]
"""How a term is typed: "optional_number" may be left empty (`unset_words` says what that means),
"ramp" is a list of shares by month, "changes" a table of months and reps."""

GROUPS: dict[Group, str] = {
    "marketing": "What Marketing commits to",
    "sales": "What Sales commits to",
    "capacity": "Capacity and market",
    "team": "The team over the year",
    "ae": "Account executives",
}
POSITIVE = ("> 0",)
"""The values of `Term.needs` that mean: while that term is above zero."""


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    group: Group
    unit: str
    help: str
    kind: Kind
    phrase: Callable[[Any], str]
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: dict[str, str] = field(default_factory=dict)  # value -> words
    currency: str | None = None  # an amount of money in this currency
    needs: tuple[str, tuple[str, ...]] | None = None
    """(key, values): the term applies only while that term has one of these values."""
    unset: Any = None
    """What the model uses when the file leaves the key out (a value of None)."""
    subsumes: str | None = None
    """The key of the term this one details: said together, this phrase says both."""
    example: Any = None
    """The value offered when the term starts to apply and has none (blocks when work moves
    into blocks)."""
    ignored_outside: bool = False
    """Outside `needs` the model ignores the value (a file may keep it); otherwise a scenario
    must not set it there."""
    unset_words: str | None = None
    """What no value means, in words ("not replaced"), for a term that may be left empty."""
    words: Callable[[Any], str] | None = None
    """How the value reads in a table, when its kind alone cannot say (months by name)."""
    decimals: int = 0
    """Decimals of a share as typed in the app ("3.5")."""

    def needed(self, value: Any) -> bool:
        """Whether the term applies beside `value`, the value of the term it `needs`."""
        if self.needs is None:
            return True
        if self.needs[1] == POSITIVE:
            return value is not None and float(value) > 0
        return str(value) in self.needs[1]

    def show(self, value: Any) -> str:
        """The value as a person reads it, with its unit: "24 h", "85%", "4, 24, 48 h", "$45"."""
        if value is None:
            value = self.unset
            if value is None:
                return self.unset_words or NOT_USED
        if self.words is not None:
            return self.words(value)
        if self.currency is not None:
            return money(float(value), self.currency, exact=True)
        if self.kind == "share":
            return share(float(value), self.decimals)
        if self.kind == "ramp":
            return ramp_words(value)
        if self.kind == "choice":
            return self.choices.get(str(value), str(value))
        if self.kind == "hours_list":
            return hours_list(value)
        if self.kind == "blocks":
            return hour_blocks(value)
        unit = {"hours": " h", "days": " days", "minutes": " min"}.get(self.unit, "")
        return f"{number(value)}{unit}"


NOT_USED = "–"
"""A term that does not apply to a scenario (an alert share without enforcement)."""

PRIORITIES = {
    "fifo": "oldest first",
    "newest_first": "newest first",
    "highest_score": "highest score first",
    "new_first": "first attempts ahead of retries",
    "deadline": "nearest response deadline first",
}
ENFORCEMENTS = {
    "none": "not enforced: it only measures",
    "alert": "alert the owner",
    "reassign": "alert, then reassign",
}
ENFORCEMENT_PHRASES = {
    "none": "an unenforced response target",
    "alert": "alerts",
    "reassign": "alerts and reassignment",
}
LEAD_WORK = {
    "interleaved": "between other work, as leads come",
    "blocks": "in set blocks of the day",
    "checks": "when they check the queue",
}
LEAD_WORK_PHRASES = {
    "interleaved": "new leads worked as they come",
    "blocks": "new leads worked in set blocks",
    "checks": "reps checking for new leads at set times",
}
ALERTING = ("sla.sales.enforcement", ("alert", "reassign"))
REASSIGNING = ("sla.sales.enforcement", ("reassign",))


def _ignored(value: Any) -> str:
    if float(value) == 0:
        return "every handoff picked up"
    return f"{share(float(value), 0)} of handoffs left alone"


DECAYS = {
    "half_life": "half-lives of the file",
    "lrm2007": "Lead Response Management study (2007)",
    "hbr2011": "Harvard Business Review study (2011)",
    "table": "table of the file",
}


def _decay(value: Any) -> str:
    """A decay by its name, or a table (a calibrated one) by its ages and how far it falls."""
    if isinstance(value, dict) and value.get("age_hours"):
        ages, connect = value["age_hours"], value.get("connect") or [1.0]
        return (
            f"decay per a table of {len(ages)} ages to {hours(ages[-1])}: the chance to "
            f"reach a lead falls to {share(connect[-1] / connect[0] if connect[0] else 0.0, 0)} "
            "of a fresh one's"
        )
    return f"decay per the {DECAYS.get(str(value), str(value))}"


TERMS: list[Term] = [
    Term(
        "sla.marketing.mql_threshold",
        "MQL score threshold",
        "marketing",
        "points of 100",
        "A lead is handed to Sales once its score (fit plus engagement) reaches this. Higher: "
        "fewer, better leads.",
        "number",
        lambda v: f"an MQL threshold of {number(v)}",
        0,
        100,
        5,
    ),
    Term(
        "sla.marketing.monthly_mql_commitment",
        "MQLs committed per month",
        "marketing",
        "MQLs / month",
        "How many qualified leads Marketing promises to hand over each month; a month below it "
        "is a shortfall month.",
        "number",
        lambda v: f"a commitment of {number(v)} MQLs a month",
        0,
        None,
        10,
    ),
    Term(
        "sla.marketing.acceptance_target",
        "Acceptance target",
        "marketing",
        "% of MQLs",
        "The share of MQLs Sales is expected to accept (the rest are rejected as not a fit).",
        "share",
        lambda v: f"a {share(float(v), 0)} acceptance target",
        0,
        1,
        0.05,
    ),
    Term(
        "sla.sales.first_response_hours",
        "First response within",
        "sales",
        "hours",
        "Sales makes the first attempt on an accepted lead within this time, counted on the "
        "response clock. Later than that is a response breach.",
        "number",
        lambda v: f"a {hours_adjective(v)} response",
        0.05,
        None,
        1,
    ),
    Term(
        "sla.sales.enforcement",
        "How the target is enforced",
        "sales",
        "",
        "Not enforced: the target only measures breaches. Alert: a lead near the target is "
        "flagged and worked ahead of everything else, even outside lead blocks. Reassign: as "
        "alert, and a lead still not attempted after a while moves to another rep.",
        "choice",
        lambda v: ENFORCEMENT_PHRASES.get(str(v), str(v)),
        choices=ENFORCEMENTS,
    ),
    Term(
        "sla.sales.alert_at",
        "Alert at",
        "sales",
        "% of the target",
        "How far into the response target a waiting lead is flagged to its rep.",
        "share",
        lambda v: f"alerts at {share(float(v), 0)} of the target",
        0.05,
        1,
        0.05,
        needs=ALERTING,
        unset=ALERT_AT,
        subsumes="sla.sales.enforcement",
    ),
    Term(
        "sla.sales.reassign_after_minutes",
        "Reassign after",
        "sales",
        "minutes",
        "How long after the handoff (on the response clock) a lead nobody has attempted moves "
        "to the rep free soonest.",
        "number",
        lambda v: f"reassignment after {hours(float(v) / 60)}",
        1,
        None,
        5,
        needs=REASSIGNING,
        subsumes="sla.sales.enforcement",
        example=30.0,
    ),
    Term(
        "sla.sales.max_reassignments",
        "Reassignments of a lead, at most",
        "sales",
        "",
        "How many times one lead may be moved to another rep.",
        "int",
        lambda v: f"at most {number(v)} reassignment{'s' if v != 1 else ''}",
        1,
        100,
        1,
        needs=REASSIGNING,
        unset=1,
    ),
    Term(
        "sla.sales.clock",
        "Response clock",
        "sales",
        "",
        "Business hours count only the open hours of the calendar; calendar hours count nights "
        "and weekends too.",
        "choice",
        lambda v: f"the {v} clock",
        choices={"business": "business hours", "calendar": "calendar hours"},
    ),
    Term(
        "sla.sales.min_attempts",
        "Attempts before giving up",
        "sales",
        "attempts",
        "How many times a rep tries to reach a lead before it counts as no contact. Fewer is an "
        "attempt breach.",
        "int",
        lambda v: f"{number(v)} attempts",
        1,
        20,
        1,
    ),
    Term(
        "sla.sales.retry_gap_hours",
        "Spacing between attempts",
        "sales",
        "hours",
        "Hours between one attempt and the next, first gap first; the last gap repeats.",
        "hours_list",
        lambda v: f"attempts spaced {hours_list(v)} apart",
    ),
    Term(
        "sla.sales.follow_up_window_days",
        "Follow-up window",
        "sales",
        "days",
        "How long after the handoff reps keep trying to reach a lead.",
        "number",
        lambda v: f"a {number(v)}-day follow-up window",
        1,
        None,
        1,
    ),
    Term(
        "sla.sales.on_no_contact",
        "After no contact",
        "sales",
        "",
        "What happens to a lead no rep reached: back to Marketing's nurture, or closed.",
        "choice",
        lambda v: "unreached leads " + ("recycled" if v == "recycle" else "disqualified"),
        choices={"recycle": "returned to nurture", "disqualify": "disqualified"},
    ),
    Term(
        "team.reps",
        "Reps",
        "capacity",
        "reps",
        "Sales reps working the handed-off leads.",
        "int",
        lambda v: f"{number(v)} reps",
        1,
        200,
        1,
    ),
    Term(
        "team.lead_work",
        "When reps work new leads",
        "capacity",
        "",
        "Between other work: a free rep takes the next lead at once. In set blocks: only "
        "inside the lead blocks of the day. When they check the queue: every few open hours a "
        "rep works what is waiting, then goes back to other work.",
        "choice",
        lambda v: LEAD_WORK_PHRASES.get(str(v), str(v)),
        choices=LEAD_WORK,
    ),
    Term(
        "team.lead_blocks",
        "Lead blocks",
        "capacity",
        "hours of the day",
        "The blocks of the open day in which reps work new leads, start and end hour each; "
        "outside them they do other work.",
        "blocks",
        lambda v: f"new leads worked {hour_blocks(v)}",
        needs=("team.lead_work", ("blocks",)),
        subsumes="team.lead_work",
        example=[[9.5, 11.0], [14.0, 15.5]],
    ),
    Term(
        "team.check_every_hours",
        "Check the queue every",
        "capacity",
        "hours",
        "How often, in open hours, a rep looks at the waiting leads and works them.",
        "number",
        lambda v: f"reps checking for new leads every {hours(float(v))}",
        0.25,
        24,
        0.5,
        needs=("team.lead_work", ("checks",)),
        subsumes="team.lead_work",
        example=2.0,
    ),
    Term(
        "team.prospecting_share",
        "Time on new leads",
        "capacity",
        "% of rep time",
        "The share of a rep's open hours spent on attempts at handed-off leads; the rest goes "
        "to other work.",
        "share",
        lambda v: f"{share(float(v), 0)} of rep time on new leads",
        0.05,
        1,
        0.05,
        needs=("team.lead_work", ("interleaved",)),
        ignored_outside=True,
    ),
    Term(
        "team.ignore_share",
        "Handoffs nobody picks up",
        "capacity",
        "% of handoffs",
        "The share of handed-off leads the owner (or the team) leaves alone: cherry-picked "
        "over, forgotten. An alert still gets them worked.",
        "share",
        _ignored,
        0,
        1,
        0.05,
    ),
    Term(
        "team.priority",
        "Who is called first",
        "capacity",
        "",
        "The order in which waiting leads get their attempts.",
        "choice",
        lambda v: f"{PRIORITIES.get(str(v), str(v))} calling",
        choices=PRIORITIES,
    ),
    Term(
        "response.decay",
        "How fast leads go cold",
        "capacity",
        "",
        "How the chance to reach and qualify a lead falls as it waits: the half-lives set in the "
        "file, or curves calibrated to the published speed-to-lead studies.",
        "choice",
        _decay,
        choices=DECAYS,
    ),
]


BY_TERM_KEY = {term.key: term for term in TERMS}
"""The terms of every scenario by their dotted key."""


def _volume_phrase(name: str) -> Callable[[Any], str]:
    return lambda v: f"{number(v)} {name.lower()} a month"


def _growth_phrase(name: str) -> Callable[[Any], str]:
    return lambda v: f"{name.lower()} growing {share(float(v), 0)} a month"


def _lead_cost_phrase(name: str, currency: str) -> Callable[[Any], str]:
    return lambda v: f"{name.lower()} at {money(float(v), currency, exact=True)} a lead"


CURRENCIES = {
    code: f"{code}, {get_currency_name(code, locale=LOCALE)}" for code in sorted(list_currencies())
}
"""Every ISO 4217 code a scenario may name, with its name in words."""


def cost_terms(scenario: Scenario) -> list[Term]:
    """What a rep costs and the currency of every amount (the scenario's own currency)."""
    currency = scenario.costs.currency
    return [
        Term(
            "costs.rep_cost_per_month",
            "Cost of a rep",
            "capacity",
            f"{currency} / month",
            "What one rep costs a month, pay and overheads; times the reps and the months "
            "measured, the sales cost.",
            "number",
            lambda v: f"a rep cost of {money(float(v), currency, exact=True)} a month",
            0,
            None,
            500,
            currency=currency,
        ),
        Term(
            "costs.currency",
            "Currency",
            "capacity",
            "",
            "The currency of every amount: deal values, costs and revenue. Changing it changes "
            "the symbol only, not the amounts.",
            "choice",
            lambda v: f"amounts in {v}",
            choices=CURRENCIES,
        ),
    ]


FULL_SPEED = [1.0]
"""A ramp that is no ramp: new reps at full speed from their first day."""


def ramping_months(ramp: list[float] | None) -> int:
    """How many months a new rep works below full speed."""
    ramp = ramp or FULL_SPEED
    return next((i for i, v in enumerate(ramp) if v >= 1), len(ramp))


def ramp_words(ramp: list[float] | None) -> str:
    """A ramp as a table reads it: "25%, 50%, 75%, 100%", or "full speed from day one"."""
    if ramping_months(ramp) == 0:
        return "full speed from day one"
    return ", ".join(share(float(v), 0) for v in ramp or FULL_SPEED)


def _ramp_phrase(ramp: list[float] | None) -> str:
    months = ramping_months(ramp)
    if months == 0:
        return "new reps at full speed from day one"
    return f"a {months}-month ramp for new reps"


def changes_words(changes: list[dict[str, int]], start: dt.date) -> str:
    """Hires and leavers by month: "+2 in Mar 2027, −1 in Jul 2027", or "none"."""
    ordered = sorted(changes, key=lambda c: c["month"])
    shown = [f"{signed_count(c['reps'], True)} in {month_name(start, c['month'])}" for c in ordered]
    return ", ".join(shown) or "none"


def _changes_phrase(start: dt.date, who: str) -> Callable[[Any], str]:
    def phrase(changes: list[dict[str, int]]) -> str:
        if not changes:
            return f"no {who} hired or leaving"
        if len(changes) > 1:
            signs = {c["reps"] > 0 for c in changes}
            how = "hired and leaving" if len(signs) > 1 else "hired" if True in signs else "leaving"
            return f"{who} {how} by month ({changes_words(changes, start)})"
        (change,) = changes
        reps, month = change["reps"], month_name(start, change["month"])
        one = f"{'an' if who[0] in 'AEIOU' else 'a'} {who[:-1]}"  # "a rep", "an AE"
        many = f"{count(abs(reps), True)} {who}" if abs(reps) > 1 else one
        return f"{many} {'hired' if reps > 0 else 'leaving'} in {month}"

    return phrase


def _changes_term(
    key: str, label: str, group: Group, who: str, help_text: str, start: dt.date
) -> Term:
    return Term(
        key,
        label,
        group,
        "",
        help_text,
        "changes",
        _changes_phrase(start, who),
        words=lambda v: changes_words(v, start),
    )


def team_terms(scenario: Scenario) -> list[Term]:
    """The team over the year (SPEC §10): hires and leavers by month, how new reps ramp, reps
    leaving on their own and their replacements, days off."""
    start = scenario.scenario.start_date
    return [
        _changes_term(
            "team.changes",
            "Hires and leavers",
            "team",
            "reps",
            "Reps who join (positive) or leave (negative) at the start of a month, on top of "
            "the reps above. New reps ramp up as set beside.",
            start,
        ),
        Term(
            "team.ramp",
            "New reps' speed by month",
            "team",
            "% of full speed",
            "What a new rep gets through in their 1st, 2nd, … month, as a share of a rep at "
            "full speed; the last value holds, and it must be 100. 100 alone: new reps are at "
            "full speed from their first day. The reps at the start are at full speed.",
            "ramp",
            _ramp_phrase,
            unset=FULL_SPEED,
        ),
        Term(
            "team.attrition_per_month",
            "Reps leaving on their own",
            "team",
            "% a month",
            "The chance each month that a rep quits or is let go, rep by rep, at a random "
            "moment; their waiting leads go back to the others. 3% a month is about a third of "
            "the team in a year.",
            "share",
            lambda v: f"{share_as_set(float(v))} of reps leaving a month",
            0,
            0.5,
            0.005,
            words=lambda v: f"{share_as_set(float(v))} a month",
            decimals=1,
        ),
        Term(
            "team.backfill_days",
            "Leavers replaced after",
            "team",
            "days",
            "Days from a rep leaving on their own until their replacement starts, who then "
            "ramps like any new rep. Empty: nobody is replaced.",
            "optional_number",
            lambda v: (
                "leavers not replaced" if v is None else f"leavers replaced after {number(v)} days"
            ),
            0,
            365,
            5,
            needs=("team.attrition_per_month", POSITIVE),
            ignored_outside=True,
            unset_words="not replaced",
        ),
        Term(
            "team.time_off_days_per_year",
            "Days off per rep",
            "team",
            "days a year",
            "Whole open days each rep is away in a year (holidays, sickness, training). Leads "
            "they own wait for them, unless the target is enforced by reassignment.",
            "number",
            lambda v: f"{number(v)} days off per rep a year",
            0,
            200,
            1,
            words=lambda v: f"{number(v)} days a year",
        ),
    ]


def ae_terms(scenario: Scenario) -> list[Term]:
    """The account executives who take the reps' opportunities (SPEC §10), when the scenario
    has them."""
    if scenario.ae is None:
        return []
    return [
        Term(
            "ae.reps",
            "Account executives",
            "ae",
            "AEs",
            "Account executives who take the opportunities the reps qualify and work them to a "
            "deal.",
            "int",
            lambda v: f"{number(v)} account executives",
            0,
            1000,
            1,
        ),
        Term(
            "ae.max_open_opportunities",
            "Open opportunities per AE, at most",
            "ae",
            "",
            "How many opportunities one account executive works at a time; more wait for one "
            "to close.",
            "int",
            lambda v: f"at most {number(v)} open opportunities per AE",
            1,
            100_000,
            1,
        ),
        Term(
            "ae.accept_within_hours",
            "AE takes an opportunity within",
            "ae",
            "hours",
            "The second SLA, reps to account executives: an AE takes a qualified opportunity "
            "within this time. Later is an AE breach.",
            "number",
            lambda v: f"AEs taking opportunities within {hours(float(v))}",
            0.05,
            24 * 365,
            1,
        ),
        Term(
            "ae.win_half_life_days",
            "Win chance halves after waiting",
            "ae",
            "days",
            "How long an opportunity can wait for an AE before its chance to be won halves. "
            "Empty: waiting costs no win chance.",
            "optional_number",
            lambda v: (
                "no win chance lost while waiting"
                if v is None
                else f"win chance halving after {number(v)} days of waiting"
            ),
            0.5,
            3650,
            1,
            unset_words="never",
        ),
        _changes_term(
            "ae.changes",
            "AE hires and leavers",
            "ae",
            "AEs",
            "Account executives who join (positive) or leave (negative) at the start of a month.",
            scenario.scenario.start_date,
        ),
    ]


def source_terms(scenario: Scenario) -> list[Term]:
    """Volume, growth and cost per lead of each lead source of the scenario."""
    currency = scenario.costs.currency
    terms = []
    for i, source in enumerate(scenario.sources):
        name = source.name
        terms += [
            Term(
                f"sources.{i}.leads_per_month",
                f"{name}: leads per month",
                "capacity",
                "leads / month",
                f"New leads a month from {name} at the start of the horizon.",
                "number",
                _volume_phrase(name),
                0,
                None,
                10,
            ),
            Term(
                f"sources.{i}.growth_per_month",
                f"{name}: growth per month",
                "capacity",
                "% a month",
                f"How much the volume of {name} grows each month (compounded).",
                "share",
                _growth_phrase(name),
                -0.5,
                1,
                0.01,
            ),
            Term(
                f"sources.{i}.cost_per_lead",
                f"{name}: cost per lead",
                "capacity",
                f"{currency} / lead",
                f"What Marketing pays for each lead from {name}; times the leads, the marketing "
                "cost.",
                "number",
                _lead_cost_phrase(name, currency),
                0,
                None,
                1,
                currency=currency,
            ),
        ]
    return terms


def all_terms(scenario: Scenario) -> list[Term]:
    """The terms of the SLA, the team over the year, the account executives (if any), the costs,
    then each source's volume, growth and cost per lead."""
    return _shared_terms(scenario) + source_terms(scenario)


def _shared_terms(scenario: Scenario) -> list[Term]:
    """The terms every candidate of the scenario has, whatever its sources."""
    return TERMS + team_terms(scenario) + ae_terms(scenario) + cost_terms(scenario)


def term_value(scenario: Scenario, key: str) -> Any:
    """The value a dotted key has in the scenario (defaults included)."""
    return keys.get_key(scenario.model_dump(mode="json", by_alias=True), key)


def applies(term: Term, scenario: Scenario) -> bool:
    """Whether the term means something in this scenario (an alert share only with alerts)."""
    if term.needs is None:
        return True
    return term.needed(term_value(scenario, term.needs[0]))


def value_of(term: Term, scenario: Scenario) -> Any:
    """The term's value in the scenario, or what the model uses when the file leaves it out."""
    value = term_value(scenario, term.key)
    return term.unset if value is None else value


def phrases(changes: list[tuple[Term, Any]]) -> list[str]:
    """The changes in words, a detail said with what it details ("reassignment after 30 min",
    not "alerts and reassignment and reassignment after 30 min")."""
    detailed = {term.subsumes for term, _ in changes if term.subsumes}
    return [term.phrase(value) for term, value in changes if term.key not in detailed]


def changed_terms(scenario: Scenario, baseline: Scenario) -> list[tuple[Term, Any]]:
    """The terms whose value differs from the baseline's, with the new value."""
    same_sources = len(baseline.sources) == len(scenario.sources)
    terms = all_terms(baseline) if same_sources else _shared_terms(baseline)
    out = []
    for term in terms:
        if not applies(term, scenario):
            continue
        value = term_value(scenario, term.key)
        value = term.unset if value is None else value
        was = term_value(baseline, term.key)
        if value != (term.unset if was is None else was):
            out.append((term, value))
    return out


def _rows_in_words(text: str, term: Term) -> str:
    """`team.changes[1].reps` as "Hires and leavers (row 2, reps)"."""

    def row(match: re.Match[str]) -> str:
        return f"{term.label} (row {int(match[1]) + 1}, {match[2]})"

    return re.sub(rf"{re.escape(term.key)}\[(\d+)\]\.(\w+)", row, text)


def in_words(text: str, scenario: Scenario) -> str:
    """A message with the dotted keys of known terms replaced by their labels, for a leader
    ("sla.sales.first_response_hours = 2" reads "First response within = 2"; a row of a table,
    "team.changes[1].reps", reads "Hires and leavers (row 2, reps)")."""
    for term in sorted(all_terms(scenario), key=lambda t: -len(t.key)):
        if term.kind == "changes":
            text = _rows_in_words(text, term)
        text = text.replace(term.key, term.label)
    return text
