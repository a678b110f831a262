"""The evidence bundle: a report directory sealed by ``SHA256SUMS``.

A bundle holds report.json, the human reports, ``captures/`` (bodies by SHA-256,
``index.json`` and the WARC), copies of the inputs (submission.yaml, policy.yaml, local
source files under ``sources/``) and ``SHA256SUMS``: one ``<sha256>  <relative path>``
line per file (the format ``sha256sum -c`` reads), sorted by path, written last.

``review.jsonl`` is appended to by :mod:`verifier.run.review` after the run; each review
re-renders report.html and re-seals the bundle (rewrites SHA256SUMS) after checking it was
intact, so the manifest then covers the decisions too. :func:`check_bundle` re-hashes
every file and names each one changed, missing or added; it also checks that every review
decision refers to this report.json, and renders each human report (report.html,
report.md, junit.xml) again from report.json and review.jsonl: one that differs from its
re-derived copy no longer says what the data says (an edited verdict under a regenerated
SHA256SUMS), and is reported with the first line that differs.

A bundle may come from anyone, so checking one never follows a symbolic link and never
reads anything but a regular file (:mod:`verifier.bundle.files`): a link, a pipe or a
device inside the bundle is reported, not opened, and the manifest is read only up to
:data:`MAX_MANIFEST` bytes.
A bundle must also hold the files every bundle has (report.json, captures/index.json, the
WARC when anything was answered, the input copies report.json names), list each file once,
and hold every capture that report.json or captures/index.json cites: removing a file
together with its SHA256SUMS line is caught.

The seal shows accidental or naive change; it is not a signature (whoever can write the
directory can rewrite SHA256SUMS). Keep a copy of its hash elsewhere to prove more.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from verifier._version import __version__
from verifier.bundle.decisions import REVIEW_FILE
from verifier.bundle.files import (
    MANIFEST,
    MAX_JSON,
    REPORT_JSON,
    Tree,
    bundle_files,
    file_sha256,
    read_json,
    read_regular,
    scan,
)
from verifier.bundle.store import CAPTURES, INDEX, atomic_write, is_sha256
from verifier.bundle.warc import WARC_FILE, answered, write_warc
from verifier.errors import BundleError
from verifier.report.basis import Basis
from verifier.report.formats import BUILTIN, ReportFormats, builtin_formats
from verifier.report.model import Report

REPORT = REPORT_JSON
INDEX_FILE = f"{CAPTURES}/{INDEX}"
MAX_MANIFEST = 16 * 1024 * 1024
"""Largest SHA256SUMS read (bytes); a bigger one is not a bundle's."""


def write_manifest(root: Path) -> Path:
    """Write ``root/SHA256SUMS`` over every other file; call it last."""
    # Joined as strings: a Path per file cost more CPU than hashing it.
    base = os.fspath(root)
    lines = [f"{file_sha256(os.path.join(base, rel))}  {rel}\n" for rel in bundle_files(root)]
    path = root / MANIFEST
    atomic_write(path, "".join(lines).encode("utf-8"))
    return path


def seal(root: Path) -> Path:
    """Finish a bundle after its reports are written: the WARC, then SHA256SUMS."""
    write_warc(root)
    return write_manifest(root)


