"""Report writers. ``report.json`` is canonical; the others are views of it.

A writer takes the report as report.json holds it (a dict) and the report directory, and
returns the path it wrote. Every writer writes atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from verifier.evidence import atomic_write, dump_json

REPORT_SCHEMA = "finops-verifier/report/v1"
REPORT_JSON = "report.json"

Writer = Callable[[dict[str, Any], Path], Path]


def write_json(report: dict[str, Any], directory: Path) -> Path:
    """Write ``report.json`` (canonical form: sorted keys, no NaN, UTF-8)."""
    path = directory / REPORT_JSON
    atomic_write(path, dump_json(report))
    return path


# The human views import this module's helpers, so they come after them.
from verifier.report.html import write_html  # noqa: E402
from verifier.report.junit import write_junit  # noqa: E402
from verifier.report.markdown import write_markdown  # noqa: E402

WRITERS: dict[str, Writer] = {
    "json": write_json,
    "html": write_html,
    "md": write_markdown,
    "junit": write_junit,
}
"""Writers by ``--format`` name; ``json`` is always written."""
DEFAULT_FORMATS: tuple[str, ...] = ("json", "html", "md", "junit")
"""Formats written when ``--format`` is not given."""


def write_all(report: dict[str, Any], directory: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write report.json and every requested format; returns the paths written."""
    written = [write_json(report, directory)]
    for name in formats:
        if name != "json":
            written.append(WRITERS[name](report, directory))
    return written
