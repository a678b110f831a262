"""Value objects that flow through a verification.

Files written by people (submission, policy, sources) are validated at the edge, in
:mod:`verifier.inputs`, into the objects here; nothing downstream sees a raw dict. Everything
here is immutable.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """The verdict on one requirement (and, except ``not_applicable``, on a report)."""

    PASS = "pass"
    """The evidence shows the requirement is met."""
    FAIL = "fail"
    """The evidence shows the requirement is not met."""
    NEEDS_REVIEW = "needs_review"
    """Evidence was gathered but a person must judge it."""
    ERROR = "error"
    """The check could not decide (network fault, time-out, robots.txt, a crash)."""
    NOT_APPLICABLE = "not_applicable"
    """The requirement does not apply to this submission."""


def overall_status(statuses: list[Status]) -> Status:
    """Combine requirement statuses: fail > error > needs_review > pass.

    ``not_applicable`` requirements do not change the result; a report with no applicable
    requirement passes.
    """
    for worst in (Status.FAIL, Status.ERROR, Status.NEEDS_REVIEW):
        if worst in statuses:
            return worst
    return Status.PASS


@dataclass(frozen=True)
class Evidence:
    """One thing a verdict relied on, or one search that found nothing.

    Serialised into ``requirements[].evidence[]`` of report.json; ``kind``, ``url``,
    ``sha256``, ``fetched_at`` and ``detail`` are always present (``None`` when unknown).
    """

    kind: str
    """What it is: ``fetch``, ``link``, ``directory-entry``, ``certificate``, ``search``..."""
    detail: str
    """One sentence a person reads: what was found, or what was searched and not found."""
    url: str | None = None
    """The page it is about (for a fetch, the URL asked)."""
    sha256: str | None = None
    """SHA-256 of the captured body it was found in; the body is ``captures/<sha256>``."""
    fetched_at: str | None = None
    """When that body was fetched (UTC, ISO 8601)."""
    excerpt: str | None = None
    """The exact passage, link text or CSS path that counted."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Further structured facts (status, redirect hops, attempts, matched name...)."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form: the five contract fields, then the optional ones."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "url": self.url,
            "sha256": self.sha256,
            "fetched_at": self.fetched_at,
            "detail": self.detail,
        }
        if self.excerpt is not None:
            out["excerpt"] = self.excerpt
        if self.data:
            out["data"] = dict(self.data)
        return out


@dataclass(frozen=True)
class Outcome:
    """What a check returns: a status and one sentence saying why.

    Evidence is recorded through ``ctx.evidence(...)`` (and every fetch automatically), so
    an outcome carries only extra evidence a check prefers to return directly.
    """

    status: Status
    """The verdict."""
    summary: str
    """One sentence a person reads, e.g. "37 valid of 40 submitted; 35 required"."""
    evidence: tuple[Evidence, ...] = ()
    """Evidence in addition to what was recorded on the context."""

    @classmethod
    def passed(cls, summary: str) -> Outcome:
        """A ``pass`` outcome."""
        return cls(Status.PASS, summary)

    @classmethod
    def failed(cls, summary: str) -> Outcome:
        """A ``fail`` outcome."""
        return cls(Status.FAIL, summary)

    @classmethod
    def needs_review(cls, summary: str) -> Outcome:
        """A ``needs_review`` outcome."""
        return cls(Status.NEEDS_REVIEW, summary)

    @classmethod
    def error(cls, summary: str) -> Outcome:
        """An ``error`` outcome: the check could not decide."""
        return cls(Status.ERROR, summary)

    @classmethod
    def not_applicable(cls, summary: str) -> Outcome:
        """A ``not_applicable`` outcome."""
        return cls(Status.NOT_APPLICABLE, summary)


@dataclass(frozen=True)
class Requirement:
    """One published requirement of one tier, as a policy states it."""

    id: str
    """Stable id, e.g. ``practitioners``."""
    text: str
    """The published text, word for word."""
    check: str
    """Name of the check that verifies it."""
    params: Mapping[str, Any]
    """The check's params, already validated against its schema (as plain data)."""
    timeout: float | None = None
    """Seconds this requirement may take; ``None``: the run's default."""
    line: int | None = None
    """Line of the requirement in its policy file, for messages."""
    plugin: str | None = None
    """The plugin whose check ``check`` is meant, when the policy names one (its
    ``plugin:`` field); ``None``: the one plugin that provides a check of that name."""


@dataclass(frozen=True)
class Policy:
    """The requirements of one tier of one program version."""

    id: str
    """Unique id, e.g. ``platform-2022``."""
    program: str
    """Program version, e.g. ``2022``."""
    tier: str
    """Tier the submission names, e.g. ``platform``."""
    version: str
    """Revision of this policy file."""
    title: str
    """Human title, e.g. "FinOps Certified Platform (2021-10 to 2023-08)"."""
    source: str | None
    """Where the published requirements are."""
    requirements: tuple[Requirement, ...]
    """In the order of the published page."""
    path: str
    """The file it was loaded from."""
    sha256: str
    """SHA-256 of that file's bytes."""
    source_bytes: bytes = field(default=b"", repr=False, compare=False)
    """Those bytes, read once: a copy of the policy must use them, never read ``path``
    again (``/dev/stdin`` has no second reading)."""


@dataclass(frozen=True)
class RequirementResult:
    """One requirement's verdict with its evidence, as it goes into report.json."""

    requirement: Requirement
    """What was verified."""
    status: Status
    """The verdict."""
    summary: str
    """Why, in one sentence."""
    evidence: tuple[Evidence, ...]
    """Everything the verdict relied on, fetches first."""
    plugin_name: str | None
    """Plugin that provided the check (``None`` when none did)."""
    plugin_version: str | None
    """Version of the check, or of the distribution that shipped it."""
    seconds: float
    """How long the check ran."""
    plugin_selected_by: str | None = None
    """Who chose that plugin where the choice was made: ``"policy"`` or
    ``"prefer-plugin"`` (:meth:`verifier.host.CheckRegistry.selected_by`)."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form of one requirement."""
        plugin: dict[str, Any] = {"name": self.plugin_name, "version": self.plugin_version}
        if self.plugin_selected_by is not None:
            plugin["selected_by"] = self.plugin_selected_by
        return {
            "id": self.requirement.id,
            "text": self.requirement.text,
            "check": self.requirement.check,
            "plugin": plugin,
            "status": self.status.value,
            "summary": self.summary,
            "evidence": [e.to_json() for e in self.evidence],
            "seconds": round(self.seconds, 3),
        }
