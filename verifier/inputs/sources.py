"""The directories and registries checks consult, by name (CONTRACT.md, "Source names").

Defaults come from the ``sources.yaml`` of each registered policy directory; ``--sources
FILE`` overrides entries. A value is an http(s) URL (a URL template may hold
``{placeholders}``), or the path of a local file (relative to the file that names it),
which is how staff point ``credential-registry`` at a CSV export. A value may instead be
``{held_by: WHO}``: a source only ``WHO`` holds (a registry export), with no public
location; a check that needs it reports the requirement as not checked, saying who holds
it, and whoever holds it passes its location with ``--sources``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.errors import Problem, SourcesError
from verifier.inputs import yamlfile
from verifier.urls import check_http_url

HELD_BY = "held by "
"""How report.json records a source only someone else holds: ``held by WHO``."""


@dataclass(frozen=True)
class Source:
    """One named source."""

    name: str
    """Its name, e.g. ``finops-members``."""
    url: str | None
    """Its URL (or URL template), when it is on the web."""
    path: Path | None
    """Its local file, when it is one."""
    origin: str
    """The file that set it, for messages and the report."""
    held_by: str | None = None
    """Who holds it, for a source with no public location (``url`` and ``path`` are then
    ``None``): the run does not have it."""

    @property
    def location(self) -> str:
        """The URL or the path, as text (for a held source: who holds it)."""
        if self.url is not None:
            return self.url
        return str(self.path) if self.path is not None else f"{HELD_BY}{self.held_by}"

    @classmethod
    def recorded_held(cls, name: str, location: str, origin: str) -> Source | None:
        """The held source a report recorded as ``location`` (see :attr:`location`), or
        ``None`` when it is a URL or a path (a recorded path is absolute, never this)."""
        if not location.startswith(HELD_BY):
            return None
        return cls(name, None, None, origin, held_by=location.removeprefix(HELD_BY))


def parse_sources(data: Any, name: str, lines: yamlfile.LineMap, base: Path) -> dict[str, Source]:
    """Validate a sources mapping read from file ``name``; relative paths are from ``base``."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourcesError(
            f"{name} must be a YAML mapping from a source name to a URL or a file path"
        )
    problems: list[Problem] = []
    out: dict[str, Source] = {}
    for key, value in data.items():
        line = lines.line((key,))
        if isinstance(value, dict):
            held = value.get("held_by")
            if set(value) != {"held_by"} or not isinstance(held, str) or not held.strip():
                problems.append(
                    Problem(name, line, str(key), "a mapping here must be {held_by: WHO} alone")
                )
                continue
            out[str(key)] = Source(str(key), None, None, name, held_by=" ".join(held.split()))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, line, str(key), "must be a URL or a file path"))
            continue
        text = value.strip()
        if "://" in text or text.split(":", 1)[0].lower() in ("http", "https", "file", "ftp"):
            try:
                # Placeholders like {certificate_id} are not valid URL characters for httpx.
                check_http_url(text.replace("{", "").replace("}", ""))
            except ValueError as exc:
                problems.append(Problem(name, line, str(key), str(exc)))
                continue
            out[str(key)] = Source(str(key), text, None, name)
        else:
            try:
                path = (base / text).resolve()
                found = path.is_file()
            except OSError as exc:  # a name too long for the file system, for one
                problems.append(Problem(name, line, str(key), f"not a usable path: {exc.strerror}"))
                continue
            if not found:
                shown = yamlfile.shown(text)
                problems.append(
                    Problem(name, line, str(key), f"file {shown} not found (looked at {path})")
                )
                continue
            out[str(key)] = Source(str(key), None, path, name)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise SourcesError(f"{name} has {len(problems)} {noun}", tuple(problems))
    return out


def load_sources(path: Path, known: set[str] | None = None) -> dict[str, Source]:
    """Read a sources file; raises :class:`SourcesError` naming file, line and entry.

    :param known: when given, the names a source may have (those the bundled policies
        define): a misspelt name would otherwise be ignored and the run would silently
        consult the real default instead of the file the operator meant.
    """
    raw = yamlfile.read(path, SourcesError, "sources file")
    parsed, lines = _parsed(raw, str(path), path.resolve().parent)
    sources = dict(parsed)
    if known is not None:
        unknown = [
            Problem(str(path), lines.line((name,)), name, _unknown(name, known))
            for name in sources
            if name not in known
        ]
        if unknown:
            raise SourcesError(
                f"{path} names sources that neither the bundled sources nor the policy in use name",
                tuple(unknown),
            )
    return sources


@functools.lru_cache(maxsize=32)
def _parsed(raw: bytes, name: str, folder: Path) -> tuple[dict[str, Source], yamlfile.LineMap]:
    # A re-check reads the same sources files (the bundled ones, the roster's) for every
    # partner: parsed once per content. Sources are frozen, the line map only read;
    # callers get their own dict.
    data, lines = yamlfile.parse(raw, name, SourcesError, "sources file")
    return parse_sources(data, name, lines, folder), lines


def _unknown(name: str, known: set[str]) -> str:
    return f"unknown source name; {yamlfile.did_you_mean(name, known)}"


def merged_sources(
    defaults: list[Path], override: Path | None, used: Iterable[str] = ()
) -> dict[str, Source]:
    """Defaults from each policy directory's sources.yaml, then the override file.

    :param used: source names the policy in use asks for; the override may define those
        too (a custom policy or a third party's check consulting its own directory).
    """
    out: dict[str, Source] = {}
    for directory in defaults:
        file = directory / "sources.yaml"
        if file.is_file():
            out.update(load_sources(file))
    if override is not None:
        known = set(out) | set(used)
        out.update(load_sources(override, known=known or None))
    return out
