"""What a CRM export says happened, month by month: the counts a backtest sets against the
simulation, read the same way from the team's export and from each simulated one.

Two views. By calendar month, each event counts in the month it happened: leads created, MQLs,
handoffs, first contacts, opportunities, deals won and their revenue, and the share of the
month's handoffs answered within the response target. By cohort, each lead counts in the month
it was created, with everything that happened to it up to the export date: a young cohort has
had less time, in the export and in the simulation alike (both are censored at `as_of`).

A handoff counts towards the response share once it is answered or its deadline has passed by
the export date; one still inside its deadline unanswered is left out (it may yet be answered).
Response is measured on the terms' clock (`sla.sales.clock`: the open hours of the terms'
calendar, or calendar hours), from the handoff to the first attempt (`first_attempt_at`, or the
first activity after the handoff when the leads file lacks it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sla_sim.crm.tables import CrmExport
from sla_sim.scenario.calendar import Calendar
from sla_sim.scenario.schema import Scenario

MEASURES = (
    "leads",
    "mqls",
    "handoffs",
    "response_within_target",
    "contacts",
    "opportunities",
    "deals",
    "revenue",
)
LABELS = {
    "leads": "Leads",
    "mqls": "MQLs",
    "handoffs": "Handed off",
    "response_within_target": "Answered within target",
    "contacts": "Contacted",
    "opportunities": "Opportunities",
    "deals": "Deals won",
    "revenue": "Revenue",
}
VIEWS = ("calendar", "cohort")


def terms_calendar(terms: Scenario, start: pd.Timestamp, until: pd.Timestamp) -> Calendar:
    """The terms' open hours (weekends, holidays, the country's too) from the day of `start`,
    time 0 at its midnight, to past `until` (deadlines of late handoffs fall after it)."""
    months = (until.year - start.year) * 12 + until.month - start.month + 1
    over = {"scenario.start_date": start.date().isoformat(), "scenario.months": max(1, months)}
    return terms.with_overrides(over).business_calendar(extra_days=60)


def _hours(moments: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    """Hours from `origin` (nan where empty)."""
    values = pd.to_datetime(moments)
    return ((values - origin) / pd.Timedelta(hours=1)).to_numpy(dtype=float, na_value=np.nan)


def first_attempts(export: CrmExport) -> pd.Series:
    """Each lead's first attempt: `first_attempt_at`, else its first activity at or after its
    handoff (NaT when neither)."""
    leads = export.leads
    if "first_attempt_at" in leads.columns:
        return pd.to_datetime(leads["first_attempt_at"])
    if export.activities is None or "handed_off_at" not in leads.columns:
        return pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
    handoff = leads.set_index("lead_id")["handed_off_at"]
    acts = export.activities[["lead_id", "at"]].copy()
    acts["handoff"] = acts["lead_id"].map(handoff)
    acts = acts[acts["at"] >= acts["handoff"]]
    first = acts.groupby("lead_id")["at"].min()
    return pd.to_datetime(leads["lead_id"].map(first))


RESPONSE_COLUMNS = [
    "lead_id",
    "handed_off_at",
    "first_attempt_at",
    "deadline_at",
    "hours",
    "within",
]


def response(export: CrmExport, terms: Scenario) -> pd.DataFrame:
    """Per handed-off lead: `handed_off_at`, `first_attempt_at` (NaT when not yet attempted; an
    attempt before the handoff is read as made at it), `deadline_at` (the handoff plus the
    response target on the terms' clock), `hours` to the first attempt on the terms' clock (nan
    when not yet attempted), `within` (True, False, or NA while unanswered with its deadline
    still ahead at the export date). The one measure of response time: the backtest, the
    calibration and the review all read it here."""
    leads = export.leads
    if "handed_off_at" not in leads.columns:
        return pd.DataFrame(columns=RESPONSE_COLUMNS)
    handed = leads["handed_off_at"].notna()
    frame = pd.DataFrame(
        {
            "lead_id": leads.loc[handed, "lead_id"],
            "handed_off_at": pd.to_datetime(leads.loc[handed, "handed_off_at"]),
            "first_attempt_at": first_attempts(export)[handed],
        }
    )
    origin = export.start.normalize()
    a = _hours(frame["handed_off_at"], origin)
    b = _hours(frame["first_attempt_at"], origin)
    now = float((export.as_of - origin) / pd.Timedelta(hours=1))
    target = terms.sla.sales.first_response_hours
    if terms.sla.sales.clock == "business":
        calendar = terms_calendar(terms, origin, export.as_of)
        hours = calendar.business_hours(np.maximum(b, a)) - calendar.business_hours(a)
        deadline = calendar.add_business_hours(a, target)
    else:
        hours = np.maximum(b, a) - a
        deadline = a + target
    answered = ~np.isnan(b)
    within = pd.array(np.where(answered, hours <= target + 1e-9, False), dtype="boolean")
    within[~answered & (deadline > now)] = pd.NA
    frame["first_attempt_at"] = frame["first_attempt_at"].where(
        ~answered | (frame["first_attempt_at"] >= frame["handed_off_at"]), frame["handed_off_at"]
    )
    finite = np.where(np.isfinite(deadline), deadline, np.nan)
    frame["deadline_at"] = origin + pd.to_timedelta(finite, unit="h")
    frame["hours"] = np.where(answered, hours, np.nan)
    frame["within"] = within
    return frame[RESPONSE_COLUMNS].reset_index(drop=True)


def months_of(export: CrmExport) -> pd.PeriodIndex:
    """The calendar months of the period, from the start's to the export date's."""
    return pd.period_range(export.start.to_period("M"), export.as_of.to_period("M"), freq="M")


def _won_deals(export: CrmExport) -> pd.DataFrame:
    """Won deals with their lead, close moment and amount: from the deals file when given, else
    from the leads' own close fields."""
    if export.deals is not None and "won" in export.deals.columns:
        deals = export.deals
        won = deals[deals["won"].fillna(False).astype(bool) & deals["closed_at"].notna()]
        amount = won["amount"] if "amount" in won.columns else pd.Series(np.nan, index=won.index)
        lead = won["lead_id"] if "lead_id" in won.columns else pd.Series(None, index=won.index)
        return pd.DataFrame({"lead_id": lead, "closed_at": won["closed_at"], "amount": amount})
    leads = export.leads
    if not {"closed_at", "won"} <= set(leads.columns):
        return pd.DataFrame(columns=["lead_id", "closed_at", "amount"])
    won = leads[leads["won"].fillna(False).astype(bool) & leads["closed_at"].notna()]
    amount = won["amount"] if "amount" in won.columns else pd.Series(np.nan, index=won.index)
    return pd.DataFrame(
        {"lead_id": won["lead_id"], "closed_at": won["closed_at"], "amount": amount}
    )


def _opportunities(export: CrmExport) -> pd.DataFrame:
    """Each opportunity's lead and moment: the leads' `opportunity_at`, else the deals' creation."""
    leads = export.leads
    if "opportunity_at" in leads.columns:
        rows = leads[leads["opportunity_at"].notna()]
        return pd.DataFrame({"lead_id": rows["lead_id"], "at": rows["opportunity_at"]})
    if export.deals is not None and "created_at" in export.deals.columns:
        deals = export.deals
        lead = (
            deals["lead_id"] if "lead_id" in deals.columns else pd.Series(None, index=deals.index)
        )
        return pd.DataFrame({"lead_id": lead, "at": deals["created_at"]})
    return pd.DataFrame(columns=["lead_id", "at"])


def _month_numbers(moments: pd.Series) -> np.ndarray:
    """Each moment's calendar month as year * 12 + month - 1 (nan where none)."""
    values = pd.to_datetime(moments)
    number = values.dt.year * 12 + values.dt.month - 1
    return number.to_numpy(dtype=float, na_value=np.nan)


def monthly(export: CrmExport, terms: Scenario) -> pd.DataFrame:
    """What happened, by calendar month and by cohort: one row per view, month and measure, with
    the `value` (nan where the export lacks the field the measure needs)."""
    leads = export.leads
    months = months_of(export)
    numbers = months.year * 12 + months.month - 1  # months as numbers: periods box slowly
    cohort_of = pd.Series(_month_numbers(leads["created_at"]), index=leads["lead_id"].to_numpy())
    answered = response(export, terms)
    won = _won_deals(export)
    opportunities = _opportunities(export)

    def moments(column: str) -> pd.DataFrame | None:
        if column not in leads.columns:
            return None
        rows = leads[leads[column].notna()]
        return pd.DataFrame({"lead_id": rows["lead_id"], "at": rows[column]})

    events: dict[str, pd.DataFrame | None] = {
        "leads": pd.DataFrame({"lead_id": leads["lead_id"], "at": leads["created_at"]}),
        "mqls": moments("mql_at"),
        "handoffs": moments("handed_off_at"),
        "contacts": moments("contacted_at"),
        "opportunities": opportunities if len(opportunities.columns) else None,
        "deals": won.rename(columns={"closed_at": "at"}),
    }
    has_deals = export.deals is not None or {"closed_at", "won"} <= set(leads.columns)
    rows = []
    for view in VIEWS:
        for measure in MEASURES:
            values = pd.Series(np.nan, index=numbers)
            if measure == "response_within_target":
                if "handed_off_at" in leads.columns:
                    known = answered[answered["within"].notna()]
                    key = (
                        _month_numbers(known["handed_off_at"])
                        if view == "calendar"
                        else known["lead_id"].map(cohort_of)
                    )
                    share = known["within"].astype(float).groupby(np.asarray(key)).mean()
                    values = share.reindex(numbers)
            elif measure == "revenue":
                if has_deals:
                    key = (
                        _month_numbers(won["closed_at"])
                        if view == "calendar"
                        else won["lead_id"].map(cohort_of)
                    )
                    total = won["amount"].astype(float).groupby(np.asarray(key)).sum()
                    values = total.reindex(numbers, fill_value=0.0)
            else:
                frame = events[measure]
                if frame is not None and (measure != "deals" or has_deals):
                    key = (
                        _month_numbers(frame["at"])
                        if view == "calendar"
                        else frame["lead_id"].map(cohort_of)
                    )
                    counts = pd.Series(1.0, index=frame.index).groupby(np.asarray(key)).sum()
                    values = counts.reindex(numbers, fill_value=0.0)
            for month, value in zip(months, values.to_numpy(dtype=float), strict=True):
                rows.append((view, month, measure, value))
    return pd.DataFrame(rows, columns=["view", "month", "measure", "value"])
