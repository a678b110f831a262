"""What the human reports are derived from: report.json and review.jsonl, as bytes.

Its own module so that the writers (:mod:`verifier.report.html`, ``markdown``, ``junit``)
and a plugin's report format import it without importing the package that lists them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from verifier.bundle.decisions import Decision, parse_decisions, read_review
from verifier.report.model import Report


@dataclass(frozen=True)
class Basis:
    """What the human reports are derived from: report.json and review.jsonl."""

    report: Report
    """report.json, parsed from its bytes (:meth:`Report.from_json`)."""
    report_sha256: str
    """SHA-256 of those bytes; decisions naming another report do not count."""
    decisions: tuple[Decision, ...] = ()
    """The decisions of review.jsonl, in file order."""
    decision_problems: tuple[str, ...] = ()
    """A problem per line of review.jsonl that is not a decision."""

    @classmethod
    def of(
        cls, report_json: bytes, review: bytes | None, unreadable: tuple[str, ...] = ()
    ) -> Basis:
        """The basis of report.json's bytes and review.jsonl's (``None``: no review.jsonl;
        ``unreadable``: why it could not be read). :class:`ValueError` when
        ``report_json`` holds no JSON object."""
        report = Report.from_json(json.loads(report_json))
        decisions, problems = parse_decisions(review) if review is not None else ([], [])
        return cls(
            report,
            hashlib.sha256(report_json).hexdigest(),
            tuple(decisions),
            (*unreadable, *problems),
        )

    @classmethod
    def read(cls, report_json: bytes, directory: Path) -> Basis:
        """The basis of report.json's bytes and ``directory/review.jsonl``."""
        review, unreadable = read_review(directory)
        return cls.of(report_json, review, tuple(unreadable))
