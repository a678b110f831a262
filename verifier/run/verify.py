"""One verification from files to a report directory: what ``verify`` and ``demo`` run.

Order of work: validate every input (submission, policy, sources) before any fetch; run
the engine; write captures, report.json and the other formats. A fault in a check never
prevents the report: every other requirement's verdict is written.

A report folder is whole or absent: when the disk fills (or any write fails) the folder
is removed and :func:`execute` raises :class:`InputError` saying what happened, so that
nothing which looks like a finished bundle is left behind.

Each input file is read once, in :func:`prepare` (:mod:`verifier.inputs.copies`): the bytes
parsed are the bytes hashed into report.json and copied into the bundle.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import errno
import hashlib
import re
import shutil
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier._version import __version__
from verifier.bundle.check import seal
from verifier.bundle.store import EvidenceStore
from verifier.engine import DEFAULT_CHECK_TIMEOUT, run_policy
from verifier.errors import InputError, PolicyError, Problem, SubmissionError
from verifier.fetch import Fetcher, FetchSettings, LiveSource, PageSource
from verifier.fetch.client import utc_now
from verifier.host import CheckRegistry, PluginHost
from verifier.inputs.copies import (
    POLICY_COPY,
    SUBMISSION_COPY,
    keep_source_files,
    policy_bytes,
    read_source_files,
    read_submission_once,
    write_inputs,
)
from verifier.inputs.policy import bundled_policies, load_policy, select_policy, source_names
from verifier.inputs.sources import Source, merged_sources
from verifier.inputs.submission import Submission
from verifier.inputs.yamlfile import LineMap
from verifier.models import Policy, RequirementResult, overall_status
from verifier.report import DEFAULT_FORMATS, REPORT_SCHEMA, write_all
from verifier.report.formats import ReportFormats, builtin_formats

DEFAULT_PROGRAM = "2022"


@dataclass(frozen=True)
class RunRequest:
    """Everything a run needs from the person or script that asked for it."""

    submission_path: Path
    """The submission file."""
    out: Path | None = None
    """Report directory; ``None``: ``./finops-verify-report/<slug>-<timestamp>/``."""
    program: str | None = None
    """Program version; ``None``: the submission's, else :data:`DEFAULT_PROGRAM`."""
    policy_path: Path | None = None
    """A policy file to use instead of a bundled one."""
    sources_path: Path | None = None
    """Overrides of the bundled sources."""
    as_of: dt.date | None = None
    """Date for expiry decisions; ``None``: today (UTC)."""
    settings: FetchSettings = field(default_factory=FetchSettings)
    """Fetch settings."""
    check_timeout: float = DEFAULT_CHECK_TIMEOUT
    """Seconds per requirement when its policy sets none."""
    formats: tuple[str, ...] = DEFAULT_FORMATS
    """Report formats (report.json is always written)."""
    report_formats: ReportFormats | None = None
    """The registry ``formats`` are names in; ``None``: the built-in formats."""


@dataclass(frozen=True)
class Prepared:
    """Validated inputs of a run: nothing has been fetched yet."""

    submission: Submission
    policy: Policy
    registry: CheckRegistry
    sources: dict[str, Source]
    as_of: dt.date
    out: Path
    submission_bytes: bytes
    """The submission file as read, once: parsed, hashed and copied from these bytes."""
    policy_bytes: bytes
    """The policy file's bytes, those whose SHA-256 the parsed policy records."""
    source_bytes: dict[str, bytes]
    """The bytes of each local-file source, by source name, read once."""
    out_created: bool
    """Whether this run created ``out`` (a run that fails to write removes it; an empty
    folder given by ``--out`` is emptied and kept)."""


