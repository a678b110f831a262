"""Review decisions: a person's verdict on one requirement, next to the machine's.

``finops-verify review DIR --requirement ID --decision pass|fail --reviewer NAME --reason
TEXT [--expires DATE]`` appends one JSON line to ``DIR/review.jsonl``: who decided, when
(UTC), why, until when, and the SHA-256 of the report.json it refers to. The file is only
ever appended to; report.json, the machine's verdicts, is never rewritten.

A decision counts while it is *active*: it refers to this bundle's report.json and has not
expired (``expires`` is the last day it counts, compared with the as-of date). The latest
active decision on a requirement wins; earlier ones are *superseded*. The *effective*
outcome is the overall status (:func:`verifier.models.overall_status`) of the requirements
with active decisions applied.

This module reads and judges decisions and imports neither the reports nor the bundle
check, which both read it. Recording one (check the bundle, append, render report.html
again, re-seal SHA256SUMS) is a run-level act: :mod:`verifier.run.review`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verifier.bundle.files import MAX_JSON, REPORT_JSON, file_sha256, read_regular
from verifier.errors import BundleError
from verifier.models import Status, overall_status

if TYPE_CHECKING:
    from verifier.report.model import Report

REVIEW_FILE = "review.jsonl"
REVIEW_SCHEMA = "finops-verifier/review/v1"
DECISIONS = (Status.PASS.value, Status.FAIL.value)
"""What a reviewer may decide."""


@dataclass(frozen=True)
class Decision:
    """One line of review.jsonl."""

    requirement: str
    """The requirement id it decides."""
    decision: str
    """``pass`` or ``fail``."""
    reviewer: str
    """Who decided."""
    reason: str
    """Why, in the reviewer's words."""
    decided_at: str
    """When it was recorded (UTC, ISO 8601)."""
    expires: str | None
    """Last day it counts (YYYY-MM-DD); ``None``: it does not expire."""
    report_sha256: str
    """SHA-256 of the report.json it refers to."""

    def to_json(self) -> dict[str, Any]:
        """The JSON line's content."""
        return {"schema": REVIEW_SCHEMA, **asdict(self)}

    def state(self, as_of: dt.date, report_sha256: str) -> str:
        """``active``, ``expired`` (after its last day) or ``other-report``."""
        if self.report_sha256 != report_sha256:
            return "other-report"
        if self.expires is not None and as_of > dt.date.fromisoformat(self.expires):
            return "expired"
        return "active"


def report_sha256(directory: Path) -> str:
    """SHA-256 of ``directory/report.json``, read as a regular file (never through a link:
    :func:`~verifier.bundle.files.file_sha256`)."""
    return file_sha256(directory / REPORT_JSON)


def load_decisions(directory: Path) -> tuple[list[Decision], list[str]]:
    """The decisions of a bundle, in file order, and a problem per unreadable line."""
    data, problems = read_review(directory)
    if data is None:
        return [], problems
    return parse_decisions(data)


def read_review(directory: Path) -> tuple[bytes | None, list[str]]:
    """The bytes of ``directory/review.jsonl`` (``None`` when absent or unreadable, with
    the problem)."""
    path = directory / REVIEW_FILE
    if not path.exists() and not path.is_symlink():
        return None, []
    try:
        # Never through a link, never a pipe or device: the bundle may be someone else's.
        return read_regular(path, MAX_JSON), []
    except (OSError, BundleError) as exc:
        return None, [f"{REVIEW_FILE} cannot be read ({exc})"]


def parse_decisions(data: bytes) -> tuple[list[Decision], list[str]]:
    """The decisions in review.jsonl's bytes ``data``, and a problem per line that is not
    one."""
    decisions: list[Decision] = []
    problems: list[str] = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
            expires = fields.get("expires")
            if expires is not None:
                dt.date.fromisoformat(expires)
            decision = Decision(
                requirement=str(fields["requirement"]),
                decision=str(fields["decision"]),
                reviewer=str(fields["reviewer"]),
                reason=str(fields["reason"]),
                decided_at=str(fields["decided_at"]),
                expires=expires,
                report_sha256=str(fields["report_sha256"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            problems.append(f"{REVIEW_FILE} line {number} is not a decision ({exc})")
            continue
        if decision.decision not in DECISIONS:
            problems.append(f"{REVIEW_FILE} line {number}: unknown decision {decision.decision!r}")
            continue
        decisions.append(decision)
    return decisions, problems


def review_date(report: Report, decisions: list[Decision]) -> dt.date:
    """The day report.html judges decisions on: that of the latest decision recorded
    (the day the page was last rendered by ``review``), else the report's as-of date.

    A function of report.json and review.jsonl alone, never of the clock, so that the
    page rendered again by ``bundle check`` is the page ``review`` wrote. Whether a
    decision has expired since is what ``review DIR --as-of DATE`` shows.
    """
    days = [day for day in (_day(d.decided_at) for d in decisions) if day is not None]
    if days:
        return max(days)
    return _day(report.run.as_of) or dt.date.min


def _day(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def review_view(
    report: Report, decisions: list[Decision], as_of: dt.date, sha256: str
) -> dict[str, Any]:
    """Decisions by requirement with their state, effective statuses and outcome.

    Returns ``{"by_requirement": {id: [(decision, state), ...]}, "effective": {id:
    status}, "outcome": status, "active": n}``.
    """
    by_req: dict[str, list[tuple[Decision, str]]] = {}
    winner: dict[str, Decision] = {}
    # Where each requirement's winner sits in its list, so that a later active decision
    # marks it superseded in one step: one pass over the decisions, however many (a
    # review.jsonl may hold tens of thousands, all on one requirement).
    winner_at: dict[str, int] = {}
    for d in decisions:
        state = d.state(as_of, sha256)
        items = by_req.setdefault(d.requirement, [])
        if state == "active":
            at = winner_at.get(d.requirement)
            if at is not None:
                items[at] = (items[at][0], "superseded")
            winner_at[d.requirement] = len(items)
            winner[d.requirement] = d
        items.append((d, state))
    effective: dict[str, str] = {}
    for req in report.requirements:
        rid = str(req.id)
        chosen = winner.get(rid)
        effective[rid] = chosen.decision if chosen else str(req.raw_status)
    known = {s.value for s in Status}
    statuses = [Status(s) if s in known else Status.ERROR for s in effective.values()]
    return {
        "by_requirement": by_req,
        "effective": effective,
        "outcome": overall_status(statuses).value,
        "active": len(winner),
    }
