"""Report writers. ``report.json`` is canonical; the others are views of it.

The human reports (report.html, report.md, junit.xml) are a function of two files
alone, report.json and review.jsonl, read as bytes (:class:`Basis`): no clock, no
environment, no order of a dict in memory. They are rendered from the report.json bytes
just written, never from the dict that produced them, so that ``bundle check`` can render
them again from the bundle and find a human report that no longer says what its data says
(:mod:`verifier.bundle.check`). Every file is written atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from verifier.bundle.store import atomic_write, dump_json
from verifier.report.basis import Basis
from verifier.report.html import HTML_FILE, html_of
from verifier.report.junit import JUNIT_FILE, junit_of
from verifier.report.markdown import MD_FILE, markdown_of

REPORT_SCHEMA = "finops-verifier/report/v1"
REPORT_JSON = "report.json"


Renderer = Callable[[Basis], bytes]


def write_all(report: dict[str, Any], directory: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write report.json (canonical form: sorted keys, no NaN, UTF-8), then each requested
    human report derived from its bytes; returns the paths written."""
    data = dump_json(report)
    written = [directory / REPORT_JSON]
    atomic_write(written[0], data)
    basis = Basis.read(data, directory)
    for name in formats:
        if name in RENDERERS:
            written.append(directory / WRITERS[name])
            atomic_write(written[-1], RENDERERS[name](basis))
    return written


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
