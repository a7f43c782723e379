"""Fits of a CRM export (SPEC §11) on exports drawn here from known parameters: each fit finds the
parameter inside its own 95% interval, the interval is narrow enough to plan with, and a field
the export lacks leaves the default in place with evidence that says so.

Every export is drawn with a fixed seed from the process the model itself runs (SPEC §2):
Poisson arrivals growing month by month, hand-raisers MQL at once, attempts on the model's
cadence, connects and qualification decaying with the lead's age, one lognormal cycle for every
deal and wins with chance `win_prob * fit`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sla_sim.analysis import fitting
from sla_sim.crm.fields import FIELDS, Table
from sla_sim.crm.tables import CrmExport
from sla_sim.model.decay import HalfLife
from sla_sim.scenario.calendar import Calendar, add_months
from sla_sim.scenario.schema import CalendarSpec, DecayTable, SalesSLA, Scenario

START = pd.Timestamp("2027-01-01")
HOUR = pd.Timedelta(hours=1)
BUSINESS = Calendar(START.date(), 400)  # Mon–Fri 9–18, as CalendarSpec() by default


def export_of(
    leads: pd.DataFrame,
    deals: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    *,
    end: pd.Timestamp,
    as_of: pd.Timestamp | None = None,
    profile: str = "generic",
) -> CrmExport:
    """An export as the reader hands it over: canonical columns, the period and what is missing."""
    frames: dict[Table, pd.DataFrame | None] = {
        "leads": leads,
        "deals": deals,
        "activities": activities,
    }
    missing = {
        table: tuple(f.name for f in FIELDS[table] if f.name not in frame.columns)
        for table, frame in frames.items()
        if frame is not None
    }
    if activities is not None:
        activities = activities.sort_values("at", kind="stable").reset_index(drop=True)
    return CrmExport(
        leads=leads.reset_index(drop=True),
        deals=deals,
        activities=activities,
        profile=profile,
        detected=False,
        timezone="UTC",
        start=START,
        end=end,
        as_of=as_of if as_of is not None else end,
        missing=missing,
    )


def moments(hours: np.ndarray) -> pd.Series:
    """Hours from START as the minute-rounded moments an export writes."""
    return pd.Series(START + pd.to_timedelta(np.asarray(hours, float), unit="h")).dt.round("min")


def month_hours(months: int) -> np.ndarray:
    return np.array(
        [(add_months(START.date(), m) - START.date()).days * 24.0 for m in range(months + 1)]
    )


def arrivals(
    rng: np.random.Generator,
    per_month: float,
    growth: float,
    stop_hours: float,
    business_share: float | None = None,
) -> np.ndarray:
    """Arrival hours of a source: Poisson counts per month at per_month * (1 + growth) ** m,
    flat over the month, or with `business_share` of them in open hours (the model's rule)."""
    bounds = month_hours(12)
    out = []
    for m in range(12):
        lo, hi = bounds[m], min(bounds[m + 1], stop_hours)
        if lo >= hi:
            break
        mean = per_month * (1 + growth) ** m
        total = bounds[m + 1] - bounds[m]
        if business_share is None:
            n = rng.poisson(mean * (hi - lo) / total)
            out.append(rng.uniform(lo, hi, n))
            continue
        open_total = BUSINESS.open_hours_between(bounds[m], bounds[m + 1])
        open_seen = BUSINESS.open_hours_between(lo, hi)
        closed_total, closed_seen = total - open_total, (hi - lo) - open_seen
        n_open = rng.poisson(mean * business_share * open_seen / open_total)
        n_closed = rng.poisson(mean * (1 - business_share) * closed_seen / closed_total)
        base = float(BUSINESS.business_hours(lo))
        out.append(BUSINESS.add_business_hours(0.0, base + rng.uniform(0, open_seen, n_open)))
        closed: list[float] = []
        while len(closed) < n_closed:
            t = rng.uniform(lo, hi, 2 * n_closed + 10)
            closed.extend(t[~np.array([BUSINESS.is_open(x) for x in t])].tolist())
        out.append(np.array(closed[:n_closed]))
    return np.sort(np.concatenate(out))


def source_leads(
    rng: np.random.Generator,
    name: str,
    hours: np.ndarray,
    hand_raiser_share: float = 0.3,
    fit: tuple[float, float] = (5, 3),
) -> pd.DataFrame:
    """Leads of one source: hand-raisers MQL at creation, others after days of nurture or never."""
    n = len(hours)
    raised = rng.random(n) < hand_raiser_share
    nurtured = rng.random(n) < 0.4
    mql = np.where(raised, hours, np.where(nurtured, hours + rng.exponential(240, n), np.nan))
    created = moments(hours)
    return pd.DataFrame(
        {
            "lead_id": [f"{name[:1]}{i}" for i in range(n)],
            "created_at": created,
            "source": name,
            "mql_at": created.where(pd.Series(raised), moments(mql)),
            "fit": rng.beta(*fit, n).round(3),
        }
    )


# -- sources -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def market() -> CrmExport:
    """Two sources over Jan 1 – Jul 16 2027 (six whole months and a part): one flat, growing 8%
    a month from 1,000; one in business hours (70%), flat at 400."""
    rng = np.random.default_rng(13)
    stop = pd.Timestamp("2027-07-16")
    stop_hours = (stop - START) / HOUR
    content = source_leads(rng, "Content", arrivals(rng, 1000, 0.08, stop_hours), 0.1, (2, 4))
    demos = source_leads(rng, "Demos", arrivals(rng, 400, 0.0, stop_hours, 0.7), 0.6, (5, 3))
    return export_of(pd.concat([content, demos], ignore_index=True), end=stop)


def test_volume_and_growth_are_recovered_with_part_months(market: CrmExport) -> None:
    content = fitting.fit_source(market, "Content")
    assert content.leads_per_month.contains(1000)
    assert content.growth_per_month.contains(0.08)
    # Six and a half months of about 1,300 leads: growth within ±2 points, volume within ±8%.
    assert content.growth_per_month.width < 0.04
    assert content.leads_per_month.width < 0.16 * 1000
    assert content.months[-1].exposure == pytest.approx(15 / 31)
    assert "Poisson regression" in content.growth_per_month.evidence
    assert "Jan–Jul 2027" in content.growth_per_month.evidence


def test_business_hours_source_is_told_from_a_flat_one(market: CrmExport) -> None:
    demos = fitting.fit_source(market, "Demos")
    assert demos.arrival.arrival == "business"
    assert demos.arrival.business_share.contains(0.7)
    assert demos.arrival.business_share.width < 0.05
    # Its part month is weighed by open and closed hours, as the model spreads its leads.
    assert demos.leads_per_month.contains(400)
    assert demos.growth_per_month.contains(0.0)
    content = fitting.fit_source(market, "Content")
    assert content.arrival.arrival == "flat"
    assert content.arrival.business_share.contains(content.arrival.flat_share)


def test_hand_raisers_and_fit_distribution(market: CrmExport) -> None:
    demos = fitting.fit_source(market, "Demos")
    assert demos.hand_raiser_share.contains(0.6)
    assert demos.hand_raiser_share.width < 0.05
    assert demos.fit.a.contains(5)
    assert demos.fit.b.contains(3)
    # About 2,600 leads: each beta parameter within ±12%.
    assert demos.fit.a.width < 0.25 * 5
    assert demos.fit.b.width < 0.25 * 3
    assert demos.fit.distribution() == {
        "dist": "beta",
        "a": demos.fit.a.value,
        "b": demos.fit.b.value,
    }
    assert fitting.source_names(market) == ["Content", "Demos"]


def test_score_out_of_100_is_read_as_fit() -> None:
    rng = np.random.default_rng(5)
    leads = source_leads(rng, "Web", rng.uniform(0, 24 * 90, 3000))
    leads = leads.drop(columns="fit").assign(score=rng.beta(2, 4, 3000) * 100)
    export = export_of(leads, end=START + pd.Timedelta(days=90))
    fit = fitting.fit_fit_distribution(export)
    assert fit.a.contains(2)
    assert fit.b.contains(4)
    assert "score / 100" in fit.evidence


# -- acceptance --------------------------------------------------------------------------------


def test_acceptance_and_the_fit_threshold_it_implies() -> None:
    rng = np.random.default_rng(7)
    n = 4000
    hours = np.sort(rng.uniform(0, 24 * 120, n))
    fit = rng.beta(4, 3, n)
    created = moments(hours)
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "created_at": created,
            "mql_at": created,
            "handed_off_at": created.where(pd.Series(fit >= 0.35)),
            "fit": fit,
        }
    )
    fitted = fitting.fit_acceptance(export_of(leads, end=START + pd.Timedelta(days=120)))
    assert fitted.acceptance.contains(float(stats.beta(4, 3).sf(0.35)))
    assert fitted.accept_min_fit.contains(0.35)
    assert fitted.accept_min_fit.width < 0.05


