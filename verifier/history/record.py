"""Recording a finished run into the history: :func:`record_recheck` and
:func:`record_verify`, the one way every caller (``recheck``, ``verify --history``, a
merge of shards) writes a run.

A run is read whole from its finished folder first (a folder without SHA256SUMS is not
finished and is refused), through the typed models (:class:`RecheckSummary`,
:class:`Report`), then written in ONE transaction: a run killed half-way through the
write leaves the history as it was, never a run with some of its partners. Recording
the same folder again (a ``--resume`` of a finished run) replaces its earlier record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from verifier.bundle.check import Manifest, load_manifest
from verifier.bundle.decisions import review_view
from verifier.bundle.files import MANIFEST, MAX_JSON, REPORT_JSON, file_sha256, read_regular
from verifier.clock import Clock, stamp, utc_clock
from verifier.errors import BundleError, InputError
from verifier.history.schema import connect
from verifier.models import Status
from verifier.recheck.model import (
    COUNTED,
    RECHECK_JSON,
    RecheckSummary,
    load_summary,
    partner_bundle,
)
from verifier.report.basis import Basis
from verifier.report.model import Report

KIND_RECHECK = "recheck"
"""``runs.kind`` of a renewal re-check."""
KIND_VERIFY = "verify"
"""``runs.kind`` of one ``verify --history``."""
COUNT_COLUMNS: Sequence[str] = ("partners", *(s.value for s in COUNTED), "regressions")
"""The columns of ``runs`` that hold recheck.json's ``counts``, by the same names."""


@dataclass(frozen=True)
class RequirementRow:
    """One row of ``requirement_statuses``."""

    requirement: str
    """The requirement id."""
    machine_status: str | None
    """What the checks said."""
    effective_status: str | None
    """The status that counts: the machine's, or a staff decision's."""
    summary: str | None
    """The check's one-line summary."""


@dataclass(frozen=True)
class PartnerRow:
    """One row of ``partner_outcomes`` and its requirements."""

    partner: str
    """The roster id (the submission file's name for a verification)."""
    name: str | None
    """The applicant's name."""
    tier: str | None
    """The tier verified."""
    outcome: str | None
    """Its effective outcome; ``None`` for a partner removed from the roster."""
    report_sha256: str | None
    """SHA-256 of its report.json."""
    bundle: str | None
    """Its bundle's folder (absolute), ``None`` when none was written."""
    error: str | None
    """Why it could not be verified."""
    regressions: int
    """Its regressions since the run's baseline."""
    requirements: tuple[RequirementRow, ...] = ()
    """Its requirements, in policy order."""


@dataclass(frozen=True)
class RunRow:
    """One row of ``runs`` and its partners: what :func:`write_run` stores."""

    kind: str
    """:data:`KIND_RECHECK` or :data:`KIND_VERIFY`."""
    folder: str
    """The run's folder, absolute."""
    started: str | None
    """When it started (UTC)."""
    finished: str | None
    """When it finished."""
    as_of: str | None
    """Its as-of date."""
    tool_version: str | None
    """The finops-verifier version that ran it."""
    roster_path: str | None
    """The roster's resolved path (what "this roster" means); ``None`` for a verify."""
    roster_sha256: str | None
    """SHA-256 of the roster's bytes."""
    complete: bool
    """Every partner of the roster was re-checked (not a ``--partner`` subset, not a shard)."""
    baseline_folder: str | None
    """The baseline it was compared with."""
    outcome: str | None
    """Its outcome."""
    counts: Mapping[str, int]
    """Partners, per outcome, regressions (recheck.json's ``counts``)."""
    manifest_sha256: str
    """SHA-256 of the folder's SHA256SUMS when recorded."""
    partners: tuple[PartnerRow, ...] = field(default=())
    """Its partners."""


def record_recheck(db: Path, folder: Path, clock: Clock = utc_clock) -> int:
    """Record the finished re-check ``folder`` into the history file ``db`` (created or
    migrated when needed); return the run's id. Raises :class:`InputError` (exit 2) for a
    folder that is not a finished re-check, or a history that cannot be written."""
    return write_run(db, read_recheck(folder), clock)


