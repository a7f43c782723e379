"""Speed and memory of sla_sim, printed as a Markdown table with the machine it ran on.

    make bench                     # everything below, about two minutes on 2 cores
    python benchmarks/bench.py --quick
    python benchmarks/bench.py --scaling   # only the µs per event by team size and volume

Figures: leads per second of one replication of the baseline year; customers per second of the
Erlang C set-up (SPEC §5) at a large volume, beside the yardstick (a plain SimPy M/M/c, one process
per customer) on the same volume; the wall time of 100 replications of the baseline year on all
cores; the peak memory of a replication with about a million leads. Then the cost of an event as
the team grows under each routing, and as the volume grows with the team.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from sla_sim import load_scenario, simulate  # noqa: E402
from sla_sim.model.replication import run_replication  # noqa: E402
from sla_sim.model.world import build_world  # noqa: E402
from sla_sim.scenario.file import parse_scenario  # noqa: E402
from sla_sim.scenario.schema import Scenario  # noqa: E402

from yardstick import mmc_customers_per_second  # noqa: E402

# The release before the team behaviours of SPEC §9, and its baseline file (kept in the tests).
BEFORE = "39094f4886a337dbec82225e169f194bea4b8145"  # 0.6.0
BASELINE_0_6 = ROOT / "tests" / "data" / "scenarios_0.6" / "baseline.toml"
# The release before the team over the year of SPEC §10: the bundled baseline, which sets none of
# its keys, runs on it and on this code.
PREVIOUS = "cf9be9b"  # 0.7.0
ERLANG_ATTEMPT_MINUTES = 30.0  # service rate 2 an hour
ERLANG_LOAD = 0.9  # utilisation of the reps in the Erlang C benchmark
ROUTINGS = ("shared_queue", "round_robin", "least_loaded")
TEAMS = (6, 60, 600)
LEADS_PER_REP_MONTH = 250  # about 60% busy on hour-long attempts, always open
VOLUMES = (1, 4, 16)


def erlang_reps(customers: int) -> int:
    """Reps that carry `customers` a year at about ERLANG_LOAD utilisation."""
    offered = customers / 8760 * ERLANG_ATTEMPT_MINUTES / 60
    return math.ceil(offered / ERLANG_LOAD)


def erlang_c_scenario(customers: int) -> Scenario:
    """The Erlang C set-up of SPEC §5 with `customers` expected arrivals over a year."""
    return parse_scenario(
        {
            "scenario": {"name": "Erlang C", "months": 12},
            "calendar": {"always_open": True},
            "sources": [
                {
                    "name": "Calls",
                    "leads_per_month": customers / 12,
                    "hand_raiser_share": 1.0,
                    "fit": 1.0,
                    "arrival": "flat",
                }
            ],
            "handoff": {"sync_delay_minutes": 0},
            "team": {
                "reps": erlang_reps(customers),
                "attempt_minutes": {"dist": "exponential", "mean": ERLANG_ATTEMPT_MINUTES},
                "prospecting_share": 1.0,
            },
            "response": {"connect_prob": 1.0, "connect_floor": 1.0},
            "sla": {"sales": {"clock": "calendar", "min_attempts": 1}},
        },
        "erlang-c",
    )


def team_scenario(reps: int, routing: str) -> Scenario:
    """A month, always open, of hand-raisers for `reps` reps (the volume grows with the team, so
    the reps are as busy at every size): up to three attempts, a day apart at most."""
    return parse_scenario(
        {
            "scenario": {"name": f"{reps} reps, {routing}", "months": 1},
            "calendar": {"always_open": True},
            "sources": [
                {
                    "name": "Requests",
                    "leads_per_month": LEADS_PER_REP_MONTH * reps,
                    "hand_raiser_share": 1.0,
                    "fit": {"dist": "beta", "a": 5, "b": 3},
                    "arrival": "flat",
                }
            ],
            "handoff": {"sync_delay_minutes": 0},
            "team": {
                "reps": reps,
                "routing": routing,
                "attempt_minutes": {"dist": "exponential", "mean": 60},
                "prospecting_share": 1.0,
            },
            "response": {"connect_prob": 0.45, "connect_floor": 0.1},
            "sla": {
                "sales": {
                    "clock": "calendar",
                    "min_attempts": 3,
                    "retry_gap_hours": [4, 24],
                    "follow_up_window_days": 3,
                    "on_no_contact": "disqualify",
                }
            },
        },
        "team-size",
    )


def micros_per_event(scenario: Scenario, runs: int) -> tuple[float, int]:
    """(best µs per event, events) of one replication: its wall time over its event log."""
    world = build_world(scenario)
    seconds, events = math.inf, 0
    for _ in range(runs):
        start = time.perf_counter()
        events = len(run_replication(world, 1, 0).log)
        seconds = min(seconds, time.perf_counter() - start)
    return seconds / events * 1e6, events


def scaling_tables(quick: bool) -> str:
    """µs per event for each team size under each routing, and for the 0.6.0 baseline year at
    1×, 4× and 16× its volume and team (as busy reps); Markdown tables."""
    teams = TEAMS[:2] if quick else TEAMS
    lines = [
        "| reps (µs per event) | " + " | ".join(ROUTINGS) + " |",
        "| ---: |" + " ---: |" * len(ROUTINGS),
    ]
    for reps in teams:
        cells = []
        for routing in ROUTINGS:
            micros, events = micros_per_event(team_scenario(reps, routing), 3 if reps < 600 else 1)
            cells.append(f"{micros:.2f} ({events:,} events)")
        lines.append(f"| {reps} | " + " | ".join(cells) + " |")
    baseline = load_scenario(BASELINE_0_6)
    sources = [source.leads_per_month for source in baseline.sources]
    lines += [
        "",
        "| 0.6.0 baseline year | reps | events | µs per event |",
        "| --- | ---: | ---: | ---: |",
    ]
    for times in VOLUMES[:2] if quick else VOLUMES:
        overrides: dict[str, object] = {"team.reps": baseline.team.reps * times}
        overrides |= {f"sources.{i}.leads_per_month": n * times for i, n in enumerate(sources)}
        micros, events = micros_per_event(
            baseline.with_overrides(overrides), 3 if times < 16 else 1
        )
        lines.append(
            f"| {times}× volume | {baseline.team.reps * times} | {events:,} | {micros:.2f} |"
        )
    return "\n".join(lines)


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


ONE_REPLICATION = """
import sys, time
sys.path.insert(0, sys.argv[1])
from sla_sim import load_scenario
from sla_sim.model.replication import run_replication
from sla_sim.model.world import build_world
world = build_world(load_scenario(sys.argv[2]).expand()[int(sys.argv[3])])
run_replication(world, 1, 0)
best = min(
    (lambda start: (run_replication(world, 1, 1), time.perf_counter() - start)[1])(
        time.perf_counter()
    )
    for _ in range(int(sys.argv[4]))
)
print(best, len(run_replication(world, 1, 1).leads))
"""


def one_replication(code: Path, scenario: Path, index: int, runs: int) -> tuple[float, int]:
    """(best seconds, leads) of one replication of a file's scenario `index` (0: the base), with
    the package found in `code`, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", ONE_REPLICATION, str(code), str(scenario), str(index), str(runs)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1])