# -- the team ----------------------------------------------------------------------------------


def test_reps_per_month_and_changes_held_two_months() -> None:
    """6 reps, two hired in April, one away all of June (not a change), one more from Aug, the
    last month only half seen (left out)."""
    rng = np.random.default_rng(3)
    per_month = [6, 6, 6, 8, 8, 7, 8, 9, 9, 10]
    rows = []
    bounds = month_hours(10)
    for m, reps in enumerate(per_month):
        for rep in range(reps):
            at = rng.uniform(bounds[m], bounds[m + 1], 30)
            rows.append(pd.DataFrame({"lead_id": "L0", "at": moments(at), "owner": f"rep {rep}"}))
    activities = pd.concat(rows, ignore_index=True)
    leads = pd.DataFrame({"lead_id": ["L0"], "created_at": [START]})
    end = START + pd.Timedelta(hours=bounds[9] + 24 * 10)
    team = fitting.fit_team(export_of(leads, activities=activities, end=end))
    assert team.reps.value == 6
    assert team.changes == ((4, 2), (8, 1))
    assert team.changes_table() == [{"month": 4, "reps": 2}, {"month": 8, "reps": 1}]
    assert "6, 6, 6, 8, 8, 7, 8, 9, 9" in team.evidence


# -- attempts and spacing ----------------------------------------------------------------------