def record_verify(db: Path, bundle: Path, partner: str, clock: Clock = utc_clock) -> int:
    """Record the finished bundle of one verification under the partner id ``partner``
    into the history file ``db``; return the run's id."""
    return write_run(db, read_verify(bundle, partner), clock)


def _manifest(folder: Path) -> tuple[Manifest, str]:
    """SHA256SUMS of a finished folder, and its SHA-256."""
    manifest = load_manifest(folder)
    if manifest.error is not None:
        raise InputError(
            f"{folder} is not a finished run ({manifest.error}); nothing was recorded in the "
            "history"
        )
    try:
        return manifest, file_sha256(folder / MANIFEST)
    except (OSError, BundleError) as exc:
        raise InputError(f"{folder / MANIFEST} cannot be read: {exc}") from exc


def _sealed(folder: Path, manifest: Manifest, name: str) -> None:
    """``name`` is listed in the folder's SHA256SUMS with the hash it has now."""
    try:
        now = file_sha256(folder / name)
    except (OSError, BundleError) as exc:
        raise InputError(f"{folder / name} cannot be read: {exc}") from exc
    if manifest.entries.get(name) != now:
        raise InputError(
            f"{folder / name} does not match {folder / MANIFEST} (changed after the run was "
            "sealed?); run `finops-verify bundle check` on it; nothing was recorded"
        )


def _report(bundle: Path, expected: str | None) -> tuple[Report, bytes]:
    data = read_regular(bundle / REPORT_JSON, MAX_JSON)  # read once: parsed and hashed
    sha = hashlib.sha256(data).hexdigest()
    if expected is not None and sha != expected:
        raise InputError(
            f"{bundle / REPORT_JSON} has SHA-256 {sha}, its re-check recorded {expected}: "
            "the bundle changed after the run; nothing was recorded"
        )
    return Report.from_json(json.loads(data)), data


def _requirements(report: Report, effective: Mapping[str, str]) -> tuple[RequirementRow, ...]:
    return tuple(
        RequirementRow(str(r.id), r.raw_status, effective.get(str(r.id)), r.summary)
        for r in report.requirements
    )


def read_recheck(folder: Path) -> RunRow:
    """The run row of a finished re-check folder, read through its recheck.json and each
    partner's report.json."""
    manifest, manifest_sha = _manifest(folder)
    _sealed(folder, manifest, RECHECK_JSON)
    summary = load_summary(folder)
    partners = []
    try:
        for p in summary.partners:
            if p.id is None:
                continue
            bundle = partner_bundle(folder, p)
            rows: tuple[RequirementRow, ...] = ()
            if bundle is not None:
                report, _ = _report(bundle, p.report_sha256)
                rows = _requirements(report, p.requirements)
            partners.append(
                PartnerRow(
                    p.id,
                    p.name,
                    p.tier,
                    p.outcome,
                    p.report_sha256,
                    str(bundle.resolve()) if bundle is not None else None,
                    p.error,
                    p.regressions,
                    rows,
                )
            )
    except (OSError, ValueError, BundleError) as exc:
        raise InputError(f"{folder} cannot be recorded: {exc}") from exc
    return RunRow(
        kind=KIND_RECHECK,
        folder=str(folder.resolve()),
        started=summary.run.started,
        finished=summary.run.finished,
        as_of=summary.run.as_of,
        tool_version=summary.tool.version,
        roster_path=_roster_path(summary),
        roster_sha256=summary.roster.sha256,
        complete=summary.roster.partners is None
        or summary.counts.get("partners") == summary.roster.partners,
        baseline_folder=(
            str(Path(summary.baseline.path).resolve())
            if summary.baseline is not None and summary.baseline.path
            else None
        ),
        outcome=summary.outcome,
        counts=summary.counts,
        manifest_sha256=manifest_sha,
        partners=tuple(partners),
    )


