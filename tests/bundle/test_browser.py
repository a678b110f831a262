"""report.html in a real browser: headless Chromium opens it from disk.

`make test` installs Debian's chromium when /usr/bin/chromium is missing (`make browser`).
The browser's own ``--dump-dom`` gives the DOM after load (a script that ran would have
changed it) and ``--screenshot`` the rendering, saved under the test's temp dir.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from verifier.cli.main import main
from verifier.report.html import render_html
from verifier.report.model import Report

pytestmark = pytest.mark.browser


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).is_file():
        pytest.fail("Chromium is missing: `make browser` (part of `make test`) installs it")
    return found


def browse(page: Path, tmp: Path, *action: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``page`` with no network, profile or extensions."""
    args = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={tmp / 'profile'}",
        "--window-size=1280,2400",
        *action,
        page.resolve().as_uri(),
    ]
    # A bound on a hung browser, not a timing assertion.
    done = subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def dom_of(page: Path, tmp: Path) -> BeautifulSoup:
    return BeautifulSoup(browse(page, tmp, "--dump-dom").stdout, "lxml")


def test_the_demo_report_renders_its_outcome_and_every_requirement(
    demo_bundle: Path, tmp_path: Path
) -> None:
    report = json.loads((demo_bundle / "report.json").read_text())
    dom = dom_of(demo_bundle / "report.html", tmp_path)
    outcome = dom.find(id="outcome")
    assert outcome is not None
    assert {"error": "ERROR", "pass": "PASS", "fail": "FAIL"}.get(
        report["outcome"], "NEEDS REVIEW"
    ) in outcome.get_text()
    text = dom.get_text(" ")
    for req in report["requirements"]:
        assert req["id"] in text
    assert report["applicant"]["name"] in text
    shot = tmp_path / "shot.png"
    browse(demo_bundle / "report.html", tmp_path, f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_hostile_text_is_shown_and_never_runs(hostile_bundle: Path, tmp_path: Path) -> None:
    dom = dom_of(hostile_bundle / "report.html", tmp_path)
    title = dom.title.get_text() if dom.title else ""
    assert title.startswith("Verification report: <script>document.title='PWNED'</script>")
    assert dom.body is not None
    assert not dom.body.has_attr("data-pwned")
    assert dom.find("img") is None
    assert dom.find("script") is None
    text = dom.get_text(" ")
    assert "<script>document.title='PWNED'</script> Hostile Corp" in text
    assert "\"><img src=x onerror=document.body.setAttribute('data-pwned','1')>" in text


def test_non_http_links_are_inert_in_the_browser(
    tmp_path: Path, hostile_report: dict[str, Any]
) -> None:
    page = tmp_path / "report.html"
    page.write_text(
        render_html(Report.from_json(hostile_report), as_of=dt.date(2026, 1, 1)), encoding="utf-8"
    )
    dom = dom_of(page, tmp_path)
    hrefs = [a.get("href", "") for a in dom.find_all("a")]
    assert hrefs
    assert all(str(h).startswith(("http://", "https://", "#", "captures/")) for h in hrefs)
    assert "javascript:alert(document.cookie)" in dom.get_text(" ")


def test_after_a_review_the_first_screen_leads_with_the_effective_outcome(
    demo_master: Path, copy_bundle: Callable[[Path], Path], tmp_path: Path
) -> None:
    # The demo's training-partner needs review on two requirements; a reviewer clears
    # one: the other still blocks, and the first screen must say which.
    bundle = copy_bundle(demo_master.parent / "training-partner")
    decision = ["--requirement", "training-capability", "--decision", "pass"]
    who = ["--reviewer", "J. Smith", "--reason", "syllabus seen"]
    assert main(["review", str(bundle), *decision, *who]) == 0
    dom = dom_of(bundle / "report.html", tmp_path)
    assert dom.body is not None
    lead = dom.find(id="decision")
    assert lead is not None
    # The decision comes first in the page: before the run's details, the warnings and
    # the requirements; the effective outcome is its first and largest badge.
    first_badge = dom.body.find(class_="badge")
    assert first_badge is not None
    assert first_badge.get("id") == "effective-outcome"
    assert "big" in first_badge.get("class", [])
    assert first_badge.get_text(" ", strip=True) == "? NEEDS REVIEW"
    assert lead.find_next(class_="head") is not None  # run details come after it
    warnings = dom.find_all(class_="warning")
    assert warnings  # the demo lifts the address guard: its banner stays, below the lead
    assert all(lead in w.find_all_previous() for w in warnings)
    counts = dom.find(id="counts")
    assert counts is not None
    assert "after review" in counts.get_text(" ")
    assert "NEEDS REVIEW: 1" in counts.get_text(" ")
    assert "PASS: 5" in counts.get_text(" ")
    blocking = dom.find(id="still-blocking")
    assert blocking is not None
    items = [li.get_text(" ", strip=True) for li in blocking.find_all("li")]
    assert len(items) == 1
    assert items[0].startswith("exam-reseller ? NEEDS REVIEW statement provided")
    assert "training-capability" not in blocking.get_text(" ")
    shot = tmp_path / "first-screen.png"
    browse(bundle / "report.html", tmp_path, f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