CADENCE = (4.0, 24.0, 48.0)


def cadence_export(seed: int, n: int = 3000) -> tuple[CrmExport, dict[str, np.ndarray]]:
    """Leads handed off at their MQL and worked by reps who are free whenever the calendar is
    open: the first attempt at the handoff (or the next opening), the next ones CADENCE hours
    later (the last repeating, waiting for the opening when due in closed hours), up to four, and
    no more after a connect. Each attempt connects with 0.45 * HalfLife(4 h, floor 0.1) of the
    lead's age; a connect qualifies with 0.5 * fit * HalfLife(72 h) of it."""
    rng = np.random.default_rng(seed)
    connect_decay, qualify_decay = HalfLife(4.0, 0.1), HalfLife(72.0)
    hours = np.sort(rng.uniform(0, 24 * 150, n))
    fit = rng.beta(5, 3, n)
    delay = np.where(rng.random(n) < 0.5, rng.exponential(0.3, n), rng.exponential(30, n))
    rows: list[tuple[int, float, bool]] = []
    opportunity = np.full(n, np.nan)
    truth: dict[str, list[float]] = {"age": [], "p_connect": [], "connect_age": [], "q": []}
    window = 14 * 24.0
    for i in range(n):
        t = BUSINESS.next_open(hours[i] + delay[i])
        for k in range(4):
            if t >= hours[i] + window:
                break
            age = t - hours[i]
            p = 0.45 * float(connect_decay.multiplier(age))
            hit = rng.random() < p
            rows.append((i, t, hit))
            truth["age"].append(age)
            truth["p_connect"].append(p)
            if hit:
                q = 0.5 * fit[i] * float(qualify_decay.multiplier(age))
                truth["connect_age"].append(age)
                truth["q"].append(q)
                if rng.random() < q:
                    opportunity[i] = t
                break
            t = BUSINESS.next_open(t + CADENCE[min(k, len(CADENCE) - 1)])
    created = moments(hours)
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "created_at": created,
            "mql_at": created,
            "handed_off_at": created,
            "owner": "rep",
            "fit": fit,
            "opportunity_at": moments(opportunity),
        }
    )
    lead, at, hit = zip(*rows, strict=True)
    activities = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in lead],
            "at": moments(np.array(at)),
            "outcome": np.where(hit, "Connected", "No answer"),
            "owner": "rep",
        }
    )
    export = export_of(leads, activities=activities, end=START + pd.Timedelta(days=170))
    return export, {k: np.array(v) for k, v in truth.items()}


