"""A catalogue of bad input: each case is one change to a small valid file and the exact message it
gets, which names the file, the dotted key, the value and what is allowed; never a traceback.

The classes: numbers that are not finite, distribution parameters outside their limits, values of
the wrong type, nesting too deep, and the messages about decay tables, sweeps, dates and encodings,
the team over the year (changes, ramp, attrition, backfill, time off) and the calendar's time zone
and national holidays.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sla_sim import ScenarioError, load_scenario
from sla_sim.scenario.file import parse_scenario, parse_scenario_text

SMALL = """\
[scenario]
name = "Small"
start_date = 2027-01-04
months = 1

[calendar]
always_open = false
holidays = []

[[sources]]
name = "Demo"
leads_per_month = 20
fit = { dist = "beta", a = 5, b = 3 }

[nurture]
touches_per_week = { dist = "gamma", mean = 0.6, cv = 1.0 }

[team]
reps = 2
attempt_minutes = { dist = "lognormal", median = 6, sigma = 0.5 }

[response]
connect_prob = 0.45
decay = "half_life"

[deals]
deal_value = { dist = "uniform", low = 1000, high = 5000 }

[sla.sales]
first_response_hours = 24
retry_gap_hours = [4, 24]
"""

DEAL = 'deal_value = { dist = "uniform", low = 1000, high = 5000 }'
ATTEMPT = 'attempt_minutes = { dist = "lognormal", median = 6, sigma = 0.5 }'
DECAY = 'decay = "half_life"'
DISTS = "exponential, lognormal, gamma, beta, uniform, triangular, empirical"
DECAYS = "'half_life', 'lrm2007', 'hbr2011', or a table of age_hours, connect and qualify"
DAYS = "from 1900-01-01 to 2199-12-31"
END = None  # an edit whose text is added at the end of the file
ZONES = '"America/Sao_Paulo", "America/New_York", "Europe/Lisbon"'
COUNTRIES = '"BR", "US", "PT"'

# (id, old text, new text, every problem line; the file is "small.toml")
# fmt: off
CASES: list[tuple[str, str | None, str, str]] = [
    ("inf probability", "connect_prob = 0.45", "connect_prob = inf", "small.toml: response.connect_prob = inf: must be a finite number"),
    ("nan probability", "connect_prob = 0.45", "connect_prob = nan", "small.toml: response.connect_prob = nan: must be a finite number"),
    ("-inf hours", "first_response_hours = 24", "first_response_hours = -inf", "small.toml: sla.sales.first_response_hours = -inf: must be a finite number"),
    ("inf leads", "leads_per_month = 20", "leads_per_month = inf", "small.toml: sources[0].leads_per_month = inf: must be a finite number"),
    ("nan in a list", "retry_gap_hours = [4, 24]", "retry_gap_hours = [4, nan]", "small.toml: sla.sales.retry_gap_hours[1] = nan: must be a finite number"),
    ("inf as the one gap", "retry_gap_hours = [4, 24]", "retry_gap_hours = inf", "small.toml: sla.sales.retry_gap_hours = inf: must be a finite number"),
    ("nan distribution parameter", "median = 6,", "median = nan,", "small.toml: team.attempt_minutes.median = nan: must be a finite number"),
    ("inf uniform bound", "high = 5000", "high = inf", "small.toml: deals.deal_value.high = inf: must be a finite number"),
    ("nan as a plain-number distribution", DEAL, "deal_value = nan", "small.toml: deals.deal_value = nan: must be a finite number"),
    ("inf among empirical values", DEAL, 'deal_value = { dist = "empirical", values = [1, inf] }', "small.toml: deals.deal_value.values[1] = inf: must be a finite number"),
    ("nan in a decay table", DECAY, "decay = { age_hours = [0, nan], connect = [1, 0.5], qualify = [1, 0.5] }", "small.toml: response.decay.age_hours[1] = nan: must be a finite number"),
    ("nan open hour", "holidays = []", "open_hours = [9, nan]", "small.toml: calendar.open_hours[1] = nan: must be a finite number"),
    ("nan set by a variant", END, '[[variants]]\nname = "v"\nset = { "response.connect_prob" = nan }', "small.toml: variants[0] (v) sets response.connect_prob = nan: must be a finite number"),
    ("inf among swept values", END, '[sweep]\n"sla.sales.first_response_hours" = [1, inf]', "small.toml: sweep.\"sla.sales.first_response_hours\" sets sla.sales.first_response_hours = inf: must be a finite number"),
    ("lognormal sigma 40", "sigma = 0.5", "sigma = 40", "small.toml: team.attempt_minutes.sigma = 40: must be <= 5"),
    ("gamma cv 1e-200", "cv = 1.0", "cv = 1e-200", "small.toml: nurture.touches_per_week.cv = 1e-200: must be >= 0.01"),
    ("gamma cv 100", "cv = 1.0", "cv = 100", "small.toml: nurture.touches_per_week.cv = 100: must be <= 10"),
    ("beta a 1e-300", "a = 5,", "a = 1e-300,", "small.toml: sources[0].fit.a = 1e-300: must be >= 0.01"),
    ("beta b 1e6", "b = 3 }", "b = 1e6 }", "small.toml: sources[0].fit.b = 1e+06: must be <= 10000"),
    ("exponential mean 1e300", ATTEMPT, 'attempt_minutes = { dist = "exponential", mean = 1e300 }', "small.toml: team.attempt_minutes.mean = 1e+300: must be <= 1e+09"),
    ("lognormal median 1e12", "median = 6,", "median = 1e12,", "small.toml: team.attempt_minutes.median = 1e+12: must be <= 1e+09"),
    ("uniform low -1e10", "low = 1000,", "low = -1e10,", "small.toml: deals.deal_value.low = -1e+10: must be >= -1e+09"),
    ("plain number 1e300", DEAL, "deal_value = 1e300", "small.toml: deals.deal_value = 1e+300: must be from -1e+09 to 1e+09"),
    ("too many leads", "months = 1", "months = 24", "small.toml: sources: about 1.68e+07 leads in the horizon, more than a run can hold (2,000,000); lower leads_per_month, growth_per_month or scenario.months"),
    ("reps as text", "reps = 2", 'reps = "2"', 'small.toml: team.reps = "2": must be a whole number'),
    ("reps as true", "reps = 2", "reps = true", "small.toml: team.reps = true: must be a whole number"),
    ("reps not whole", "reps = 2", "reps = 2.5", "small.toml: team.reps = 2.5: must be a whole number"),
    ("always_open as text", "always_open = false", 'always_open = "yes"', 'small.toml: calendar.always_open = "yes": must be true or false'),
    ("always_open as 1", "always_open = false", "always_open = 1", "small.toml: calendar.always_open = 1: must be true or false"),
    ("probability as text", "connect_prob = 0.45", 'connect_prob = "0.45"', 'small.toml: response.connect_prob = "0.45": must be a number'),
    ("probability as true", "connect_prob = 0.45", "connect_prob = true", "small.toml: response.connect_prob = true: must be a number"),
    ("name as a number", 'name = "Small"', "name = 7", "small.toml: scenario.name = 7: must be text"),
    ("start_date as a number", "start_date = 2027-01-04", "start_date = 20270104", "small.toml: scenario.start_date = 20270104: must be a date like 2027-01-04"),
    ("start_date with a time", "start_date = 2027-01-04", "start_date = 2027-01-04T09:00:00", "small.toml: scenario.start_date = 2027-01-04T09:00:00: must be a date like 2027-01-04, without a time"),
    ("start_date as other text", "start_date = 2027-01-04", 'start_date = "next monday"', 'small.toml: scenario.start_date = "next monday": must be a date like 2027-01-04'),
    ("distribution as text", ATTEMPT, 'attempt_minutes = "6"', f'small.toml: team.attempt_minutes = "6": must be a number or a table with dist = one of {DISTS}'),
    ("distribution as true", DEAL, "deal_value = true", f"small.toml: deals.deal_value = true: must be a number or a table with dist = one of {DISTS}"),
    ("distribution parameter as text", "median = 6,", 'median = "6",', 'small.toml: team.attempt_minutes.median = "6": must be a number'),
    ("arrays 10,000 deep", "holidays = []", "holidays = " + "[" * 10_000 + "]" * 10_000, "small.toml: arrays or tables nested more than 20 levels deep"),
    ("arrays 30 deep", "holidays = []", "holidays = " + "[" * 30 + "]" * 30, "small.toml: calendar.holidays[...]: nested more than 20 levels deep (arrays or tables)"),
    ("decay table of unequal lengths", DECAY, "decay = { age_hours = [0, 24], connect = [1], qualify = [1, 0.5] }", "small.toml: response.decay: age_hours, connect and qualify need the same number of values"),
    ("decay table rising", DECAY, "decay = { age_hours = [0, 24], connect = [0.5, 1], qualify = [1, 0.5] }", "small.toml: response.decay: connect = [0.5, 1.0]: leads only cool, multipliers must not rise"),
    ("decay table above 1", DECAY, "decay = { age_hours = [0, 24], connect = [2, 1], qualify = [1, 0.5] }", "small.toml: response.decay.connect[0] = 2: must be <= 1"),
    ("decay table unknown key", DECAY, "decay = { age_hours = [0], connect = [1], qualify = [1], floor = 0 }", "small.toml: response.decay.floor: unknown key; allowed in [response.decay]: age_hours, connect, qualify"),
    ("decay unknown preset", DECAY, 'decay = "hbr2012"', f'small.toml: response.decay = "hbr2012": must be one of {DECAYS}'),
    ("decay a number", DECAY, "decay = 5", f"small.toml: response.decay = 5: must be one of {DECAYS}"),
    ("sweep value not a list", END, '[sweep]\n"team.reps" = 5', 'small.toml: sweep."team.reps" = 5: must be a list of values or a range "LO:HI" or "LO:HI:STEP"'),
    ("sweep range of words", END, '[sweep]\n"team.reps" = "a:3"', 'small.toml: sweep."team.reps" = "a:3": a range is LO:HI or LO:HI:STEP with numbers'),
    ("sweep range from nan", END, '[sweep]\n"team.reps" = "nan:3"', 'small.toml: sweep."team.reps" = "nan:3": a range is LO:HI or LO:HI:STEP with numbers'),
    ("sweep values each checked", END, '[sweep]\n"team.reps" = [1, 0, "x"]', 'small.toml: sweep."team.reps" sets team.reps = 0: must be >= 1\nsmall.toml: sweep."team.reps" sets team.reps = "x": must be a whole number'),
    ("sweep range each checked", END, '[sweep]\n"response.connect_prob" = "0:1.5:0.5"', "small.toml: sweep.\"response.connect_prob\" sets response.connect_prob = 1.5: must be <= 1"),
    ("sweep unknown key", END, '[sweep]\n"team.repz" = [1, 2]', "small.toml: sweep.\"team.repz\": unknown key (did you mean 'team.reps'?)"),
    ("sweep without values", END, '[sweep]\n"team.reps" = []', "small.toml: sweep.\"team.reps\" = []: no values to sweep"),
    ("unknown key in a distribution", "sigma = 0.5", "sigma = 0.5, mode = 3", "small.toml: team.attempt_minutes.mode: unknown key; a lognormal distribution takes dist, median, sigma"),
    ("unknown dist", 'dist = "lognormal"', 'dist = "fixd"', f'small.toml: team.attempt_minutes.dist = "fixd": unknown dist; allowed: {DISTS}, fixed'),
    ("start_date in year 9999", "start_date = 2027-01-04", "start_date = 9999-12-01", f"small.toml: scenario.start_date = 9999-12-01: must be a date {DAYS}"),
    ("start_date in 1066", "start_date = 2027-01-04", "start_date = 1066-10-14", f"small.toml: scenario.start_date = 1066-10-14: must be a date {DAYS}"),
    ("holiday a number", "holidays = []", "holidays = [5]", "small.toml: calendar.holidays[0] = 5: must be a date like 2027-09-07"),
    ("holiday with a time", "holidays = []", "holidays = [2027-09-07T00:00:00]", "small.toml: calendar.holidays[0] = 2027-09-07T00:00:00: must be a date like 2027-09-07, without a time"),
    ("holiday as words", "holidays = []", 'holidays = ["labor day"]', 'small.toml: calendar.holidays[0] = "labor day": must be a date like 2027-09-07'),
    ("blocks outside open hours", "reps = 2", 'reps = 2\nlead_work = "blocks"\nlead_blocks = [[8, 10]]', "small.toml: team.lead_blocks = [[8, 10]]: every block must lie inside calendar.open_hours [9, 18], found [8, 10]"),
    ("blocks overlapping", "reps = 2", 'reps = 2\nlead_work = "blocks"\nlead_blocks = [[10, 12], [11.5, 13]]', "small.toml: team.lead_blocks = [[10, 12], [11.5, 13]]: blocks must not overlap, found [10, 12] and [11.5, 13]"),
    ("block reversed", "reps = 2", 'reps = 2\nlead_work = "blocks"\nlead_blocks = [[14, 10]]', "small.toml: team.lead_blocks = [[14, 10]]: each block is [start, end] with 0 <= start < end <= 24 (hours of the day), found [14, 10]"),
    ("blocks without lead_work", "reps = 2", "reps = 2\nlead_blocks = [[10, 11]]", 'small.toml: team.lead_blocks = [[10, 11]] applies only with team.lead_work = "blocks" (it is "interleaved"); set both or remove it'),
    ("blocks missing", "reps = 2", 'reps = 2\nlead_work = "blocks"', 'small.toml: team.lead_work = "blocks" needs team.lead_blocks, e.g. [[9.5, 11], [14, 15.5]]'),
    ("checks every 0 hours", "reps = 2", 'reps = 2\nlead_work = "checks"\ncheck_every_hours = 0', "small.toml: team.check_every_hours = 0: must be > 0"),
    ("checks every -2 hours", "reps = 2", 'reps = 2\nlead_work = "checks"\ncheck_every_hours = -2', "small.toml: team.check_every_hours = -2: must be > 0"),
    ("unknown lead work", "reps = 2", 'reps = 2\nlead_work = "batches"', "small.toml: team.lead_work = \"batches\": allowed: 'interleaved', 'blocks' or 'checks'"),
    ("ignore share above 1", "reps = 2", "reps = 2\nignore_share = 1.2", "small.toml: team.ignore_share = 1.2: must be <= 1"),
    ("ignore share below 0", "reps = 2", "reps = 2\nignore_share = -0.1", "small.toml: team.ignore_share = -0.1: must be >= 0"),
    ("alert without enforcement", "first_response_hours = 24", "first_response_hours = 24\nalert_at = 0.5", 'small.toml: sla.sales.alert_at = 0.5 applies only with sla.sales.enforcement = "alert" or "reassign" (it is "none"); set enforcement or remove it'),
    ("reassign without minutes", "first_response_hours = 24", 'first_response_hours = 24\nenforcement = "reassign"', 'small.toml: sla.sales.enforcement = "reassign" needs sla.sales.reassign_after_minutes, e.g. 30'),
    ("alert at 0", "first_response_hours = 24", 'first_response_hours = 24\nenforcement = "alert"\nalert_at = 0', "small.toml: sla.sales.alert_at = 0: must be > 0"),
    ("unknown enforcement", "first_response_hours = 24", 'first_response_hours = 24\nenforcement = "escalate"', "small.toml: sla.sales.enforcement = \"escalate\": allowed: 'none', 'alert' or 'reassign'"),
    ("negative cost per lead", "leads_per_month = 20", "leads_per_month = 20\ncost_per_lead = -5", "small.toml: sources[0].cost_per_lead = -5: must be >= 0"),
    ("negative rep cost", END, "[costs]\nrep_cost_per_month = -100", "small.toml: costs.rep_cost_per_month = -100: must be >= 0"),
    ("rep cost as text", END, '[costs]\nrep_cost_per_month = "9000"', 'small.toml: costs.rep_cost_per_month = "9000": must be a number'),
    ("unknown currency", END, '[costs]\ncurrency = "usdd"', 'small.toml: costs.currency = "usdd": must be an ISO 4217 currency code such as "USD", "EUR" or "BRL"'),
    ("currency in lower case", END, '[costs]\ncurrency = "eur"', 'small.toml: costs.currency = "eur": must be an ISO 4217 currency code such as "USD", "EUR" or "BRL"'),
    ("currency a number", END, "[costs]\ncurrency = 978", 'small.toml: costs.currency = 978: must be an ISO 4217 currency code such as "USD", "EUR" or "BRL"'),
    ("unknown key in costs", END, "[costs]\nae_cost = 1", "small.toml: costs.ae_cost: unknown key; allowed in [costs]: rep_cost_per_month, ae_cost_per_month, currency"),
    ("change in month 0", END, "[[team.changes]]\nmonth = 0\nreps = 2", "small.toml: team.changes[0].month = 0: must be >= 1"),
    ("change past the horizon", "months = 1", "months = 12\n\n[[team.changes]]\nmonth = 13\nreps = 1", "small.toml: team.changes[0].month = 13 is past the horizon: months run from 1 to 12 (scenario.months)"),
    ("team below zero", END, "[[team.changes]]\nmonth = 1\nreps = 1\n\n[[team.changes]]\nmonth = 1\nreps = -4", "small.toml: team.changes[1].reps = -4: the team falls to -1 reps in month 1 (team.reps = 2 and the changes up to then); a change can only remove reps who are there"),
    ("change of 0 reps", END, "[[team.changes]]\nmonth = 1\nreps = 0", "small.toml: team.changes[0].reps = 0: must not be 0 (a hire is positive, reps leaving negative)"),
    ("change of 1.5 reps", END, "[[team.changes]]\nmonth = 1\nreps = 1.5", "small.toml: team.changes[0].reps = 1.5: must be a whole number of reps (negative: reps leaving)"),
    ("ramp with a 0", "reps = 2", "reps = 2\nramp = [0, 0.5, 1]", "small.toml: team.ramp = [0, 0.5, 1]: each month's capacity share must lie in (0, 1], found 0"),
    ("ramp above 1", "reps = 2", "reps = 2\nramp = [0.5, 1.5, 1]", "small.toml: team.ramp = [0.5, 1.5, 1]: each month's capacity share must lie in (0, 1], found 1.5"),
    ("ramp not ending at 1", "reps = 2", "reps = 2\nramp = [0.25, 0.5]", "small.toml: team.ramp = [0.25, 0.5]: must end at 1 (a ramped rep's capacity), found 0.5 last, e.g. [0.25, 0.5, 0.75, 1.0]"),
    ("attrition below 0", "reps = 2", "reps = 2\nattrition_per_month = -0.1", "small.toml: team.attrition_per_month = -0.1: must be >= 0"),
    ("attrition above 1", "reps = 2", "reps = 2\nattrition_per_month = 1.5", "small.toml: team.attrition_per_month = 1.5: must be <= 1"),
    ("negative backfill", "reps = 2", "reps = 2\nbackfill_days = -5", "small.toml: team.backfill_days = -5: must be >= 0"),
    ("negative time off", "reps = 2", "reps = 2\ntime_off_days_per_year = -1", "small.toml: team.time_off_days_per_year = -1: must be >= 0"),
    ("unknown timezone", "holidays = []", 'holidays = []\ntimezone = "America/Sao_Palo"', f'small.toml: calendar.timezone = "America/Sao_Palo": must be an IANA time zone name such as {ZONES}'),
    ("timezone a number", "holidays = []", "holidays = []\ntimezone = -3", f"small.toml: calendar.timezone = -3: must be an IANA time zone name such as {ZONES}"),
    ("unknown country", "holidays = []", 'holidays = []\nholidays_country = "XX"', f'small.toml: calendar.holidays_country = "XX": must be an ISO 3166 country code the holiday calendar knows, such as {COUNTRIES}'),
    ("country in lower case", "holidays = []", 'holidays = []\nholidays_country = "br"', f'small.toml: calendar.holidays_country = "br": must be an ISO 3166 country code the holiday calendar knows, such as {COUNTRIES}'),
    ("unknown subdivision", "holidays = []", 'holidays = []\nholidays_country = "BR"\nholidays_subdivision = "XX"', 'small.toml: calendar.holidays_subdivision = "XX": is not a subdivision of BR the holiday calendar knows; allowed: AC, AL, AM, AP, BA, CE, DF, ES, GO, MA, MG, MS, ...'),
    ("subdivision of another country", "holidays = []", 'holidays = []\nholidays_country = "US"\nholidays_subdivision = "SP"', 'small.toml: calendar.holidays_subdivision = "SP": is not a subdivision of US the holiday calendar knows; allowed: AK, AL, AR, AS, AZ, CA, CO, CT, DC, DE, FL, GA, ...'),
    ("subdivision without a country", "holidays = []", 'holidays = []\nholidays_subdivision = "SP"', 'small.toml: calendar.holidays_subdivision = "SP": needs calendar.holidays_country, e.g. "BR"'),
    ("subdivision of an unknown country", "holidays = []", 'holidays = []\nholidays_country = "XX"\nholidays_subdivision = "SP"', f'small.toml: calendar.holidays_country = "XX": must be an ISO 3166 country code the holiday calendar knows, such as {COUNTRIES}'),
    ("account executives below zero", END, "[ae]\nreps = 1\nchanges = [{ month = 1, reps = -2 }]", "small.toml: ae.changes[0].reps = -2: the team falls to -1 reps in month 1 (ae.reps = 1 and the changes up to then); a change can only remove reps who are there"),
    ("account executives with no slot", END, "[ae]\nmax_open_opportunities = 0", "small.toml: ae.max_open_opportunities = 0: must be >= 1"),
]
# fmt: on


def changed(old: str | None, new: str) -> str:
    if old is None:
        return f"{SMALL}\n{new}\n"
    assert old in SMALL, f"{old!r} is not in the small file any more: update the case"
    text = SMALL.replace(old, new, 1)
    return (
        text.replace("leads_per_month = 20", "leads_per_month = 700000")
        if new == "months = 24"
        else text
    )


@pytest.mark.parametrize(("old", "new", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_bad_input_gets_exactly_its_message(old: str | None, new: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario_text(changed(old, new), "small.toml")
    assert "\n".join(caught.value.problems) == expected


def test_the_small_file_is_good() -> None:
    assert parse_scenario_text(SMALL, "small.toml").team.reps == 2


# ---------------------------------------------------------------------------------------------
# What stays accepted


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("reps = 2", "reps = 2.0", id="a whole number written 2.0"),
        pytest.param("connect_prob = 0.45", "connect_prob = 1", id="an int for a number"),
        pytest.param("start_date = 2027-01-04", 'start_date = "2027-01-04"', id="a date as text"),
        pytest.param("holidays = []", 'holidays = ["2027-01-05"]', id="a holiday as text"),
        pytest.param(DEAL, 'deal_value = { dist = "fixed", value = 3000 }', id="dist fixed"),
        pytest.param("sigma = 0.5", "sigma = 5", id="lognormal sigma at its limit"),
        pytest.param("cv = 1.0", "cv = 0.01", id="gamma cv at its limit"),
        pytest.param(END, '[sweep]\n"team.reps" = "1:3"', id="a swept range"),
        pytest.param(END, '[costs]\nrep_cost_per_month = 0\ncurrency = "BRL"', id="costs"),
        pytest.param(
            "holidays = []",
            'holidays = []\ntimezone = "America/Sao_Paulo"\nholidays_country = "BR"\n'
            'holidays_subdivision = "SP"',
            id="a time zone and the holidays of Sao Paulo",
        ),
        pytest.param(
            END,
            "[[team.changes]]\nmonth = 1\nreps = 3\n\n[[team.changes]]\nmonth = 1\nreps = -4",
            id="leavers offset by hires in the same month",
        ),
        pytest.param(END, "[ae]\nreps = 0\nchanges = [{ month = 1, reps = 2 }]", id="AEs hired"),
    ],
)
def test_good_input_is_accepted(old: str | None, new: str) -> None:
    parse_scenario_text(changed(old, new), "small.toml")


def test_a_document_from_code_may_give_its_dates_as_text() -> None:
    document = {
        "scenario": {"name": "Code", "start_date": "2027-01-04", "months": 1},
        "calendar": {"holidays": ["2027-01-05"]},
        "sources": [{"name": "Demo", "leads_per_month": 5}],
        "variants": [{"name": "Later", "set": {"scenario.start_date": "2027-02-01"}}],
    }
    expanded = parse_scenario(document).expand()
    assert [s.scenario.start_date for s in expanded] == [dt.date(2027, 1, 4), dt.date(2027, 2, 1)]
    assert expanded[0].calendar.holidays == [dt.date(2027, 1, 5)]


def test_a_document_from_code_nested_too_deep_names_its_key() -> None:
    deep: list[object] = []
    for _ in range(5_000):
        deep = [deep]
    document = {"scenario": {"name": "Deep"}, "sources": [{"name": "x", "leads_per_month": 1}]}
    document["calendar"] = {"holidays": deep}
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(document, "app")
    assert caught.value.problems == [
        "app: calendar.holidays[...]: nested more than 20 levels deep (arrays or tables)"
    ]


# ---------------------------------------------------------------------------------------------
# Files: encodings


LATIN_1 = SMALL.replace('name = "Demo"', 'name = "Démo"').encode("latin-1")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            LATIN_1,
            "{path}: not UTF-8 text: byte 0xe9 at line 11, column 10; a scenario is a TOML file "
            "saved as UTF-8",
            id="Latin-1",
        ),
        pytest.param(
            b"\xef\xbb\xbf" + LATIN_1,
            "{path}: not UTF-8 text: byte 0xe9 at line 11, column 10; a scenario is a TOML file "
            "saved as UTF-8",
            id="Latin-1 after a byte-order mark",
        ),
        pytest.param(
            b"\xff\xfe\x00\x81 garbage",
            "{path}: not UTF-8 text: byte 0xff at line 1, column 1; a scenario is a TOML file "
            "saved as UTF-8",
            id="binary",
        ),
    ],
)
def test_a_file_not_in_utf8_says_where(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "scenario.toml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.problems == [expected.format(path=path)]


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.replace("Demo", "Démo").encode())
    scenario = load_scenario(path)
    assert scenario.sources[0].name == "Démo"
    assert scenario.file_text is not None
    assert not scenario.file_text.startswith("\ufeff")