def slugify(text: str, limit: int = 60) -> str:
    """A safe directory-name part from any text (no separators, no dots at the start)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].strip("-") or "applicant"


def prepare(request: RunRequest, host: PluginHost) -> Prepared:
    """Load and validate every input; raises :class:`InputError` on the first bad file.

    Creates the report directory last, once every input is known to be good.
    """
    name = str(request.submission_path)
    submission, lines, submission_bytes = read_submission_once(request.submission_path)
    registry = host.checks()
    dirs = host.policy_dirs()
    program = request.program or submission.program or DEFAULT_PROGRAM
    if request.policy_path is not None:
        policy = load_policy(request.policy_path, registry)
        if policy.tier != submission.tier:
            raise InputError(
                f"policy {request.policy_path} is for tier {policy.tier!r} but "
                f"{request.submission_path} applies for {submission.tier!r}"
            )
        bundled = bundled_policies(dirs, registry)
    else:
        bundled = bundled_policies(dirs, registry)
        try:
            policy = select_policy(bundled, program, submission.tier)
        except PolicyError as exc:
            # The value came from the submission (unless --program chose it): point there.
            field = "program" if str(exc).startswith("no policy for program") else "tier"
            if field == "program" and (request.program or submission.program is None):
                raise
            raise SubmissionError(
                f"{name} asks for a policy that does not exist",
                (Problem(name, lines.line((field,)), field, str(exc)),),
            ) from exc
    _check_attestation_ids(submission, policy, bundled, name, lines)
    sources = merged_sources(dirs, request.sources_path, source_names(policy.requirements))
    as_of = request.as_of or dt.datetime.now(dt.UTC).date()
    out = request.out or Path("finops-verify-report") / (
        f"{slugify(submission.applicant.name)}-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}"
    )
    kept_policy = policy_bytes(policy)
    out_created = _make_out(out)
    return Prepared(
        submission,
        policy,
        registry,
        sources,
        as_of,
        out,
        submission_bytes=submission_bytes,
        policy_bytes=kept_policy,
        source_bytes=read_source_files(sources),
        out_created=out_created,
    )


def with_sources(prep: Prepared, sources: dict[str, Source]) -> Prepared:
    """``prep`` consulting ``sources`` instead of its own (replay: the bundle's copies);
    local files among them are read now, once."""
    return dataclasses.replace(prep, sources=sources, source_bytes=read_source_files(sources))


def _check_attestation_ids(
    submission: Submission, policy: Policy, bundled: list[Policy], name: str, lines: LineMap
) -> None:
    """A statement filed under a misspelt requirement id would be silently dropped and
    its requirement reported as "not provided": refuse it, naming the line. An id of
    another program's policy is no typo (a submission re-verified under a newer program
    at renewal): it is kept, and simply not used."""
    ids = [r.id for r in policy.requirements]
    anywhere = set(ids) | {r.id for p in bundled for r in p.requirements}
    problems = []
    for key in submission.attestations:
        if key not in anywhere:
            close = difflib.get_close_matches(key, ids, n=1)
            elsewhere = difflib.get_close_matches(key, sorted(anywhere - set(ids)), n=1)
            if close:
                hint = f"did you mean '{close[0]}'?"
            elif elsewhere:
                hint = (
                    f"did you mean '{elsewhere[0]}'? (a requirement of another policy: "
                    "the tier applied for has no such requirement)"
                )
            else:
                hint = f"its ids: {', '.join(ids)}"
            problems.append(
                Problem(
                    name,
                    lines.line(("attestations", key)),
                    f"attestations.{key}",
                    f"policy {policy.id} has no requirement {key!r}; {hint}",
                )
            )
    if problems:
        raise SubmissionError(
            f"{name} files statements under unknown requirements", tuple(problems)
        )


def _make_out(out: Path) -> bool:
    """Create the report directory; refuse one that holds files already, whose captures
    would mix with this run's under one SHA256SUMS. Returns whether it was created."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        raise InputError(
            f"--out {out} is not empty (a previous report?); choose a new directory or "
            "remove it: a report directory holds one run"
        )
    created = not out.is_dir()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"cannot write the report to --out {out}: {exc.strerror}") from exc
    return created


async def execute(
    prep: Prepared,
    request: RunRequest,
    *,
    source: PageSource | None = None,
    on_done: Callable[[RequirementResult], None] | None = None,
) -> dict[str, Any]:
    """Run the checks and write the report directory; returns the report dict.

    Raises :class:`InputError` when the report cannot be written (a full disk), after
    removing what the run had written: see the module docstring.
    """
    try:
        return await _execute(prep, request, source, on_done)
    except OSError as exc:
        raise _discard(prep, exc) from exc


