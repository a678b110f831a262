"""Report writers. ``report.json`` is canonical; the others are views of it.

The human reports (report.html, report.md, junit.xml) are a function of two files
alone, report.json and review.jsonl, read as bytes (:class:`Basis`): no clock, no
environment, no order of a dict in memory. They are rendered from the report.json bytes
just written, never from the dict that produced them, so that ``bundle check`` can render
them again from the bundle and find a human report that no longer says what its data says
(:mod:`verifier.bundle.check`). Every file is written atomically.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from verifier.bundle.decisions import Decision, parse_decisions, read_review
from verifier.bundle.store import atomic_write, dump_json
from verifier.report.model import REPORT_SCHEMA as REPORT_SCHEMA
from verifier.report.model import Report

REPORT_JSON = "report.json"


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


Renderer = Callable[[Basis], bytes]


def write_all(report: Report, directory: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write report.json (canonical form: sorted keys, no NaN, UTF-8), then each requested
    human report derived from its bytes; returns the paths written."""
    return write_derived(dump_json(report.to_json()), directory, formats)


def write_derived(data: bytes, directory: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write ``data`` as report.json, byte for byte (a report.json from elsewhere, as
    given), then each requested human report derived from it; returns the paths written."""
    written = [directory / REPORT_JSON]
    atomic_write(written[0], data)
    basis = Basis.read(data, directory)
    for name in formats:
        if name in RENDERERS:
            written.append(directory / WRITERS[name])
            atomic_write(written[-1], RENDERERS[name](basis))
    return written


# The human views import this module's names, so they come after them.
from verifier.report.html import HTML_FILE, html_of  # noqa: E402
from verifier.report.junit import JUNIT_FILE, junit_of  # noqa: E402
from verifier.report.markdown import MD_FILE, markdown_of  # noqa: E402

WRITERS: dict[str, str] = {
    "json": REPORT_JSON,
    "html": HTML_FILE,
    "md": MD_FILE,
    "junit": JUNIT_FILE,
}
"""Every ``--format`` name, with the file it writes; ``json`` is always written."""
RENDERERS: dict[str, Renderer] = {"html": html_of, "md": markdown_of, "junit": junit_of}
"""The human reports, by format name: bytes from a :class:`Basis` alone."""
DEFAULT_FORMATS: tuple[str, ...] = ("json", "html", "md", "junit")
"""Formats written when ``--format`` is not given."""