def _roster_path(summary: RecheckSummary) -> str | None:
    # recheck.json's `resolved` (absolute when written); a summary of an earlier version
    # has only the path as given, read against the current folder.
    text = summary.roster.resolved or summary.roster.path
    return str(Path(text).resolve()) if text else None


def read_verify(bundle: Path, partner: str) -> RunRow:
    """The run row of one finished verification's bundle."""
    manifest, manifest_sha = _manifest(bundle)
    _sealed(bundle, manifest, REPORT_JSON)
    try:
        report, data = _report(bundle, None)
        basis = Basis.read(data, bundle)
    except (OSError, ValueError, BundleError) as exc:
        raise InputError(f"{bundle} cannot be recorded: {exc}") from exc
    try:
        as_of = dt.date.fromisoformat(str(report.run.as_of))
    except ValueError:
        as_of = dt.date.today()
    view = review_view(report, list(basis.decisions), as_of, basis.report_sha256)
    outcome = str(view["outcome"])
    effective = {str(k): str(v) for k, v in view["effective"].items()}
    counts = {"partners": 1, "regressions": 0}
    counts |= {s.value: int(outcome == s) for s in Status if s != Status.NOT_APPLICABLE}
    return RunRow(
        kind=KIND_VERIFY,
        folder=str(bundle.resolve()),
        started=report.run.started,
        finished=report.run.finished,
        as_of=report.run.as_of,
        tool_version=report.tool.version,
        roster_path=None,
        roster_sha256=None,
        complete=True,
        baseline_folder=None,
        outcome=outcome,
        counts=counts,
        manifest_sha256=manifest_sha,
        partners=(
            PartnerRow(
                partner,
                report.applicant.name,
                report.tier,
                outcome,
                basis.report_sha256,
                str(bundle.resolve()),
                None,
                0,
                _requirements(report, effective),
            ),
        ),
    )


def write_run(db: Path, run: RunRow, clock: Clock = utc_clock) -> int:
    """Write ``run`` into the history ``db`` in one transaction (an earlier record of the
    same folder and start is replaced); return its id."""
    conn = connect(db)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            run_id = _insert(conn, run, stamp(clock()))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (an I/O error)
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise InputError(f"cannot record the run in the history {db}: {exc}") from exc
    finally:
        conn.close()
    return run_id


def _insert(conn: sqlite3.Connection, run: RunRow, recorded_at: str) -> int:
    conn.execute("DELETE FROM runs WHERE folder = ? AND started IS ?", (run.folder, run.started))
    c = run.counts
    cursor = conn.execute(
        "INSERT INTO runs (kind, folder, started, finished, as_of, recorded_at, tool_version,"
        " roster_path, roster_sha256, complete, baseline_folder, outcome,"
        f" {', '.join(COUNT_COLUMNS)}, manifest_sha256)"
        f" VALUES ({', '.join('?' * 19)})",
        (
            run.kind,
            run.folder,
            run.started,
            run.finished,
            run.as_of,
            recorded_at,
            run.tool_version,
            run.roster_path,
            run.roster_sha256,
            int(run.complete),
            run.baseline_folder,
            run.outcome,
            *(int(c.get(k, 0)) for k in COUNT_COLUMNS),
            run.manifest_sha256,
        ),
    )
    run_id = int(cursor.lastrowid or 0)
    for p in run.partners:
        _insert_partner(conn, run_id, p)
    return run_id


def _insert_partner(conn: sqlite3.Connection, run_id: int, p: PartnerRow) -> None:
    conn.execute(
        "INSERT INTO partner_outcomes (run_id, partner, name, tier, outcome, report_sha256,"
        " bundle, error, regressions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run_id,
            p.partner,
            p.name,
            p.tier,
            p.outcome,
            p.report_sha256,
            p.bundle,
            p.error,
            p.regressions,
        ),
    )
    conn.executemany(
        "INSERT INTO requirement_statuses (run_id, partner, requirement, position,"
        " machine_status, effective_status, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (run_id, p.partner, r.requirement, i, r.machine_status, r.effective_status, r.summary)
            for i, r in enumerate(p.requirements)
        ],
    )