@dataclass
class CheckResult:
    """What :func:`check_bundle` found."""

    root: Path
    """The bundle directory."""
    is_bundle: bool = True
    """False when there is no readable manifest or no report.json."""
    changed: list[str] = field(default_factory=list)
    """Files whose bytes differ from the manifest."""
    missing: list[str] = field(default_factory=list)
    """Files in the manifest, or that every bundle has, that are gone."""
    added: list[str] = field(default_factory=list)
    """Files (and empty directories, ending in ``/``) present but not in the manifest."""
    problems: list[str] = field(default_factory=list)
    """Other faults: a link or device, a duplicate manifest line, a capture cited but
    absent, a decision on another report."""
    checked: int = 0
    """Files re-hashed."""
    notes: list[str] = field(default_factory=list)
    """What a person should know that is no fault (a re-check's baseline not at hand, so
    the link to it was not checked)."""

    @property
    def ok(self) -> bool:
        """Whether the bundle is intact."""
        return self.is_bundle and not (self.changed or self.missing or self.added or self.problems)

    def describe(self) -> str:
        """One line per finding, for a person."""
        if not self.is_bundle:
            return "\n".join(self.problems)
        lines = [f"changed: {p}" for p in self.changed]
        lines += [f"missing: {p}" for p in self.missing]
        lines += [f"added:   {p}" for p in self.added]
        lines += [f"problem: {p}" for p in self.problems]
        lines = lines or [f"ok: {self.checked} files match {MANIFEST}"]
        return "\n".join(lines + [f"note:    {n}" for n in self.notes])

    def to_json(self) -> dict[str, object]:
        """The result as ``bundle check --json`` prints it."""
        return {
            "bundle": str(self.root),
            "ok": self.ok,
            "is_bundle": self.is_bundle,
            "checked": self.checked,
            "changed": self.changed,
            "missing": self.missing,
            "added": self.added,
            "problems": self.problems,
            "notes": self.notes,
        }


def _safe_rel(text: str) -> bool:
    parts = PurePosixPath(text).parts
    return bool(parts) and not text.startswith("/") and ".." not in parts and "\\" not in text


@dataclass
class Manifest:
    """SHA256SUMS as read: its entries, or why it is not a manifest."""

    entries: dict[str, str] = field(default_factory=dict)
    """``{path: sha256}``, first line wins."""
    duplicates: list[str] = field(default_factory=list)
    """Paths listed more than once."""
    error: str | None = None
    """Why the file is not a usable manifest (absent, a link, too large, malformed)."""


def load_manifest(root: Path) -> Manifest:
    """Read ``root/SHA256SUMS`` without following a link, up to :data:`MAX_MANIFEST`."""
    found = Manifest()
    try:
        text = read_regular(root / MANIFEST, MAX_MANIFEST).decode("utf-8")
    except (OSError, BundleError, UnicodeDecodeError) as exc:
        found.error = f"{MANIFEST} is missing, unreadable or not a regular file ({exc})"
        return found
    for number, line in enumerate(text.splitlines(), 1):
        digest, sep, rel = line.partition("  ")
        if not sep or not is_sha256(digest) or not _safe_rel(rel):
            found.error = f"{MANIFEST} line {number} is not `<sha256>  <relative path>`"
            return found
        if rel in found.entries:
            found.duplicates.append(rel)
            continue
        found.entries[rel] = digest
    return found


def open_manifest(root: Path, required: str, what: str, result: CheckResult) -> Manifest | None:
    """``root``'s SHA256SUMS when it is one and lists ``required``; else ``None``, and
    ``result`` says that ``root`` is not ``what``, and why."""
    manifest = load_manifest(root)
    if manifest.error or required not in manifest.entries:
        result.is_bundle = False
        result.problems.append(
            f"{root} is not {what}: " + (manifest.error or f"{MANIFEST} does not list {required}")
        )
        return None
    return manifest


def _read_json(root: Path, rel: str, problems: list[str]) -> tuple[bytes | None, Any]:
    # The bytes and what they parse to; (None, None) and a problem when unreadable.
    try:
        data = read_regular(root / rel, MAX_JSON)
        return data, json.loads(data)
    except (OSError, BundleError, ValueError) as exc:
        problems.append(f"{rel} cannot be read as JSON ({exc})")
        return _NONE


