"""Report formats: one registry of every ``--format`` a run can write.

A format is a :class:`ReportFormat`: its ``--format`` name, the file it writes at the top
of the report folder, and ``render(basis) -> bytes``, a function of report.json and
review.jsonl alone (:class:`~verifier.report.basis.Basis`), so that ``bundle check`` can
render it again and find a file that no longer says what its data says. The built-ins
(html, md, junit) are registered through the same callback a plugin's
``register_report_formats`` hook gets (:mod:`verifier.hookspecs`); report.json (``json``)
is canonical and always written.

Every reader of format names goes through :class:`ReportFormats`: the ``--format``
choices, the files a run writes and the names in report.json's ``run.formats``, and the
files ``bundle check`` renders again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from verifier.bundle.decisions import REVIEW_FILE
from verifier.bundle.files import MANIFEST, REPORT_JSON
from verifier.bundle.store import CAPTURES
from verifier.inputs.copies import POLICY_COPY, SOURCE_FILES, SUBMISSION_COPY
from verifier.report.basis import Basis
from verifier.report.html import HTML_FILE, html_of
from verifier.report.junit import JUNIT_FILE, junit_of
from verifier.report.markdown import MD_FILE, markdown_of

JSON = "json"
"""The format name of report.json, which every run writes."""

Renderer = Callable[[Basis], bytes]
"""A human report's bytes from report.json and review.jsonl alone."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_RESERVED = frozenset(
    {REPORT_JSON, MANIFEST, REVIEW_FILE, SUBMISSION_COPY, POLICY_COPY, SOURCE_FILES, CAPTURES}
)
"""Names at the top of a bundle that are not a format's to write."""
BUILTIN = "finops-verifier"
"""The owner of the built-in formats."""


@dataclass(frozen=True)
class ReportFormat:
    """A report format: what ``--format NAME`` writes.

    :param name: the ``--format`` name: lower-case letters, digits and hyphens, up to 40
        characters (``html``, ``sarif``); ``json`` is report.json's own.
    :param file: the file it writes at the top of the report folder (``report.sarif``):
        a plain file name, no folder; not one a bundle already holds.
    :param render: its bytes from a :class:`~verifier.report.basis.Basis` alone: no
        clock, no network, no environment. ``bundle check`` calls it again and reports
        the file when the bytes differ, so it must give the same bytes every time.
    """

    name: str
    file: str
    render: Renderer


HTML = ReportFormat("html", HTML_FILE, html_of)
"""report.html: the report staff read, with the review decisions."""
MARKDOWN = ReportFormat("md", MD_FILE, markdown_of)
"""report.md: for pasting into a ticket."""
JUNIT = ReportFormat("junit", JUNIT_FILE, junit_of)
"""junit.xml: one test case per requirement, for CI dashboards."""


def register_builtin_formats(register: Callable[[ReportFormat], object]) -> None:
    """The built-in formats, registered as a plugin's ``register_report_formats`` does."""
    for fmt in (HTML, MARKDOWN, JUNIT):
        register(fmt)


class ReportFormats:
    """The formats of one invocation, by name, in the order they were registered."""

    def __init__(self) -> None:
        self._formats: dict[str, ReportFormat] = {}
        self._owner: dict[str, str] = {}

    def add(self, fmt: object, plugin: str = BUILTIN) -> str | None:
        """Register ``fmt`` on behalf of ``plugin``; returns why it was refused (``None``:
        registered). A refused format is not written, and the first of two claiming one
        name or file keeps it."""
        if not isinstance(fmt, ReportFormat):
            kind = type(fmt).__name__
            return f"registered {kind!r}, which is not a verifier.report.formats.ReportFormat"
        problem = self._invalid(fmt)
        if problem:
            return f"report format {fmt.name!r}: {problem}"
        self._formats[fmt.name] = fmt
        self._owner[fmt.name] = plugin
        return None

    def _invalid(self, fmt: ReportFormat) -> str | None:
        if not isinstance(fmt.name, str) or not _NAME.match(fmt.name):
            return "a name is lower-case letters, digits and hyphens (up to 40)"
        if fmt.name == JSON:
            return "json is report.json, which every run writes"
        if fmt.name in self._formats:
            return f"the name is already registered by {self._owner[fmt.name]!r}"
        if not isinstance(fmt.file, str) or not _FILE.match(fmt.file):
            return f"file {fmt.file!r} is not a plain file name (letters, digits, '.', '_', '-')"
        if fmt.file in _RESERVED:
            return f"{fmt.file} is a file every bundle holds for itself"
        taken = [f.name for f in self._formats.values() if f.file == fmt.file]
        if taken:
            return f"{fmt.file} is already the file of format {taken[0]!r}"
        if not callable(fmt.render):
            return "render is not callable"
        return None

    @property
    def names(self) -> tuple[str, ...]:
        """Every ``--format`` name: ``json``, then the others in registration order."""
        return (JSON, *self._formats)

    def human(self, names: Iterable[str] | None = None) -> tuple[ReportFormat, ...]:
        """The rendered formats among ``names`` (``None``: all), in registration order;
        unknown names and ``json`` are left out."""
        wanted = None if names is None else set(names)
        return tuple(f for n, f in self._formats.items() if wanted is None or n in wanted)

    def plugin_of(self, name: str) -> str | None:
        """The plugin that registered format ``name`` (:data:`BUILTIN` for the built-ins);
        ``None`` when no format has that name."""
        return self._owner.get(name)

    def file_of(self, name: str) -> str | None:
        """The file format ``name`` writes; ``None`` when no format has that name."""
        if name == JSON:
            return REPORT_JSON
        fmt = self._formats.get(name)
        return fmt.file if fmt else None

    def written(self, names: Iterable[str]) -> list[str]:
        """The format names a run asked for ``names`` records in report.json
        (``run.formats``): the known ones and ``json``, sorted."""
        return sorted({JSON, *(n for n in names if self.file_of(n) is not None)})


def builtin_formats() -> ReportFormats:
    """A registry of the built-in formats; add a plugin host's with
    ``host.report_formats(formats.add)`` (the command line does, once per invocation)."""
    formats = ReportFormats()
    register_builtin_formats(formats.add)
    return formats


DEFAULT_FORMATS: tuple[str, ...] = (JSON, *builtin_formats().names[1:])
"""Formats written when ``--format`` is not given: report.json and the built-ins."""
