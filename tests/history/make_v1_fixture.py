"""Write history-v1.sqlite: a history file as version 1 wrote it (docs/history.md,
"Version and migration"), for the migration test. Run it from the repository's root:

    .venv/bin/python tests/history/make_v1_fixture.py

Version 1 is written out here on purpose, not imported: it is what files in the field
hold, and must not move when the current tables do.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

FIXTURE = Path(__file__).with_name("history-v1.sqlite")

V1_TABLES = """
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
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
PRAGMA user_version = 1;
"""

ROWS = """
INSERT INTO runs VALUES (1, '/srv/renewals/2026q3', '2026-08-30T09:00:00Z',
    '2026-08-30T09:20:00Z', '2026-08-30', '2026-08-30T09:20:01Z', '0.9.0',
    '/srv/renewals/roster.yaml', 'aaaa', 1, NULL, 'fail', 2, 1, 1, 0, 0, 0, 'bbbb');
INSERT INTO partner_outcomes VALUES (1, 'acme', 'Acme Cloud', 'platform', 'pass', 'cccc',
    '/srv/renewals/2026q3/partners/acme', NULL, 0);
INSERT INTO partner_outcomes VALUES (1, 'globex', 'Globex', 'solution', 'fail', 'dddd',
    '/srv/renewals/2026q3/partners/globex', NULL, 0);
INSERT INTO requirement_statuses VALUES (1, 'acme', 'membership', 0, 'pass', 'pass',
    'a member since 2021');
INSERT INTO requirement_statuses VALUES (1, 'acme', 'practitioners', 1, 'needs_review',
    'pass', '2 valid certificates, 1 to read');
INSERT INTO requirement_statuses VALUES (1, 'globex', 'membership', 0, 'fail', 'fail',
    'not in the member directory');
"""


def main() -> None:
    """(Re)write the fixture."""
    FIXTURE.unlink(missing_ok=True)
    conn = sqlite3.connect(FIXTURE)
    try:
        conn.executescript(V1_TABLES + ROWS)
        conn.commit()
    finally:
        conn.close()


if __name__ == "__main__":
    main()
