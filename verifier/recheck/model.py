"""recheck.json as a typed value: :class:`RecheckSummary` and its parts.

recheck.json is the canonical summary of a renewal re-check (CONTRACT.md, "Renewal
re-check"): one entry per partner with its outcome, its requirements' effective statuses
and what changed since the baseline. :meth:`RecheckSummary.to_json` gives exactly the
contract's shape (with the fields this version adds, listed in docs/recheck.md);
:meth:`RecheckSummary.summarise` computes the overall outcome and the counts from the
partners, so that no caller adds them up in its own way.

A baseline folder comes from outside (an earlier version of the tool, or a person who
edited it), so :meth:`RecheckSummary.from_json` is the one defensive reader, with the
rules of :meth:`verifier.report.model.Report.from_json`: a part of the wrong shape reads
as empty or ``None``, an item of a list that is not an object is skipped, a status or a
kind this version does not know is kept as written. It raises only when the document is
not a JSON object.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifier.bundle.decisions import Decision, review_view
from verifier.bundle.files import MANIFEST, file_sha256, read_json
from verifier.errors import BundleError
from verifier.inputs.roster import is_partner_id
from verifier.models import Status, overall_status
from verifier.report.model import Report, ToolRef, _object, _objects, _text

RECHECK_SCHEMA = "finops-verifier/recheck/v1"
"""The ``schema`` this version writes."""
RECHECK_JSON = "recheck.json"
"""The summary's file name in a re-check folder."""
PARTNERS = "partners"
"""The folder of a re-check folder that holds one bundle per partner, by id."""


class ChangeKind(enum.StrEnum):
    """What a change of a requirement's (or a partner's) status means for a person."""

    REGRESSION = "regression"
    """Passed before (by the machine or a staff decision), fails now."""
    ATTENTION = "attention"
    """Passed before, needs review or errs now: look again; a fault is not evidence, so
    this is never a regression."""
    IMPROVEMENT = "improvement"
    """Failed, needed review or erred before, passes now."""
    CHANGED = "changed"
    """Any other change of status."""
    NEW = "new"
    """A requirement or a partner absent from the baseline."""
    REMOVED = "removed"
    """A requirement or a partner of the baseline, gone now."""


