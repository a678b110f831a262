"""JSON Schemas of the files people write and the files a run writes, made from the models.

One schema per file (:data:`NAMES`): ``submission``, ``sources``, ``policy``, ``roster``
(the inputs, validated by pydantic models that refuse unknown fields, so their schemas say
``additionalProperties: false``) and ``report``, ``recheck`` (report.json and
recheck.json, frozen dataclasses whose readers tolerate fields of other versions, so their
schemas allow more). Descriptions are the models' attribute docstrings.

The schemas are committed under ``schemas/`` (for editors: ``# yaml-language-server:
$schema=...``); ``python -m verifier.schemas [FOLDER]`` writes them again and
``finops-verify schema NAME`` prints one. ``tests/test_schemas.py`` fails when a committed
file differs from what the models give.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import itertools
import json
import re
import sys
import textwrap
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pydantic
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from verifier.inputs.policy import _PolicyFile, _RequirementFile
from verifier.inputs.roster import _RosterFile
from verifier.inputs.submission import Submission
from verifier.models import Status
from verifier.recheck.model import RECHECK_SCHEMA, RecheckSummary
from verifier.report.model import REPORT_SCHEMA, Report, ReportedRequirement

DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema version every schema here is written in."""
FOLDER = Path(__file__).resolve().parent.parent / "schemas"
"""Where the committed schemas are, in a checkout of the repository."""


def file_name(name: str) -> str:
    """The file a schema is committed as: ``submission`` -> ``submission.schema.json``."""
    return f"{name}.schema.json"


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings written under a class's attributes (``name: str`` then
    ``\"\"\"...\"\"\"``), by attribute name, on the class and its bases (nearest class
    last read, so it wins), each as :func:`inspect.cleandoc` leaves it: its lines kept.
    pydantic's own classes are not read: their source is large and documents no field of
    ours."""
    out: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass is object or klass.__module__ == "builtins" or klass in pydantic.BaseModel.__mro__:
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):  # a class made at run time has no source
            continue
        node = ast.parse(source).body[0]
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt, after in itertools.pairwise(node.body):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                out[stmt.target.id] = inspect.cleandoc(after.value.value)
    return out


def attribute_docs(cls: type) -> dict[str, str]:
    """:func:`attribute_docstrings`, each as one paragraph of plain text (:func:`plain`)."""
    return {name: plain(doc) for name, doc in attribute_docstrings(cls).items()}


def plain(doc: str) -> str:
    """A docstring as one line of plain text: whitespace folded, reST roles and double
    backquotes (``:class:`~x.Y``` , ````x````) made single backquotes."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", " ".join(doc.split()))
    return text.replace("``", "`")


