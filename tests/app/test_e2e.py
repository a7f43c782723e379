"""The app in a real headless Chromium: start it, run a comparison by clicking, save a screenshot.

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`); Playwright's own
browsers are not used. Without it the test is skipped, unless SLA_SIM_REQUIRE_BROWSER=1 (CI sets
it), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from sla_sim.app.serve import ServeError, served
from sla_sim.app.state import DEFAULT_SEED, encode_state
from sla_sim.experiments.export_crm import Untidy, simulated_export, write_export
from sla_sim.experiments.runner import simulate
from sla_sim.present.downloads import deck_bytes
from sla_sim.present.html import render_html
from sla_sim.present.pack import content
from sla_sim.scenario.file import load_scenario

from marks import coloured_pixels, deck_pictures, html_marks, rgb

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
DATA_SCREENSHOT = ROOT / "docs" / "your-data-{width}x{height}.png"
STARTUP_SECONDS = 60
RUN_MS = 180_000  # the comparison: 4 candidates x 20 replications, on a slow 2-core machine
MAX_PAGE_HEIGHT = 8000  # px: the screenshot stays a reasonable size


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
    try:
        with served(ROOT / "app.py", tmp_path / "app.log", startup_seconds=STARTUP_SECONDS) as app:
            yield app.url
    except ServeError as error:
        pytest.fail(str(error), pytrace=False)


REPLICATIONS = 10
"""The comparison's replications: the page's start (the baseline and its variants, the default
seed) with half its default replications, for a test half as long."""
BASELINE_LINK = encode_state({"base": "Baseline", "replications": REPLICATIONS})


def test_compare_candidates_in_the_browser(chromium: Path, app_url: str, tmp_path: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{app_url}/?s={BASELINE_LINK}")
            expect(page.get_by_text("Marketing–Sales SLA planner")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("tab", name="Compare candidates")).to_be_visible()
            page.get_by_role("tab", name="Compare candidates").click()

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
            html, deck = _download_pack(page, tmp_path)
            page.get_by_role("tab", name="Compare candidates").click()

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
    _assert_pack_drawn(html, deck)
    if os.environ.get("SLA_SIM_SCREENSHOT") == "1":  # `make screenshot`: the README's picture
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def _download_pack(page: Page, folder: Path) -> tuple[str, bytes]:
    """The HTML report and the deck, downloaded from the Meeting pack tab."""
    page.get_by_role("tab", name="Meeting pack").click()
    files = []
    for label in ("HTML report", "Slide deck (.pptx)"):
        button = page.get_by_role("button", name=label)
        expect(button).to_be_visible(timeout=RUN_MS)
        with page.expect_download(timeout=RUN_MS) as download:
            button.click()
        path = folder / download.value.suggested_filename
        download.value.save_as(path)
        files.append(path)
    return files[0].read_text(), files[1].read_bytes()


def _assert_pack_drawn(html: str, deck: bytes) -> None:
    """Every chart of the downloaded pack has its marks: as many as the same comparison's pack
    built in this process (the page's start: the baseline and its variants, the default seed,
    REPLICATIONS), and the deck's pictures at least 90% of its candidates' coloured pixels."""
    result = simulate(
        load_scenario(ROOT / "scenarios" / "baseline.toml"),
        REPLICATIONS,
        seed=DEFAULT_SEED,
        jobs=os.cpu_count(),  # the same numbers whatever the workers
    )
    report = content(result)
    expected = html_marks(render_html(report))
    assert expected, "the report has charts"
    assert all(count > 0 for count in expected), expected
    assert html_marks(html) == expected
    colours = {rgb(report.colour_of(name)) for name in result.scenario_names}
    alone = [coloured_pixels(png, colours) for png in deck_pictures(deck_bytes(result))]
    downloaded = [coloured_pixels(png, colours) for png in deck_pictures(deck)]
    assert len(downloaded) == len(alone) == len(report.charts)
    assert all(d >= 0.9 * a for d, a in zip(downloaded, alone, strict=True)), (downloaded, alone)


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
            page.get_by_role("tab", name="Compare candidates").click()
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
            expect(charts.nth(6)).to_be_attached(timeout=RUN_MS)  # the charts come one by one
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


def _page_height(page: Page) -> int:
    """The height of the page's content: Streamlit scrolls its main area inside the page."""
    return int(
        page.evaluate(
            """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]']
                .map((s) => document.querySelector(s))
                .filter((e) => e !== null)
                .map((e) => e.scrollHeight), document.documentElement.scrollHeight)"""
        )
    )


