"""report.md (for a ticket) and junit.xml (for CI): same verdicts, content escaped."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from verifier.report.junit import render_junit
from verifier.report.markdown import md_text, render_markdown
from verifier.report.model import Report


def test_markdown_lists_every_requirement_attention_first(hostile_report: dict[str, Any]) -> None:
    md = render_markdown(Report.from_json(hostile_report))
    rows = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [r.split(" | ")[1] for r in rows] == ["membership", "community", "offering"]
    assert "## 1. offering: ✓ PASS" in md
    assert "**Outcome: ✗ FAIL**" in md


def test_markdown_escapes_markup_and_makes_no_link_from_input(
    hostile_report: dict[str, Any],
) -> None:
    md = render_markdown(Report.from_json(hostile_report))
    assert "<script" not in md
    assert "<img" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    # An http(s) URL from the evidence is shown (GitHub renders &#58; as ":"), not linked.
    assert "https&#58;//acme.example/a?x=1&amp;y=2" in md
    assert "<https://" not in md
    assert "<javascript:" not in md
    assert "](javascript:" not in md
    assert "␀" in md


def test_markdown_text_cannot_open_a_link_code_or_table_cell() -> None:
    assert md_text("[x](javascript:alert(1)) `c` a|b *e*\nnext") == (
        "\\[x\\](javascript:alert(1)) \\`c\\` a\\|b \\*e\\* next"
    )


def test_junit_maps_statuses_to_failure_error_and_skipped() -> None:
    report = {
        "policy": {"id": "platform-2022"},
        "applicant": {"name": "Acme"},
        "requirements": [
            {"id": "a", "status": "pass", "summary": "ok"},
            {"id": "b", "status": "fail", "summary": "not listed"},
            {"id": "c", "status": "error", "summary": "timed out"},
            {"id": "d", "status": "needs_review", "summary": "weak match"},
        ],
    }
    suite = ET.fromstring(render_junit(Report.from_json(report)))
    assert suite.get("tests") == "4"
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("1", "1", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert list(cases["a"]) == [cases["a"].find("system-out")]
    assert cases["b"].find("failure").get("message") == "not listed"  # type: ignore[union-attr]
    assert cases["c"].find("error").get("message") == "timed out"  # type: ignore[union-attr]
    skipped = cases["d"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "NEEDS REVIEW: weak match"


def test_junit_escapes_content_and_drops_characters_xml_cannot_hold(
    hostile_report: dict[str, Any],
) -> None:
    hostile_report["requirements"][1]["summary"] = "bad \x00\x1b \"><x a='1'> \ud800 \uffff"
    data = render_junit(Report.from_json(hostile_report))
    suite = ET.fromstring(data)  # well-formed despite everything
    failure = next(c for c in suite.iter("testcase") if c.get("name") == "membership")
    message = failure.find("failure").get("message")  # type: ignore[union-attr]
    assert message == "bad ␀␛ \"><x a='1'> \\ud800 \ufffd"


def test_demo_bundle_md_and_junit_agree_with_report_json(demo_bundle: Path) -> None:
    report = json.loads((demo_bundle / "report.json").read_text())
    suite = ET.parse(demo_bundle / "junit.xml").getroot()
    assert [c.get("name") for c in suite.iter("testcase")] == [
        r["id"] for r in report["requirements"]
    ]
    md = (demo_bundle / "report.md").read_text()
    for r in report["requirements"]:
        assert md_text(r["id"]) in md


# What GitHub Flavored Markdown turns into a link by itself (spec 0.29-gfm, 6.9 and 6.5):
# a scheme's "://", "www." after a line start, space or one of *_~(, an e-mail address,
# and the link and autolink constructs of CommonMark.
GFM_LINKS = {
    "URL": re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE),
    "www.": re.compile(r"(?:^|[\s*_~(])www\.", re.IGNORECASE | re.MULTILINE),
    "e-mail": re.compile(r"[a-z0-9._+-]+@[a-z0-9_-]+\.", re.IGNORECASE),
    "[text](url)": re.compile(r"(?<!\\)\]\("),
    "<autolink>": re.compile(r"<[a-z][a-z0-9+.-]*:", re.IGNORECASE),
    # GitHub's own references to an issue, in a repository the applicant may own.
    "#12": re.compile(r"(?<!&)#\d"),
    "GH-12": re.compile(r"\bGH-\d", re.IGNORECASE),
}


def test_report_md_turns_no_url_from_a_page_into_a_link(hostile_report: dict[str, Any]) -> None:
    # A page, the submission and the evidence all hold URLs, www. names and addresses.
    urls = "see https://evil.example/a, WWW.evil.example, (www.x.example) ftp://f.example"
    mails = "write to a.b+c@evil.example or mailto:x@evil.example, @security-team"
    issues = "fixed in evil/lens#12, see #7 and gh-3"
    report = hostile_report
    report["applicant"]["website"] = "https://acme.example/"
    report["applicant"]["name"] = "Acme www.acme.example"
    req = report["requirements"][0]
    req["summary"] = f"{urls}; {mails}; {issues}"
    req["text"] = "*www.published.example* _https://published.example_"
    req["evidence"][1]["excerpt"] = f"<{urls}> [click](https://evil.example/x) {mails}"
    req["evidence"][1]["detail"] = "~www.detail.example~"
    md = render_markdown(Report.from_json(report))
    found = {name: pattern.findall(md) for name, pattern in GFM_LINKS.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}
    # Still readable: GitHub shows each reference as the character it stands for.
    assert "Applicant website: https&#58;//acme.example/" in md
    assert "see https&#58;//evil.example/a, WWW&#46;evil.example, (www&#46;x.example)" in md
    assert "write to a.b+c@&#8203;evil.example" in md
    assert "fixed in evil/lens#&#8203;12, see #&#8203;7 and gh-&#8203;3" in md
    assert "fetch https&#58;//acme.example/a?x=1&amp;y=2 → https&#58;//acme.example/b" in md