@pytest.fixture(scope="module")
def worked() -> tuple[CrmExport, dict[str, np.ndarray]]:
    return cadence_export(21)


def test_attempts_and_the_gaps_of_the_cadence(
    worked: tuple[CrmExport, dict[str, np.ndarray]],
) -> None:
    export, _ = worked
    attempts = fitting.fit_attempts(export, CalendarSpec(), SalesSLA())
    assert attempts.min_attempts.value == 4
    assert len(attempts.retry_gap_hours) == 3
    for gap, truth in zip(attempts.retry_gap_hours, CADENCE, strict=True):
        assert gap.contains(truth), gap.evidence
    assert attempts.gaps() == list(CADENCE)
    assert 1 < attempts.attempts_per_lead.value < 4
    assert attempts.attempts_per_lead.width < 0.2
    assert "left out" in attempts.evidence


# -- connect and qualification by age ----------------------------------------------------------


def bins_missed(
    curve: fitting.AgeCurve, ages: np.ndarray, truth: np.ndarray, weight: np.ndarray
) -> int:
    """Bins whose interval misses the true mean chance of their trials."""
    missed = 0
    for b in curve.bins:
        inside = (ages >= b.start_hours) & (ages < b.end_hours)
        expected = truth[inside].sum() / weight[inside].sum()
        missed += not b.low <= expected <= b.high
    return missed


def test_connect_and_qualify_decay_by_age(worked: tuple[CrmExport, dict[str, np.ndarray]]) -> None:
    export, truth = worked
    decay = fitting.fit_decay(export, 14)
    assert decay.connect is not None
    assert decay.qualify is not None
    # The chance at age 0: the first bin's (ages under 5 minutes), where the decay is > 0.98.
    assert decay.connect_prob.contains(0.45 * 0.99)
    assert decay.connect_prob.width < 0.2
    # Each bin's interval holds its trials' true mean chance, as often as 95% intervals do: at
    # most the misses a binomial(bins, 5%) count exceeds only 1% of the time.
    ages, p = truth["age"], truth["p_connect"]
    allowed = stats.binom.ppf(0.99, len(decay.connect.bins), 0.05)
    assert bins_missed(decay.connect, ages, p, np.ones(len(ages))) <= allowed
    connect_ages = truth["connect_age"]
    fits = np.array(truth["q"]) / (0.5 * HalfLife(72.0).multiplier(connect_ages))
    allowed = stats.binom.ppf(0.99, len(decay.qualify.bins), 0.05)
    assert bins_missed(decay.qualify, connect_ages, truth["q"], fits) <= allowed
    assert decay.qualify_prob.contains(0.5)
    # The table is the scenario's own decay: it validates, and it falls with age.
    table = decay.table()
    assert table is not None
    DecayTable.model_validate(table)
    assert table["connect"][0] == 1.0
    assert table["connect"][-1] < 0.4


