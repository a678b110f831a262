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

PENDING = {
    "verifier/bundle/decisions.py",
    "verifier/cli/options.py",
    "verifier/report/_view.py",
    "verifier/report/html.py",
    "verifier/report/junit.py",
    "verifier/report/markdown.py",
}
"""Readers of report.json dicts, whose status strings go with the dict lookups when the
typed Report model replaces them (issue 9, part A); nothing may be added to this set."""


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
    docs = _docstrings(tree)
    return [
        f"{name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in VALUES
        and id(node) not in docs
    ]


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


def test_the_scan_finds_a_status_string_but_not_prose() -> None:
    source = '"""Doc: "pass" is prose here."""\n\ndef f(s):\n    return s == "needs_review"\n'
    assert _bare_statuses(source, "sample.py") == ["sample.py:4: 'needs_review'"]
