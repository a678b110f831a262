"""Reading the history: the runs, a partner's timeline, and the last run of a roster.

Nothing here writes: a history file is opened (and, when older, migrated forward) by
:func:`~verifier.history.schema.connect`, and read with plain SELECTs, the same a person
types in ``sqlite3`` (docs/history.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.errors import InputError
from verifier.history.record import COUNT_COLUMNS, KIND_RECHECK
from verifier.history.schema import connect
from verifier.inputs.yamlfile import did_you_mean
from verifier.recheck.diff import change_kind
from verifier.recheck.model import RECHECK_JSON


@dataclass(frozen=True)
class Run:
    """One row of ``runs``, as ``finops-verify history`` lists it."""

    id: int
    """The run's number in this history."""
    kind: str
    """``recheck`` or ``verify``."""
    folder: str
    """Its output folder."""
    started: str | None
    """When it started (UTC)."""
    as_of: str | None
    """Its as-of date."""
    roster_path: str | None
    """The roster's resolved path (``None`` for a verify)."""
    complete: bool
    """Every partner of its roster was re-checked."""
    outcome: str | None
    """Its outcome."""
    counts: dict[str, int]
    """``partners``, one per partner outcome, ``regressions`` (:data:`COUNT_COLUMNS`)."""

    def to_json(self) -> dict[str, Any]:
        """The ``history --json`` form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "folder": self.folder,
            "started": self.started,
            "as_of": self.as_of,
            "roster": self.roster_path,
            "complete": self.complete,
            "outcome": self.outcome,
            "counts": self.counts,
        }


_RUN_COLUMNS = "id, kind, folder, started, as_of, roster_path, complete, outcome, " + ", ".join(
    COUNT_COLUMNS
)


def _run(row: Sequence[Any]) -> Run:
    return Run(
        int(row[0]),
        str(row[1]),
        str(row[2]),
        row[3],
        row[4],
        row[5],
        bool(row[6]),
        row[7],
        dict(zip(COUNT_COLUMNS, (int(v) for v in row[8:]), strict=True)),
    )


@dataclass(frozen=True)
class Step:
    """One run of a requirement's (or a partner's outcome's) timeline."""

    run: int
    """The run's id."""
    started: str | None
    """When the run started."""
    as_of: str | None
    """Its as-of date."""
    status: str | None
    """The effective status (or the partner's outcome); ``None``: not verified then."""
    machine: str | None
    """The machine's status (``None`` for an outcome)."""
    summary: str | None
    """The check's summary."""
    change: str | None
    """The kind of change from the run before in this timeline (``None``: no change, or
    the first run)."""
    before: str | None = None
    """The status in the run before, when it changed."""

    def to_json(self) -> dict[str, Any]:
        """The ``history PARTNER --json`` form."""
        return {
            "run": self.run,
            "started": self.started,
            "as_of": self.as_of,
            "status": self.status,
            "machine_status": self.machine,
            "summary": self.summary,
            "change": self.change,
            "before": self.before,
        }


@dataclass(frozen=True)
class Timeline:
    """A partner's history: its outcome and each requirement, one step per run."""

    partner: str
    """The partner's id."""
    name: str | None
    """Its applicant name in the latest run."""
    outcomes: tuple[Step, ...]
    """Its outcome in each run that listed it, oldest first."""
    requirements: dict[str, tuple[Step, ...]]
    """Each requirement's steps, oldest first, in the latest run's policy order."""

    def to_json(self) -> dict[str, Any]:
        """The ``history PARTNER --json`` form."""
        return {
            "partner": self.partner,
            "name": self.name,
            "outcomes": [s.to_json() for s in self.outcomes],
            "requirements": {k: [s.to_json() for s in v] for k, v in self.requirements.items()},
        }


@contextmanager
def opened(db: Path) -> Iterator[sqlite3.Connection]:
    """The history file ``db`` opened for reading; :class:`InputError` when it does not
    exist (reading never creates one)."""
    if not db.exists():
        raise InputError(
            f"no history at {db}: a `finops-verify recheck` records one beside its roster "
            "(or in --history FILE); give the file with --history"
        )
    conn = connect(db)
    try:
        yield conn
    finally:
        conn.close()


def _roster_clause(roster: Path | None) -> tuple[str, tuple[Any, ...]]:
    if roster is None:
        return "", ()
    return " AND r.roster_path = ?", (str(roster.resolve()),)