@dataclass(frozen=True)
class Change:
    """One entry of ``partners[].changes``."""

    requirement: str | None
    """The requirement id; ``None`` for a change of the partner itself (added, removed,
    or unable to run now or then)."""
    before: str | None
    """Effective status in the baseline (``None``: absent)."""
    after: str | None
    """Effective status now (``None``: absent)."""
    kind: str
    """A :class:`ChangeKind` value, kept as written when read from a baseline."""

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {
            "requirement": self.requirement,
            "before": self.before,
            "after": self.after,
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        """One ``changes[]`` object, read defensively."""
        return cls(
            _text(data.get("requirement")),
            _text(data.get("before")),
            _text(data.get("after")),
            _text(data.get("kind")) or "",
        )


@dataclass(frozen=True)
class PageChange:
    """A page of the partner's bundle that changed since the baseline's."""

    url: str | None
    """The URL asked."""
    before_status: int | None = None
    """Its HTTP status in the baseline (``None``: not fetched, or no answer)."""
    after_status: int | None = None
    """Its HTTP status now."""
    before_sha256: str | None = None
    """SHA-256 of the body in the baseline."""
    after_sha256: str | None = None
    """SHA-256 of the body now."""

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {
            "url": self.url,
            "before_status": self.before_status,
            "after_status": self.after_status,
            "before_sha256": self.before_sha256,
            "after_sha256": self.after_sha256,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PageChange:
        """One page entry, read defensively."""
        return cls(
            _text(data.get("url")),
            _count(data.get("before_status")),
            _count(data.get("after_status")),
            _text(data.get("before_sha256")),
            _text(data.get("after_sha256")),
        )


@dataclass(frozen=True)
class PageChanges:
    """``partners[].pages``: what changed among the pages both bundles fetched."""

    changed: tuple[PageChange, ...] = ()
    """Answered 2xx both times, with another body now (another SHA-256)."""
    gone: tuple[PageChange, ...] = ()
    """Answered 2xx in the baseline, 404 or 410 now, or refused (401, 403, 451)."""
    new: tuple[PageChange, ...] = ()
    """Answered 2xx now, not fetched in the baseline."""

    def __bool__(self) -> bool:
        return bool(self.changed or self.gone or self.new)

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {
            "changed": [p.to_json() for p in self.changed],
            "gone": [p.to_json() for p in self.gone],
            "new": [p.to_json() for p in self.new],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PageChanges:
        """``pages``, read defensively."""

        def pages(name: str) -> tuple[PageChange, ...]:
            return tuple(PageChange.from_json(p) for p in _objects(data.get(name)))

        return cls(pages("changed"), pages("gone"), pages("new"))


@dataclass(frozen=True)
class CarryRecord:
    """``partners[].decisions[]``: a staff decision of the baseline, carried over or not."""

    requirement: str | None
    """The requirement it decides."""
    decision: str | None
    """``pass`` or ``fail``."""
    reviewer: str | None
    """Who decided (the original reviewer)."""
    decided_at: str | None
    """When the reviewer decided (UTC, ISO 8601)."""
    expires: str | None
    """Its last day (YYYY-MM-DD), ``None``: no expiry."""
    carried: bool
    """Whether it counts in this run's bundle."""
    reason: str | None = None
    """Why not: ``evidence changed`` or ``expired`` (``None`` when carried)."""
    detail: str | None = None
    """What a person looks at: the page whose capture changed, or the expiry."""

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {
            "requirement": self.requirement,
            "decision": self.decision,
            "reviewer": self.reviewer,
            "decided_at": self.decided_at,
            "expires": self.expires,
            "carried": self.carried,
            "reason": self.reason,
            "detail": self.detail,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CarryRecord:
        """One ``decisions[]`` object, read defensively."""
        return cls(
            _text(data.get("requirement")),
            _text(data.get("decision")),
            _text(data.get("reviewer")),
            _text(data.get("decided_at")),
            _text(data.get("expires")),
            data.get("carried") is True,
            _text(data.get("reason")),
            _text(data.get("detail")),
        )


@dataclass(frozen=True)
class PartnerResult:
    """One entry of ``partners``."""

    id: str | None
    """The roster id (``partners/<id>/`` holds its bundle)."""
    name: str | None = None
    """The applicant's name, from its report (``None`` when it has none)."""
    tier: str | None = None
    """The tier verified."""
    outcome: str | None = None
    """Its effective outcome; ``None`` for a partner removed from the roster."""
    bundle: str | None = None
    """Its bundle, relative to the re-check folder (``None``: no bundle was written)."""
    report_sha256: str | None = None
    """SHA-256 of its report.json."""
    requirements: Mapping[str, str] = field(default_factory=dict)
    """Effective status of each requirement, by id, in policy order."""
    changes: tuple[Change, ...] = ()
    """What changed since the baseline (empty without one)."""
    error: str | None = None
    """Why the partner could not be verified (an invalid submission), else ``None``."""
    renewal_due: str | None = None
    """The roster's ``renewal_due`` (YYYY-MM-DD), when it gives one."""
    pages: PageChanges = PageChanges()
    """Pages changed, gone and new since the baseline."""
    decisions: tuple[CarryRecord, ...] = ()
    """The baseline's staff decisions for this partner, carried over or not."""
    not_modified: int = 0
    """Pages of its bundle the server said were unchanged (HTTP 304): the baseline's
    bytes, re-used (verifier.fetch.conditional)."""

    @classmethod
    def of_report(
        cls,
        partner_id: str,
        report: Report,
        report_sha256: str,
        decisions: Iterable[Decision],
        as_of: dt.date,
        *,
        renewal_due: dt.date | None = None,
    ) -> PartnerResult:
        """The entry of a partner verified this run: its bundle ``partners/<id>``, its
        effective statuses and outcome with the ``decisions`` of its review.jsonl (those
        carried over included) that are active on ``as_of``."""
        view = review_view(report, list(decisions), as_of, report_sha256)
        return cls(
            id=partner_id,
            name=report.applicant.name,
            tier=report.tier,
            outcome=str(view["outcome"]),
            bundle=f"{PARTNERS}/{partner_id}",
            report_sha256=report_sha256,
            requirements={str(k): str(v) for k, v in view["effective"].items()},
            renewal_due=renewal_due.isoformat() if renewal_due else None,
        )

    @classmethod
    def unverified(
        cls, partner_id: str, message: str, *, renewal_due: dt.date | None = None
    ) -> PartnerResult:
        """The entry of a partner that could not be verified (an invalid submission):
        outcome ``error``, the message, no bundle."""
        return cls(
            id=partner_id,
            outcome=Status.ERROR.value,
            error=message,
            renewal_due=renewal_due.isoformat() if renewal_due else None,
        )

    @property
    def regressions(self) -> int:
        """How many of its changes are regressions."""
        return sum(1 for c in self.changes if c.kind == ChangeKind.REGRESSION)

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {
            "id": self.id,
            "name": self.name,
            "tier": self.tier,
            "outcome": self.outcome,
            "bundle": self.bundle,
            "report_sha256": self.report_sha256,
            "requirements": dict(self.requirements),
            "changes": [c.to_json() for c in self.changes],
            "error": self.error,
            "renewal_due": self.renewal_due,
            "pages": self.pages.to_json(),
            "decisions": [d.to_json() for d in self.decisions],
            "not_modified": self.not_modified,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PartnerResult:
        """One ``partners[]`` object, read defensively."""
        return cls(
            id=_text(data.get("id")),
            name=_text(data.get("name")),
            tier=_text(data.get("tier")),
            outcome=_text(data.get("outcome")),
            bundle=_text(data.get("bundle")),
            report_sha256=_text(data.get("report_sha256")),
            requirements={
                str(k): str(v)
                for k, v in _object(data.get("requirements")).items()
                if v is not None and not isinstance(v, dict | list)
            },
            changes=tuple(Change.from_json(c) for c in _objects(data.get("changes"))),
            error=_text(data.get("error")),
            renewal_due=_text(data.get("renewal_due")),
            pages=PageChanges.from_json(_object(data.get("pages"))),
            decisions=tuple(CarryRecord.from_json(d) for d in _objects(data.get("decisions"))),
            not_modified=max(_count(data.get("not_modified")) or 0, 0),
        )


@dataclass(frozen=True)
class RecheckRun:
    """``run``: when the re-check ran and the date expiries were judged on."""

    started: str | None = None
    """When it started (UTC, ISO 8601)."""
    finished: str | None = None
    """When the last partner finished."""
    as_of: str | None = None
    """The as-of date (YYYY-MM-DD)."""

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {"started": self.started, "finished": self.finished, "as_of": self.as_of}


@dataclass(frozen=True)
class RosterRef:
    """``roster``: the roster file re-checked."""

    path: str | None = None
    """Its path, as given."""
    sha256: str | None = None
    """SHA-256 of its bytes."""
    resolved: str | None = None
    """Its absolute path: the roster a history's ``--baseline last`` looks runs up by."""
    partners: int | None = None
    """How many partners it lists: a run that re-checked fewer is not complete."""

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "resolved": self.resolved,
            "partners": self.partners,
        }


@dataclass(frozen=True)
class BaselineRef:
    """``baseline``: the earlier re-check folder compared with."""

    path: str | None = None
    """The folder, as given."""
    started: str | None = None
    """When that re-check started (its ``run.started``)."""

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {"path": self.path, "started": self.started}


@dataclass(frozen=True)
class ShardRef:
    """``shard`` (*added*): the part of the roster a ``--shard I/N`` run re-checked."""

    index: int | None = None
    """I, from 1 to ``count``."""
    count: int | None = None
    """N, the number of shards."""
    places: tuple[int, ...] = ()
    """For each entry of ``partners``, in order, its place in the list a run of the whole
    roster makes: its position in the roster (from 0) or, for a partner removed since the
    baseline, the roster's length plus its position in the baseline. ``recheck merge``
    orders the partners of every shard by it."""

    def to_json(self) -> dict[str, Any]:
        """The recheck.json form."""
        return {"index": self.index, "count": self.count, "places": list(self.places)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShardRef:
        """``shard``, read defensively."""
        raw = data.get("places")
        places = raw if isinstance(raw, list) else []
        return cls(
            _count(data.get("index")),
            _count(data.get("count")),
            tuple(p for p in places if _count(p) is not None),
        )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


COUNTED = (Status.PASS, Status.FAIL, Status.NEEDS_REVIEW, Status.ERROR)
"""The partner outcomes ``counts`` gives a number for."""


@dataclass(frozen=True)
class RecheckSummary:
    """recheck.json: the canonical summary of one renewal re-check."""

    schema: str | None = RECHECK_SCHEMA
    """The format's name and version."""
    tool: ToolRef = field(default_factory=ToolRef)
    """The program that wrote it."""
    run: RecheckRun = RecheckRun()
    """When it ran."""
    roster: RosterRef = RosterRef()
    """The roster re-checked."""
    baseline: BaselineRef | None = None
    """The baseline compared with (``None``: no ``--baseline``)."""
    outcome: str | None = Status.PASS.value
    """The worst outcome of the partners re-checked (fail > error > needs_review > pass)."""
    counts: Mapping[str, int] = field(default_factory=dict)
    """Partners re-checked, by outcome, and the regressions among their changes."""
    partners: tuple[PartnerResult, ...] = ()
    """Every partner re-checked, then those removed since the baseline."""
    not_modified: int = 0
    """Pages answered HTTP 304 and re-used from the baseline, over every partner's bundle
    (a page several partners read counts once per bundle)."""
    history: str | None = None
    """The history file this run is recorded in (absolute); ``None``: ``--no-history``."""
    baseline_sha256sums: str | None = None
    """*Added*: SHA-256 of the baseline folder's SHA256SUMS when this run read it: the
    link of the hash chain from this run to its baseline (``None``: no baseline, or one
    without SHA256SUMS)."""
    shard: ShardRef | None = None
    """*Added*: the shard this run re-checked (``None``: the whole roster)."""

    @classmethod
    def summarise(
        cls,
        partners: Iterable[PartnerResult],
        *,
        tool: ToolRef,
        run: RecheckRun,
        roster: RosterRef,
        baseline: BaselineRef | None = None,
        history: str | None = None,
        baseline_sha256sums: str | None = None,
        shard: ShardRef | None = None,
    ) -> RecheckSummary:
        """The summary of ``partners``, with the outcome and counts they make.

        A removed partner (outcome ``None``) is listed but not counted; a partner
        outcome this version does not know counts as ``error``.
        """
        listed = tuple(partners)
        checked = [p for p in listed if p.outcome is not None]
        known = {s.value for s in Status}
        outcomes = [Status(p.outcome) if p.outcome in known else Status.ERROR for p in checked]
        counts = {"partners": len(checked)}
        counts |= {s.value: outcomes.count(s) for s in COUNTED}
        counts["regressions"] = sum(p.regressions for p in listed)
        return cls(
            tool=tool,
            run=run,
            roster=roster,
            baseline=baseline,
            outcome=overall_status(outcomes).value,
            counts=counts,
            partners=listed,
            not_modified=sum(p.not_modified for p in listed),
            history=history,
            baseline_sha256sums=baseline_sha256sums,
            shard=shard,
        )

    def partner(self, partner_id: str) -> PartnerResult | None:
        """The entry of ``partner_id``, if listed."""
        return next((p for p in self.partners if p.id == partner_id), None)

    def to_json(self) -> dict[str, Any]:
        """recheck.json's content (dumped with sorted keys by the writer)."""
        return {
            "schema": self.schema,
            "tool": self.tool.to_json(),
            "run": self.run.to_json(),
            "roster": self.roster.to_json(),
            "baseline": self.baseline.to_json() if self.baseline is not None else None,
            "outcome": self.outcome,
            "counts": dict(self.counts),
            "partners": [p.to_json() for p in self.partners],
            "not_modified": self.not_modified,
            "history": self.history,
            "baseline_sha256sums": self.baseline_sha256sums,
            "shard": self.shard.to_json() if self.shard is not None else None,
        }

    @classmethod
    def from_json(cls, data: object) -> RecheckSummary:
        """A recheck.json's parsed content, read defensively (see the module docstring).

        Raises :class:`ValueError` only when ``data`` is not a JSON object.
        """
        if not isinstance(data, dict):
            raise ValueError("recheck.json does not hold a JSON object")
        tool, run, roster = (_object(data.get(k)) for k in ("tool", "run", "roster"))
        baseline, shard = data.get("baseline"), data.get("shard")
        return cls(
            schema=_text(data.get("schema")),
            tool=ToolRef(_text(tool.get("name")), _text(tool.get("version"))),
            run=RecheckRun(
                _text(run.get("started")), _text(run.get("finished")), _text(run.get("as_of"))
            ),
            roster=RosterRef(
                _text(roster.get("path")),
                _text(roster.get("sha256")),
                _text(roster.get("resolved")),
                _count(roster.get("partners")),
            ),
            baseline=(
                BaselineRef(_text(baseline.get("path")), _text(baseline.get("started")))
                if isinstance(baseline, dict)
                else None
            ),
            outcome=_text(data.get("outcome")),
            counts={
                str(k): v
                for k, v in _object(data.get("counts")).items()
                if isinstance(v, int) and not isinstance(v, bool)
            },
            partners=tuple(PartnerResult.from_json(p) for p in _objects(data.get("partners"))),
            not_modified=max(_count(data.get("not_modified")) or 0, 0),
            history=_text(data.get("history")),
            baseline_sha256sums=_text(data.get("baseline_sha256sums")),
            shard=ShardRef.from_json(shard) if isinstance(shard, dict) else None,
        )


MAX_RECHECK_JSON = 64 * 1024 * 1024
"""Largest recheck.json read from a baseline folder (bytes): 5,000 partners of a few
kilobytes each come to about 20 MB."""


def load_summary(folder: Path) -> RecheckSummary:
    """The recheck.json of a re-check folder (a ``--baseline``), read as a regular file
    (never through a link) within :data:`MAX_RECHECK_JSON`, then defensively
    (:meth:`RecheckSummary.from_json`). :class:`BundleError` (exit 2) when there is none,
    or it is no JSON object."""
    path = folder / RECHECK_JSON
    if not path.exists() and not path.is_symlink():
        raise BundleError(
            f"{folder} holds no {RECHECK_JSON}: give the folder of an earlier re-check"
        )
    data = read_json(path, MAX_RECHECK_JSON)
    try:
        return RecheckSummary.from_json(data)
    except ValueError as exc:
        raise BundleError(f"{path} does not hold a JSON object") from exc


def partner_bundle(folder: Path, partner: PartnerResult) -> Path | None:
    """Where ``partner``'s bundle is in the re-check ``folder``: ``partners/<id>``, built
    from an id that can name a folder (never from the ``bundle`` text, which a baseline
    from elsewhere may point anywhere); ``None`` when it has no bundle."""
    if partner.bundle is None or not is_partner_id(partner.id):
        return None
    return folder / PARTNERS / str(partner.id)


def manifest_sha256(folder: Path) -> str | None:
    """SHA-256 of ``folder``'s SHA256SUMS, read as a regular file (never through a link);
    ``None`` when it has none: the link a run records to its baseline folder."""
    try:
        return file_sha256(folder / MANIFEST)
    except (OSError, BundleError):
        return None