class _WithDocs(GenerateJsonSchema):
    """pydantic's generator, giving each property its attribute docstring (the models do
    not set ``use_attribute_docstrings``: their docstrings are for readers of the code,
    and the messages of validation must stay as they are)."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        """The schema of one model, its properties described."""
        out = super().model_schema(schema)
        docs = attribute_docs(schema["cls"])
        for name, prop in out.get("properties", {}).items():
            if name in docs:
                prop.setdefault("description", docs[name])
            prop.pop("title", None)  # "Customer Aliases": the name says it already
            if name in NUMBER_AS_TEXT:
                # `program: 2022` unquoted is a number in YAML, which the tool reads as
                # the text "2022": an editor must not flag what the tool accepts.
                if "anyOf" not in prop:
                    kept = ("description", "default")
                    prop["anyOf"] = [{k: prop.pop(k) for k in list(prop) if k not in kept}]
                prop["anyOf"].append({"type": NUMBER_AS_TEXT[name]})
        return out


NUMBER_AS_TEXT: Mapping[str, str] = {"program": "integer", "version": "number"}
"""Fields of the input files that take a YAML number as its text (their models convert it
before validating), and the JSON type of that number: a program is a year, a policy's
version may be ``1.5``."""


def _model_schema(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(schema_generator=_WithDocs)


# ----------------------------------------------------------------- dataclasses


@dataclasses.dataclass(frozen=True)
class Shape:
    """How a dataclass is written as JSON, where it differs from its fields.

    :param keys: a field written under another key (``raw_status`` as ``status``); a key
        with a dot is nested (``plugins.problems``).
    :param values: the schema of a field whose value the type does not tell (free-form
        data, a status).
    :param constant: the value a field always has in files of this version.
    """

    keys: Mapping[str, str] = dataclasses.field(default_factory=dict)
    values: Mapping[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    constant: Mapping[str, str] = dataclasses.field(default_factory=dict)


class DataclassSchema:
    """The JSON Schema of a tree of frozen dataclasses, as their ``to_json`` writes them.

    Each dataclass becomes a ``$defs`` entry named after the class; its properties are its
    fields (typed from the annotations, described by the attribute docstrings), renamed
    or nested as its :class:`Shape` says. Objects allow further properties: report.json
    and recheck.json may gain fields, and their readers keep working.
    """

    def __init__(self, shapes: Mapping[type, Shape]) -> None:
        self._shapes = shapes
        self._defs: dict[str, dict[str, Any]] = {}

    def document(self, root: type, title: str, description: str) -> dict[str, Any]:
        """The whole schema, ``root`` at the top and every other dataclass in ``$defs``."""
        top = self._object(root)
        top.pop("description", None)
        return {
            "$schema": DIALECT,
            "title": title,
            "description": description,
            **top,
            "$defs": dict(sorted(self._defs.items())),
        }

    def _object(self, cls: type) -> dict[str, Any]:
        shape = self._shapes.get(cls, Shape())
        hints = typing.get_type_hints(cls)
        docs = attribute_docs(cls)
        props: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            value = dict(shape.values.get(field.name) or self._type(hints[field.name]))
            if field.name in shape.constant:
                value = {"const": shape.constant[field.name]}
            if field.name in docs:
                value.setdefault("description", docs[field.name])
            key = shape.keys.get(field.name, field.name)
            target = props
            *outer, last = key.split(".")
            for part in outer:  # a nested key: an object holding it
                target = target.setdefault(part, {"type": "object", "properties": {}})["properties"]
            target[last] = value
        out: dict[str, Any] = {"type": "object"}
        doc = inspect.getdoc(cls)
        if doc:
            out["description"] = plain(doc.split("\n\n")[0])
        out["properties"] = props
        return out

    def _type(self, tp: Any) -> dict[str, Any]:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is Any:
            return {}
        if tp is type(None):
            return {"type": "null"}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer"}
        if tp is float:
            return {"type": "number"}
        if tp is str:
            return {"type": "string"}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {"enum": [m.value for m in tp]}
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            if tp.__name__ not in self._defs:
                self._defs[tp.__name__] = {}  # a placeholder: a class may refer to itself
                self._defs[tp.__name__] = self._object(tp)
            return {"$ref": f"#/$defs/{tp.__name__}"}
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self._type(a) for a in args]}
        if origin in (tuple, list) or origin is typing.Sequence:
            item = args[0] if args else Any
            return {"type": "array", "items": self._type(item)}
        if origin in (dict, Mapping) or tp in (dict, Mapping):
            value = args[1] if len(args) == 2 else Any
            return {"type": "object", "additionalProperties": self._type(value)}
        raise TypeError(f"no JSON Schema for the type {tp!r}: add it to DataclassSchema._type")


# ----------------------------------------------------------------- the schemas

_STATUS: dict[str, Any] = {"enum": [s.value for s in Status]}
_OUTCOME: dict[str, Any] = {"anyOf": [_STATUS, {"type": "null"}]}


def _status_as(what: str) -> dict[str, Any]:
    # The field is `raw_status`/`raw_outcome` in the model, whose docstring speaks of the
    # property beside it; the file holds the status.
    return {**_OUTCOME, "description": f"{what}; a reader reads one it does not know as error."}


def submission_schema() -> dict[str, Any]:
    """The submission file (a YAML file an applicant writes)."""
    return _titled(
        _model_schema(Submission),
        "finops-verifier submission",
        "One application for one tier. Unknown fields are errors.",
    )


def sources_schema() -> dict[str, Any]:
    """The sources file (``--sources FILE``): a mapping from a source name to where it is."""
    return {
        "$schema": DIALECT,
        "title": "finops-verifier sources",
        "description": (
            "A mapping from a source name (one a policy consults) to an http(s) URL, a URL "
            "template with {placeholders}, or the path of a local file relative to this file; "
            "or {held_by: WHO} for a source only WHO holds (no public location)."
        ),
        "type": ["object", "null"],
        "propertyNames": {"minLength": 1},
        "additionalProperties": {
            "anyOf": [
                {"type": "string", "minLength": 1, "pattern": r"\S"},
                {
                    "type": "object",
                    "properties": {"held_by": {"type": "string", "minLength": 1, "pattern": r"\S"}},
                    "required": ["held_by"],
                    "additionalProperties": False,
                },
            ]
        },
    }


def policy_schema() -> dict[str, Any]:
    """A policy file (one tier's requirements)."""
    out = _model_schema(_PolicyFile)
    requirement = _model_schema(_RequirementFile)
    out.setdefault("$defs", {})["Requirement"] = requirement
    out["properties"]["requirements"]["items"] = {"$ref": "#/$defs/Requirement"}
    return _titled(
        out, "finops-verifier policy", "One tier's requirements: each names a check and params."
    )


def roster_schema() -> dict[str, Any]:
    """The roster of a renewal re-check."""
    return _titled(
        _model_schema(_RosterFile),
        "finops-verifier roster",
        "The partners a renewal re-check verifies; paths are relative to the roster file.",
    )


REPORT_SHAPES: Mapping[type, Shape] = {
    Report: Shape(
        keys={"raw_outcome": "outcome", "plugin_problems": "plugins.problems"},
        values={"raw_outcome": _status_as("The overall outcome")},
        constant={"schema": REPORT_SCHEMA},
    ),
    ReportedRequirement: Shape(
        keys={"raw_status": "status"},
        values={"raw_status": _status_as("The requirement's status")},
    ),
}
"""How report.json's dataclasses are written where it differs from their fields."""
RECHECK_SHAPES: Mapping[type, Shape] = {RecheckSummary: Shape(constant={"schema": RECHECK_SCHEMA})}
"""How recheck.json's dataclasses are written where it differs from their fields."""


def report_schema() -> dict[str, Any]:
    """report.json."""
    return DataclassSchema(REPORT_SHAPES).document(
        Report, "finops-verifier report.json", "The canonical record of one verification."
    )


def recheck_schema() -> dict[str, Any]:
    """recheck.json."""
    return DataclassSchema(RECHECK_SHAPES).document(
        RecheckSummary,
        "finops-verifier recheck.json",
        "The summary of one renewal re-check of a roster.",
    )


def _titled(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {"$schema": DIALECT, **schema, "title": title, "description": description}


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "submission": submission_schema,
    "sources": sources_schema,
    "policy": policy_schema,
    "roster": roster_schema,
    "report": report_schema,
    "recheck": recheck_schema,
}
"""Every schema, by the name ``finops-verify schema NAME`` takes."""
NAMES = tuple(SCHEMAS)
"""The schema names."""


def render(name: str) -> str:
    """Schema ``name`` as the text of its file (2-space indents, a final newline)."""
    return json.dumps(SCHEMAS[name](), indent=2, ensure_ascii=False) + "\n"


def write_all(folder: Path = FOLDER) -> list[Path]:
    """Write every schema into ``folder``; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in NAMES:
        path = folder / file_name(name)
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m verifier.schemas [FOLDER]``: write the schemas (default: ``schemas/``)."""
    args = sys.argv[1:] if argv is None else argv
    for path in write_all(Path(args[0]) if args else FOLDER):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
