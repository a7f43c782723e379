"""Speed as a user sees it, in headless Chromium (Debian's /usr/bin/chromium): from the server's
start to a usable page for the first visitor, from clicking Run to the first figures and to the
last chart drawn, and the trade-off sweep and plan backwards at their defaults from the click to
their answer. Each figure over `--runs` fresh servers (each run a seed of its own, so no result
comes from a cache).

    python benchmarks/browser.py [--runs 3] [--markdown]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from sla_sim.app.serve import served

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
LONG_MS = 300_000
# In the tab shown: no progress bar left, and every chart drawn (vega-embed's svg or canvas).
ALL_CHARTS_DRAWN = """() => {
    const tab = [...document.querySelectorAll('[role="tabpanel"]')]
        .find((t) => !t.hidden && t.getBoundingClientRect().height > 0) || document;
    if (tab.querySelector('[data-testid="stProgress"]')) return false;
    const charts = [...tab.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return charts.length > 0 && charts.every((c) => c.querySelector('svg, canvas'));
}"""

TARGETS = {
    "Page usable after the server starts (first visitor)": 3.0,
    "Default comparison: click to first figures": 1.5,
    "Default comparison: click to last chart": 3.0,
    "Trade-off sweep (default grid): click to charts": 5.0,
    "Plan backwards (default target): click to answer": 5.0,
}


def _since(start: float) -> float:
    return time.monotonic() - start


def _timed(click: Callable[[], None], done: Callable[[], None]) -> float:
    start = time.monotonic()
    click()
    done()
    return _since(start)


def one_server(seed: int) -> dict[str, float]:
    """The five figures of one fresh server, its comparison run with `seed`."""
    figures: dict[str, float] = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        served(ROOT / "app.py", Path(folder) / "log") as app,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(app.url)
            run = page.get_by_role("button", name="Run comparison")
            expect(run).to_be_enabled(timeout=LONG_MS)
            figures["Page usable after the server starts (first visitor)"] = _since(app.started)
            seed_box = page.get_by_role("spinbutton", name="Seed")
            seed_box.fill(str(seed))
            seed_box.press("Enter")
            expect(run).to_be_enabled(timeout=LONG_MS)
            start = time.monotonic()
            run.click()
            page.get_by_text("First results", exact=False).or_(
                page.get_by_text("In one sentence", exact=True)
            ).first.wait_for(timeout=LONG_MS)
            figures["Default comparison: click to first figures"] = _since(start)
            page.wait_for_function(ALL_CHARTS_DRAWN, timeout=LONG_MS, polling=50)
            figures["Default comparison: click to last chart"] = _since(start)

            page.get_by_role("tab", name="Explore a trade-off").click()
            sweep = page.get_by_role("button", name="Run the sweep")
            expect(sweep).to_be_enabled(timeout=LONG_MS)
            figures["Trade-off sweep (default grid): click to charts"] = _timed(
                sweep.click,
                lambda: page.wait_for_function(ALL_CHARTS_DRAWN, timeout=LONG_MS, polling=50),
            )

            page.get_by_role("tab", name="Plan backwards").click()
            plan = page.get_by_role("button", name="Plan", exact=True)
            expect(plan).to_be_enabled(timeout=LONG_MS)
            figures["Plan backwards (default target): click to answer"] = _timed(
                plan.click,
                lambda: page.get_by_text("What it takes to close").wait_for(timeout=LONG_MS),
            )
        finally:
            browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="a README table")
    options = parser.parse_args()
    runs = [one_server(seed=9100 + i) for i in range(options.runs)]
    if options.markdown:
        print("| In the browser (1440×900) | median | range | target |")
        print("| --- | --- | --- | --- |")
    for name, target in TARGETS.items():
        values = [run[name] for run in runs]
        low, high, median = min(values), max(values), statistics.median(values)
        verdict = "met" if median <= target else "**not met**"
        if options.markdown:
            print(
                f"| {name} | {median:.1f} s | {low:.1f}–{high:.1f} s | ≤ {target:g} s ({verdict}) |"
            )
        else:
            print(
                f"{name}: {median:.1f} s (runs {low:.1f}–{high:.1f} s; target {target:g} s, {verdict})"
            )


if __name__ == "__main__":
    main()
