"""The reverse funnel's plan in words: its table stage by stage and its findings as sentences, for
the command line and the app alike."""

from __future__ import annotations

from sla_sim.analysis.metrics import BY_KEY, FUNNEL_STAGES
from sla_sim.experiments.funnel import MAX_TEAM, FunnelPlan
from sla_sim.present.numbers import multiple, number, share, signed_share, tenths


def funnel_table(plan: FunnelPlan) -> list[dict[str, str]]:
    """Per stage, per month: today's rate to the next stage, the arithmetic's volume, the
    simulation at that volume, and the simulated volume that reaches the target."""
    rows = []
    for stage in FUNNEL_STAGES:
        rate = plan.rates.get(stage)
        reached = plan.simulated.get(stage)
        rows.append(
            {
                "Stage": BY_KEY[stage].label,
                "Today's rate to next": share(rate) if rate is not None else "",
                "Arithmetic": number(plan.arithmetic.get(stage, 0)),
                f"Simulated at that volume, {plan.reps} reps": tenths(
                    plan.simulated_at_arithmetic[stage]["mean"]
                ),
                f"Simulated volume that reaches it, {plan.reps} reps": (
                    tenths(reached["mean"]) if reached else "out of reach"
                ),
            }
        )
    return rows


def funnel_findings(plan: FunnelPlan) -> list[str]:
    """What the plan says, in sentences."""
    lines = [
        f"Arithmetic: {multiple(plan.scale_by_arithmetic)} today's leads, if every stage kept "
        "today's rate.",
    ]
    if plan.scale_by_simulation is not None:
        extra = plan.scale_by_simulation / plan.scale_by_arithmetic - 1
        lines.append(
            f"Simulation: {multiple(plan.scale_by_simulation)} today's leads with {plan.reps} "
            f"reps ({signed_share(extra)} against the arithmetic)."
        )
    if plan.reps_needed is None:
        lines.append(
            f"No team up to {MAX_TEAM} times today's closes the gap at the arithmetic's volume."
        )
    elif plan.reps_needed > plan.reps:
        deals = tenths(plan.simulated_at_arithmetic["closed_deals"]["mean"])
        lines.append(
            f"At the arithmetic's volume {plan.reps} reps close {deals} deals a month; "
            f"{plan.reps_needed} reps reach the target."
        )
    else:
        lines.append(f"The {plan.reps} reps keep up: the arithmetic holds.")
    if not plan.reachable:
        lines.append(
            f"With {plan.reps} reps no lead volume reaches {number(plan.target_deals)} deals a "
            "month: the deals level off as the reps saturate."
        )
    return lines
