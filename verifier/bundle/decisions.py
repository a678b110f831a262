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

After appending, ``report.html`` is rendered again (it shows the machine's verdict and
the decisions side by side) and ``SHA256SUMS`` is rewritten, so that the bundle stays
checkable: see :mod:`verifier.bundle.check`. A decision is refused when the bundle does not
pass ``bundle check`` first.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verifier.clock import utc_clock
from verifier.errors import BundleError, InputError
from verifier.models import Status, overall_status

if TYPE_CHECKING:
    from verifier.report.model import Report

REVIEW_FILE = "review.jsonl"
REVIEW_SCHEMA = "finops-verifier/review/v1"
DECISIONS = ("pass", "fail")
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
    """SHA-256 of ``directory/report.json``."""
    return hashlib.sha256((directory / "report.json").read_bytes()).hexdigest()


def load_decisions(directory: Path) -> tuple[list[Decision], list[str]]:
    """The decisions of a bundle, in file order, and a problem per unreadable line."""
    data, problems = read_review(directory)
    if data is None:
        return [], problems
    return parse_decisions(data)


def read_review(directory: Path) -> tuple[bytes | None, list[str]]:
    """The bytes of ``directory/review.jsonl`` (``None`` when absent or unreadable, with
    the problem)."""
    from verifier.bundle.check import MAX_JSON
    from verifier.bundle.files import read_regular

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


def append_decision(
    directory: Path,
    *,
    requirement: str,
    decision: str,
    reviewer: str,
    reason: str,
    expires: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Check the bundle, append one decision, re-render report.html, re-seal the bundle.

    Raises :class:`BundleError` when the bundle fails its check and :class:`InputError`
    for an unknown requirement, an empty reason or reviewer, or an expiry in the past.
    """
    if not directory.is_dir():
        raise BundleError(f"{directory} is not a directory")
    # One review at a time per bundle: check, append, render and re-seal belong together.
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return _append_locked(directory, requirement, decision, reviewer, reason, expires, now)
    finally:
        os.close(fd)  # closing releases the lock


def _utf8(option: str, value: str) -> str:
    # A shell passes argument bytes that are not UTF-8 through as lone surrogates; they
    # cannot be written to review.jsonl, so refuse them before anything is written.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start].encode("utf-8", "surrogateescape")
        raise InputError(
            f"{option} holds bytes that are not UTF-8 text (byte 0x{bad.hex()} at character "
            f"{exc.start + 1}): write it again as UTF-8"
        ) from None
    return value


def _append_locked(
    directory: Path,
    requirement: str,
    decision: str,
    reviewer: str,
    reason: str,
    expires: dt.date | None,
    now: dt.datetime | None,
) -> Decision:
    from verifier.bundle.check import MAX_JSON, check_bundle
    from verifier.bundle.files import read_regular
    from verifier.report import Basis
    from verifier.report.html import html_of

    result = check_bundle(directory)
    if not result.ok:
        raise BundleError(
            f"{directory} fails its integrity check, so no decision can be recorded on it:\n"
            + result.describe()
        )
    # Each file read once: the decision names, and report.html is rendered from, these.
    report_json = read_regular(directory / "report.json", MAX_JSON)
    old, _ = read_review(directory)
    try:
        basis = Basis.of(report_json, None)
    except ValueError as exc:
        raise BundleError(f"{directory / 'report.json'} cannot be read as JSON ({exc})") from exc
    known = [str(r.id) for r in basis.report.requirements]
    if requirement not in known:
        raise InputError(
            f"{directory} has no requirement {requirement!r}; its requirements are: "
            + ", ".join(known)
        )
    if decision not in DECISIONS:
        raise InputError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if not _utf8("--reason", reason).strip():
        raise InputError("a decision needs a reason (--reason): say why, for the auditor")
    if not _utf8("--reviewer", reviewer).strip():
        raise InputError("a decision needs the reviewer's name (--reviewer)")
    moment = (now or utc_clock()).astimezone(dt.UTC).replace(microsecond=0)
    if expires is not None and expires < moment.date():
        raise InputError(f"--expires {expires.isoformat()} is already past")
    made = Decision(
        requirement=requirement,
        decision=decision,
        reviewer=reviewer.strip(),
        reason=reason.strip(),
        decided_at=moment.isoformat().replace("+00:00", "Z"),
        expires=expires.isoformat() if expires else None,
        report_sha256=basis.report_sha256,
    )
    # Everything that can fail on the input is done in memory first: the line and the
    # new report.html, rendered from the bytes review.jsonl will hold (as bundle check
    # renders it). Only then is the bundle touched, and undone if a write fails.
    line = (json.dumps(made.to_json(), sort_keys=True, ensure_ascii=False) + "\n").encode()
    if old and not old.endswith(b"\n"):
        line = b"\n" + line  # a last line without its newline must not swallow this one
    decisions, problems = parse_decisions((old or b"") + line)
    html = html_of(replace(basis, decisions=tuple(decisions), decision_problems=tuple(problems)))
    try:
        _commit(directory, line, html)
    except RollbackFailed:
        raise
    except OSError as exc:
        where = f" while writing {exc.filename}" if exc.filename else ""
        raise BundleError(
            f"cannot record the decision in {directory}: {exc.strerror or exc}{where}; the "
            "bundle was left as it was"
        ) from exc
    return made


class RollbackFailed(BundleError):
    """A failed review could not be undone; the bundle may no longer pass its check."""


def _commit(directory: Path, line: bytes, html: bytes) -> None:
    from verifier.bundle.check import write_manifest
    from verifier.bundle.store import atomic_write
    from verifier.report.html import HTML_FILE

    review, page = directory / REVIEW_FILE, directory / HTML_FILE
    size = review.stat().st_size if review.exists() else None
    old_page = page.read_bytes() if page.is_file() else None
    try:
        # Append, never rewrite: earlier decisions stay byte for byte what they were.
        try:
            with review.open("ab") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            exc.filename = exc.filename or str(review)
            raise
        atomic_write(page, html)
        write_manifest(directory)  # atomic: the old seal or the new one, never half
    except BaseException as failure:
        # Put the bundle back as it was, so that it still passes its check.
        try:
            if size is None:
                review.unlink(missing_ok=True)
            else:
                os.truncate(review, size)
            if old_page is None:
                page.unlink(missing_ok=True)
            else:
                atomic_write(page, old_page)
        except OSError as undo:
            # The undo failed too (a read-only disk, say): say so, never claim it worked.
            raise RollbackFailed(
                f"cannot record the decision in {directory} ({failure}), and putting the "
                f"bundle back failed too ({undo.strerror or undo}): it may now fail "
                "'finops-verify bundle check'; restore it from a copy"
            ) from failure
        raise
