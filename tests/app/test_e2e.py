"""The app in a real headless Chromium: start it, run a comparison by clicking, save a screenshot.

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`); Playwright's own
browsers are not used. Without it the test is skipped, unless SLA_SIM_REQUIRE_BROWSER=1 (CI sets
it), which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from sla_sim.app.state import encode_state

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = ROOT / "docs" / "screenshot.png"
STARTUP_SECONDS = 60
RUN_MS = 180_000  # the comparison: 4 candidates x 20 replications, on a slow 2-core machine
MAX_PAGE_HEIGHT = 8000  # px: the screenshot stays a reasonable size


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.read().strip() == b"ok")
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """The app, then whatever is left of its process group (the worker pool)."""
    # SIGTERM to the app alone: sent to the whole group it also kills the pool's workers, the
    # pool starts new ones and the app does not exit.
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} not found: install it with `apt-get install chromium`"
    if os.environ.get("SLA_SIM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SLA_SIM_REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """The app served on a free port; its log is in tmp_path/app.log."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "app.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(url):
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-3000:]
                pytest.fail(f"the app exited with {process.returncode}:\n{tail}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer {url}/_stcore/health in time", pytrace=False)
            time.sleep(0.5)
        yield url
    finally:
        _stop(process)


def test_compare_candidates_in_the_browser(chromium: Path, app_url: str, tmp_path: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(app_url)
            expect(page.get_by_text("Marketing–Sales SLA planner")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("tab", name="Compare candidates")).to_be_visible()

            page.get_by_role("button", name="Run comparison").click()

            expect(page.get_by_text("In one sentence", exact=True)).to_be_visible(timeout=RUN_MS)
            # The headline of the candidate "8 reps" (not the one of "1h response, 8 reps").
            headline = page.locator('[data-testid="stMarkdownContainer"] p').filter(
                has_text=re.compile(r"^(■\s*)?8 reps: 8 reps close \d")
            )
            expect(headline).to_have_count(1, timeout=RUN_MS)
            expect(headline).to_be_visible()
            # Altair charts are drawn by vega-embed into an <svg> (or <canvas>) once rendered.
            charts = page.locator('[data-testid="stVegaLiteChart"]')
            expect(charts.first.locator("svg, canvas").first).to_be_visible(timeout=RUN_MS)
            expect(charts.last.locator("svg, canvas").first).to_be_attached(timeout=RUN_MS)
            assert charts.count() >= 1
            # The run has finished: no progress bar left.
            expect(page.locator('[data-testid="stProgress"]')).to_have_count(0, timeout=RUN_MS)

            assert page.locator('[data-testid="stException"]').count() == 0

            # Streamlit scrolls its main area inside the page: grow the viewport to the content's
            # height so that the screenshot shows the whole page, charts included.
            height = page.evaluate(
                """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]']
                    .map((s) => document.querySelector(s))
                    .filter((e) => e !== null)
                    .map((e) => e.scrollHeight), document.documentElement.scrollHeight)"""
            )
            page.set_viewport_size({"width": 1600, "height": min(int(height), MAX_PAGE_HEIGHT)})
            expect(headline).to_be_visible()
            page.wait_for_timeout(1000)  # let the charts settle at the new size
            shot = tmp_path / "screenshot.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert 0 < shot.stat().st_size <= 1_500_000
    if os.environ.get("SLA_SIM_SCREENSHOT") == "1":  # `make screenshot`: the README's picture
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


FIT_SLACK_PX = 1


def test_at_1280_by_800_every_chart_and_table_fits_and_run_is_in_view(
    chromium: Path, app_url: str
) -> None:
    link = encode_state(
        {
            "base": "Baseline",
            "candidates": [
                ["Baseline", {}],
                ["1h response, 8 reps", {"team.reps": 8, "sla.sales.first_response_hours": 1}],
                ["8 reps", {"team.reps": 8}],
                ["1h response", {"sla.sales.first_response_hours": 1}],
            ],
            "seed": 1280,
            "replications": 3,
        }
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{app_url}/?s={link}")
            run = page.get_by_role("button", name="Run comparison")
            expect(run).to_be_enabled(timeout=60_000)
            box = run.bounding_box()
            assert box is not None
            assert box["y"] + box["height"] <= 800, "Run is above the fold"
            assert page.get_by_role("button", name="Deploy").count() == 0
            assert page.get_by_text("1MB per file").filter(visible=True).count() == 0
            run.click()
            charts = page.locator('[data-testid="stVegaLiteChart"]')
            expect(page.locator('[data-testid="stProgress"]')).to_have_count(0, timeout=RUN_MS)
            expect(charts.last.locator("svg, canvas").first).to_be_attached(timeout=RUN_MS)
            assert charts.count() >= 7
            page.wait_for_timeout(1500)  # the charts take their columns' width
            sizes = page.evaluate(
                """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                .map((chart) => {
                    const drawn = chart.querySelector('svg, canvas');
                    const column = chart.closest('[data-testid="stColumn"]')
                        || chart.closest('[data-testid="stVerticalBlock"]');
                    return [drawn.getBoundingClientRect().width,
                            column.getBoundingClientRect().width];
                })"""
            )
            for drawn, column in sizes:
                assert drawn <= column + FIT_SLACK_PX, sizes
            tables = page.evaluate(
                """() => [...document.querySelectorAll('[data-testid="stTable"]')]
                .map((t) => [t.scrollWidth, t.clientWidth])"""
            )
            assert tables, "the key metrics and differences are whole tables"
            for scrolled, shown in tables:
                assert scrolled <= shown + FIT_SLACK_PX, tables
            legend = page.get_by_text(re.compile(r"same as 1h response, 8 reps"))
            expect(legend.first).to_be_visible()
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
