"""The annotated submission template ``finops-verify init`` writes, built at run time from
the submission model (its fields and their docstrings) and one policy (its requirements,
and the submission fields each requirement's check reads: the check's ``example``, and
the fields an ``attestations``-reading check's ``fields`` param names).

Nothing here knows a tier: a new policy or a new check gives a new template.
"""

from __future__ import annotations

import functools
import json
import textwrap
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from verifier.host import CheckRegistry
from verifier.inputs.submission import PLACEHOLDER, Submission
from verifier.models import Policy, Requirement
from verifier.schemas import attribute_docstrings
from verifier.urls import check_http_url

_STATEMENTS = "attestations"
"""The submission field whose keys are requirement ids (statements for a person)."""


@functools.cache
@dataclass(frozen=True)
class _Shape:
    """What a field holds, as the template writes it."""

    kind: str
    """``model``, ``list``, ``map``, ``url``, ``number``, ``true or false`` or ``text``."""
    model: type[BaseModel] | None = None
    item: _Shape | None = None


def _shape(annotation: Any, metadata: Iterable[Any] = ()) -> _Shape:
    if typing.get_origin(annotation) is Annotated:
        base, *extra = typing.get_args(annotation)
        return _shape(base, [*metadata, *extra])
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _shape(args[0], metadata)
    if origin in (tuple, list):
        return _Shape("list", item=_shape(typing.get_args(annotation)[0]))
    if origin is dict:
        return _Shape("map", item=_shape(typing.get_args(annotation)[1]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Shape("model", model=annotation)
    if any(getattr(m, "func", None) is check_http_url for m in metadata):
        return _Shape("url")
    if annotation is bool:
        return _Shape("true or false")
    if annotation is int:
        return _Shape("number")
    return _Shape("text")


def _placeholder(shape: _Shape) -> str:
    return json.dumps(PLACEHOLDER.format(kind=shape.kind))


def _paths(example: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Dotted paths of the fields in a check example's submission (list items merged)."""
    out: set[str] = set()
    for key, value in example.items():
        path = f"{prefix}{key}"
        out.add(path)
        if isinstance(value, Mapping) and key != _STATEMENTS:
            out |= _paths(value, f"{path}.")
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, Mapping):
                    out |= _paths(item, f"{path}.")
    return out


def fields_read(req: Requirement, registry: CheckRegistry) -> set[str]:
    """The submission fields (dotted paths) the check of ``req`` reads."""
    info = registry.resolve(req.check, req.plugin)
    paths = _paths(info.check.example.submission) if info is not None else set()
    if _STATEMENTS in paths:
        # A statement check also reads the fields its params name (they stand in for it).
        for name in req.params.get("fields") or ():
            parts = str(name).split(".")
            paths |= {".".join(parts[: i + 1]) for i in range(len(parts))}
    return paths


class _Writer:
    def __init__(self, policy: Policy, registry: CheckRegistry) -> None:
        self.policy = policy
        self.reads = {r.id: fields_read(r, registry) for r in policy.requirements}
        self.lines: list[str] = []
        self.dash: str | None = None
        self.always: set[str] = set()

    def serving(self, path: str) -> list[Requirement]:
        return [
            r
            for r in self.policy.requirements
            if any(p == path or p.startswith(f"{path}.") for p in self.reads[r.id])
        ]

    def comment(self, indent: str, text: str) -> None:
        for line in text.splitlines() or [""]:
            lead = line[: len(line) - len(line.lstrip())]
            wrapped = textwrap.wrap(line, width=88 - len(indent), subsequent_indent=lead + "  ")
            for part in wrapped or [""]:
                self.lines.append(f"{indent}# {part}".rstrip())

    def model(self, model: type[BaseModel], prefix: str, indent: str, off: bool) -> None:
        docs = attribute_docstrings(model)
        for name, info in model.model_fields.items():
            self.field(name, info, docs.get(name, ""), prefix, indent, off)

    def field(
        self, name: str, info: FieldInfo, doc: str, prefix: str, indent: str, off: bool
    ) -> None:
        path = f"{prefix}{name}"
        shape = _shape(info.annotation, info.metadata)
        serving = self.serving(path)
        required = info.is_required()
        self.lines.append("")
        self.comment(indent, f"{path}: {doc}")
        # Required from the top down (applicant.name): every check may read it, whatever
        # the fields its example names.
        if required and (not prefix or prefix[:-1] in self.always):
            self.always.add(path)
        if path == "program":
            self.comment(indent, "keep it: the requirements listed above are this program's")
        elif path == "tier":
            self.comment(indent, "required: it selects this tier's policy")
        elif path in self.always:
            self.comment(indent, "required: every requirement may read it")
        elif serving:
            self.comment(indent, "serves: " + ", ".join(r.id for r in serving))
        elif required:
            self.comment(indent, "required (in each item or section given)")
        else:
            self.comment(indent, "optional: uncomment to give it")
        # An optional field no requirement names is written commented out: every field is shown.
        off = off or not (required or serving or path == "program")
        mark = "# " if off else ""
        if path == _STATEMENTS and shape.kind == "map":
            self.statements(indent, mark, serving)
            return
        if path == "tier":
            self.key(indent, mark, f"{name}: {json.dumps(self.policy.tier)}")
        elif path == "program":
            self.key(indent, mark, f"{name}: {json.dumps(self.policy.program)}")
        elif shape.kind == "model" and shape.model is not None:
            self.key(indent, mark, f"{name}:")
            self.model(shape.model, f"{path}.", indent + "  ", off)
        elif shape.kind == "list" and shape.item is not None:
            self.comment(indent, "a list: repeat the item for each one")
            self.key(indent, mark, f"{name}:")
            if shape.item.kind == "model" and shape.item.model is not None:
                self.dash = indent + "  "
                self.model(shape.item.model, f"{path}.", indent + "    ", off)
            else:
                self.lines.append(f"{indent}  {mark}- {_placeholder(shape.item)}")
        elif not required and shape.kind == "true or false":
            self.key(indent, mark, f"{name}: {json.dumps(info.default)}")
        else:
            self.key(indent, mark, f"{name}: {_placeholder(shape)}")

    def key(self, indent: str, mark: str, text: str) -> None:
        """Write a key line; the first key of a list item gets the item's dash."""
        if self.dash is not None:
            indent, self.dash = self.dash, None
            self.lines.append(f"{indent}{mark}- {text}")
        else:
            self.lines.append(f"{indent}{mark}{text}")

    def statements(self, indent: str, mark: str, serving: list[Requirement]) -> None:
        if not serving:
            self.lines.append(f"{indent}# {_STATEMENTS}: {{}}")
            return
        self.lines.append(f"{indent}{_STATEMENTS}:")
        for req in serving:
            self.comment(indent + "  ", f"{req.id}: {req.text}")
            checklist = req.params.get("checklist") or []
            for item in checklist:
                self.comment(indent + "  ", f"  - the reviewer confirms: {item}")
            self.lines.append(f"{indent}  {req.id}: {_placeholder(_Shape('text'))}")


def submission_template(policy: Policy, registry: CheckRegistry) -> str:
    """The annotated submission template for ``policy``: every field of the submission,
    each with its meaning and the requirements it serves; what the applicant must give is
    marked ``<FILL IN: kind>``; optional fields no requirement names are commented out."""
    writer = _Writer(policy, registry)
    head = [
        f"Submission template for {policy.title}",
        f"policy {policy.id}: program {policy.program}, tier {policy.tier}",
        *([f"published at {policy.source}"] if policy.source else []),
        "",
        "Replace every <FILL IN: kind> (url, text, number) with your value; remove what",
        "you do not have (a requirement without its fields fails as 'not provided').",
        "Check the file with: finops-verify verify THIS-FILE",
        "",
        "Requirements of this tier (finops-verify explain ID --tier "
        f"{policy.tier} --program {policy.program} says more):",
    ]
    for req in policy.requirements:
        text = " ".join(req.text.split())
        head.append(f"  - {req.id} (check {req.check}): {text}")
    writer.comment("", "\n".join(head))
    writer.model(Submission, "", "", False)
    return "\n".join(writer.lines) + "\n"