def check_bundle(root: Path, formats: ReportFormats | None = None) -> CheckResult:
    """Re-hash every file of the bundle at ``root`` against its SHA256SUMS, and render
    each human report of ``formats`` (default: the built-ins) again to compare."""
    formats = formats or builtin_formats()
    result = CheckResult(root)
    if not root.is_dir():
        result.is_bundle = False
        result.problems.append(f"{root} is not a directory")
        return result
    manifest = open_manifest(root, REPORT, "an evidence bundle", result)
    if manifest is None:
        return result
    entries = manifest.entries
    tree = scan(root)
    present = set(tree.files)
    rehash(root, entries, tree, result)
    result.added = sorted(present - set(entries)) + tree.empty_dirs
    result.problems += [
        f"{rel}: {what}; a bundle holds regular files only"
        for rel, what in sorted(tree.odd.items())
    ]
    result.problems += [f"{MANIFEST} lists {rel} more than once" for rel in manifest.duplicates]
    report_json, data = _read_json(root, REPORT, result.problems) if REPORT in present else _NONE
    _, index = _read_json(root, INDEX_FILE, result.problems) if INDEX_FILE in present else _NONE
    report = _parsed(data)
    exchanges = _exchanges(index, result.problems)
    result.missing += _required_missing(report, exchanges, entries, present, formats)
    result.problems += _capture_problems(report, exchanges, entries, present, set(result.changed))
    if report_json is not None and report is None:
        result.problems.append(f"{REPORT} does not hold a JSON object")
    elif report_json is not None and "review.jsonl" not in tree.odd:
        basis = Basis.read(report_json, root)
        result.problems += _review_problems(basis)
        unchecked = set(result.changed) | set(tree.odd)
        result.problems += _derived_problems(root, basis, present - unchecked, formats)
    return result


def rehash(root: Path, entries: dict[str, str], tree: Tree, result: CheckResult) -> None:
    """Re-hash each file ``entries`` (a manifest's) lists under ``root``, as ``tree``
    found it: into ``result``, the files changed and missing (an odd entry, a link or a
    device, is never opened: the caller reports it)."""
    present = set(tree.files)
    for rel, digest in sorted(entries.items()):
        if rel in tree.odd:
            continue
        if rel not in present:
            result.missing.append(rel)
            continue
        result.checked += 1
        try:
            if file_sha256(root / rel) != digest:
                result.changed.append(rel)
        except (OSError, BundleError):
            result.changed.append(rel)


def _parsed(data: object) -> Report | None:
    # report.json's content as a Report; None when it could not be read or is no object.
    try:
        return Report.from_json(data)
    except ValueError:
        return None


_NONE: tuple[None, None] = (None, None)


def _exchanges(index: Any, problems: list[str]) -> list[dict[str, Any]]:
    if index is None:
        return []
    raw = index.get("exchanges") if isinstance(index, dict) else None
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        problems.append(f"{INDEX_FILE} holds no list of exchanges")
        return []
    return raw


def _named_files(report: Report | None, registry: ReportFormats) -> set[str]:
    # The files report.json itself says the bundle holds.
    if report is None:
        return set()
    named = {report.policy.file, report.submission.file}
    named |= {copy.file for copy in report.source_files.values()}
    named |= {registry.file_of(name) for name in report.run.formats}
    return {n for n in named if n is not None and _safe_rel(n)}


def _required_missing(
    report: Report | None,
    exchanges: list[dict[str, Any]],
    entries: dict[str, str],
    present: set[str],
    formats: ReportFormats,
) -> list[str]:
    # A file every bundle has, gone together with its manifest line, is still missing.
    required = {REPORT, INDEX_FILE} | _named_files(report, formats)
    if answered(exchanges):
        required.add(WARC_FILE)
    return sorted(rel for rel in required if rel not in entries and rel not in present)