def test_decay_without_outcomes_reads_contacts_from_the_leads() -> None:
    """No activities: qualification by age still comes from contacted_at; the connect curve and
    chance stay the default's, and the table carries the default connect curve."""
    export, _ = cadence_export(23, n=2000)
    leads, activities = export.leads.copy(), export.activities
    assert activities is not None
    first_hit = activities[activities["outcome"] == "Connected"].groupby("lead_id")["at"].min()
    leads["contacted_at"] = first_hit.reindex(leads["lead_id"]).to_numpy()
    bare = export_of(leads, end=export.end)
    decay = fitting.fit_decay(bare, 14)
    assert decay.connect is None
    assert decay.qualify is not None
    assert decay.connect_prob.is_default
    assert decay.connect_prob.value == 0.45
    assert "no outcome" in decay.connect_prob.evidence
    table = decay.table()
    assert table is not None
    expected = HalfLife(4.0, 0.1).multiplier(np.array(table["age_hours"]))
    assert table["connect"] == pytest.approx(expected, abs=1e-4)


# -- deals -------------------------------------------------------------------------------------


def deals_export(seed: int, only_won: bool = False, n: int = 4000) -> CrmExport:
    """Opportunities opened over Jan–Sep 2027, a lognormal cycle (median 35 days, sigma 0.6) each,
    won with 0.3 * fit for a lognormal value (median 12,000, sigma 0.7); open at Oct 1."""
    rng = np.random.default_rng(seed)
    as_of = pd.Timestamp("2027-10-01")
    opened_hours = np.sort(rng.uniform(0, (as_of - START) / HOUR, n))
    fit = rng.beta(5, 3, n)
    cycle = rng.lognormal(math.log(35), 0.6, n)
    won = rng.random(n) < 0.3 * fit
    closed_hours = opened_hours + cycle * 24
    is_open = closed_hours > (as_of - START) / HOUR
    opened, closed = moments(opened_hours), moments(closed_hours).where(pd.Series(~is_open))
    amount = rng.lognormal(math.log(12000), 0.7, n).round(2)
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "created_at": opened - pd.Timedelta(days=2),
            "opportunity_at": opened,
            "fit": fit,
        }
    )
    deals = pd.DataFrame(
        {
            "deal_id": [f"D{i}" for i in range(n)],
            "lead_id": leads["lead_id"],
            "created_at": opened,
            "closed_at": closed,
            "won": pd.array(np.where(is_open, None, won), dtype="boolean"),
            "amount": np.where(won, amount, np.nan),
        }
    )
    if only_won:
        deals = deals[deals["won"].fillna(False).to_numpy()].reset_index(drop=True)
    return export_of(leads, deals=deals, end=as_of)


def test_cycle_win_probability_and_deal_value_with_open_deals_censored() -> None:
    fitted = fitting.fit_deals(deals_export(31))
    assert fitted.cycle_days.median.contains(35)
    assert fitted.cycle_days.sigma.contains(0.6)
    assert fitted.win_prob.contains(0.3)
    assert fitted.deal_value.median.contains(12000)
    assert fitted.deal_value.sigma.contains(0.7)
    # 4,000 deals, a sixth of them open: the median cycle within ±6%, win_prob within ±4 points.
    assert fitted.cycle_days.median.width < 0.12 * 35
    assert fitted.win_prob.width < 0.08
    assert fitted.deal_value.median.width < 0.2 * 12000
    assert "open deals censored" in fitted.cycle_days.evidence
    assert fitted.cycle_days.distribution() == {
        "dist": "lognormal",
        "median": fitted.cycle_days.median.value,
        "sigma": fitted.cycle_days.sigma.value,
    }


def test_ignoring_open_deals_would_shorten_the_cycle() -> None:
    """The closed deals alone are the short ones: censoring is what keeps the median at 35."""
    export = deals_export(32)
    assert export.deals is not None
    closed = export.deals.dropna(subset=["closed_at"])
    naive = np.median((closed["closed_at"] - closed["created_at"]) / pd.Timedelta(days=1))
    assert naive < fitting.fit_deals(export).cycle_days.median.low


