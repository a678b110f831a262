"""Reviewing a bundle: record a person's decision on one requirement.

:func:`append_decision` is what ``finops-verify review DIR --requirement ...`` does: check
the bundle (a decision is refused on a bundle that fails ``bundle check``), append one
line to ``review.jsonl`` (:mod:`verifier.bundle.decisions` says what a line holds and
which decisions count), render ``report.html`` again (it shows the machine's verdict and
the decisions side by side) and rewrite ``SHA256SUMS`` (:mod:`verifier.bundle.check`), so
that the bundle stays checkable. One review at a time per bundle (an ``flock`` on its
directory); a failure midway puts the bundle back as it was.

It sits above the bundle check and the report writers, which it composes; neither of
them knows about it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import replace
from pathlib import Path

from verifier.bundle.check import check_bundle, write_manifest
from verifier.bundle.decisions import (
    DECISIONS,
    REVIEW_FILE,
    Decision,
    parse_decisions,
    read_review,
)
from verifier.bundle.files import MAX_JSON, REPORT_JSON, read_regular
from verifier.bundle.store import atomic_write
from verifier.clock import utc_clock
from verifier.errors import BundleError, InputError
from verifier.report.basis import Basis
from verifier.report.formats import ReportFormats, builtin_formats
from verifier.report.html import HTML_FILE, html_of


def append_decision(
    directory: Path,
    *,
    requirement: str,
    decision: str,
    reviewer: str,
    reason: str,
    expires: dt.date | None = None,
    now: dt.datetime | None = None,
    formats: ReportFormats | None = None,
) -> Decision:
    """Check the bundle, append one decision, re-render report.html, re-seal the bundle.

    :param formats: the report formats (default: the built-ins) the bundle is checked
        with; besides report.html, each of them the bundle holds is rendered again when
        the decision changes it (a plugin's format may show decisions too).

    Raises :class:`BundleError` when the bundle fails its check and :class:`InputError`
    for an unknown requirement, an empty reason or reviewer, or an expiry in the past.
    """
    if not directory.is_dir():
        raise BundleError(f"{directory} is not a directory")
    # One review at a time per bundle: check, append, render and re-seal belong together.
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return _append_locked(
            directory, requirement, decision, reviewer, reason, expires, now, formats
        )
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
    formats: ReportFormats | None,
) -> Decision:
    formats = formats or builtin_formats()
    result = check_bundle(directory, formats)
    if not result.ok:
        raise BundleError(
            f"{directory} fails its integrity check, so no decision can be recorded on it:\n"
            + result.describe()
        )
    # Each file read once: the decision names, and report.html is rendered from, these.
    report_json = read_regular(directory / REPORT_JSON, MAX_JSON)
    old, _ = read_review(directory)
    try:
        basis = Basis.of(report_json, None)
    except ValueError as exc:
        raise BundleError(f"{directory / REPORT_JSON} cannot be read as JSON ({exc})") from exc
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
    # new human reports, rendered from the bytes review.jsonl will hold (as bundle check
    # renders them). Only then is the bundle touched, and undone if a write fails.
    line = (json.dumps(made.to_json(), sort_keys=True, ensure_ascii=False) + "\n").encode()
    try:
        _append(directory, basis, old, line, formats)
    except OSError as exc:  # RollbackFailed is no OSError: it goes through as it is
        where = f" while writing {exc.filename}" if exc.filename else ""
        raise BundleError(
            f"cannot record the decision in {directory}: {exc.strerror or exc}{where}; the "
            "bundle was left as it was"
        ) from exc
    return made


def append_lines(directory: Path, lines: bytes, formats: ReportFormats | None = None) -> None:
    """Append review.jsonl ``lines`` prepared elsewhere (decisions carried over by a
    re-check, :mod:`verifier.recheck.carry`) to a bundle this process just wrote, render
    its human reports again and re-seal it, as :func:`append_decision` does; a failure
    puts the bundle back as it was (``OSError``)."""
    old, _ = read_review(directory)
    basis = Basis.of(read_regular(directory / REPORT_JSON, MAX_JSON), None)
    _append(directory, basis, old, lines, formats or builtin_formats())


def _append(
    directory: Path, basis: Basis, old: bytes | None, lines: bytes, formats: ReportFormats
) -> None:
    # Append ``lines`` to review.jsonl (``old``: its bytes now), render the human reports
    # from the bytes it will hold (as bundle check renders them), re-seal; ``basis``:
    # report.json's. A failure puts the bundle back as it was.
    if old and not old.endswith(b"\n"):
        lines = b"\n" + lines  # a last line without its newline must not swallow these
    decisions, problems = parse_decisions((old or b"") + lines)
    after = replace(basis, decisions=tuple(decisions), decision_problems=tuple(problems))
    _commit(directory, lines, _pages(directory, after, formats))


class RollbackFailed(BundleError):
    """A failed review could not be undone; the bundle may no longer pass its check."""


def _pages(directory: Path, basis: Basis, formats: ReportFormats) -> dict[Path, bytes]:
    # report.html always (it shows the decisions); any other human report the bundle
    # holds only when the new decision changes its bytes.
    pages = {directory / HTML_FILE: html_of(basis)}
    for fmt in formats.human():
        path = directory / fmt.file
        if path not in pages and path.is_file():
            page = fmt.render(basis)
            if page != read_regular(path, MAX_JSON):
                pages[path] = page
    return pages


def _commit(directory: Path, line: bytes, pages: dict[Path, bytes]) -> None:
    review = directory / REVIEW_FILE
    size = review.stat().st_size if review.exists() else None
    old_pages = {page: page.read_bytes() if page.is_file() else None for page in pages}
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
        for page, data in pages.items():
            atomic_write(page, data)
        write_manifest(directory)  # atomic: the old seal or the new one, never half
    except BaseException as failure:
        # Put the bundle back as it was, so that it still passes its check.
        try:
            if size is None:
                review.unlink(missing_ok=True)
            else:
                os.truncate(review, size)
            for page, old_page in old_pages.items():
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
