"""`sla-sim review` as a user runs it: the hand-made dozen-lead export (tests/data/review) in,
the scorecard per side, who breached and the notes out; `--json` the whole review, `--html` a
page that opens offline; bad input refused with one message and exit 2, nothing written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import sla_sim

DATA = Path(__file__).parents[1] / "data" / "review"
BAD_INPUT = 2
FILES: list[str | Path] = [
    DATA / "leads.csv",
    "--deals",
    DATA / "deals.csv",
    "--activities",
    DATA / "activities.csv",
    "--as-of",
    "2027-04-02T12:00",
]


def clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


def test_the_scorecard_per_side_and_who_breached() -> None:
    result = sla_sim("review", *FILES, "--terms", DATA / "terms.toml", "--per", "rep")
    clean(result)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for title in ("Marketing:", "Sales:", "week by week", "Who breached", "How this review"):
        assert title in out
    assert "Answered within 4 business hours (target 100%)" in out
    assert "50.0% (2 of 4) ✗" in out  # February's response, worked out by hand
    assert "100.0% (1 of 1, 1 pending)" in out
    assert "MQLs (commitment 6 a month)" in out
    breaches = out.split("Who breached")[1]
    assert breaches.index("Ana") < breaches.index("Bruno")


def test_json_and_an_offline_page(tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    result = sla_sim(
        "review", *FILES, "--terms", DATA / "terms.toml", "--by", "week", "--json", "--html", page
    )
    clean(result)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["by"] == "week"
    assert document["terms"]["sla.sales.first_response_hours"] == 4
    assert {r["rep"] for r in document["breaches"]} == {"Ana", "Bruno"}
    assert "fit_mean" in document["absent"]
    text = page.read_text()
    assert "<svg" in text or "vega" in text  # the charts are in the page
    assert 'src="http' not in text
    assert "src='http" not in text


def test_the_terms_are_required_and_checked(tmp_path: Path) -> None:
    missing = sla_sim("review", *FILES)
    clean(missing)
    assert missing.returncode == BAD_INPUT
    assert "--terms" in missing.stderr
    terms = tmp_path / "terms.toml"
    terms.write_text(
        (DATA / "terms.toml").read_text().replace("min_attempts = 3", "min_attempts = -1")
    )
    page = tmp_path / "review.html"
    bad = sla_sim("review", *FILES, "--terms", terms, "--html", page)
    clean(bad)
    assert bad.returncode == BAD_INPUT
    assert "sla.sales.min_attempts" in bad.stderr
    assert "terms.toml" in bad.stderr
    assert not page.exists()


def test_a_file_without_the_columns_and_timestamps_after_the_export_date(
    tmp_path: Path,
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("name,email\nAna,ana@example.test\n")
    page = tmp_path / "review.html"
    result = sla_sim("review", leads, "--terms", DATA / "terms.toml", "--html", page)
    clean(result)
    assert result.returncode == BAD_INPUT
    assert "leads.csv" in result.stderr
    assert "lead_id" in result.stderr
    assert "ana@example.test" not in result.stdout + result.stderr
    assert not page.exists()
    early = sla_sim(
        "review",
        DATA / "leads.csv",
        "--as-of",
        "2027-03-01",
        "--terms",
        DATA / "terms.toml",
        "--html",
        page,
    )
    clean(early)
    assert early.returncode == BAD_INPUT
    assert "after" in early.stderr
    assert "--as-of" in early.stderr
    assert not page.exists()


def test_an_empty_period_is_refused(tmp_path: Path) -> None:
    after = sla_sim("review", *FILES[:5], "--from", "2030-01-01", "--terms", DATA / "terms.toml")
    clean(after)
    assert after.returncode == BAD_INPUT
    assert "--from 2030-01-01 leaves no period" in after.stderr
    fitted = tmp_path / "fitted.toml"
    before = sla_sim(
        "calibrate", DATA / "leads.csv", "--from", "2026-01-01", "--to", "2026-06-01",
        "--out", fitted,
    )  # fmt: skip
    clean(before)
    assert before.returncode == BAD_INPUT
    assert "no lead was created in the period [2026-01-01, 2026-06-01)" in before.stderr
    assert not fitted.exists()


def test_an_export_with_nothing_to_review_says_why(tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at\nL1,2027-01-04T10:00:00\n")
    page = tmp_path / "review.html"
    result = sla_sim("review", leads, "--terms", DATA / "terms.toml", "--html", page)
    clean(result)
    assert result.returncode == BAD_INPUT
    assert "leads.csv: nothing to review: the leads file has no mql_at" in result.stderr
    assert not page.exists()
