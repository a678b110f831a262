"""report.json as a typed value: :class:`Report` and its parts.

The engine side builds a :class:`Report` (:func:`verifier.run.verify.build_report`) and
:meth:`Report.to_json` gives report.json's content; every reader (the human reports,
``bundle check``, ``replay``, ``review``, the command line) takes a :class:`Report` and
reads typed attributes. This module is the only one that walks report.json's dicts.

A report.json may come from outside: another version of the tool, or a person who edited
it. :meth:`Report.from_json` is the one defensive reader. It never raises on a part of
the wrong shape (only on a document that is not a JSON object at all) and keeps what the
views need to say what they found:

- a part that is absent or not an object reads as an empty part (every field ``None``);
- an item of a list that is not an object (a requirement, a piece of evidence, a plugin
  problem) is skipped;
- a text field holding another JSON value keeps that value as text (``str(value)``, which
  is what the views showed before), ``null`` stays ``None``;
- a status this version does not know is kept as written
  (:attr:`ReportedRequirement.raw_status`, :attr:`Report.raw_outcome`), read as
  :attr:`~verifier.models.Status.ERROR` by :attr:`ReportedRequirement.status` and
  :attr:`Report.outcome`, and shown by the views as ``UNKNOWN: <raw>``;
- a status that is absent reads as ``error``.

Frozen dataclasses, not pydantic models: the rest of the value objects are dataclasses
(:mod:`verifier.models`, whose :class:`~verifier.models.Evidence` is reused here as is),
and tolerance here is field by field (a wrong field becomes ``None`` or is skipped, the
rest of the report still reads), which a validating parser would turn into an error for
the whole document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from verifier.models import Evidence, RequirementResult, Status

REPORT_SCHEMA = "finops-verifier/report/v1"
"""The ``schema`` this version writes."""

_KNOWN = frozenset(s.value for s in Status)


def _object(value: object) -> Mapping[str, Any]:
    # A part of report.json that should be an object; anything else reads as empty.
    return value if isinstance(value, dict) else {}


def _objects(value: object) -> list[Mapping[str, Any]]:
    # A list of objects; anything else reads as empty, an item not an object is skipped.
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str | None:
    # Text as the views show it: null stays None, any other JSON value becomes its text.
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _path(value: object) -> str | None:
    # A file name the bundle should hold: text only (a number names no file).
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    # A JSON number as written (an int stays an int: 120 is not dumped as 120.0).
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None


def _status(value: object) -> Status:
    return Status(value) if isinstance(value, str) and value in _KNOWN else Status.ERROR


@dataclass(frozen=True)
class ToolRef:
    """``tool``: the program that wrote the report."""

    name: str | None = None
    """``finops-verifier``."""
    version: str | None = None
    """Its version."""
    selected_by: str | None = None
    """Who chose this plugin's check where a choice was made: ``"policy"`` (the
    requirement's ``plugin:`` field) or ``"prefer-plugin"`` (the operator's option, where
    several plugins register the check's name); written only then."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form."""
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.selected_by is not None:
            out["selected_by"] = self.selected_by
        return out


@dataclass(frozen=True)
class RunRecord:
    """``run``: when the checks ran, on which date, with which settings."""

    started: str | None = None
    """When the checks started (UTC, ISO 8601)."""
    finished: str | None = None
    """When the last check finished."""
    as_of: str | None = None
    """The date expiries were judged on (YYYY-MM-DD), as written."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    """The fetch settings (``FetchSettings.to_json()``), as written: a report of another
    version may hold settings this one does not know, and the views show them all."""
    check_timeout: float | None = None
    """Seconds per requirement when its policy set none."""
    formats: tuple[str, ...] = ()
    """The formats written (``json`` and the human reports); a bundle must hold each."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form."""
        return {
            "started": self.started,
            "finished": self.finished,
            "as_of": self.as_of,
            "settings": dict(self.settings),
            "check_timeout": self.check_timeout,
            "formats": list(self.formats),
        }


