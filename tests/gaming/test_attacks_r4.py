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
"""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt

from verifier.report.markdown import render_markdown
from verifier.report.model import Report

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