def test_only_won_deals_take_the_win_probability_from_the_opportunities() -> None:
    export = deals_export(33, only_won=True)
    fitted = fitting.fit_deals(export)
    assert fitted.win_prob.contains(0.3), fitted.win_prob.evidence
    assert fitted.win_prob.width < 0.1
    assert fitted.cycle_days.median.contains(35)
    assert fitted.cycle_days.sigma.contains(0.6)
    assert "only won deals" in fitted.win_prob.evidence
    bare = export_of(
        export.leads.drop(columns="opportunity_at"), deals=export.deals, end=export.end
    )
    fitted = fitting.fit_deals(bare)
    assert fitted.win_prob.is_default
    assert fitted.win_prob.value == 0.3
    assert "default 0.3 stays" in fitted.win_prob.evidence
    assert not fitted.cycle_days.is_default
    assert "won deals only" in fitted.cycle_days.evidence


def test_a_stage_tells_won_from_lost() -> None:
    export = deals_export(34, n=1500)
    assert export.deals is not None
    won = export.deals["won"]
    stage = np.where(won.isna(), "Negotiation", np.where(won.fillna(False), "Closed Won", "Lost"))
    deals = export.deals.drop(columns="won").assign(stage=stage)
    fitted = fitting.fit_deals(export_of(export.leads, deals=deals, end=export.end))
    assert fitted.win_prob.contains(0.3)


# -- missing fields ----------------------------------------------------------------------------


def test_missing_fields_keep_the_defaults_and_say_so() -> None:
    rng = np.random.default_rng(51)
    hours = np.sort(rng.uniform(0, 24 * 60, 500))
    leads = pd.DataFrame({"lead_id": [f"L{i}" for i in range(500)], "created_at": moments(hours)})
    export = export_of(leads, end=START + pd.Timedelta(days=60))
    fit = fitting.fit_export(export)
    (source,) = fit.sources
    assert source.name == fitting.ALL_LEADS
    assert not source.leads_per_month.is_default
    assert source.hand_raiser_share.is_default
    assert source.hand_raiser_share.value == 0.0
    assert "no mql_at" in source.hand_raiser_share.evidence
    assert source.fit.is_default
    assert source.fit.distribution() is None
    assert fit.acceptance.acceptance.is_default
    assert fit.team.reps.is_default
    assert fit.team.reps.value == 6
    assert "no owner" in fit.team.reps.evidence
    assert fit.attempts.min_attempts.is_default
    assert fit.attempts.gaps() is None
    assert "stays" in fit.attempts.evidence
    assert fit.decay.table() is None
    assert fit.decay.connect_prob.is_default
    assert fit.deals.win_prob.is_default
    assert "stays" in fit.deals.win_prob.evidence
    assert fit.deals.cycle_days.distribution() is None
    assert fit.deals.deal_value.distribution() is None


def test_a_fitted_export_writes_a_scenario_that_validates(
    worked: tuple[CrmExport, dict[str, np.ndarray]],
) -> None:
    """The fitted values lie where the schema allows them (the decay table falls, the gaps are
    positive, the team never goes below zero)."""
    export, _ = worked
    fit = fitting.fit_export(export)
    source = fit.sources[0]
    document = {
        "scenario": {"name": "Fitted", "start_date": "2027-01-01", "months": 6},
        "sources": [
            {
                "name": source.name,
                "leads_per_month": source.leads_per_month.value,
                "growth_per_month": source.growth_per_month.value,
                "hand_raiser_share": source.hand_raiser_share.value,
                "fit": source.fit.distribution(),
                "arrival": source.arrival.arrival,
                "business_share": source.arrival.business_share.value,
            }
        ],
        "team": {"reps": int(fit.team.reps.value), "changes": fit.team.changes_table()},
        "response": {
            "connect_prob": fit.decay.connect_prob.value,
            "qualify_prob": fit.decay.qualify_prob.value,
            "decay": fit.decay.table(),
        },
        "sla": {
            "sales": {
                "min_attempts": int(fit.attempts.min_attempts.value),
                "retry_gap_hours": fit.attempts.gaps(),
            }
        },
    }
    scenario = Scenario.model_validate(document)
    assert scenario.sla.sales.retry_gap_hours == list(CADENCE)


# -- a simulated export ------------------------------------------------------------------------

