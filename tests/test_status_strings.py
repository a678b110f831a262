"""Statuses are :class:`verifier.Status` members: no bare "pass", "fail", "error",
"needs_review" or "not_applicable" string stands for one in the code (report.json's wire
strings come from ``Status.value``). Each offender is named with its file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from verifier import Status

ROOT = Path(__file__).resolve().parent.parent
VALUES = {s.value for s in Status}

NOT_STATUSES = {
    "verifier/models.py": "defines Status itself",
    "verifier/errors.py": '"error" is a field of a fetch attempt record, not a status',
    "verifier/fetch/client.py": '"error" is a field of a fetch attempt record, not a status',
    "verifier/run/replay.py": '"error" is a field of a recorded exchange, not a status',
}
"""Files whose status-like strings are something else, with why."""

PENDING: set[str] = set()
"""Files still to convert; nothing may be added to this set."""


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _bare_statuses(source: str, name: str) -> list[str]:
    """Each status-valued string of ``source`` that is not a docstring, as ``name:line``."""
    tree = ast.parse(source)
    docs = _docstrings(tree) | _error_fields(tree)
    return [
        f"{name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in VALUES
        and id(node) not in docs
    ]


def _error_fields(tree: ast.AST) -> set[int]:
    # "error" as a key (a dict display's key, a subscript, a .get() argument) names the
    # field of a fetch record or a view that holds a fault's message, not a status.
    keys: list[ast.expr | None] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys += node.keys
        elif isinstance(node, ast.Subscript):
            keys.append(node.slice)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
        ):
            keys.append(node.args[0])
    return {id(k) for k in keys if isinstance(k, ast.Constant) and k.value == Status.ERROR.value}


FILES = sorted(
    p.relative_to(ROOT).as_posix()
    for folder in ("verifier", "plugins")
    for p in (ROOT / folder).rglob("*.py")
    if p.relative_to(ROOT).as_posix() not in NOT_STATUSES.keys() | PENDING
)


@pytest.mark.parametrize("file", FILES)
def test_no_bare_status_string_stands_for_a_status(file: str) -> None:
    offenders = _bare_statuses((ROOT / file).read_text(encoding="utf-8"), file)
    assert not offenders, "use verifier.Status members: " + "; ".join(offenders)


def test_the_scan_takes_error_as_a_key_for_a_field_not_a_status() -> None:
    source = 'x = {"error": 1}\ny = x["error"] or x.get("error")\nz = s == "error"\n'
    assert _bare_statuses(source, "sample.py") == ["sample.py:3: 'error'"]


def test_the_scan_finds_a_status_string_but_not_prose() -> None:
    source = '"""Doc: "pass" is prose here."""\n\ndef f(s):\n    return s == "needs_review"\n'
    assert _bare_statuses(source, "sample.py") == ["sample.py:4: 'needs_review'"]
