"""The human reports render any report.json: future statuses, bidi tricks, odd settings."""

from __future__ import annotations

import copy
import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from verifier.report._view import visible
from verifier.report.html import render_html
from verifier.report.junit import render_junit
from verifier.report.markdown import render_markdown
from verifier.review import Decision

AS_OF = dt.date(2026, 1, 1)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


@pytest.fixture
def future_report(hostile_report: dict[str, Any]) -> dict[str, Any]:
    """A report.json from a newer version, with statuses this one does not know."""
    report = copy.deepcopy(hostile_report)
    report["requirements"][0]["status"] = "waived"
    report["outcome"] = "partial"
    return report


def test_an_unknown_status_renders_as_error_in_every_format(future_report: dict[str, Any]) -> None:
    html = render_html(future_report, as_of=AS_OF)
    assert '<span class="badge s-error">! UNKNOWN: waived</span>' in html
    assert "UNKNOWN: partial" in html
    assert "ERROR: 1" in html  # counted, not dropped
    md = render_markdown(future_report)
    assert "UNKNOWN: waived" in md
    assert ET.fromstring(render_junit(future_report)).get("errors") == "1"


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
    html = render_html(future_report, decisions=[decision], report_sha256="0" * 64, as_of=AS_OF)
    assert 'id="effective-outcome">! ERROR' in html


def test_bidi_controls_are_shown_escaped() -> None:
    assert visible(f"evil{BIDI}.com") == "evil" + "".join(f"\\u{ord(c):04x}" for c in BIDI) + ".com"


def test_bidi_controls_from_a_page_never_reach_a_report(hostile_report: dict[str, Any]) -> None:
    report = copy.deepcopy(hostile_report)
    report["applicant"]["name"] = "Acme \u202egnp.exe"
    report["requirements"][0]["summary"] = f"found {BIDI}"
    report["requirements"][0]["evidence"][1]["excerpt"] = "x\u2067y"
    outputs = [
        render_html(report, as_of=AS_OF),
        render_markdown(report),
        render_junit(report).decode("utf-8"),
    ]
    for text in outputs:
        assert not set(BIDI) & set(text)
        assert "\\u202e" in text