def on_release(commit: str, scenario: Path, runs: int) -> tuple[float, float, int] | None:
    """(best seconds on `commit`'s code, on this code, leads) of one replication of `scenario`,
    each in a fresh interpreter, taking turns; None when the commit is not in this clone."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        old_code = Path(folder)
        try:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", commit, "sla_sim"],
                check=True,
                capture_output=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        old, new = [], []
        for _ in range(3):  # taking turns, so a busy moment of the machine hits both alike
            old.append(one_replication(old_code, scenario, 0, runs)[0])
            new.append(one_replication(ROOT, scenario, 0, runs)[0])
    return min(old), min(new), one_replication(ROOT, scenario, 0, 1)[1]


def change(before: float, after: float) -> str:
    return f"{after / before - 1:+.1%}".replace("-", "\u2212")


def before_and_after(runs: int) -> list[tuple[str, str, str]]:
    """The 0.6.0 baseline on 0.6.0's code and on this code, and the bundled baseline on 0.7.0's
    (each in a fresh interpreter, taking turns, best of each); the re-based baseline, its "1h SLA
    with reassignment" variant and the growth year, per lead, against the 0.6.0 baseline."""
    measured = on_release(BEFORE, BASELINE_0_6, runs)
    if measured is None:
        return [("0.6.0 not in this clone's history: no before-and-after figures", "", "")]
    before, after, leads = measured
    rebased, rebased_leads = one_replication(ROOT, ROOT / "scenarios" / "baseline.toml", 0, runs)
    reassign, _ = one_replication(ROOT, ROOT / "scenarios" / "baseline.toml", 2, runs)
    per_lead = before / leads
    growth, growth_leads = one_replication(ROOT, ROOT / "scenarios" / "growth.toml", 0, runs)
    rows = [
        (
            "0.6.0 baseline year, one replication, on 0.6.0 / on this version",
            f"{before:.3f} s / {after:.3f} s",
            change(before, after),
        )
    ]
    previous = on_release(PREVIOUS, ROOT / "scenarios" / "baseline.toml", runs)
    if previous is not None:
        rows.append(
            (
                "Bundled baseline year, one replication, on 0.7.0 / on this version",
                f"{previous[0]:.3f} s / {previous[1]:.3f} s",
                change(previous[0], previous[1]),
            )
        )
    for name, seconds, count in (
        ("Re-based baseline (blocks, ignored leads)", rebased, rebased_leads),
        (
            "Its 1h SLA with reassignment (blocks, ignored leads, alerts, reassignment)",
            reassign,
            rebased_leads,
        ),
        ("Growth year (hires, ramp, attrition, time off, holidays)", growth, growth_leads),
    ):
        rows.append(
            (
                f"{name}, one replication",
                f"{seconds:.3f} s",
                f"{seconds / count / per_lead:.2f}× the 0.6.0 baseline's cost per lead",
            )
        )
    return rows


