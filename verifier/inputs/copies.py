"""The input files of a run, read once: the bytes parsed are the bytes the bundle keeps.

A submission or policy edited on disk during a slow run, or a CSV registry export
replaced, cannot put other text in the bundle than the one verified: each is read once,
before anything is fetched; the submission is parsed from those bytes, the policy's are
checked against the hash its loader recorded, and local-file sources are copied into the
bundle before the checks start, which then read the copy.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from verifier.bundle.store import atomic_write
from verifier.errors import PolicyError, SourcesError
from verifier.inputs import yamlfile
from verifier.inputs.sources import Source
from verifier.inputs.submission import Submission, read_submission
from verifier.inputs.yamlfile import LineMap
from verifier.models import Policy

SUBMISSION_COPY = "submission.yaml"
POLICY_COPY = "policy.yaml"
SOURCE_FILES = "sources"
"""Folder of the bundle holding copies of local-file sources, by content hash."""


def read_submission_once(path: Path) -> tuple[Submission, LineMap, bytes]:
    """The submission at ``path``, the line of every value, and the bytes it was parsed
    from (read once: a pipe works); raises :class:`SubmissionError`."""
    submission, lines = read_submission(path)
    return submission, lines, submission.source_bytes


def policy_bytes(policy: Policy) -> bytes:
    """The bytes ``policy`` was parsed from, as its loader kept them (checked against the
    hash it recorded); a policy built without them is read again and checked."""
    data = policy.source_bytes or yamlfile.read(Path(policy.path), PolicyError, "policy file")
    if hashlib.sha256(data).hexdigest() != policy.sha256:
        raise PolicyError(
            f"policy file {policy.path} changed while it was being read; run again once "
            "nothing is editing it"
        )
    return data


def read_source_files(sources: dict[str, Source]) -> dict[str, bytes]:
    """The bytes of each local-file source, by name; raises :class:`SourcesError`."""
    out: dict[str, bytes] = {}
    for name, src in sources.items():
        if src.path is not None:
            try:
                out[name] = src.path.read_bytes()
            except OSError as exc:
                raise SourcesError(
                    f"cannot read source {name!r}, the file {src.path} ({src.origin}): "
                    f"{exc.strerror}"
                ) from exc
    return out


def write_inputs(out: Path, submission: bytes, policy: bytes) -> None:
    """Write the submission and policy copies into the bundle at ``out``."""
    # The bundle keeps the exact inputs, so that a replay needs nothing but the directory.
    atomic_write(out / SUBMISSION_COPY, submission)
    atomic_write(out / POLICY_COPY, policy)


def keep_source_files(
    out: Path, sources: dict[str, Source], data_of: dict[str, bytes]
) -> tuple[dict[str, dict[str, str]], dict[str, Source]]:
    """Copy each local-file source into the bundle by content hash; return what
    report.json records of them, and the sources with the checks pointed at the copies.

    A local source (a CSV registry export) is evidence as much as a fetched page: the
    checks read the copy, so the bundle holds the bytes they read even if the original
    changes during the run, and a replay needs nothing outside the bundle."""
    kept: dict[str, dict[str, str]] = {}
    consulted = dict(sources)
    for name, src in sorted(sources.items()):
        data = data_of.get(name)
        if src.path is None or data is None:
            continue
        sha = hashlib.sha256(data).hexdigest()
        suffix = (
            src.path.suffix.lower()
            if re.fullmatch(r"\.[a-z0-9]{1,8}", src.path.suffix.lower())
            else ""
        )
        rel = f"{SOURCE_FILES}/{sha}{suffix}"
        atomic_write(out / rel, data)
        kept[name] = {"file": rel, "sha256": sha, "original": str(src.path)}
        consulted[name] = Source(name, None, (out / rel).resolve(), src.origin)
    return kept, consulted
