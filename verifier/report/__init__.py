"""Report writers. ``report.json`` is canonical; the others are views of it.

The human reports (report.html, report.md, junit.xml, and any format a plugin registers:
:mod:`verifier.report.formats`) are a function of two files alone, report.json and
review.jsonl, read as bytes (:class:`Basis`): no clock, no environment, no order of a
dict in memory. They are rendered from the report.json bytes just written, never from
the dict that produced them, so that ``bundle check`` can render them again from the
bundle and find a human report that no longer says what its data says
(:mod:`verifier.bundle.check`). Every file is written atomically.
"""

from __future__ import annotations

from pathlib import Path

from verifier.bundle.files import REPORT_JSON
from verifier.bundle.store import atomic_write, dump_json
from verifier.bundle.textview import write_text_views
from verifier.report._view import after_review
from verifier.report.basis import Basis
from verifier.report.formats import DEFAULT_FORMATS, ReportFormat, ReportFormats, builtin_formats
from verifier.report.model import REPORT_SCHEMA, Report

__all__ = [
    "DEFAULT_FORMATS",
    "REPORT_JSON",
    "REPORT_SCHEMA",
    "Basis",
    "ReportFormat",
    "ReportFormats",
    "after_review",
    "write_all",
    "write_derived",
]


def write_all(
    report: Report,
    directory: Path,
    formats: tuple[str, ...],
    registry: ReportFormats | None = None,
) -> list[Path]:
    """Write report.json (canonical form: sorted keys, no NaN, UTF-8), then each of
    ``formats`` that ``registry`` (default: the built-ins) renders, derived from
    report.json's bytes and ``directory``'s review.jsonl, then the text view of each
    capture it cites (:mod:`verifier.bundle.textview`); returns the paths written."""
    written = write_derived(dump_json(report.to_json()), directory, formats, registry)
    # The safe "read the captured text" view beside each archived body report.json cites.
    cited = (ev.sha256 for req in report.requirements for ev in req.evidence if ev.sha256)
    return written + write_text_views(directory, cited)


def write_derived(
    data: bytes,
    directory: Path,
    formats: tuple[str, ...],
    registry: ReportFormats | None = None,
) -> list[Path]:
    """Write ``data`` as report.json, byte for byte (a report.json from elsewhere, as
    given), then each requested human report derived from it; returns the paths written."""
    written = [directory / REPORT_JSON]
    atomic_write(written[0], data)
    basis = Basis.read(data, directory)
    for fmt in (registry or builtin_formats()).human(formats):
        written.append(directory / fmt.file)
        atomic_write(written[-1], fmt.render(basis))
    return written
