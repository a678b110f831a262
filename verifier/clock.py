"""The clock of record: the one place that reads the time of day.

A run takes one :data:`Clock` and passes it down (:class:`verifier.run.verify.RunParts`):
the report's ``started`` and ``finished``, each capture's ``fetched_at``, the default
as-of date and report folder name all come from it, so a test with a fixed clock gets
fixed times. Deadlines and time-outs are not read from it: they measure durations with
``time.monotonic()`` and asyncio, and no verdict depends on the time of day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]
"""A callable returning the current time as an aware UTC datetime."""


def utc_clock() -> dt.datetime:
    """The real time, UTC: the default :data:`Clock`."""
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """``moment`` as every time in report.json and captures/index.json is written: ISO
    8601, UTC, whole seconds, ``Z`` (``2026-01-31T09:30:00Z``)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