VIEWPORTS = [(1280, 800), (1440, 900)]
UPLOAD_TRIES = 3


def _upload(page: Page, label: str, file: Path) -> None:
    """Put `file` in the uploader labelled `label`, once the page has finished the rerun the
    previous upload started (a file given while the uploaders are redrawn is lost: try again)."""
    running = page.locator('[data-testid="stStatusWidget"]')
    for _ in range(UPLOAD_TRIES):
        expect(running).to_have_count(0, timeout=RUN_MS)
        uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
        uploader.locator('input[type="file"]').set_input_files(str(file))
        try:
            expect(uploader.get_by_text(file.name)).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            continue
    expect(uploader.get_by_text(file.name)).to_be_visible()


def test_your_data_from_an_upload_to_the_fitted_baseline(
    chromium: Path, app_url: str, tmp_path: Path
) -> None:
    """A HubSpot export (names and e-mails in it) uploaded through the file inputs: what was
    read, the review, and "Use as the baseline" with the backtest; every table and chart fits
    its column, and nothing personal is on the page."""
    team = load_scenario(ROOT / "scenarios" / "baseline.toml").with_overrides(
        {"scenario.months": 2, "sources.0.leads_per_month": 60, "sources.1.leads_per_month": 300}
    )
    files = write_export(
        simulated_export(team, seed=5), "hubspot", tmp_path, Untidy.of(["personal_data"])
    )
    labels = {"leads": "Leads or contacts", "deals": "Deals", "activities": "Activities"}
    shots: dict[Path, Path] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(app_url)
            expect(page.get_by_role("tab", name="Your data")).to_be_visible(timeout=60_000)
            for table, label in labels.items():
                _upload(page, label, files[table])
            expect(page.get_by_text("What was read", exact=True)).to_be_visible(timeout=RUN_MS)
            expect(page.get_by_text("The SLA review", exact=True)).to_be_visible(timeout=RUN_MS)
            page.get_by_role("button", name="Use as the baseline").click()
            expect(page.get_by_text(re.compile("is the baseline now"))).to_be_visible(
                timeout=RUN_MS
            )
            expect(page.get_by_text(re.compile("with what happened"))).to_be_visible()
            charts = page.locator('[data-testid="stVegaLiteChart"]')
            expect(charts.last.locator("svg, canvas").first).to_be_attached(timeout=RUN_MS)
            for width, height in VIEWPORTS:  # one upload and fit, seen at both sizes
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(1000)  # the page lays itself out at the new width
                page.set_viewport_size({"width": width, "height": min(_page_height(page), 12_000)})
                page.wait_for_timeout(1500)  # the charts take their columns' width
                sizes = page.evaluate(
                    """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                    .map((chart) => {
                        const drawn = chart.querySelector('svg, canvas');
                        const main = document.querySelector('[data-testid="stMain"]');
                        return [drawn.getBoundingClientRect().right,
                                main.getBoundingClientRect().right];
                    })"""
                )
                for right, edge in sizes:
                    assert right <= edge + FIT_SLACK_PX, sizes
                tables = page.evaluate(
                    """() => [...document.querySelectorAll('[data-testid="stTable"]')]
                    .filter((t) => t.offsetParent !== null)
                    .map((t) => [t.scrollWidth, t.clientWidth])"""
                )
                assert tables, "what was read, the scorecard and the fit are tables"
                for scrolled, shown in tables:
                    assert scrolled <= shown + FIT_SLACK_PX, tables
                text = page.locator('[data-testid="stMain"]').inner_text()
                assert "@example.test" not in text
                assert "Traceback" not in text
                assert page.locator('[data-testid="stException"]').count() == 0
                shot = tmp_path / f"your-data-{width}x{height}.png"
                page.screenshot(path=str(shot), full_page=True)
                shots[shot] = Path(str(DATA_SCREENSHOT).format(width=width, height=height))
        finally:
            browser.close()
    for shot, target in shots.items():
        assert shot.stat().st_size > 0
        if os.environ.get("SLA_SIM_SCREENSHOT") == "1":
            shutil.copyfile(shot, target)
