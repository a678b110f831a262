"""The history file's tables, its version and how an older file is brought forward.

The history is one SQLite file (the standard library's :mod:`sqlite3`: no extra
dependency, every write a transaction, and a plain ``sqlite3`` shell or Datasette opens
it). Its version is SQLite's own ``PRAGMA user_version``:

- **0**, on a new or empty file: the current tables are created;
- **1** (the first release of the history): migrated forward, in one transaction, by the
  steps of :data:`MIGRATIONS`; a migration that fails leaves the file as it was;
- :data:`SCHEMA_VERSION`: used as it is;
- anything newer: refused (:class:`~verifier.errors.InputError`, exit 2), since this
  version cannot know what a newer one's columns mean and must not write beside them.

docs/history.md describes every table and column; a test holds the two together.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from verifier.errors import InputError

HISTORY_FILE = "history.sqlite"
"""The history's default name: beside the roster."""
SCHEMA_VERSION = 2
"""The version this release writes (``PRAGMA user_version``)."""

BUSY_TIMEOUT = 30.0
"""Seconds a writer waits for another one (two re-checks recording into one file)."""

_TABLES_V2 = """
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'recheck',
    folder          TEXT NOT NULL,
    started         TEXT,
    finished        TEXT,
    as_of           TEXT,
    recorded_at     TEXT NOT NULL,
    tool_version    TEXT,
    roster_path     TEXT,
    roster_sha256   TEXT,
    complete        INTEGER NOT NULL,
    baseline_folder TEXT,
    outcome         TEXT,
    partners        INTEGER NOT NULL,
    pass            INTEGER NOT NULL,
    fail            INTEGER NOT NULL,
    needs_review    INTEGER NOT NULL,
    error           INTEGER NOT NULL,
    regressions     INTEGER NOT NULL,
    manifest_sha256 TEXT,
    UNIQUE (folder, started)
);
CREATE INDEX runs_by_roster ON runs (roster_path, started);
CREATE TABLE partner_outcomes (
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    partner       TEXT NOT NULL,
    name          TEXT,
    tier          TEXT,
    outcome       TEXT,
    report_sha256 TEXT,
    bundle        TEXT,
    error         TEXT,
    regressions   INTEGER NOT NULL,
    PRIMARY KEY (run_id, partner)
);
CREATE TABLE requirement_statuses (
    run_id           INTEGER NOT NULL,
    partner          TEXT NOT NULL,
    requirement      TEXT NOT NULL,
    position         INTEGER NOT NULL,
    machine_status   TEXT,
    effective_status TEXT,
    summary          TEXT,
    PRIMARY KEY (run_id, partner, requirement),
    FOREIGN KEY (run_id, partner) REFERENCES partner_outcomes (run_id, partner)
        ON DELETE CASCADE
);
CREATE INDEX requirement_statuses_by_partner ON requirement_statuses (partner, requirement);
"""
"""The current tables (version 2)."""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    # Version 1 recorded re-checks only, so every run it holds is one; version 2 records
    # `verify --history` too, and looks a partner's timeline up by partner.
    1: (
        "ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'recheck'",
        "CREATE INDEX requirement_statuses_by_partner "
        "ON requirement_statuses (partner, requirement)",
    ),
}
"""The steps from version N to N + 1, run in order in one transaction."""


def connect(path: Path) -> sqlite3.Connection:
    """An open connection to the history file ``path`` (created when absent), at
    :data:`SCHEMA_VERSION`: created or migrated forward in one transaction.

    Autocommit mode: every write of this package is inside an explicit ``BEGIN
    IMMEDIATE`` ... ``COMMIT``, so that nothing is half-written. Raises
    :class:`InputError` (exit 2) for a file that is not a history, or is a newer one.
    """
    if path.exists() and not path.is_file():
        raise InputError(f"history {path} is not a file; give a history file (--history FILE)")
    if not path.parent.is_dir():
        raise InputError(f"history {path}: its folder {path.parent} does not exist; create it")
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error as exc:
        raise InputError(f"cannot open the history {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        _bring_forward(conn, path)
    except sqlite3.OperationalError as exc:  # locked, read-only, a full disk: not its content
        conn.close()
        raise InputError(f"cannot use the history {path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise InputError(
            f"{path} is not a finops-verifier history file ({exc}); give another --history "
            "file, or move this one away"
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _bring_forward(conn: sqlite3.Connection, path: Path) -> None:
    version = _version(conn)
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise InputError(
            f"the history {path} is version {version}, written by a newer finops-verifier; "
            f"this one reads versions up to {SCHEMA_VERSION}: upgrade finops-verifier, or "
            "give another --history file"
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _version(conn)  # another process may have brought it forward meanwhile
        if version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise InputError(
                    f"{path} is an SQLite file but no finops-verifier history (it has tables "
                    "and no history version); give another --history file"
                )
            for statement in _statements(_TABLES_V2):
                conn.execute(statement)
        else:
            while version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                version += 1
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (an I/O error)
            conn.execute("ROLLBACK")
        raise


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT first; one statement at a time stays in the transaction.
    return [s.strip() for s in script.split(";") if s.strip()]
