"""Which staff decisions of the baseline carry over into a partner's new bundle.

A reviewer's decision (:mod:`verifier.bundle.decisions`) judged the evidence of one
report. It carries into the re-check's bundle only while that evidence holds:

- the decision is the one that counted in the baseline: the latest decision on its
  requirement that refers to the baseline's report.json (an earlier one was superseded
  there; a decision naming another report never counted);
- it has not expired on the re-check's as-of date (else: ``expired``);
- the requirement is still verified, and every capture its baseline evidence cited has
  the same SHA-256 at the same URL in the new evidence, and every statement it cited
  from the submission (evidence naming no page) reads the same, and the requirement
  reads the same and the tool's verdict on it is the same (else: ``evidence changed``,
  with the page, statement, text or verdict that changed);
- the tool's verdict then was not ``error``: a decision on what the tool could not
  verify judged what the bundle never held (else: ``evidence changed``, saying so).

A carried decision is written to the new bundle's review.jsonl as a review.jsonl v1 line
that refers to the *new* report.json (so that it counts, and ``bundle check`` accepts
it), keeping the original reviewer, reason, date and expiry, with one added field,
``carried``, saying where it came from (:func:`carried_line`). Readers of v1 ignore a
field they do not know (:func:`verifier.bundle.decisions.parse_decisions` does), so the
line reads as the decision it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from verifier.bundle.decisions import Decision
from verifier.models import Status
from verifier.recheck.model import CarryRecord
from verifier.report.model import FetchFacts, Report, ReportedRequirement

EVIDENCE_CHANGED = "evidence changed"
"""Why a decision is not carried: what it judged is not what the new run saw."""
EXPIRED = "expired"
"""Why a decision is not carried: its last day is before the as-of date."""
CARRIED_FIELD = "carried"
"""The field a carried review.jsonl line adds to v1 (see :class:`CarriedFrom`)."""


@dataclass(frozen=True)
class CarriedFrom:
    """Where a carried decision came from: the ``carried`` field of its line."""

    bundle: str
    """The baseline bundle it was recorded in (``<baseline folder>/partners/<id>``)."""
    report_sha256: str
    """SHA-256 of the baseline's report.json, which the decision first referred to."""
    as_of: str
    """The re-check's as-of date (YYYY-MM-DD) on which it was found to hold."""

    def to_json(self) -> dict[str, Any]:
        """The ``carried`` field's content."""
        return {"bundle": self.bundle, "report_sha256": self.report_sha256, "as_of": self.as_of}

    @classmethod
    def from_json(cls, data: object) -> CarriedFrom | None:
        """The ``carried`` field of a parsed review.jsonl line; ``None`` when it has none
        or it is not one."""
        if not isinstance(data, dict):
            return None
        values = [data.get(k) for k in ("bundle", "report_sha256", "as_of")]
        if not all(isinstance(v, str) for v in values):
            return None
        return cls(*(str(v) for v in values))


@dataclass(frozen=True)
class CarryResult:
    """What :func:`carry_decisions` found for one partner."""

    carried: tuple[Decision, ...]
    """The decisions to append to the new review.jsonl, each referring to the new
    report.json (write them with :func:`carried_line`)."""
    records: tuple[CarryRecord, ...]
    """One record per baseline decision considered, carried or not, for recheck.json."""


def _cited(req: ReportedRequirement) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    # What a verdict rests on: each page it cites by URL, with every answer it got (its
    # capture, its status and where its redirects ended: the same bytes answering 404, or
    # served from another host, are not the same evidence), and every other piece of
    # evidence (statements from the submission, a page cited but never captured) by what
    # it says. An answer is compared by its whole SHA-256 (the key) and shown by the first
    # digits (the value): an applicant can find two pages sharing the first 12 digits in
    # seconds, never two sharing all 64.
    pages: dict[str, dict[str, str]] = {}
    said: dict[str, str] = {}
    for ev in req.evidence:
        if ev.sha256 and ev.url:
            facts = FetchFacts.of(ev)
            rest = ""
            if facts.status is not None:
                rest += f", status {facts.status}"
            if facts.final_url is not None and facts.final_url != ev.url:
                rest += f", ended at {facts.final_url}"
            shown = pages.setdefault(ev.url, {})
            shown[f"sha256 {ev.sha256}{rest}"] = f"sha256 {ev.sha256[:12]}…{rest}"
        else:
            said[f"{ev.kind}: {ev.url + ': ' if ev.url else ''}{ev.detail}"] = ev.excerpt or ""
    return pages, said


def _answers(answers: dict[str, str], whole: bool) -> str:
    """The answers of one page, for a message: shortened, or ``whole`` (full SHA-256)."""
    return "; ".join(sorted(answers if whole else answers.values()))


