"""Policies as code: load, validate, find and lint policy files.

A policy file lists the requirements of one tier of one program version::

    id: platform-2022
    program: "2022"
    tier: platform
    version: "1"
    title: FinOps Certified Platform
    source: https://www.finops.org/members/partner-certification/
    requirements:
      - id: practitioners
        text: Number of FinOps Certified Practitioners tied to company size (see table below)
        check: practitioners
        plugin: builtin        # optional: whose check, where several plugins register one
        params: {...}          # validated against the check's Params when loaded
        timeout: 120           # optional, seconds

Every problem is reported with the file, the line, the requirement and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from verifier.errors import PolicyError, Problem
from verifier.inputs import yamlfile
from verifier.models import Policy, Requirement

if TYPE_CHECKING:
    # A type only: reading a policy uses the registry it is given, and the inputs layer
    # sits below the plugin host (tests/test_layers.py).
    from verifier.host import CheckRegistry


class _RequirementFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    text: str = Field(min_length=1)
    check: str = Field(min_length=1)
    plugin: str | None = Field(default=None, min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    timeout: float | None = Field(default=None, gt=0)


class _PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    program: str = Field(min_length=1)
    tier: str = Field(min_length=1)
    version: str = "1"
    title: str = ""
    source: str | None = None
    # Validated one by one below, so that one bad requirement hides no other problem.
    requirements: list[Any] = Field(min_length=1)

    @pydantic.field_validator("program", "version", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value


def _parse(
    path: Path,
    registry: CheckRegistry | None,
    strict: bool,
    known_sources: set[str] | None = None,
) -> tuple[Policy, list[Problem]]:
    """Parse one policy file; return it with its problems (raises if unusable)."""
    raw = yamlfile.read(path, PolicyError, "policy file")
    data, lines = yamlfile.parse(raw, str(path), PolicyError, "policy file")
    name = str(path)
    if not isinstance(data, dict):
        raise PolicyError(
            f"{name} must be a YAML mapping with 'id', 'program', 'tier' and 'requirements'"
        )
    problems: list[Problem] = []
    spec: _PolicyFile | None = None
    try:
        spec = _PolicyFile.model_validate(data)
    except pydantic.ValidationError as exc:
        problems += yamlfile.problems(exc, name, lines, _PolicyFile)
    raw_reqs = data.get("requirements")
    reqs = _requirements(
        raw_reqs if isinstance(raw_reqs, list) else [],
        _Where(name, lines, registry, strict, known_sources),
        problems,
    )
    problems.sort(key=lambda p: p.line or 0)
    if spec is None or len(reqs) < len(raw_reqs or []):
        raise PolicyError(f"{name} is not a valid policy", tuple(problems))
    policy = Policy(
        id=spec.id,
        program=spec.program,
        tier=spec.tier,
        version=spec.version,
        title=spec.title or spec.id,
        source=spec.source,
        requirements=tuple(reqs),
        path=name,
        sha256=hashlib.sha256(raw).hexdigest(),
        source_bytes=raw,
    )
    return policy, problems


@dataclass(frozen=True)
class _Where:
    """What reading a policy's requirements needs to know: the file, and what to check
    them against."""

    name: str
    """The policy file, as messages name it."""
    lines: yamlfile.LineMap
    """Where each field of the file is."""
    registry: CheckRegistry | None
    """The checks to validate params against (``None``: none, params kept as written)."""
    strict: bool
    """Whether a check no plugin provides is a problem."""
    known_sources: set[str] | None
    """Source names a run would define (``None``: not checked)."""


def _requirements(raw_reqs: list[Any], at: _Where, problems: list[Problem]) -> list[Requirement]:
    """The valid requirements of ``raw_reqs``, in order; each problem added to ``problems``
    (an invalid requirement is left out)."""
    seen: set[str] = set()
    reqs: list[Requirement] = []
    for i, raw_req in enumerate(raw_reqs):
        where = ("requirements", i)
        try:
            req = _RequirementFile.model_validate(raw_req)
        except pydantic.ValidationError as exc:
            problems += yamlfile.problems(
                exc, at.name, at.lines.sub(where), _RequirementFile, where
            )
            continue
        line = at.lines.line(where)
        if req.id in seen:
            problems.append(
                Problem(
                    at.name,
                    line,
                    f"requirements[{i}].id",
                    f"requirement id {req.id!r} is used twice",
                )
            )
        seen.add(req.id)
        params = _params(req, i, at, problems)
        requirement = Requirement(
            req.id, req.text.strip(), req.check, params, req.timeout, line, req.plugin
        )
        if at.known_sources is not None:
            problems += _unknown_sources(requirement, i, at.name, at.known_sources)
        reqs.append(requirement)
    return reqs


def _params(
    req: _RequirementFile, i: int, at: _Where, problems: list[Problem]
) -> Mapping[str, Any]:
    """The params of requirement ``i``, validated against its check's schema when a plugin
    provides the check (as written otherwise); each problem added to ``problems``."""
    where = ("requirements", i)
    info = at.registry.resolve(req.check, req.plugin) if at.registry else None
    # A plugin the policy names explicitly must be there, whether linting or running: the
    # policy's author chose that code, and no other may stand in for it.
    if at.registry is not None and info is None and (at.strict or req.plugin is not None):
        key = "plugin" if req.plugin is not None else "check"
        problems.append(
            Problem(
                at.name,
                at.lines.line((*where, key)),
                f"requirements[{i}] ({req.id}).{key}",
                at.registry.why_missing(req.check, req.plugin),
            )
        )
    if info is None:
        return req.params
    try:
        model = info.check.Params.model_validate(req.params)
    except pydantic.ValidationError as exc:
        sub = at.lines.sub((*where, "params"))
        for p in yamlfile.problems(exc, at.name, sub, info.check.Params):
            problems.append(
                Problem(
                    at.name,
                    p.line or at.lines.line((*where, "params")),
                    f"requirements[{i}] ({req.id}).params.{p.field}".rstrip("."),
                    f"{p.message} (check {req.check!r})",
                )
            )
        return req.params
    return model.model_dump(mode="json")


def load_policy(path: Path, registry: CheckRegistry | None) -> Policy:
    """Load one policy; params are validated against each registered check's schema.

    A check no plugin provides is not a load error (its requirement reports ``error``
    when run); a params problem is, so a bad policy fails before any fetch, and so is a
    requirement's ``plugin:`` that names no installed plugin or one without that check.
    """
    policy, problems = _parse(path, registry, strict=False)
    if problems:
        raise PolicyError(f"{path} is not a valid policy", tuple(problems))
    return policy


def lint_policy(
    path: Path, registry: CheckRegistry, known_sources: set[str] | None = None
) -> list[Problem]:
    """Every problem of one policy file, including checks no plugin provides.

    :param known_sources: source names the run would define; a ``source`` or ``sources``
        param naming another is reported (by convention, that is how checks name the
        directories they consult).
    """
    try:
        _policy, problems = _parse(path, registry, strict=True, known_sources=known_sources)
    except PolicyError as exc:
        return list(exc.problems) or [Problem(str(path), None, "", str(exc))]
    return problems


def source_names(requirements: Iterable[Requirement]) -> set[str]:
    """The sources the requirements' params name (by convention, a check names the
    directories it consults in a ``source`` or ``sources`` param)."""
    return {name for req in requirements for name in _named(req)}


def _named(req: Requirement) -> list[str]:
    named = req.params.get("sources", req.params.get("source"))
    names = [named] if isinstance(named, str) else named if isinstance(named, list) else []
    return [n for n in names if isinstance(n, str)]


def _unknown_sources(req: Requirement, i: int, name: str, known: set[str]) -> list[Problem]:
    out: list[Problem] = []
    for source in _named(req):
        if source not in known:
            hint = yamlfile.did_you_mean(source, known)
            out.append(
                Problem(
                    name,
                    req.line,
                    f"requirements[{i}] ({req.id}).params",
                    f"names source {source!r}, which no sources.yaml defines; {hint}",
                )
            )
    return out


def is_policy_file(path: Path) -> bool:
    """Whether a YAML file looks like a policy (has a top-level ``requirements`` key)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.startswith("requirements:") for line in head.splitlines())


def find_policy_files(dirs: Iterable[Path]) -> list[Path]:
    """Every policy file below the registered directories, sorted."""
    out: list[Path] = []
    for directory in dirs:
        out.extend(p for p in sorted(directory.rglob("*.yaml")) if is_policy_file(p))
    return out


def bundled_policies(dirs: Iterable[Path], registry: CheckRegistry | None) -> list[Policy]:
    """Load every bundled policy."""
    return [load_policy(p, registry) for p in find_policy_files(dirs)]


def select_policy(policies: list[Policy], program: str, tier: str) -> Policy:
    """The policy for ``program`` and ``tier``; a clear error lists what exists."""
    for policy in policies:
        if policy.program == program and policy.tier == tier:
            return policy
    programs = sorted({p.program for p in policies})
    tiers = sorted({p.tier for p in policies if p.program == program})
    if program not in programs:
        raise PolicyError(
            f"no policy for program {program!r}; available programs: "
            f"{', '.join(programs) or 'none'} (use --program or --policy FILE)"
        )
    raise PolicyError(f"program {program} has no tier {tier!r}; its tiers are: {', '.join(tiers)}")
