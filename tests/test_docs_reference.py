"""The reference in docs/ and the JSON Schemas name every field of every file (issue 13).

The field names are walked from the models themselves (the pydantic models of the input
files, the dataclasses of report.json and recheck.json), so a field added to a model and
left out of docs/ or schemas/ fails here, naming the field and where it belongs. A name
counts in a page when it is written as code there (in backquotes or in a code block), not
when the word merely occurs in a sentence.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pydantic
import pytest

from verifier.inputs.policy import _PolicyFile, _RequirementFile
from verifier.inputs.roster import _RosterFile
from verifier.inputs.sources import load_sources
from verifier.inputs.submission import Submission
from verifier.recheck.model import RecheckSummary
from verifier.report.model import Report
from verifier.schemas import FOLDER, RECHECK_SHAPES, REPORT_SHAPES, Shape, file_name

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _classes(tp: Any) -> Iterator[type]:
    """The model classes (pydantic or dataclass) inside an annotation."""
    if isinstance(tp, type) and (
        issubclass(tp, pydantic.BaseModel) or dataclasses.is_dataclass(tp)
    ):
        yield tp
    for arg in typing.get_args(tp):
        yield from _classes(arg)


def fields_of(root: type, shapes: Mapping[type, Shape] | None = None) -> set[str]:
    """Every field name of ``root`` and the models inside it, as the file writes it (a
    dataclass field renamed by its :class:`Shape`: each part of a nested key)."""
    seen: set[type] = set()
    names: set[str] = set()
    pending = [root]
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if issubclass(cls, pydantic.BaseModel):
            annotations = {n: f.annotation for n, f in cls.model_fields.items()}
        else:
            hints = typing.get_type_hints(cls)
            annotations = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
        shape = (shapes or {}).get(cls, Shape())
        for name, annotation in annotations.items():
            names.update(shape.keys.get(name, name).split("."))
            pending.extend(_classes(annotation))
    return names


# (file, its fields, the docs pages that must name each one)
FILES: list[tuple[str, set[str], tuple[str, ...]]] = [
    ("submission", fields_of(Submission), ("submission.md",)),
    ("policy", fields_of(_PolicyFile) | fields_of(_RequirementFile), ("policy.md",)),
    ("roster", fields_of(_RosterFile), ("recheck.md",)),
    ("report", fields_of(Report, REPORT_SHAPES), ("report.md",)),
    ("recheck", fields_of(RecheckSummary, RECHECK_SHAPES), ("recheck.md",)),
]


def code_text(page: Path) -> str:
    """What a page writes as code: its fenced blocks and inline code spans."""
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    rest = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    return "\n".join([*blocks, *re.findall(r"`([^`\n]+)`", rest)])


def named(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def schema_names(node: Any) -> set[str]:
    """Every property name anywhere in a schema."""
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                out.update(value)
            out |= schema_names(value)
    elif isinstance(node, list):
        for value in node:
            out |= schema_names(value)
    return out


@pytest.mark.parametrize(("name", "fields", "pages"), FILES, ids=[f[0] for f in FILES])
def test_every_field_is_in_docs(name: str, fields: set[str], pages: tuple[str, ...]) -> None:
    assert len(fields) > 3  # the walk found the model's fields
    text = "\n".join(code_text(DOCS / page) for page in pages)
    missing = sorted(f for f in fields if not named(f, text))
    assert not missing, f"docs/{', docs/'.join(pages)} should name the {name} fields {missing}"


@pytest.mark.parametrize(("name", "fields", "pages"), FILES, ids=[f[0] for f in FILES])
def test_every_field_is_in_the_schema(name: str, fields: set[str], pages: tuple[str, ...]) -> None:
    schema = json.loads((FOLDER / file_name(name)).read_text(encoding="utf-8"))
    missing = sorted(fields - schema_names(schema))
    assert not missing, f"schemas/{file_name(name)} lacks the fields {missing}"


def test_every_bundled_source_name_is_in_docs() -> None:
    # The sources file has no fixed fields: its keys are the source names the policies
    # consult, and the bundled ones are what an operator overrides.
    names = set(load_sources(ROOT / "policies" / "sources.yaml"))
    assert len(names) > 3
    text = code_text(DOCS / "sources.md")
    missing = sorted(n for n in names if not named(n, text))
    assert not missing, f"docs/sources.md should name the sources {missing}"


def test_a_field_missing_from_a_page_is_found(tmp_path: Path) -> None:
    # The checks above would prove nothing if a name counted inside a longer one, or in
    # a sentence.
    page = tmp_path / "page.md"
    page.write_text("The tier applied for.\n\n```yaml\nurl: x\n```\n\n`final_url` text\n")
    text = code_text(page)
    assert named("url", text)
    assert named("final_url", text)
    assert not named("tier", text)
    assert not named("final", text)


def test_the_readme_links_only_inside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    assert "CONTRACT.md" not in readme
    for target in re.findall(r"\]\(([^)#]+)", readme):
        if "://" in target:
            continue
        assert (ROOT / target).exists(), f"README.md links to {target}, which is not in the repo"


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_docs_link_only_to_files_that_exist(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)", text):
        if "://" in target:
            continue
        assert (page.parent / target).resolve().exists(), f"{page.name} links to {target}"
