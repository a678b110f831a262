"""The human reports render any report.json: future statuses, bidi tricks, odd settings."""

from __future__ import annotations

import copy
import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from bs4 import BeautifulSoup

from verifier.bundle.decisions import Decision
from verifier.fetch.settings import FetchSettings
from verifier.report._view import visible
from verifier.report.html import render_html
from verifier.report.junit import render_junit
from verifier.report.markdown import render_markdown
from verifier.report.model import Report

AS_OF = dt.date(2026, 1, 1)
SCRIPT = "<script>alert(1)</script>"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


@pytest.fixture
def future_report(hostile_report: dict[str, Any]) -> dict[str, Any]:
    """A report.json from a newer version, with statuses this one does not know."""
    report = copy.deepcopy(hostile_report)
    report["requirements"][0]["status"] = "waived"
    report["outcome"] = "partial"
    return report


def test_an_unknown_status_renders_as_error_in_every_format(future_report: dict[str, Any]) -> None:
    html = render_html(Report.from_json(future_report), as_of=AS_OF)
    assert '<span class="badge s-error">! UNKNOWN: waived</span>' in html
    assert "UNKNOWN: partial" in html
    assert "ERROR: 1" in html  # counted, not dropped
    md = render_markdown(Report.from_json(future_report))
    assert "UNKNOWN: waived" in md
    assert ET.fromstring(render_junit(Report.from_json(future_report))).get("errors") == "1"


def test_an_unknown_status_with_review_decisions_renders(future_report: dict[str, Any]) -> None:
    decision = Decision(
        requirement="membership",
        decision="pass",
        reviewer="Ann",
        reason="seen",
        decided_at="2026-01-01T00:00:00Z",
        expires=None,
        report_sha256="0" * 64,
    )
    html = render_html(
        Report.from_json(future_report), decisions=[decision], report_sha256="0" * 64, as_of=AS_OF
    )
    assert 'id="effective-outcome">! ERROR' in html


def test_bidi_controls_are_shown_escaped() -> None:
    assert visible(f"evil{BIDI}.com") == "evil" + "".join(f"\\u{ord(c):04x}" for c in BIDI) + ".com"


def test_bidi_controls_from_a_page_never_reach_a_report(hostile_report: dict[str, Any]) -> None:
    report = copy.deepcopy(hostile_report)
    report["applicant"]["name"] = "Acme \u202egnp.exe"
    report["requirements"][0]["summary"] = f"found {BIDI}"
    report["requirements"][0]["evidence"][1]["excerpt"] = "x\u2067y"
    outputs = [
        render_html(Report.from_json(report), as_of=AS_OF),
        render_markdown(Report.from_json(report)),
        render_junit(Report.from_json(report)).decode("utf-8"),
    ]
    for text in outputs:
        assert not set(BIDI) & set(text)
        assert "\\u202e" in text


def with_settings(report: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(report)
    out["run"]["settings"] = {**FetchSettings().to_json(), **changes}
    return out


def test_default_settings_show_no_warning(hostile_report: dict[str, Any]) -> None:
    report = with_settings(hostile_report)
    html = render_html(Report.from_json(report), as_of=AS_OF)
    assert "Run settings" in html
    assert "all at their default" in html
    assert "Warning" not in html
    assert "- Run settings: all at their default" in render_markdown(Report.from_json(report))


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        ({"allow_private_network": True}, "the address guard was lifted for this run"),
        ({"obey_robots": False}, "robots.txt was ignored for this run"),
        ({"resolve": {"a.example:80": "127.0.0.1:8080"}}, "host names were resolved to fixed"),
        (
            {"proxy": "http://staff:***@proxy.example:3128"},
            "every page was fetched through a forward",
        ),
    ],
    ids=["private network", "robots", "resolve", "proxy"],
)
def test_a_lifted_safeguard_is_a_visible_warning(
    hostile_report: dict[str, Any], changes: dict[str, Any], warning: str
) -> None:
    report = with_settings(hostile_report, **changes)
    soup = BeautifulSoup(render_html(Report.from_json(report), as_of=AS_OF), "lxml")
    banners = [p.get_text() for p in soup.select("header p.warning")]
    assert len(banners) == 1
    assert warning in banners[0]
    name = next(iter(changes))
    cells = [
        [td.get_text() for td in tr.select("td")]
        for tr in soup.select("#run-settings > table tbody tr")
    ]
    assert [c[0] for c in cells] == [name]
    md = render_markdown(Report.from_json(report))
    assert f"> **⚠ Warning:** {warning}" in md
    assert "- Run settings not at their default: " in md


def test_non_default_values_show_with_their_default(hostile_report: dict[str, Any]) -> None:
    report = with_settings(hostile_report, max_bytes=1024, retries=0, user_agent=SCRIPT)
    soup = BeautifulSoup(render_html(Report.from_json(report), as_of=AS_OF), "lxml")
    rows = {
        tr.select("td")[0].get_text(): (
            tr.select("td")[1].get_text(),
            tr.select("td")[2].get_text(),
        )
        for tr in soup.select("#run-settings > table tbody tr")
    }
    assert rows["max_bytes"] == ("1024", str(FetchSettings().max_bytes))
    assert rows["retries"] == ("0", "3")
    assert rows["user_agent"][0] == SCRIPT  # shown as text: the page holds no script element
    assert not soup.select("script")
    assert "max\\_bytes = 1024 (default 5242880)" in render_markdown(Report.from_json(report))


def test_a_report_without_settings_says_so(hostile_report: dict[str, Any]) -> None:
    assert "not recorded in report.json" in render_html(
        Report.from_json(hostile_report), as_of=AS_OF
    )
    assert "- Run settings: not recorded in report.json" in render_markdown(
        Report.from_json(hostile_report)
    )


def test_a_malformed_report_json_renders_what_it_can(hostile_report: dict[str, Any]) -> None:
    report = copy.deepcopy(hostile_report)
    report["run"] = "yesterday"
    report["applicant"] = ["not", "an", "object"]
    report["tool"] = None
    report["requirements"][0]["evidence"][0]["data"] = "not an object"
    report["requirements"][1]["evidence"] = "none"
    report["requirements"].append("not a requirement")
    html = render_html(Report.from_json(report), as_of=AS_OF)
    assert html.count('class="req b-') == 3
    assert "not recorded in report.json" in html
    assert "## 3. community" in render_markdown(Report.from_json(report))
    assert ET.fromstring(render_junit(Report.from_json(report))).get("tests") == "3"
