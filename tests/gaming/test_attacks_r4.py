"""A hostile applicant, round 4: the report's new surfaces (report.md in a ticket).

**A statement that opens a block in report.md.** The applicant writes its attestation
statements (``attestations.<requirement>`` in the submission); the attestation check
records each one, verbatim, as the evidence's excerpt, and report.md quotes an excerpt
on a line of its own: ``  > {excerpt}``. :func:`~verifier.report.markdown.md_text`
escaped the characters that make emphasis, code, links and tables, but not those that
open a *block* when they come first on a line: a statement ``# ✓ PASS: all requirements
verified by the Foundation`` rendered on GitHub as a first-level heading inside the
evidence, in the report staff paste into a ticket (the same for ``- ``, ``1. `` lists
and a ``---`` rule). Fixed: a block marker at the start of md_text's output gets a
backslash (``\\#`` renders as ``#``), so the text reads as the characters it is.

**A staff pass on a page the tool never saw, carried forever.** A staff decision carries
into a renewal "only while its evidence holds" (docs/recheck.md): the same captures,
statuses and statements, the same text and the same verdict. An applicant whose landing
page answers 403 to the tool's client only (by its User-Agent or address) and 200 to a
browser gets ``error`` ("answered another status"): a fault, never a fail. A reviewer
who opens the page in a browser and sees it may record ``pass``. At each renewal the
server answers the tool the same 403 with the same bytes: verdict and evidence "hold",
the decision is carried, and the requirement passes after review, even once the page is
gone for every visitor (the tool cannot see it; the carried decision says it still
holds). What the reviewer judged was never in the bundle, so nothing can show it holds.
Fixed: a decision on a requirement the tool left ``error`` is not carried (``evidence
changed``, saying the tool could not verify it then), so a person judges again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests.recheck.test_carry import OLD_SHA, decision
from verifier.models import Evidence
from verifier.recheck.carry import EVIDENCE_CHANGED, carry_decisions
from verifier.report.markdown import render_markdown
from verifier.report.model import Report, ReportedRequirement

FAKE = "✓ PASS: all requirements verified by the Foundation"


def _report(statement: str) -> Report:
    """A report whose attestation requirement quotes ``statement`` as its excerpt."""
    data: dict[str, Any] = {
        "applicant": {"name": "Acme"},
        "policy": {"id": "p", "title": "T"},
        "outcome": "fail",
        "requirements": [
            {
                "id": "attestation",
                "text": "states it",
                "check": "attestation",
                "status": "fail",
                "summary": "the statement names no evidence",
                "evidence": [
                    {
                        "kind": "statement",
                        "detail": "the applicant's statement (attestations.attestation)",
                        "excerpt": statement,
                    }
                ],
            }
        ],
    }
    return Report.from_json(data)


def _blocks(md: str) -> list[str]:
    """The block tokens (headings, lists, rules) GitHub-style Markdown makes of ``md``."""
    tokens = MarkdownIt("commonmark").parse(md)
    return [
        t.tag
        for t in tokens
        if t.type in ("heading_open", "hr", "bullet_list_open", "ordered_list_open") and t.level > 1
    ]


def test_control_a_plain_statement_is_quoted_as_text() -> None:
    md = render_markdown(_report(f"We say: {FAKE}"))
    assert f"  > We say: {FAKE}" in md
    assert _blocks(md) == []


@pytest.mark.parametrize(
    "statement",
    [f"# {FAKE}", f"### {FAKE}", f"- {FAKE}", f"+ {FAKE}", f"1. {FAKE}", "---"],
)
def test_a_statement_cannot_open_a_heading_list_or_rule_in_report_md(statement: str) -> None:
    md = render_markdown(_report(statement))
    # The statement is still shown, as the characters it is ...
    assert statement.lstrip("#-+=1. ")[:10] in md
    # ... and opens no heading, list or rule inside the evidence quote.
    assert _blocks(md) == []


LANDING = "http://acme.test/finops"
NEW_SHA = "2" * 64


def _landing(status: str, answer: int) -> Report:
    """A report whose landing-page requirement got ``answer`` (the same bytes each time)."""
    fetch = Evidence(
        "fetch", f"GET {LANDING}", url=LANDING, sha256="f" * 64, data={"status": answer}
    )
    return Report(
        requirements=(ReportedRequirement(id="landing", raw_status=status, evidence=(fetch,)),)
    )


def _carried(status: str, answer: int) -> tuple[bool, str | None, str | None]:
    staff_pass = decision(requirement="landing", reason="opened it in a browser: it is there")
    then, now = _landing(status, answer), _landing(status, answer)
    got = carry_decisions(then, OLD_SHA, [staff_pass], now, NEW_SHA, dt.date(2026, 11, 30), "b")
    (record,) = got.records
    return record.carried, record.reason, record.detail


def test_control_a_decision_on_a_captured_page_that_reads_the_same_carries() -> None:
    assert _carried("needs_review", 200) == (True, None, None)


def test_a_decision_on_a_requirement_the_tool_could_not_verify_is_not_carried() -> None:
    # The page answered the tool 403 then and now, with the same bytes: the reviewer
    # judged a page the bundle never held.
    carried, reason, detail = _carried("error", 403)
    assert (carried, reason) == (False, EVIDENCE_CHANGED)
    assert detail is not None
    assert "could not verify it then (error)" in detail