def _capture_problems(
    report: Report | None,
    exchanges: list[dict[str, Any]],
    entries: dict[str, str],
    present: set[str],
    changed: set[str],
) -> list[str]:
    # Captures are named by their hash: a body that does not match its own name was
    # altered, even when SHA256SUMS was naively regenerated afterwards.
    problems = []
    for rel, digest in sorted(entries.items()):
        name = PurePosixPath(rel).name
        in_captures = rel.startswith(f"{CAPTURES}/") and is_sha256(name)
        if in_captures and rel not in changed and rel in present and digest != name:
            problems.append(f"{rel}: its content does not match its name (sha256 {digest})")

    def held(sha: object) -> bool:
        rel = f"{CAPTURES}/{sha}"
        return isinstance(sha, str) and is_sha256(sha) and rel in entries and rel in present

    cited = {str(e["sha256"]) for e in exchanges if e.get("sha256") is not None}
    for sha in sorted(s for s in cited if not held(s)):
        problems.append(f"{INDEX_FILE} names a capture that is not there: {sha[:80]}")
    for rid, sha in _report_citations(report):
        if not held(sha):
            problems.append(f"{REPORT}: requirement {rid} cites a capture that is not there: {sha}")
    return problems


def _report_citations(report: Report | None) -> list[tuple[str, str]]:
    # (requirement id, sha256) of each capture the evidence cites; untrusted, so cut.
    if report is None:
        return []
    out = {
        (str(req.id)[:80], str(ev.sha256)[:80])
        for req in report.requirements
        for ev in req.evidence
        if ev.sha256 is not None
    }
    return sorted(out)


def _review_problems(basis: Basis) -> list[str]:
    problems = list(basis.decision_problems)
    for i, d in enumerate(basis.decisions, 1):
        if d.report_sha256 != basis.report_sha256:
            problems.append(
                f"{REVIEW_FILE}: decision {i} ({d.requirement}) refers to another report.json "
                f"(sha256 {d.report_sha256[:16]}…)"
            )
    return problems


def _derived_problems(
    root: Path, basis: Basis, present: set[str], formats: ReportFormats
) -> list[str]:
    # What staff read must be what the data says: render each human report again and
    # compare, byte for byte (the renderers depend on report.json and review.jsonl alone).
    problems = []
    for fmt in formats.human():
        rel = fmt.file
        if rel not in present:
            continue
        try:
            held = read_regular(root / rel, MAX_JSON)
        except (OSError, BundleError) as exc:
            problems.append(f"{rel} cannot be read ({exc})")
            continue
        try:
            derived = fmt.render(basis)
        except Exception as exc:
            if formats.plugin_of(fmt.name) == BUILTIN:
                raise  # a bug of this tool: shown as one, never as an altered bundle
            # A plugin's bug: the file cannot be vouched for, and the check goes on.
            plugin = formats.plugin_of(fmt.name)
            problems.append(
                f"{rel} cannot be rendered again: format {fmt.name!r} of plugin {plugin!r} "
                f"failed ({exc!r})"
            )
            continue
        if held == derived:
            continue
        version = basis.report.tool.version
        other = (
            f" (report.json was written by finops-verifier {str(version)[:40]}, this is "
            f"{__version__}: check it with that version too)"
            if version != __version__
            else ""
        )
        problems.append(
            f"{rel} does not match report.json/review.jsonl (re-derived copy differs at "
            f"line {_first_difference(held, derived)}){other}"
        )
    return problems


def _first_difference(a: bytes, b: bytes) -> int:
    """The 1-based number of the first line where ``a`` and ``b`` differ."""
    lines_a, lines_b = a.splitlines(keepends=True), b.splitlines(keepends=True)
    for number, (x, y) in enumerate(zip(lines_a, lines_b, strict=False), 1):
        if x != y:
            return number
    return min(len(lines_a), len(lines_b)) + 1


def load_report(root: Path) -> Report:
    """report.json of a bundle (after :func:`check_bundle`); :class:`BundleError` when it
    is not a regular file holding a JSON object."""
    data = read_json(root / REPORT, MAX_JSON)
    try:
        return Report.from_json(data)
    except ValueError as exc:
        raise BundleError(f"{root / REPORT} does not hold a JSON object") from exc