@dataclass(frozen=True)
class ApplicantRef:
    """``applicant``: who applied, as the submission said."""

    name: str | None = None
    """The applicant's name."""
    website: str | None = None
    """Its website (untrusted: the views link it only when it is http or https)."""
    employees: int | str | None = None
    """The headcount claimed; text when report.json holds something else (shown as is)."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form."""
        return {"name": self.name, "website": self.website, "employees": self.employees}


@dataclass(frozen=True)
class PolicyRef:
    """``policy``: the requirements verified against."""

    id: str | None = None
    """Policy id, e.g. ``platform-2022``."""
    program: str | None = None
    """Program version."""
    version: str | None = None
    """Revision of the policy file."""
    sha256: str | None = None
    """SHA-256 of the policy file."""
    title: str | None = None
    """Human title."""
    source: str | None = None
    """Where the published requirements are (untrusted URL)."""
    file: str | None = None
    """The policy's copy in the bundle (relative path)."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form."""
        return {
            "id": self.id,
            "program": self.program,
            "version": self.version,
            "sha256": self.sha256,
            "title": self.title,
            "source": self.source,
            "file": self.file,
        }


@dataclass(frozen=True)
class SubmissionRef:
    """``submission``: the submission's copy in the bundle."""

    file: str | None = None
    """Relative path of the copy."""
    sha256: str | None = None
    """SHA-256 of the submission's bytes."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form."""
        return {"file": self.file, "sha256": self.sha256}


@dataclass(frozen=True)
class SourceFile:
    """One entry of ``source_files``: a local-file source kept in the bundle."""

    file: str | None = None
    """Relative path of the copy in the bundle."""
    sha256: str | None = None
    """SHA-256 of its bytes."""
    original: str | None = None
    """The path it was read from."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form."""
        return {"file": self.file, "sha256": self.sha256, "original": self.original}


@dataclass(frozen=True)
class PluginProblemRecord:
    """One entry of ``plugins.problems``: a plugin that failed to load or register."""

    plugin: str | None = None
    """The plugin (entry point) name."""
    distribution: str | None = None
    """The distribution that shipped it."""
    message: str | None = None
    """What went wrong."""
    check: str | None = None
    """The check concerned, when one is."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form."""
        return {
            "plugin": self.plugin,
            "distribution": self.distribution,
            "message": self.message,
            "check": self.check,
        }


@dataclass(frozen=True)
class PluginRef:
    """``requirements[].plugin``: which plugin provided the check, at which version."""

    name: str | None = None
    """Plugin name (``None`` when no plugin provided the check)."""
    version: str | None = None
    """Its version."""
    selected_by: str | None = None
    """Who chose this plugin's check where a choice was made: ``"policy"`` (the
    requirement's ``plugin:`` field) or ``"prefer-plugin"`` (the operator's option, where
    several plugins register the check's name); written only then."""

    def to_json(self) -> dict[str, Any]:
        """The report.json form."""
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.selected_by is not None:
            out["selected_by"] = self.selected_by
        return out


@dataclass(frozen=True)
class Hop:
    """One redirect of a recorded fetch (``evidence[].data.hops[]``), as text to show."""

    url: str | None
    """The URL that redirected."""
    status: str | None
    """Its HTTP status."""


@dataclass(frozen=True)
class FetchFacts:
    """What a ``fetch`` evidence's ``data`` says about the answer, as text to show."""

    final_url: str | None
    """The URL that answered, after redirects."""
    status: str | None
    """The HTTP status of the answer."""
    error: str | None
    """Why the fetch failed (``None``: it did not)."""
    hops: tuple[Hop, ...]
    """The redirects followed."""

    @classmethod
    def of(cls, evidence: Evidence) -> FetchFacts:
        """The facts recorded in ``evidence.data`` (free-form: read defensively)."""
        data = evidence.data
        error = data.get("error")
        return cls(
            final_url=_text(data.get("final_url")),
            status=_text(data.get("status")),
            error=_text(error) if error else None,
            hops=tuple(
                Hop(_text(h.get("url")), _text(h.get("status"))) for h in _objects(data.get("hops"))
            ),
        )


