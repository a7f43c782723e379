"""The monthly SLA review (SPEC §11; seeds 000, 001): what each side committed to and what it
did, read from a team's CRM export against the agreed terms.

Marketing is held to its MQL commitment, Sales' acceptance target and the quality of its MQLs;
Sales to the response target on the terms' clock, the attempts agreed within the follow-up
window, and returning the leads it could not reach as agreed. Every figure counts leads: the
per-lead facts (`Review.leads`) say what each lead counted as, and each row of the scorecard
carries the counts its value is made of, so that the meeting can check any figure by hand.

A lead whose outcome was not known at the export date (its response deadline, or its
follow-up window, still open at `as_of`) is pending: it is counted in the row's `censored`,
and in neither the part nor the whole of its share. A lead never attempted is a response
breach once its deadline has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from sla_sim.analysis.observed import response
from sla_sim.crm.profiles import GENERIC, PROFILES, normalise_word
from sla_sim.crm.tables import CrmExport
from sla_sim.scenario.schema import Scenario

By = Literal["month", "week"]
Per = Literal["rep", "source"]
Side = Literal["marketing", "sales"]
ALL = "All"
"""The group of a row about the whole team (or every source)."""
NONE_GIVEN = "(none)"
"""The group of leads without an owner (or a source)."""
HOUR = pd.Timedelta(hours=1)
_SAME = 1e-9  # hours or shares closer than this are equal
# The state of a handoff's response, and of a lead not reached within its follow-up window.
WITHIN, LATE, NEVER, PENDING = "within", "late", "never", "pending"
REACHED, KEPT, SHORT = "reached", "kept", "short"
RETURNED, NOT_RETURNED = "returned", "not returned"


@dataclass(frozen=True)
class Measure:
    """One line of the scorecard: its key, side, label, unit, which way is better, exactly how
    it is counted, and the groupings it is also shown per."""

    key: str
    side: Side
    label: str
    unit: Literal["count", "share", "hours", "number"]
    better: Literal["higher", "lower", "neither"]
    definition: str
    per: tuple[Per, ...] = ("rep", "source")


MEASURES: list[Measure] = [
    Measure(
        "mqls",
        "marketing",
        "MQLs",
        "count",
        "higher",
        "leads whose mql_at falls in the period; by month, judged against "
        "sla.marketing.monthly_mql_commitment: met when at least that many, missed when fewer "
        "in a month the export covers whole (from its start to as_of), not judged otherwise",
        ("source",),
    ),
    Measure(
        "acceptance",
        "marketing",
        "Accepted by Sales",
        "share",
        "higher",
        "of the period's MQLs, the share handed off to Sales (a handed_off_at) by as_of; met "
        "when at least sla.marketing.acceptance_target",
        ("source",),
    ),
    Measure(
        "mql_to_opportunity",
        "marketing",
        "MQLs to opportunity",
        "share",
        "higher",
        "of the period's MQLs, the share that became an opportunity by as_of (an opportunity_at, "
        "a deal in the deals file, or a won deal); no target",
        ("source",),
    ),
    Measure(
        "mql_to_deal",
        "marketing",
        "MQLs to won deal",
        "share",
        "higher",
        "of the period's MQLs, the share with a won deal by as_of (the lead's won, or a won "
        "deal in the deals file); no target",
        ("source",),
    ),
    Measure(
        "score_mean",
        "marketing",
        "Score of MQLs, mean",
        "number",
        "higher",
        "the mean score of the period's MQLs that have one (part: their sum; whole: how many); "
        "no target",
        ("source",),
    ),
    Measure(
        "fit_mean",
        "marketing",
        "Fit of MQLs, mean",
        "number",
        "higher",
        "the mean fit of the period's MQLs that have one (part: their sum; whole: how many); "
        "no target",
        ("source",),
    ),
    Measure(
        "handoffs",
        "sales",
        "Handoffs",
        "count",
        "neither",
        "leads handed off to Sales in the period (handed_off_at; where the export has none, "
        "mql_at)",
    ),
    Measure(
        "response_within_target",
        "sales",
        "Answered within target",
        "share",
        "higher",
        "of the period's handoffs, the share first attempted within sla.sales.first_response_hours "
        "on the terms' clock (sla.sales.clock); a handoff not attempted is a breach once its "
        "deadline has passed and pending (censored) before; met when every handoff whose outcome "
        "is known was answered in time (target 100%, as the terms promise each lead)",
    ),
    Measure(
        "response_hours_median",
        "sales",
        "Response time, median",
        "hours",
        "lower",
        "the median hours from handoff to first attempt on the terms' clock, over the period's "
        "handoffs that were attempted (whole: how many); no target",
    ),
    Measure(
        "attempts_kept",
        "sales",
        "Attempts kept",
        "share",
        "higher",
        "of the period's handoffs not reached within the follow-up window (the "
        "sla.sales.follow_up_window_days after the handoff), the share given at least "
        "sla.sales.min_attempts attempts in it; one with fewer attempts whose window was still "
        "open at as_of is pending (censored); a lead reached in its window is not counted; met "
        "when every one was (target 100%)",
    ),
    Measure(
        "returned_as_agreed",
        "sales",
        "Not reached, returned as agreed",
        "share",
        "higher",
        "of the period's handoffs not reached whose follow-up window had closed by as_of, the "
        "share whose status says they were returned to nurture (sla.sales.on_no_contact = "
        '"recycle") or disqualified ("disqualify"); those whose window was open are pending '
        "(censored); met when every one was (target 100%)",
    ),
]
BY_KEY = {m.key: m for m in MEASURES}
WEEKLY = ("response_within_target", "response_hours_median")
"""The measures the review also gives week by week whatever its period (response is watched
weekly, seed 000)."""

SCORECARD_COLUMNS = [
    "side",
    "measure",
    "period",
    "complete",
    "group",
    "value",
    "target",
    "met",
    "part",
    "whole",
    "censored",
    "change",
]
SUMMARY_COLUMNS = [
    "side",
    "measure",
    "group",
    "value",
    "target",
    "part",
    "whole",
    "censored",
    "periods",
    "met",
    "missed",
    "not_judged",
    "slope",
    "trend",
]
BREACH_COLUMNS = [
    "rep",
    "handoffs",
    "response_known",
    "late",
    "never",
    "attempts_known",
    "attempts_short",
    "returns_known",
    "not_returned",
    "breaches",
    "leads_breached",
]


@dataclass(frozen=True)
class Review:
    """The scorecard of an export against its terms, and the facts it was counted from.

    - `scorecard`: one row per period (and group) and measure: `value`, `target`, `met`
      (True, False, or missing where not judged), `part` and `whole` (value = part / whole for
      shares and means, = part for counts; the median's part is missing), `censored` (leads
      pending at as_of, in neither part nor whole), `complete` (the export covers the whole
      period), `change` (from the group's previous period). `group` is `ALL` for the team;
      with `per`, the rep's or source's name as well.
    - `weekly`: the response measures (`WEEKLY`) week by week, in the same columns.
    - `summary`: per measure and group, over the whole export: the value and its counts,
      periods met, missed and not judged, and the trend (least-squares slope per period).
    - `breaches`: per rep, who breached and how often.
    - `leads`: the per-lead facts.
    """

    scorecard: pd.DataFrame
    weekly: pd.DataFrame
    summary: pd.DataFrame
    breaches: pd.DataFrame
    leads: pd.DataFrame
    by: By
    per: Per | None
    start: pd.Timestamp
    """The first day of the period reviewed (the export's start)."""
    as_of: pd.Timestamp
    terms: dict[str, Any]
    """The agreed terms the export is judged by, as the scenario file names them."""
    absent: dict[str, str] = field(default_factory=dict)
    """Measures the export cannot give, and why."""
    notes: tuple[str, ...] = ()
    """How the export was counted, in sentences."""

    @property
    def measures(self) -> list[Measure]:
        """The measures of the scorecard, in order (those the export gives)."""
        return [m for m in MEASURES if m.key not in self.absent]


# --- moments ------------------------------------------------------------------------------


def _hours(moments: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    """Hours from `origin` (nan where no moment)."""
    return ((pd.to_datetime(moments) - origin) / HOUR).to_numpy(dtype=float, na_value=np.nan)


def _moments(hours: np.ndarray, origin: pd.Timestamp) -> np.ndarray:
    """The moments of hours from `origin` (NaT where nan)."""
    return (origin + pd.to_timedelta(hours, unit="h")).to_numpy()


def _periods(moments: pd.Series, by: By) -> pd.Series:
    """The first day of each moment's calendar month, or of its week (weeks start on Monday)."""
    freq = "M" if by == "month" else "W-SUN"
    return moments.dt.to_period(freq).dt.start_time


# --- per-lead facts -----------------------------------------------------------------------


@dataclass
class _Facts:
    leads: pd.DataFrame
    absent: dict[str, str]
    notes: list[str]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")


def _lead_facts(export: CrmExport, terms: Scenario, by: By) -> _Facts:
    """What each lead counted as: its MQL, handoff, response (read by `observed.response`, the
    one measure of response time), attempts in its follow-up window, whether it was reached and
    returned as agreed, and its outcome."""
    sales = terms.sla.sales
    marketing_absent: dict[str, str] = {}
    absent: dict[str, str] = {}
    notes: list[str] = []
    leads = export.leads
    out = pd.DataFrame({"lead_id": leads["lead_id"].astype("string")}, index=leads.index)
    for name in ("source", "owner", "status"):
        out[name] = leads[name].astype("string") if name in leads else pd.NA
    out["mql_at"] = _column(leads, "mql_at")
    if not export.has("leads", "mql_at"):
        reason = "the leads file has no mql_at, so no lead can be counted as an MQL"
        marketing_absent = {m.key: reason for m in MEASURES if m.side == "marketing"}

    # Sales' clock starts at the handoff; without one, at the MQL (SPEC §2: Sales gets an MQL
    # at once, bar a sync delay).
    judged = export
    if export.has("leads", "handed_off_at"):
        handoff = leads["handed_off_at"]
    elif export.has("leads", "mql_at"):
        handoff = leads["mql_at"]
        judged = replace(export, leads=leads.assign(handed_off_at=handoff))
        notes.append("The leads file has no handed_off_at: each MQL is taken as handed off then.")
        marketing_absent.setdefault(
            "acceptance", "the leads file has no handed_off_at, so no MQL reads as accepted"
        )
    else:
        handoff = _column(leads, "handed_off_at")
        reason = "the leads file has neither handed_off_at nor mql_at: no handoff is known"
        absent |= {m.key: reason for m in MEASURES if m.side == "sales"}
    out["handed_off_at"] = handoff

    acts = None
    activities = export.activities
    if activities is not None and len(activities.columns):
        acts = pd.DataFrame(
            {
                "lead_id": activities["lead_id"].astype("string"),
                "at": activities["at"],
                "connected": activities["connected"].astype("boolean")
                if "connected" in activities
                else pd.Series(pd.NA, index=activities.index, dtype="boolean"),
            }
        )
    origin = export.start.normalize()
    as_of = float((export.as_of - origin) / HOUR)
    start_h = _hours(handoff, origin)
    handed = ~np.isnan(start_h)
    window_h = start_h + sales.follow_up_window_days * 24.0
    out["window_ends_at"] = _moments(window_h, origin)

    # The response, and the state it leaves the lead in.
    answered = response(judged, terms).set_index("lead_id")
    ids = out["lead_id"]
    first_at = pd.to_datetime(ids.map(answered["first_attempt_at"]))
    hours = ids.map(answered["hours"]).to_numpy(dtype=float, na_value=np.nan)
    within = ids.map(answered["within"]).astype("boolean")
    attempted = handed & ~np.isnan(hours)
    response_known = acts is not None or export.has("leads", "first_attempt_at")
    if not response_known:
        reason = "the export has no activities file and the leads file has no first_attempt_at"
        absent.setdefault("response_within_target", reason)
        absent.setdefault("response_hours_median", reason)
    if export.has("leads", "first_attempt_at"):
        early = int((leads["first_attempt_at"] < handoff).sum())
        if early:
            notes.append(
                f"{early:,} leads have a first attempt before their handoff: read as answered "
                "at the handoff."
            )
    state = np.select(
        [
            within.fillna(False).to_numpy(dtype=bool),
            attempted,
            handed & within.notna().to_numpy(dtype=bool),
            handed,
        ],
        [WITHIN, LATE, NEVER, PENDING],
        default="",
    )
    out["first_attempt_at"] = first_at.to_numpy()
    out["deadline_at"] = pd.to_datetime(ids.map(answered["deadline_at"])).to_numpy()
    out["response_hours"] = np.where(handed, hours, np.nan)
    if not response_known:
        state[:] = ""  # without attempts on record, no response is known: none is a breach
    out["response"] = pd.Series(state, index=out.index, dtype="string").replace("", pd.NA)

    # Attempts in the follow-up window, and the first that reached the lead.
    in_window = np.zeros(len(out), dtype=int)
    connected_h = np.full(len(out), np.nan)
    reached_at_attempt = pd.Series(pd.NA, index=out.index, dtype="Int64")
    reach_known = False
    attempts_known = True
    if acts is not None:
        mask, lead_row, at_h = _activity_rows(acts, ids, origin)
        after = at_h >= start_h[lead_row] - _SAME
        inside = after & (at_h <= window_h[lead_row] + _SAME)
        counted = pd.DataFrame(
            {
                "row": lead_row,
                "at": at_h,
                "inside": inside,
                "connected": acts["connected"][mask].fillna(False).to_numpy(dtype=bool),
            }
        )
        windowed = counted[counted["inside"]]
        sizes = windowed.groupby("row").size()
        in_window[sizes.index.to_numpy()] = sizes.to_numpy()
        reach = windowed[windowed["connected"]].groupby("row")["at"].min()
        connected_h[reach.index.to_numpy()] = reach.to_numpy()
        reach_known = bool(acts["connected"].notna().any())
        notes.append(
            "Attempts are the activities file's, counted per lead from its handoff to the end "
            "of its follow-up window; the first after the handoff is its response, whenever "
            "it came."
        )
        outside = int((~mask).sum() + (~inside).sum())
        if outside:
            notes.append(
                f"Activities outside every follow-up window (before the lead's handoff, after "
                f"its window, or of a lead not in the leads file or not handed off), not counted "
                f"as attempts: {outside:,} of {len(acts):,}."
            )
    elif export.has("leads", "attempts"):
        given = leads["attempts"].astype("Float64")
        if given[handed].isna().any():
            notes.append(
                f"{int(given[handed].isna().sum()):,} handed-off leads have no attempts "
                "count: read as none made."
            )
        in_window = given.fillna(0).to_numpy(dtype=float).astype(int)
        notes.append(
            "Attempts are the leads file's attempts column (no activities file): every "
            "attempt on record counts, whether or not it fell within the follow-up window."
        )
    else:
        attempts_known = False
        absent.setdefault(
            "attempts_kept",
            "the export has neither an activities file nor an attempts column in the leads "
            "file, so attempts cannot be counted",
        )
    if export.has("leads", "contacted_at"):
        contact_h = _hours(leads["contacted_at"], origin)
        contact_h = np.where(contact_h < start_h, start_h, contact_h)  # reached at handoff
        inside_window = contact_h <= window_h + _SAME
        connected_h = np.fmin(connected_h, np.where(inside_window, contact_h, np.nan))
        reach_known = True
    if not reach_known:
        reason = (
            "the export says of no lead whether it was reached (no contacted_at in the leads "
            "file, no outcome in the activities)"
        )
        absent.setdefault("attempts_kept", reason)
        absent.setdefault("returned_as_agreed", reason)

    # Follow-up: reached in the window, or the attempts made in it against the agreed number.
    if acts is not None:
        reached_at_attempt = _attempt_numbers(acts, ids, origin, start_h, connected_h)
    reached = handed & ~np.isnan(connected_h)
    window_over = window_h <= as_of + _SAME
    kept = handed & ~reached & (in_window >= sales.min_attempts)
    follow_up = np.select(
        [~handed, reached, kept, window_over],
        ["", REACHED, KEPT, SHORT],
        default=PENDING,
    )
    out["attempts"] = pd.Series(in_window, index=out.index, dtype="Int64").where(
        pd.Series(handed & attempts_known, index=out.index)
    )
    out["reached_at"] = _moments(np.where(reached, connected_h, np.nan), origin)
    out["reached_at_attempt"] = reached_at_attempt.where(reached)
    if not (attempts_known and reach_known):
        follow_up[:] = ""
    out["follow_up"] = pd.Series(follow_up, index=out.index, dtype="string").replace("", pd.NA)

    # Returned as agreed: not reached, the window closed, and the status the terms ask for.
    profile = PROFILES.get(export.profile, GENERIC)
    agreed = (
        profile.returned_statuses
        if sales.on_no_contact == "recycle"
        else profile.disqualified_statuses
    )
    words = {normalise_word(w) for w in agreed}
    status = out["status"]
    matches = status.map(lambda s: normalise_word(s) in words, na_action="ignore")
    says = matches.fillna(False).to_numpy(dtype=bool)
    not_reached = handed & ~reached
    returned = np.select(
        [~not_reached, ~window_over, says],
        ["", PENDING, RETURNED],
        default=NOT_RETURNED,
    )
    if not (reach_known and export.has("leads", "status")):
        returned[:] = ""
    out["returned"] = pd.Series(returned, index=out.index, dtype="string").replace("", pd.NA)
    if not export.has("leads", "status"):
        absent.setdefault(
            "returned_as_agreed", "the leads file has no status, so a returned lead is not seen"
        )
    elif reach_known:
        unmatched = status[out["returned"].eq(NOT_RETURNED).fillna(False)].dropna().unique()
        what = "returned to nurture" if sales.on_no_contact == "recycle" else "disqualified"
        listed = ", ".join(f"{w!r}" for w in agreed)
        seen = ", ".join(f"{s!r}" for s in sorted(unmatched)[:8])
        note = (
            f"A lead reads as {what} when its status at the export date (a lead returned and "
            f"worked again since reads by its later status) is one of {listed}"
        )
        notes.append(note + (f"; statuses of the others not reached: {seen}." if seen else "."))

    _outcomes(out, export, marketing_absent)
    for name in ("score", "fit"):
        out[name] = leads[name].astype("Float64") if name in leads else pd.NA
        if name not in leads:
            marketing_absent.setdefault(f"{name}_mean", f"the leads file has no {name}")

    out["mql_period"] = _periods(out["mql_at"], by)
    out["period"] = _periods(out["handed_off_at"], by)
    out["week"] = _periods(out["handed_off_at"], "week")
    out["breached"] = _breached(out)
    for key, reason in marketing_absent.items():
        absent.setdefault(key, reason)
    return _Facts(out.reset_index(drop=True), absent, notes)


def _activity_rows(
    acts: pd.DataFrame, lead_ids: pd.Series, origin: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which activities are of a lead in `lead_ids` (a mask), the position of each one's lead,
    and its hours from `origin`."""
    row = pd.Series(np.arange(len(lead_ids)), index=lead_ids.to_numpy())
    row = row[~row.index.duplicated()]
    matched = acts["lead_id"].map(row)
    mask = matched.notna().to_numpy()
    return mask, matched[mask].to_numpy(dtype=int), _hours(acts["at"][mask], origin)


def _attempt_numbers(
    acts: pd.DataFrame,
    lead_ids: pd.Series,
    origin: pd.Timestamp,
    start_h: np.ndarray,
    reached_h: np.ndarray,
) -> pd.Series:
    """Per lead, the attempt after its handoff that reached it (1 for the first); missing where
    it was not reached or was reached without an attempt on record."""
    _, lead_row, at_h = _activity_rows(acts, lead_ids, origin)
    upto = (at_h >= start_h[lead_row] - _SAME) & (at_h <= reached_h[lead_row] + _SAME)
    counts = pd.Series(lead_row[upto]).value_counts()
    numbers = np.zeros(len(lead_ids), dtype=int)
    numbers[counts.index.to_numpy(dtype=int)] = counts.to_numpy()
    result = pd.Series(numbers, dtype="Int64")
    return result.where(result > 0).set_axis(lead_ids.index)


def _outcomes(out: pd.DataFrame, export: CrmExport, absent: dict[str, str]) -> None:
    """Whether each lead became an opportunity and won a deal by as_of, from the leads file and
    the deals file together."""
    leads, deals = export.leads, export.deals
    ids = out["lead_id"]
    with_deal = pd.Series(False, index=out.index)
    won_deal = pd.Series(False, index=out.index)
    if deals is not None and "lead_id" in deals:
        listed = set(deals["lead_id"].dropna().astype(str))
        with_deal = ids.isin(listed).fillna(False)
        if "won" in deals:
            won = set(deals.loc[deals["won"].fillna(False).astype(bool), "lead_id"].dropna())
            won_deal = ids.isin({str(w) for w in won}).fillna(False)
    won_lead = (
        leads["won"].fillna(False).astype(bool)
        if "won" in leads
        else pd.Series(False, index=out.index)
    )
    opportunity_at = leads["opportunity_at"].notna() if "opportunity_at" in leads else False
    out["won"] = (won_lead | won_deal).astype(bool)
    out["opportunity"] = (opportunity_at | with_deal | out["won"]).astype(bool)
    has_deals = deals is not None and "lead_id" in deals
    if not ("opportunity_at" in leads or has_deals):
        absent.setdefault(
            "mql_to_opportunity", "the export has no opportunity_at and no deals file"
        )
    if not ("won" in leads or (has_deals and deals is not None and "won" in deals)):
        absent.setdefault("mql_to_deal", "the export says of no lead or deal whether it was won")


def _breached(out: pd.DataFrame) -> pd.Series:
    """Whether the lead breached the terms (a late or missing response, too few attempts, or
    not returned); missing while it has not, but something about it is still pending."""
    breach = (
        out["response"].isin([LATE, NEVER])
        | out["follow_up"].eq(SHORT)
        | out["returned"].eq(NOT_RETURNED)
    ).fillna(False)
    pending = (
        out["response"].eq(PENDING) | out["follow_up"].eq(PENDING) | out["returned"].eq(PENDING)
    ).fillna(False)
    handed = out["handed_off_at"].notna()
    known = out[["response", "follow_up", "returned"]].notna().any(axis=1)
    result = pd.Series(pd.NA, index=out.index, dtype="boolean")
    result[handed & breach] = True
    result[handed & known & ~breach & ~pending] = False
    return result


# --- counting -----------------------------------------------------------------------------

Tally = tuple[float, float, float, float]
"""value, part, whole, censored."""
_NAN = float("nan")


COUNTS = ("mqls", "handoffs")
MEDIANS = ("response_hours_median",)
_STATES = {
    "response_within_target": ("response", (WITHIN,), (LATE, NEVER)),
    "attempts_kept": ("follow_up", (KEPT,), (SHORT,)),
    "returned_as_agreed": ("returned", (RETURNED,), (NOT_RETURNED,)),
}
"""The measures that are shares of leads in a state: the column, the good and the bad states
(a lead pending is censored)."""


def _contributions(key: str, leads: pd.DataFrame) -> pd.DataFrame:
    """What each lead adds to measure `key`: to its part, its whole and its censored count
    (and, for the median, its hours)."""
    mql = leads["mql_at"].notna()
    handed = leads["handed_off_at"].notna()
    nothing = pd.Series(False, index=leads.index)
    whole: pd.Series | None = mql
    censored, hours = nothing, pd.Series(np.nan, index=leads.index)
    part: pd.Series
    if key == "mqls":
        part, whole = mql, None
    elif key == "acceptance":
        part = mql & handed
    elif key == "mql_to_opportunity":
        part = mql & leads["opportunity"]
    elif key == "mql_to_deal":
        part = mql & leads["won"]
    elif key in ("score_mean", "fit_mean"):
        values = leads[key.removesuffix("_mean")].astype("Float64")
        whole = (mql & values.notna()).astype(bool)
        part = values.where(whole, 0.0).astype(float)
    elif key == "handoffs":
        part, whole = handed, None
    elif key in _STATES:
        name, good, bad = _STATES[key]
        states = leads[name]
        part = states.isin(good).fillna(False)
        whole = states.isin(good + bad).fillna(False)
        censored = states.eq(PENDING).fillna(False)
    elif key in MEDIANS:
        hours = leads["response_hours"].where(handed)
        part, whole = pd.Series(np.nan, index=leads.index), hours.notna()
    else:
        raise KeyError(key)
    return pd.DataFrame(
        {
            "part": part.astype(float),
            "whole": np.nan if whole is None else whole.astype(float),
            "censored": censored.astype(float),
            "hours": hours.astype(float),
        },
        index=leads.index,
    )


def _tallies(key: str, leads: pd.DataFrame, grouper: Any) -> pd.DataFrame:
    """Measure `key` over each group of `leads` (`grouper` as pandas groups by): `value`,
    `part`, `whole`, `censored`."""
    grouped = _contributions(key, leads).groupby(grouper, sort=False)
    out = grouped[["part", "whole", "censored"]].sum()
    if key in COUNTS:
        out["whole"] = np.nan
        out["value"] = out["part"]
    elif key in MEDIANS:
        out["part"] = np.nan
        out["value"] = grouped["hours"].median()
    else:
        out["value"] = (out["part"] / out["whole"]).where(out["whole"] > 0)
    return out[["value", "part", "whole", "censored"]]


def _tally(key: str, leads: pd.DataFrame) -> Tally:
    """The value of measure `key` over `leads`, with its part, whole and censored counts."""
    if len(leads):
        row = _tallies(key, leads, np.zeros(len(leads), dtype=int)).iloc[0]
        return float(row.value), float(row.part), float(row.whole), float(row.censored)
    value = 0.0 if key in COUNTS else _NAN
    return value, (_NAN if key in MEDIANS else 0.0), (_NAN if key in COUNTS else 0.0), 0.0


def _target(key: str, terms: Scenario, by: By, group: str) -> float:
    """The target of measure `key` for one row (nan: not judged)."""
    if key == "mqls":
        team = group == ALL and by == "month"
        return terms.sla.marketing.monthly_mql_commitment if team else _NAN
    if key == "acceptance":
        return terms.sla.marketing.acceptance_target
    if key in ("response_within_target", "attempts_kept", "returned_as_agreed"):
        return 1.0
    return _NAN


def _met(key: str, value: float, target: float, complete: bool) -> bool | None:
    if np.isnan(target) or np.isnan(value):
        return None
    if value >= target - _SAME:
        return True
    if BY_KEY[key].unit == "count" and not complete:
        return None  # fewer so far in a month the export does not cover whole
    return False


def _group_column(per: Per | None) -> str | None:
    return {"rep": "owner", "source": "source", None: None}[per]


def _rows(
    facts: pd.DataFrame,
    keys: list[str],
    periods: pd.DatetimeIndex,
    complete: dict[pd.Timestamp, bool],
    terms: Scenario,
    by: By,
    per: Per | None,
    period_column: Callable[[Measure], str],
) -> pd.DataFrame:
    """Scorecard rows: every period, for the team and, with `per`, each group."""
    column = _group_column(per)
    groups = facts[column].fillna(NONE_GIVEN) if column else None
    rows = []
    for key in keys:
        measure = BY_KEY[key]
        counted = facts[facts[period_column(measure)].notna()]
        when = counted[period_column(measure)]
        names = sorted(groups[counted.index].unique()) if groups is not None else []
        shown = [ALL] + (names if per in measure.per else [])
        # Each lead counted once per grouping, not each period and group filtered anew.
        index, tallies = _items(_tallies(key, counted, when))
        cells: dict[Any, Tally] = {(p, ALL): t for p, t in zip(index, tallies, strict=True)}
        if len(shown) > 1 and groups is not None:
            index, tallies = _items(_tallies(key, counted, [when, groups[counted.index]]))
            cells |= dict(zip(index, tallies, strict=True))
        nothing = _tally(key, facts.iloc[0:0])
        for period in periods:
            for group in shown:
                value, part, whole, censored = cells.get((period, group), nothing)
                target = _target(key, terms, by, group)
                rows.append(
                    {
                        "side": measure.side,
                        "measure": key,
                        "period": period,
                        "complete": complete[period],
                        "group": group,
                        "value": value,
                        "target": target,
                        "met": _met(key, value, target, complete[period]),
                        "part": part,
                        "whole": whole,
                        "censored": censored,
                    }
                )
    frame = pd.DataFrame(rows, columns=SCORECARD_COLUMNS[:-1])
    frame["change"] = frame.groupby(["measure", "group"], sort=False)["value"].diff()
    return _typed(frame)


def _items(tallies: pd.DataFrame) -> tuple[list[Any], list[Tally]]:
    """The groups of `_tallies` (a period, or a period and group) and their tallies."""
    rows: list[Tally] = [
        (float(a), float(b), float(c), float(d)) for a, b, c, d in tallies.to_numpy(dtype=float)
    ]
    return list(tallies.index), rows


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reindex(columns=SCORECARD_COLUMNS)
    frame["period"] = pd.to_datetime(frame["period"])
    frame["complete"] = frame["complete"].astype(bool)
    frame["met"] = frame["met"].astype("boolean")
    frame["whole"] = frame["whole"].astype("Float64").round().astype("Int64")
    frame["censored"] = frame["censored"].astype("Float64").round().astype("Int64")
    for name in ("value", "target", "part", "change"):
        frame[name] = frame[name].astype(float)
    return frame


def _period_range(first: pd.Timestamp, as_of: pd.Timestamp, by: By) -> pd.DatetimeIndex:
    freq = "M" if by == "month" else "W-SUN"
    return pd.period_range(first, as_of, freq=freq).start_time


def _complete(
    periods: pd.DatetimeIndex, start: pd.Timestamp, as_of: pd.Timestamp, by: By
) -> dict[pd.Timestamp, bool]:
    """Whether the export covers each period whole: it starts no earlier than the export and
    ends by as_of."""
    step = pd.DateOffset(months=1) if by == "month" else pd.DateOffset(weeks=1)
    return {p: bool(p >= start.normalize() and p + step <= as_of) for p in periods}


def _trend(values: pd.Series) -> float:
    """The least-squares slope of the values per period (nan with fewer than two)."""
    known = values.dropna()
    if len(known) < 2:
        return _NAN
    x = np.arange(len(values), dtype=float)[values.notna().to_numpy()]
    return float(np.polyfit(x, known.to_numpy(dtype=float), 1)[0])


def _direction(key: str, slope: float) -> str:
    if np.isnan(slope):
        return "n/a"
    if abs(slope) < _SAME:
        return "steady"
    better = BY_KEY[key].better
    if better == "neither":
        return "up" if slope > 0 else "down"
    return "better" if (slope > 0) == (better == "higher") else "worse"


def _summary(scorecard: pd.DataFrame, facts: pd.DataFrame, per: Per | None) -> pd.DataFrame:
    """Per measure and group: the whole export's value and counts, the periods met, missed and
    not judged, and the trend over the periods (counts: over the complete ones)."""
    column = _group_column(per)
    groups = facts[column].fillna(NONE_GIVEN) if column else None
    rows = []
    whole_export: dict[Any, Tally] = {}
    for key in scorecard["measure"].unique():
        measure = BY_KEY[str(key)]
        counted = facts[facts["mql_period" if measure.side == "marketing" else "period"].notna()]
        whole_export[(key, ALL)] = _tally(str(key), counted)
        if groups is not None and len(counted):
            index, tallies = _items(_tallies(str(key), counted, groups[counted.index]))
            whole_export |= {(key, g): t for g, t in zip(index, tallies, strict=True)}
    for (key, group), block in scorecard.groupby(["measure", "group"], sort=False):
        measure = BY_KEY[str(key)]
        value, part, whole, censored = whole_export.get(
            (key, group), _tally(str(key), facts.iloc[0:0])
        )
        judged = block[block["target"].notna()]
        trended = block[block["complete"]] if measure.unit == "count" else block
        slope = _trend(trended["value"].reset_index(drop=True))
        target = block["target"].iloc[0] if measure.unit != "count" else _NAN
        rows.append(
            {
                "side": measure.side,
                "measure": key,
                "group": group,
                "value": value,
                "target": target,
                "part": part,
                "whole": whole,
                "censored": censored,
                "periods": len(block),
                "met": int(judged["met"].eq(True).sum()),
                "missed": int(judged["met"].eq(False).sum()),
                "not_judged": int(judged["met"].isna().sum()),
                "slope": slope,
                "trend": _direction(str(key), slope),
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    frame["whole"] = frame["whole"].astype("Float64").round().astype("Int64")
    frame["censored"] = frame["censored"].astype("Float64").round().astype("Int64")
    return frame


def _breaches(facts: pd.DataFrame) -> pd.DataFrame:
    """Per rep (the lead's owner): handoffs, and how often each term was breached."""
    handed = facts[facts["handed_off_at"].notna()].copy()
    handed["rep"] = handed["owner"].fillna(NONE_GIVEN)
    rows = []
    for rep, leads in handed.groupby("rep", sort=True):
        response, follow_up, returned = leads["response"], leads["follow_up"], leads["returned"]
        late, never = int(response.eq(LATE).sum()), int(response.eq(NEVER).sum())
        short, kept = int(follow_up.eq(SHORT).sum()), int(follow_up.eq(KEPT).sum())
        lost = int(returned.eq(NOT_RETURNED).sum())
        judged = leads[["response", "follow_up", "returned"]].notna().any(axis=None)
        rows.append(
            {
                "rep": rep,
                "handoffs": len(leads),
                "response_known": int(response.isin([WITHIN, LATE, NEVER]).sum()),
                "late": late,
                "never": never,
                "attempts_known": short + kept,
                "attempts_short": short,
                "returns_known": int(returned.isin([RETURNED, NOT_RETURNED]).sum()),
                "not_returned": lost,
                "breaches": late + never + short + lost if judged else pd.NA,
                "leads_breached": int(leads["breached"].eq(True).sum()) if judged else pd.NA,
            }
        )
    frame = pd.DataFrame(rows, columns=BREACH_COLUMNS)
    for name in ("breaches", "leads_breached"):  # missing: no term of the rep's is known
        frame[name] = frame[name].astype("Int64")
    return frame.sort_values(
        ["breaches", "leads_breached", "rep"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def _terms(terms: Scenario) -> dict[str, Any]:
    marketing, sales, calendar = terms.sla.marketing, terms.sla.sales, terms.calendar
    return {
        "sla.marketing.monthly_mql_commitment": marketing.monthly_mql_commitment,
        "sla.marketing.acceptance_target": marketing.acceptance_target,
        "sla.marketing.mql_threshold": marketing.mql_threshold,
        "sla.sales.first_response_hours": sales.first_response_hours,
        "sla.sales.clock": sales.clock,
        "sla.sales.min_attempts": sales.min_attempts,
        "sla.sales.follow_up_window_days": sales.follow_up_window_days,
        "sla.sales.on_no_contact": sales.on_no_contact,
        "calendar.always_open": calendar.always_open,
        "calendar.open_days": list(calendar.open_days),
        "calendar.open_hours": list(calendar.open_hours),
        "calendar.holidays": [d.isoformat() for d in calendar.holidays],
        "calendar.holidays_country": calendar.holidays_country,
        "calendar.holidays_subdivision": calendar.holidays_subdivision,
        "calendar.timezone": calendar.timezone,
    }


def review(
    export: CrmExport,
    terms: Scenario,
    *,
    by: By = "month",
    per: Per | None = None,
) -> Review:
    """The scorecard of `export` against the agreed `terms` (a scenario's `sla` and calendar),
    per calendar month or week (from Monday), and with `per`, per rep (the lead's owner) or
    per source as well as for the team."""
    facts = _lead_facts(export, terms, by)
    leads, absent, notes = facts.leads, facts.absent, facts.notes
    if per is not None and _group_column(per) not in export.leads.columns:
        notes.append(
            f"The leads file has no {_group_column(per)}: the scorecard is the team's only."
        )
        per = None
    keys = [m.key for m in MEASURES if m.key not in absent]
    start, as_of = export.start.normalize(), export.as_of
    moments = [start] + [
        m.min() for m in (leads["mql_at"], leads["handed_off_at"]) if m.notna().any()
    ]
    first = min(moments)

    def period_of(measure: Measure) -> str:
        return "mql_period" if measure.side == "marketing" else "period"

    periods = _period_range(first, as_of, by)
    complete = _complete(periods, start, as_of, by)
    scorecard = _rows(leads, keys, periods, complete, terms, by, per, period_of)
    weeks = _period_range(first, as_of, "week")
    weekly = _rows(
        leads,
        [k for k in WEEKLY if k in keys],
        weeks,
        _complete(weeks, start, as_of, "week"),
        terms,
        "week",
        per,
        lambda _: "week",
    )
    summary = _summary(scorecard, leads, per)
    notes.append(
        "A lead whose response deadline, or follow-up window, was still open at the export "
        f"date ({as_of:%Y-%m-%d %H:%M}) is pending: counted as censored, neither met nor "
        "missed."
    )
    if by == "week":
        notes.append("The MQL commitment is monthly: by week, MQLs are counted, not judged.")
    return Review(
        scorecard=scorecard,
        weekly=weekly,
        summary=summary,
        breaches=_breaches(leads),
        leads=leads.drop(columns=["week"]),
        by=by,
        per=per,
        start=start,
        as_of=as_of,
        terms=_terms(terms),
        absent={k: absent[k] for k in BY_KEY if k in absent},
        notes=tuple(notes),
    )
