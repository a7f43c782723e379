"""Terms that are legal but will surprise a reader of the results (printed before a run)."""

from __future__ import annotations

from sla_sim.scenario.schema import HALF_LIFE_KEYS, Scenario


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Terms that are legal but will surprise a reader of the results."""
    warnings = []
    sales = scenario.sla.sales
    if sales.clock == "calendar" and not scenario.calendar.always_open:
        cal = scenario.business_calendar()
        gap = cal.longest_closed_gap_hours()
        if sales.first_response_hours < gap:
            warnings.append(
                f"{scenario.name}: sla.sales.first_response_hours = {sales.first_response_hours:g} "
                f"on the calendar clock is shorter than the longest closed stretch ({gap:g} h): "
                "leads handed off after closing cannot be answered in time"
            )
    response = scenario.response
    overridden = [k for k in HALF_LIFE_KEYS if k in response.model_fields_set]
    if response.decay != "half_life" and overridden:
        warnings.append(
            f"{scenario.name}: response.decay replaces {', '.join('response.' + k for k in overridden)}"
            ", which are ignored"
        )
    given = [k for k in ("reassign_after_minutes", "max_reassignments") if getattr(sales, k)]
    if sales.enforcement == "alert" and given:
        warnings.append(
            f'{scenario.name}: sla.sales.enforcement = "alert" reassigns nobody, so '
            f"{', '.join('sla.sales.' + k for k in given)} {'is' if len(given) == 1 else 'are'} "
            "ignored"
        )
    team = scenario.team
    if team.lead_work != "interleaved" and "prospecting_share" in team.model_fields_set:
        warnings.append(
            f'{scenario.name}: team.lead_work = "{team.lead_work}" works leads back to back, so '
            f"team.prospecting_share = {team.prospecting_share:g} is ignored"
        )
    if sales.follow_up_window_days * 24 < sum(sales.retry_gap_hours[: sales.min_attempts - 1]):
        warnings.append(
            f"{scenario.name}: sla.sales.follow_up_window_days = {sales.follow_up_window_days:g} is "
            f"too short for {sales.min_attempts} attempts at the gaps {sales.retry_gap_hours}: "
            "every lead without contact will breach the attempt commitment"
        )
    return warnings