def crm_round_trip(leads_per_year: int = 50_000) -> list[tuple[str, str, str]]:
    """Read, calibrate and backtest (30 replications) a HubSpot export of about
    `leads_per_year` leads and four times as many activities over a year: the baseline with
    its volume scaled, most content downloads handed off, 16 attempts in 28 days agreed, a
    call connecting one time in ten, and the team five times the scaled size, so that every
    handoff gets its attempts."""
    import tempfile

    from sla_sim.analysis.review import review
    from sla_sim.crm.read import read_export
    from sla_sim.experiments.backtest import run_backtest
    from sla_sim.experiments.calibrate import calibrate
    from sla_sim.experiments.export_crm import simulated_export, write_export

    baseline = load_scenario(ROOT / "scenarios" / "baseline.toml")
    times = leads_per_year / baseline.expected_leads()
    overrides: dict[str, object] = {"team.reps": round(baseline.team.reps * times * 5)}
    overrides |= {
        f"sources.{i}.leads_per_month": s.leads_per_month * times
        for i, s in enumerate(baseline.sources)
    }
    overrides |= {
        "sources.1.hand_raiser_share": 0.8,
        "sla.sales.min_attempts": 16,
        "sla.sales.follow_up_window_days": 28,
        "response.connect_prob": 0.1,
    }
    team = baseline.with_overrides(overrides)
    with tempfile.TemporaryDirectory() as folder:
        files = write_export(simulated_export(team, seed=5), "hubspot", Path(folder))
        start = time.perf_counter()
        export = read_export(files["leads"], deals=files["deals"], activities=files["activities"])
        read = time.perf_counter() - start
        fitted = calibrate(export, team, jobs=os.cpu_count())
        fit = time.perf_counter() - start - read
        result = run_backtest(fitted.scenario, export, 30, seed=1, jobs=os.cpu_count())
        total = time.perf_counter() - start
        reviewed = time.perf_counter()
        review(export, team, by="week", per="rep")
        reviewed = time.perf_counter() - reviewed
    acts = 0 if export.activities is None else len(export.activities)
    size = f"{len(export.leads):,} leads, {acts:,} activities"
    return [
        (
            f"CRM export ({size}): read / calibrate / backtest, 30 replications",
            f"{read:.1f} s / {fit:.1f} s / {total - read - fit:.1f} s",
            f"{total:.1f} s in all; backtest {'agrees' if result.agrees else 'disagrees'}",
        ),
        (
            f"CRM export ({size}): the review by week and per rep ({team.team.reps} reps)",
            f"{reviewed:.1f} s",
            "",
        ),
    ]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def peak_memory_million_leads() -> tuple[int, float]:
    """(leads, peak resident MiB) of one replication of the baseline scaled to ~1M leads a year."""
    code = f"""
import resource, sys
sys.path.insert(0, {str(ROOT)!r})
from sla_sim import load_scenario
from sla_sim.analysis.metrics import compute_metrics
from sla_sim.model.world import build_world
from sla_sim.model.replication import run_replication
s = load_scenario({str(ROOT / "scenarios" / "baseline.toml")!r}).with_overrides(
    {{"sources.0.leads_per_month": 3000, "sources.1.leads_per_month": 45000, "team.reps": 300}})
r = run_replication(build_world(s), 1, 0)
m = compute_metrics(r)
# VmHWM, not ru_maxrss: ru_maxrss keeps the parent's peak across fork and exec.
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
peak = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(r.leads), peak / 1024)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), float(out[1])


def sweep_speedups(
    points_per_axis: tuple[int, int], replications: int
) -> list[tuple[str, str, str]]:
    """A sweep of the baseline year run in this process, on 2 local workers and on a 2-worker local
    Dask cluster: time per point, speed-up over one worker, and the extra core time used."""
    from sla_sim.experiments.executors import DaskExecutor, LocalExecutor
    from sla_sim.experiments.sweep import run_sweep

    baseline = load_scenario(ROOT / "scenarios" / "baseline.toml")
    reps_values, hour_values = points_per_axis
    # Both keys change the simulation, so every point is its own run (a response target would
    # share the runs of its row: see "Scenarios that differ only in what is measured").
    axes = {
        "team.reps": list(range(4, 4 + reps_values)),
        "team.ignore_share": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5][:hour_values],
    }
    points = reps_values * hour_values

    def timed(executor: object) -> float:
        start = time.perf_counter()
        run_sweep(baseline, axes, replications, seed=1, executor=executor)  # type: ignore[arg-type]
        return time.perf_counter() - start

    one = timed(LocalExecutor(1))
    local = LocalExecutor(2)
    two = timed(local)
    local.close()
    started = time.perf_counter()
    cluster = DaskExecutor(jobs=2)
    startup = time.perf_counter() - started
    dask = timed(cluster)
    cluster.close()
    rows = [
        (
            f"Sweep {points} points × {replications} replications, 1 worker",
            f"{one:.1f} s",
            f"{one / points:.2f} s a point",
        )
    ]
    for name, elapsed in (("2 local workers", two), ("2-worker local Dask cluster", dask)):
        extra = (2 * elapsed - one) / one
        rows.append(
            (
                f"Same sweep, {name}",
                f"{elapsed:.1f} s",
                f"speed-up {one / elapsed:.2f}×, extra core time {extra:+.0%}",
            )
        )
    rows.append(("Dask local cluster start-up (not in the sweep time)", f"{startup:.1f} s", ""))
    return rows


def app_comparison(baseline: Scenario, replications: int = 20) -> list[tuple[str, str, str]]:
    """The app's default comparison (the baseline and its variants) on the app's warm worker
    pool: time to the first figures, to all of them, and again from the cache; and the same
    number of candidates when every one changes the simulation (none can share a run)."""
    from sla_sim.app.state import RunCache, candidates_of, run_candidates
    from sla_sim.experiments.executors import LocalExecutor

    scenarios = [c.scenario(baseline) for c in candidates_of(baseline)]
    distinct = [scenarios[0]] + [
        scenarios[0].with_overrides({"team.reps": 6 + i}, name=f"{6 + i} reps")
        for i in range(1, len(scenarios))
    ]
    pool = LocalExecutor(os.cpu_count() or 1, start_method="forkserver")
    run_candidates(distinct[:1], 2, 99, RunCache(), pool)  # warm the workers, as a running app is
    rows = []
    for label, candidates in (
        ("baseline and its variants", scenarios),
        ("every candidate changes the simulation", distinct),
    ):
        cache, first, start = RunCache(), [], time.perf_counter()

        def ready(_: object, first: list[float] = first, start: float = start) -> None:
            if not first:
                first.append(time.perf_counter() - start)

        run_candidates(candidates, replications, 7, cache, pool, on_ready=ready)
        total = time.perf_counter() - start
        start = time.perf_counter()
        run_candidates(candidates, replications, 7, cache, pool)
        cached = time.perf_counter() - start
        rows.append(
            (
                f"App comparison, {len(candidates)} candidates × {replications} replications "
                f"({label}): first figures / all / cached",
                f"{first[0]:.1f} s / {total:.1f} s / {cached * 1000:.0f} ms",
                "",
            )
        )
    pool.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller volumes, fewer repeats")
    parser.add_argument(
        "--scaling", action="store_true", help="only the µs per event by team size and volume"
    )
    parser.add_argument(
        "--crm", action="store_true", help="only reading, calibrating and backtesting an export"
    )
    args = parser.parse_args()
    quick = args.quick
    if args.crm:
        print(f"Machine: {machine()}\n\n| measurement | time | note |\n| --- | ---: | --- |")
        for row in crm_round_trip():
            print("| " + " | ".join(row) + " |")
        return
    if args.scaling:
        print(f"Machine: {machine()}\n\n{scaling_tables(quick)}")
        return

    baseline = load_scenario(ROOT / "scenarios" / "baseline.toml")
    world = build_world(baseline)
    run_replication(world, 1, 0)
    leads = len(run_replication(world, 1, 1).leads)
    one_year = best_of(3 if quick else 5, lambda: run_replication(world, 1, 1))

    customers = 100_000 if quick else 400_000
    erlang = build_world(erlang_c_scenario(customers))
    model_time = best_of(1 if quick else 3, lambda: run_replication(erlang, 1, 0))
    served = len(run_replication(erlang, 1, 0).leads)
    arrival_rate = customers / erlang.horizon
    yard_speed = max(
        mmc_customers_per_second(
            customers, erlang_reps(customers), arrival_rate, 60 / ERLANG_ATTEMPT_MINUTES
        )[0]
        for _ in range(1 if quick else 3)
    )

    replications = 20 if quick else 100
    jobs = os.cpu_count() or 1
    start = time.perf_counter()
    simulate(baseline, replications=replications, seed=1, jobs=jobs, variants=False)
    hundred = time.perf_counter() - start

    app_rows = app_comparison(baseline)
    change_rows = before_and_after(3 if quick else 5)
    million, peak = peak_memory_million_leads() if not quick else (0, float("nan"))
    sweep_rows = sweep_speedups((5, 2) if quick else (10, 5), 5 if quick else 20)
    scaling = scaling_tables(quick)
    load = statistics.fmean(os.getloadavg()) if hasattr(os, "getloadavg") else float("nan")

    rows = [
        ("Baseline year, one replication", f"{one_year:.3f} s", f"{leads / one_year:,.0f} leads/s"),
        (
            f"Erlang C set-up, {served:,} customers (sla_sim)",
            f"{model_time:.2f} s",
            f"{served / model_time:,.0f} customers/s",
        ),
        (
            f"Yardstick: plain SimPy M/M/{erlang_reps(customers)}, {customers:,} customers",
            f"{customers / yard_speed:.2f} s",
            f"{yard_speed:,.0f} customers/s",
        ),
        (
            f"{replications} replications of the baseline year, {jobs} workers",
            f"{hundred:.1f} s",
            f"{replications * leads / hundred:,.0f} leads/s",
        ),
    ]
    if not quick:
        rows.append(
            (f"Peak memory, one replication with {million:,} leads", f"{peak:,.0f} MiB", "")
        )
    rows += change_rows + app_rows + sweep_rows + crm_round_trip()
    print(f"Machine: {machine()} (load average {load:.2f} at the end)\n")
    print("| measurement | time | rate |\n| --- | ---: | ---: |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    per_lead = one_year / leads * 1e6
    per_customer = 1e6 / yard_speed
    print(
        f"\nA baseline lead costs {per_lead:.1f} µs; a yardstick customer {per_customer:.1f} µs. "
        f"The Erlang C set-up runs {served / model_time / yard_speed:.2f}× the yardstick's speed."
    )
    print(f"\nCost of an event by team size and routing, and by volume:\n\n{scaling}")


if __name__ == "__main__":
    main()
