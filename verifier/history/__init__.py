"""The history of runs: one SQLite file that every ``recheck`` (and every
``verify --history``) records into, so that a series of renewals has a memory.

- :mod:`~verifier.history.schema`: the tables, the version, migrating an older file;
- :mod:`~verifier.history.record`: :func:`record_recheck` and :func:`record_verify`,
  the one way a finished run is written (one transaction per run);
- :mod:`~verifier.history.query`: the runs, a partner's timeline, ``--baseline last``.

It reads the report and re-check models and is called by the runs and the command line
(docs/architecture.md); docs/history.md describes the file for the people who query it.
"""

from __future__ import annotations

from verifier.history.query import Run, Step, Timeline, last_run, list_runs, partner_timeline
from verifier.history.record import record_recheck, record_verify
from verifier.history.schema import HISTORY_FILE, SCHEMA_VERSION, connect

__all__ = [
    "HISTORY_FILE",
    "SCHEMA_VERSION",
    "Run",
    "Step",
    "Timeline",
    "connect",
    "last_run",
    "list_runs",
    "partner_timeline",
    "record_recheck",
    "record_verify",
]