def evidence_change(before: ReportedRequirement, after: ReportedRequirement | None) -> str | None:
    """What changed in what a decision on ``before`` judged, in one sentence a person
    reads; ``None`` when all of it holds in ``after``: the same pages cited, each with the
    same answers (capture, status, final URL), and the same statements; a page cited now
    that was not then stops the decision too: it judged other evidence. And the same
    requirement judged the same way: its published text, and the tool's own verdict (a
    reviewer who passed what the tool left needs_review did not judge a fail, nor a
    check that stopped with an error; a stricter edition of the policy can fail the very
    same pages)."""
    if after is None:
        return "the requirement is no longer verified"
    if before.raw_status == Status.ERROR:
        # The tool captured nothing it could judge (a fault, a refusal such as a 403 to
        # its client only): the reviewer judged what the bundle does not hold, so no
        # renewal can show that it holds, even when the same fault repeats.
        return (
            "the tool could not verify it then (error): "
            "the decision judged what the bundle never held"
        )
    changed = _evidence_change(before, after)
    if changed is not None:
        return changed
    if before.text != after.text:
        return "the requirement reads differently now (its published text)"
    if before.raw_status != after.raw_status:
        return f"the tool's verdict changed ({before.raw_status} then; {after.raw_status} now)"
    return None


def _evidence_change(before: ReportedRequirement, after: ReportedRequirement) -> str | None:
    old_pages, old_said = _cited(before)
    new_pages, new_said = _cited(after)
    for url in sorted(old_pages):
        if url not in new_pages:
            return f"{url} was not fetched for it now"
        if old_pages[url].keys() != new_pages[url].keys():
            old, new = _answers(old_pages[url], False), _answers(new_pages[url], False)
            if old == new:  # other bytes whose SHA-256 begin alike: show them whole
                old, new = _answers(old_pages[url], True), _answers(new_pages[url], True)
            return f"{url} answered otherwise ({old} then; {new} now)"
    for url in sorted(set(new_pages) - set(old_pages)):
        return f"it rests on {url} now, which it did not then"
    # The submission's own statements first: what a reviewer most likely judged.
    for what in sorted(old_said, key=lambda w: (not w.startswith("statement:"), w)):
        if new_said.get(what) != old_said[what]:
            return f"{what} reads differently now"
    for what in sorted(set(new_said) - set(old_said)):
        return f"{what} is new"
    return None


def counted_decisions(decisions: Iterable[Decision], report_sha256: str) -> list[Decision]:
    """The decision that counted for each requirement in a bundle: the latest one
    referring to its report.json (``report_sha256``), in file order of those winners."""
    latest: dict[str, Decision] = {}
    for d in decisions:
        if d.report_sha256 == report_sha256:
            latest.pop(d.requirement, None)  # re-inserted: keeps the order of the winners
            latest[d.requirement] = d
    return list(latest.values())


def carry_decisions(
    baseline: Report,
    baseline_sha256: str,
    decisions: Sequence[Decision],
    report: Report,
    report_sha256: str,
    as_of: dt.date,
    source: str,
) -> CarryResult:
    """The baseline decisions of one partner that carry into its new bundle.

    :param baseline: the baseline bundle's report.json; ``baseline_sha256`` its hash.
    :param decisions: the baseline bundle's review.jsonl decisions, in file order.
    :param report: the new report.json; ``report_sha256`` its hash.
    :param as_of: the re-check's as-of date, on which expiry is judged.
    :param source: the baseline bundle, as the carried lines name it.
    """
    old = _by_id(baseline.requirements)
    new = _by_id(report.requirements)
    carried: list[Decision] = []
    records: list[CarryRecord] = []
    for d in counted_decisions(decisions, baseline_sha256):
        reason, detail = None, None
        if d.expires is not None and as_of > dt.date.fromisoformat(d.expires):
            reason, detail = EXPIRED, f"its last day was {d.expires}"
        elif d.requirement in old:
            detail = evidence_change(old[d.requirement], new.get(d.requirement))
            reason = EVIDENCE_CHANGED if detail is not None else None
        else:
            # Decisions name a requirement of their report; this one is not in it.
            reason, detail = EVIDENCE_CHANGED, "the baseline report does not verify it"
        if reason is None:
            carried.append(replace(d, report_sha256=report_sha256))
        records.append(
            CarryRecord(
                requirement=d.requirement,
                decision=d.decision,
                reviewer=d.reviewer,
                decided_at=d.decided_at,
                expires=d.expires,
                carried=reason is None,
                reason=reason,
                detail=detail,
            )
        )
    return CarryResult(tuple(carried), tuple(records))


def _by_id(requirements: Iterable[ReportedRequirement]) -> Mapping[str, ReportedRequirement]:
    return {str(r.id): r for r in requirements if r.id is not None}


def carried_line(decision: Decision, origin: CarriedFrom) -> bytes:
    """The review.jsonl line of a carried decision: v1's fields, as
    :func:`~verifier.bundle.decisions.append_decision` writes them, plus ``carried``."""
    fields = {**decision.to_json(), CARRIED_FIELD: origin.to_json()}
    return (json.dumps(fields, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