def list_runs(db: Path, roster: Path | None = None) -> list[Run]:
    """Every run of the history, oldest first (of ``roster`` only, when given)."""
    where, args = _roster_clause(roster)
    with opened(db) as conn:
        rows = conn.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs r WHERE 1 = 1{where} ORDER BY r.started, r.id",
            args,
        ).fetchall()
    return [_run(r) for r in rows]


def last_run(db: Path, roster: Path) -> Run:
    """The most recent complete re-check of ``roster`` (by its resolved path) whose folder
    still holds its recheck.json: ``--baseline last``. :class:`InputError` otherwise."""
    resolved = roster.resolve()
    with opened(db) as conn:
        row = conn.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE kind = ? AND roster_path = ? AND complete"
            " ORDER BY started DESC, id DESC LIMIT 1",
            (KIND_RECHECK, str(resolved)),
        ).fetchone()
    if row is None:
        raise InputError(
            f"--baseline last: the history {db} holds no complete re-check of the roster "
            f"{resolved}; give the baseline folder itself (--baseline DIR), or run once "
            "without a baseline"
        )
    run = _run(row)
    if not (Path(run.folder) / RECHECK_JSON).is_file():
        raise InputError(
            f"--baseline last: the last re-check of {resolved} (run {run.id}, started "
            f"{run.started}) was written to {run.folder}, which no longer holds "
            f"{RECHECK_JSON}; restore that folder, or give another with --baseline DIR"
        )
    return run


def partner_timeline(db: Path, partner: str, roster: Path | None = None) -> Timeline:
    """``partner``'s timeline over the runs of the history (of ``roster`` only, when
    given); :class:`InputError` with the closest id when no run lists it."""
    where, args = _roster_clause(roster)
    with opened(db) as conn:
        outcomes = conn.execute(
            "SELECT r.id, r.started, r.as_of, p.outcome, p.name FROM partner_outcomes p"
            f" JOIN runs r ON r.id = p.run_id WHERE p.partner = ?{where}"
            " ORDER BY r.started, r.id",
            (partner, *args),
        ).fetchall()
        if not outcomes:
            known = [
                str(k)
                for (k,) in conn.execute(
                    "SELECT DISTINCT p.partner FROM partner_outcomes p JOIN runs r"
                    f" ON r.id = p.run_id WHERE 1 = 1{where}",
                    args,
                )
            ]
            raise InputError(
                f"no partner {partner!r} in the history {db}"
                + (f" for the roster {roster}" if roster is not None else "")
                + f"; {did_you_mean(partner, known)}"
            )
        rows = conn.execute(
            "SELECT q.requirement, r.id, r.started, r.as_of, q.effective_status,"
            " q.machine_status, q.summary, q.position FROM requirement_statuses q"
            f" JOIN runs r ON r.id = q.run_id WHERE q.partner = ?{where}"
            " ORDER BY r.started, r.id, q.position",
            (partner, *args),
        ).fetchall()
    runs = [(int(r[0]), r[1], r[2]) for r in outcomes]
    order: dict[str, int] = {}
    by_req: dict[tuple[str, int], tuple[Any, ...]] = {}
    for req, run_id, _started, _as_of, effective, machine, summary, position in rows:
        order[req] = position  # the latest run's order wins
        by_req[(req, run_id)] = (effective, machine, summary)
    requirements = {
        req: _steps(runs, [by_req.get((req, r[0]), (None, None, None)) for r in runs])
        for req in sorted(order, key=lambda k: (order[k], k))
    }
    outcome_steps = _steps(runs, [(r[3], None, None) for r in outcomes])
    return Timeline(partner, outcomes[-1][4], outcome_steps, requirements)


def _steps(
    runs: Sequence[tuple[int, str | None, str | None]], values: Sequence[tuple[Any, ...]]
) -> tuple[Step, ...]:
    """Steps of one timeline, each marked with the kind of change from the one before
    (the kinds of CONTRACT.md: a pass that now fails is a regression)."""
    out: list[Step] = []
    before: str | None = None
    for i, ((run_id, started, as_of), (status, machine, summary)) in enumerate(
        zip(runs, values, strict=True)
    ):
        kind = change_kind(before, status) if i else None
        change = kind.value if kind is not None else None
        was = before if kind is not None else None
        out.append(Step(run_id, started, as_of, status, machine, summary, change, was))
        before = status
    return tuple(out)