def _discard(prep: Prepared, failure: OSError) -> InputError:
    """Remove the unfinished report folder; the error that says what happened."""
    out = prep.out
    where = f" while writing {failure.filename}" if failure.filename else ""
    head = f"cannot write the report to {out}: {failure.strerror or failure}{where}"
    try:
        if prep.out_created:
            shutil.rmtree(out)
            removed = f"the unfinished folder {out} was removed"
        else:
            for entry in out.iterdir():
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
            removed = f"what the run had written in {out} was removed"
    except OSError as undo:
        return InputError(
            f"{head}; removing the unfinished folder failed too ({undo.strerror or undo}): "
            f"delete {out} by hand, it is not a complete report"
        )
    full = failure.errno in (errno.ENOSPC, errno.EDQUOT)
    remedy = "free some space" if full else "fix that"
    return InputError(
        f"{head}; {removed}, nothing was kept: {remedy} (or choose another --out) and run again"
    )


async def _execute(
    prep: Prepared,
    request: RunRequest,
    source: PageSource | None,
    on_done: Callable[[RequirementResult], None] | None,
) -> dict[str, Any]:
    prep.out.mkdir(parents=True, exist_ok=True)
    write_inputs(prep.out, prep.submission_bytes, prep.policy_bytes)
    kept, consulted = keep_source_files(prep.out, prep.sources, prep.source_bytes)
    store = EvidenceStore(prep.out)
    live = source or LiveSource(request.settings)
    fetcher = Fetcher(
        live,
        store,
        max_tags=request.settings.max_tags,
        read_timeout=request.settings.parse_timeout,
    )
    started = utc_now()
    try:
        results = await run_policy(
            prep.policy,
            prep.submission,
            prep.registry,
            fetcher,
            sources=consulted,
            as_of=prep.as_of,
            check_timeout=request.check_timeout,
            max_fetches_per_check=request.settings.max_fetches_per_check,
            on_done=on_done,
        )
    finally:
        await fetcher.aclose()
        store.write_index()
    if store.failure is not None:
        raise store.failure
    report = build_report(prep, request, results, started, utc_now())
    report["source_files"] = kept
    write_all(report, prep.out, request.formats, request.report_formats)
    seal(prep.out)  # last: SHA256SUMS covers everything written before it
    return report


def build_report(
    prep: Prepared,
    request: RunRequest,
    results: list[RequirementResult],
    started: str,
    finished: str,
) -> dict[str, Any]:
    """The report as report.json holds it (CONTRACT.md, "report.json")."""
    sub = prep.submission
    statuses = [r.status for r in results]
    counts = Counter(s.value for s in statuses)
    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "finops-verifier", "version": __version__},
        "run": {
            "started": started,
            "finished": finished,
            "as_of": prep.as_of.isoformat(),
            "settings": request.settings.to_json(),
            "check_timeout": request.check_timeout,
            # The human reports written: bundle check requires each of them.
            "formats": (request.report_formats or builtin_formats()).written(request.formats),
        },
        "applicant": {
            "name": sub.applicant.name,
            "website": sub.applicant.website,
            "employees": sub.applicant.employees,
        },
        "tier": sub.tier,
        "policy": {
            "id": prep.policy.id,
            "program": prep.policy.program,
            "version": prep.policy.version,
            "sha256": prep.policy.sha256,
            "title": prep.policy.title,
            "source": prep.policy.source,
            "file": POLICY_COPY,
        },
        "submission": {
            "file": SUBMISSION_COPY,
            "sha256": hashlib.sha256(prep.submission_bytes).hexdigest(),
        },
        "sources": {name: s.location for name, s in sorted(prep.sources.items())},
        "outcome": overall_status(statuses).value,
        "counts": {k: counts[k] for k in sorted(counts)},
        "plugins": {
            "problems": [
                {
                    "plugin": p.plugin,
                    "distribution": p.distribution,
                    "message": p.message,
                    "check": p.check,
                }
                for p in prep.registry.problems
            ],
        },
        "requirements": [r.to_json() for r in results],
    }