ROUND_TRIP = {
    "scenario": {"name": "Round trip", "start_date": "2027-01-04", "months": 6},
    "sources": [
        {
            "name": "Demos",
            "leads_per_month": 150,
            "hand_raiser_share": 1.0,
            "fit": {"dist": "beta", "a": 5, "b": 3},
            "arrival": "business",
            "business_share": 0.8,
        },
        {
            "name": "Content",
            "leads_per_month": 700,
            "growth_per_month": 0.08,
            "hand_raiser_share": 0.1,
            "fit": {"dist": "beta", "a": 2, "b": 4},
            "arrival": "flat",
        },
    ],
    "handoff": {"accept_min_fit": 0.2},
    # Reps with time to spare start each attempt when it falls due, so the gaps are the cadence's.
    "team": {"reps": 20, "changes": [{"month": 4, "reps": 4}]},
    "deals": {
        "cycle_days": {"dist": "lognormal", "median": 35, "sigma": 0.6},
        "win_prob": 0.3,
        "deal_value": {"dist": "lognormal", "median": 12000, "sigma": 0.7},
    },
}


def test_a_simulated_export_gives_back_its_scenario() -> None:
    """One replication exported as its CRM would hold it (`experiments.export_crm`), fitted with
    the scenario as the terms: every parameter the export can tell lies in its interval."""
    from sla_sim.experiments.export_crm import simulated_export
    from sla_sim.model.decay import decay_curves

    scenario = Scenario.model_validate(ROUND_TRIP)
    export = simulated_export(scenario, seed=1)
    fit = fitting.fit_export(export, scenario)
    by_name = {s.name: s for s in fit.sources}
    for spec in scenario.sources:
        source = by_name[spec.name]
        beta = spec.fit.model_dump()
        assert source.leads_per_month.contains(spec.leads_per_month), spec.name
        assert source.growth_per_month.contains(spec.growth_per_month), spec.name
        assert source.hand_raiser_share.contains(spec.hand_raiser_share), spec.name
        assert source.arrival.arrival == spec.arrival
        assert source.fit.a.contains(beta["a"]), spec.name
        assert source.fit.b.contains(beta["b"]), spec.name
    assert by_name["Demos"].arrival.business_share.contains(0.8)
    assert fit.acceptance.accept_min_fit.contains(0.2)
    assert fit.team.reps.value == 20
    assert fit.team.changes == ((4, 4),)
    assert fit.attempts.min_attempts.value == scenario.sla.sales.min_attempts
    assert fit.attempts.gaps() == scenario.sla.sales.retry_gap_hours
    # Connect and qualification: each bin against its trials' true mean chance in the model.
    connect_decay, qualify_decay = decay_curves(scenario.response)
    frame = fitting.follow_up(export, scenario.sla.sales.follow_up_window_days)
    assert frame is not None
    tried = frame[frame["age_hours"] >= 0]
    ages = tried["age_hours"].to_numpy()
    chance = scenario.response.connect_prob * connect_decay.multiplier(ages)
    decay = fit.decay
    assert decay.connect is not None
    assert decay.qualify is not None
    allowed = stats.binom.ppf(0.99, len(decay.connect.bins), 0.05)
    assert bins_missed(decay.connect, ages, chance, np.ones(len(ages))) <= allowed
    reached = tried[tried["connected"].fillna(False).astype(bool)]
    ages, fits = reached["age_hours"].to_numpy(), reached["fit"].to_numpy()
    chance = scenario.response.qualify_prob * fits * qualify_decay.multiplier(ages)
    allowed = stats.binom.ppf(0.99, len(decay.qualify.bins), 0.05)
    assert bins_missed(decay.qualify, ages, chance, fits) <= allowed
    deals = fit.deals
    assert deals.cycle_days.median.contains(35)
    assert deals.cycle_days.sigma.contains(0.6)
    assert deals.win_prob.contains(0.3)
    assert deals.deal_value.median.contains(12000)
    assert deals.deal_value.sigma.contains(0.7)
