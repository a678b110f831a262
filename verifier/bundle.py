"""The evidence bundle: a report directory sealed by ``SHA256SUMS``.

A bundle holds report.json, the human reports, ``captures/`` (bodies by SHA-256,
``index.json`` and the WARC), copies of the inputs (submission.yaml, policy.yaml, local
source files under ``sources/``) and ``SHA256SUMS``: one ``<sha256>  <relative path>``
line per file (the format ``sha256sum -c`` reads), sorted by path, written last.

``review.jsonl`` is appended to by :mod:`verifier.review` after the run; each review
re-renders report.html and re-seals the bundle (rewrites SHA256SUMS) after checking it was
intact, so the manifest then covers the decisions too. :func:`check_bundle` re-hashes
every file and names each one changed, missing or added; it also checks that every review
decision refers to this report.json.

The seal shows accidental or naive change; it is not a signature (whoever can write the
directory can rewrite SHA256SUMS). Keep a copy of its hash elsewhere to prove more.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from verifier.evidence import CAPTURES, atomic_write, read_index

MANIFEST = "SHA256SUMS"
_SHA = re.compile(r"^[0-9a-f]{64}$")
REPORT = "report.json"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_files(root: Path) -> list[str]:
    """Every regular file under ``root`` except the manifest, as sorted POSIX paths.

    Symbolic links are listed too (and hashed through): a link swapped in for a capture
    must not escape the check.
    """
    out = []
    for path in root.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(root).as_posix()
        if rel != MANIFEST:
            out.append(rel)
    return sorted(out)


def write_manifest(root: Path) -> Path:
    """Write ``root/SHA256SUMS`` over every other file; call it last."""
    lines = [f"{file_sha256(root / rel)}  {rel}\n" for rel in bundle_files(root)]
    path = root / MANIFEST
    atomic_write(path, "".join(lines).encode("utf-8"))
    return path


def seal(root: Path) -> Path:
    """Finish a bundle after its reports are written: the WARC, then SHA256SUMS."""
    from verifier.warc import write_warc

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
    """Files in the manifest that are gone."""
    added: list[str] = field(default_factory=list)
    """Files present but not in the manifest."""
    problems: list[str] = field(default_factory=list)
    """Other faults: a malformed manifest line, a decision on another report."""
    checked: int = 0
    """Files re-hashed."""

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
        return "\n".join(lines) or f"ok: {self.checked} files match {MANIFEST}"

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
        }


def _safe_rel(text: str) -> bool:
    parts = PurePosixPath(text).parts
    return bool(parts) and not text.startswith("/") and ".." not in parts and "\\" not in text


def read_manifest(root: Path) -> dict[str, str] | None:
    """The manifest as ``{path: sha256}``; ``None`` when absent or unreadable."""
    path = root / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    entries: dict[str, str] = {}
    for line in text.splitlines():
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64 or not _safe_rel(rel):
            return None
        entries[rel] = digest
    return entries


def check_bundle(root: Path) -> CheckResult:
    """Re-hash every file of the bundle at ``root`` against its SHA256SUMS."""
    result = CheckResult(root)
    if not root.is_dir():
        result.is_bundle = False
        result.problems.append(f"{root} is not a directory")
        return result
    entries = read_manifest(root)
    if entries is None or REPORT not in entries:
        result.is_bundle = False
        result.problems.append(
            f"{root} is not an evidence bundle: {MANIFEST} is missing, unreadable or does "
            f"not list {REPORT}"
        )
        return result
    present = set(bundle_files(root))
    for rel, digest in sorted(entries.items()):
        if rel not in present:
            result.missing.append(rel)
            continue
        result.checked += 1
        target = root / rel
        if not target.is_file() or file_sha256(target) != digest:
            result.changed.append(rel)
    result.added = sorted(present - set(entries))
    result.problems += _capture_problems(root, entries, set(result.changed))
    if REPORT not in result.missing:
        result.problems += _review_problems(root)
    return result


def _capture_problems(root: Path, entries: dict[str, str], changed: set[str]) -> list[str]:
    # Captures are named by their hash: a body that does not match its own name was
    # altered, even when SHA256SUMS was naively regenerated afterwards.
    problems = []
    for rel, digest in sorted(entries.items()):
        name = PurePosixPath(rel).name
        in_captures = rel.startswith(f"{CAPTURES}/") and _SHA.match(name)
        if in_captures and rel not in changed and (root / rel).is_file() and digest != name:
            problems.append(f"{rel}: its content does not match its name (sha256 {digest})")
    referenced = {str(ex["sha256"]) for ex in read_index(root) if isinstance(ex.get("sha256"), str)}
    for sha in sorted(referenced):
        if not _SHA.match(sha) or not (root / CAPTURES / sha).is_file():
            problems.append(f"{CAPTURES}/index.json names a capture that is not there: {sha}")
    return problems


def _review_problems(root: Path) -> list[str]:
    from verifier.review import REVIEW_FILE, load_decisions

    decisions, problems = load_decisions(root)
    sha = file_sha256(root / REPORT)
    for i, d in enumerate(decisions, 1):
        if d.report_sha256 != sha:
            problems.append(
                f"{REVIEW_FILE}: decision {i} ({d.requirement}) refers to another report.json "
                f"(sha256 {d.report_sha256[:16]}…)"
            )
    return problems


def load_report(root: Path) -> dict[str, Any]:
    """report.json of a bundle (after :func:`check_bundle`)."""
    data: dict[str, Any] = json.loads((root / REPORT).read_text(encoding="utf-8"))
    return data