def evidence_from_json(data: Mapping[str, Any]) -> Evidence:
    """One ``requirements[].evidence[]`` object as :class:`~verifier.models.Evidence`
    (``kind`` and ``detail`` that are absent read as empty text)."""
    excerpt = data.get("excerpt")
    return Evidence(
        kind=_text(data.get("kind")) or "",
        detail=_text(data.get("detail")) or "",
        url=_text(data.get("url")),
        sha256=_text(data.get("sha256")),
        fetched_at=_text(data.get("fetched_at")),
        excerpt=_text(excerpt),
        data=dict(_object(data.get("data"))),
    )


@dataclass(frozen=True)
class ReportedRequirement:
    """One entry of ``requirements``: a requirement's verdict with its evidence."""

    id: str | None = None
    """Requirement id."""
    text: str | None = None
    """The published text."""
    check: str | None = None
    """The check that verified it."""
    plugin: PluginRef | None = None
    """The plugin that provided the check (``None`` when report.json names none)."""
    raw_status: str | None = Status.ERROR.value
    """The status as written (absent reads as ``error``); see :attr:`status`."""
    summary: str | None = None
    """Why, in one sentence."""
    evidence: tuple[Evidence, ...] = ()
    """Everything the verdict relied on, fetches first."""
    seconds: float | None = None
    """How long the check ran (rounded to the millisecond)."""

    @property
    def status(self) -> Status:
        """The status, :attr:`~verifier.models.Status.ERROR` when this version does not
        know the one written (a report.json from a newer version)."""
        return _status(self.raw_status)

    @property
    def status_known(self) -> bool:
        """Whether :attr:`raw_status` is a status this version knows."""
        return self.raw_status in _KNOWN

    @classmethod
    def of(cls, result: RequirementResult) -> ReportedRequirement:
        """The report's record of one verdict of the engine."""
        return cls(
            id=result.requirement.id,
            text=result.requirement.text,
            check=result.requirement.check,
            plugin=PluginRef(result.plugin_name, result.plugin_version, result.plugin_selected_by),
            raw_status=result.status.value,
            summary=result.summary,
            evidence=result.evidence,
            seconds=round(result.seconds, 3),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportedRequirement:
        """One ``requirements[]`` object, read defensively (see the module docstring)."""
        plugin = data.get("plugin")
        return cls(
            id=_text(data.get("id")),
            text=_text(data.get("text")),
            check=_text(data.get("check")),
            plugin=(
                PluginRef(
                    _text(plugin.get("name")),
                    _text(plugin.get("version")),
                    _text(plugin.get("selected_by")),
                )
                if isinstance(plugin, dict)
                else None
            ),
            raw_status=_text(data.get("status", Status.ERROR.value)),
            summary=_text(data.get("summary")),
            evidence=tuple(evidence_from_json(e) for e in _objects(data.get("evidence"))),
            seconds=_number(data.get("seconds")),
        )

    def to_json(self) -> dict[str, Any]:
        """The report.json form of one requirement."""
        return {
            "id": self.id,
            "text": self.text,
            "check": self.check,
            "plugin": self.plugin.to_json() if self.plugin is not None else None,
            "status": self.raw_status,
            "summary": self.summary,
            "evidence": [e.to_json() for e in self.evidence],
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class Report:
    """report.json: the canonical record of one verification (CONTRACT.md, "report.json")."""

    schema: str | None = REPORT_SCHEMA
    """The report format's name and version."""
    tool: ToolRef = ToolRef()
    """The program that wrote it."""
    run: RunRecord = RunRecord()
    """When and how the checks ran."""
    applicant: ApplicantRef = ApplicantRef()
    """Who applied."""
    tier: str | None = None
    """The tier applied for."""
    policy: PolicyRef = PolicyRef()
    """The requirements verified against."""
    submission: SubmissionRef = SubmissionRef()
    """The submission's copy."""
    sources: Mapping[str, str] = field(default_factory=dict)
    """The location (URL or path) of each named source the run used."""
    raw_outcome: str | None = Status.ERROR.value
    """The overall outcome as written (absent reads as ``error``); see :attr:`outcome`."""
    counts: Mapping[str, int] = field(default_factory=dict)
    """How many requirements have each status."""
    plugin_problems: tuple[PluginProblemRecord, ...] = ()
    """Plugins that failed to load or register (``plugins.problems``)."""
    requirements: tuple[ReportedRequirement, ...] = ()
    """The verdicts, in policy order."""
    source_files: Mapping[str, SourceFile] = field(default_factory=dict)
    """The local-file sources kept in the bundle, by source name."""

    @property
    def outcome(self) -> Status:
        """The overall outcome; :attr:`~verifier.models.Status.ERROR` when this version
        does not know the one written."""
        return _status(self.raw_outcome)

    @property
    def outcome_known(self) -> bool:
        """Whether :attr:`raw_outcome` is a status this version knows."""
        return self.raw_outcome in _KNOWN

    def to_json(self) -> dict[str, Any]:
        """report.json's content (dumped with sorted keys by the writer)."""
        return {
            "schema": self.schema,
            "tool": self.tool.to_json(),
            "run": self.run.to_json(),
            "applicant": self.applicant.to_json(),
            "tier": self.tier,
            "policy": self.policy.to_json(),
            "submission": self.submission.to_json(),
            "sources": dict(self.sources),
            "outcome": self.raw_outcome,
            "counts": dict(self.counts),
            "plugins": {"problems": [p.to_json() for p in self.plugin_problems]},
            "requirements": [r.to_json() for r in self.requirements],
            "source_files": {k: v.to_json() for k, v in self.source_files.items()},
        }

    @classmethod
    def from_json(cls, data: object) -> Report:
        """A report.json's parsed content, read defensively: see the module docstring.

        Raises :class:`ValueError` only when ``data`` is not a JSON object.
        """
        if not isinstance(data, dict):
            raise ValueError("report.json does not hold a JSON object")
        tool = _object(data.get("tool"))
        run = _object(data.get("run"))
        applicant = _object(data.get("applicant"))
        policy = _object(data.get("policy"))
        submission = _object(data.get("submission"))
        employees = applicant.get("employees")
        return cls(
            schema=_text(data.get("schema")),
            tool=ToolRef(_text(tool.get("name")), _text(tool.get("version"))),
            run=RunRecord(
                started=_text(run.get("started")),
                finished=_text(run.get("finished")),
                as_of=_text(run.get("as_of")),
                settings=dict(_object(run.get("settings"))),
                check_timeout=_number(run.get("check_timeout")),
                formats=tuple(f for f in _list(run.get("formats")) if isinstance(f, str)),
            ),
            applicant=ApplicantRef(
                name=_text(applicant.get("name")),
                website=_text(applicant.get("website")),
                employees=(
                    employees
                    if isinstance(employees, int) and not isinstance(employees, bool)
                    else _text(employees)
                ),
            ),
            tier=_text(data.get("tier")),
            policy=PolicyRef(
                id=_text(policy.get("id")),
                program=_text(policy.get("program")),
                version=_text(policy.get("version")),
                sha256=_text(policy.get("sha256")),
                title=_text(policy.get("title")),
                source=_text(policy.get("source")),
                file=_path(policy.get("file")),
            ),
            submission=SubmissionRef(
                _path(submission.get("file")), _text(submission.get("sha256"))
            ),
            sources={
                str(k): str(v) for k, v in _object(data.get("sources")).items() if v is not None
            },
            raw_outcome=_text(data.get("outcome", Status.ERROR.value)),
            counts={
                str(k): v
                for k, v in _object(data.get("counts")).items()
                if isinstance(v, int) and not isinstance(v, bool)
            },
            plugin_problems=tuple(
                PluginProblemRecord(
                    _text(p.get("plugin")),
                    _text(p.get("distribution")),
                    _text(p.get("message")),
                    _text(p.get("check")),
                )
                for p in _objects(_object(data.get("plugins")).get("problems"))
            ),
            requirements=tuple(
                ReportedRequirement.from_json(r) for r in _objects(data.get("requirements"))
            ),
            source_files={
                str(name): SourceFile(
                    _path(_object(e).get("file")),
                    _text(_object(e).get("sha256")),
                    _text(_object(e).get("original")),
                )
                for name, e in _object(data.get("source_files")).items()
            },
        )
