"""libyaml parses, PyYAML's Python code composes: the same data, lines and messages as
PyYAML alone (:mod:`verifier.inputs.yamlfile`).

Each valid document is read by both loaders and the results compared whole; each bad one
goes through :func:`~verifier.inputs.yamlfile.load_text` and must fail as PyYAML alone
fails, in type, message and problems.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT
from verifier.errors import InputError, Problem, SubmissionError
from verifier.inputs import yamlfile

LIBYAML = yamlfile._LIBYAML_LOADER
needs_libyaml = pytest.mark.skipif(LIBYAML is None, reason="PyYAML has no libyaml here")


def _read(loader: type[Any] | None, text: str) -> tuple[Any, ...]:
    """What reading ``text`` gives: data and lines, or the error in full. ``None`` reads
    with :func:`~verifier.inputs.yamlfile.load_text`, as every caller does; the libyaml
    loader alone gives "not alike" for an empty document, which it leaves to PyYAML."""
    try:
        if loader is None:
            data, lines = yamlfile.load_text(text, "f.yaml", SubmissionError)
        else:
            data, lines = yamlfile._load_with(loader, text, "f.yaml", SubmissionError)
    except InputError as exc:
        return ("error", type(exc), str(exc), exc.problems)
    except yamlfile._NotAlike:
        return ("not alike",)
    # repr tells 1 from True from 1.0, which == does not.
    return ("data", repr(data), dict(lines._lines))


def _pure(text: str) -> tuple[Any, ...]:
    return _read(yamlfile._Loader, text)


def _repository_files() -> list[Path]:
    """Every YAML file of the repository, outside hidden directories (``.venv``, ``.git``),
    which are not walked at all."""
    found: list[Path] = []
    for top in ROOT.iterdir():
        if top.name.startswith(".") or top.name in {"node_modules", "__pycache__"}:
            continue
        if top.is_file():
            if top.suffix in {".yaml", ".yml"}:
                found.append(top)
            continue
        for pattern in ("*.yaml", "*.yml"):
            found += [
                path
                for path in top.rglob(pattern)
                if not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
            ]
    return sorted(found)


REPOSITORY_FILES = _repository_files()

TRICKY = {
    "block styles": "a: 1\nb:\n  c: [x, y]\n  d:\n  - e\n  - f: g\n    h: i\n",
    "flow styles": "{a: [1, 2, {b: c}], d: {e: [f, g]}, h: [], i: {}}\n",
    "flow over lines": "a: [one,\n  two, three,\n  four]\nb: {c: d,\n  e: f}\n",
    "multi-line plain": "a: one\n  two\n\n  three\nb: x\n",
    "literal": "a: |\n  x\n   y\n\n  z\nb: |-\n  p\nc: |+\n  q\n\nd: |2\n   r\n  s\n",
    "folded": "a: >\n  one\n  two\n\n  three\n    indented\n  four\nb: >-\n  x\n  y\n",
    "quoted escapes": 'a: "\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\0\\a\\b\\e\\f"\n'
    'b: "\\n\\r\\t\\v\\"\\\\\\/ "\n'
    "c: 'it''s'\nd: \"one\n  two\\\n  three\"\ne: 'x\n\n  y'\n",
    "unicode": '名前: 値\nemoji: 😀\nname: Inés Okoye\nline: a\u2028  b\npara: "x\u2029y"\n',
    "comments": "# head\na: 1 # after\n# between\nb: x#y\nc: 'q' #c\n\n# tail\n",
    "explicit tags": "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: ! 12\ne: !!null ''\n",
    "dates": "a: 2024-05-01\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10\n",
    "numbers and words": "a: 0x1F\nb: 1_000\nc: .inf\nd: 1e3\ne: yes\nf: ~\ng: 190:20:30\n",
    "empty": "",
    "only a comment": "# nothing here\n",
    "only a document start": "---\n",
    "document start without a line break": "---",
    "empty value at the end": "a: 1\nb:",
    "document markers": "--- # first\na: 1\n...\n",
    "document end then comment": "a: [1]\n...\n# done\n",
    "keys with colons": "'a:b': 1\nc:d: 2\nhttp://x.example/: 3\n? e\n: 4\n",
    "tab in values": "a: \"x\ty\"\nb: 'p\tq'\nc: |\n  r\ts\n# t\tu\n",
    "bom": "\ufeffa: 1\nb: [x]\n",
    "bom later": "a: x\ufeffy\n\ufeffb: 2\n",
    "crlf": "a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  p\r\n  q\r\nd: 'r\r\n  s'\r\n",
    "cr": "a: 1\rb: 2\r",
    "nel": "a: 1\x85b: 2\n",
    "no final line break": "a: b",
    "literal at the end without a line break": "a: |\n  x",
    "anchor alone": "a: &x 1\nb: 2\n",
    "merge key": "a: {x: 1}\nb:\n  <<: {y: 2}\n  z: 3\n",
    "set and omap": "a: !!set {p, q}\nb: !!omap [c: 1]\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "url with a query": "a: http://x.example/?q=1&r=2#f\n",
    "url with a query beside a list": "a: http://x.example/?q=1\nb: [c]\n",
    "prose with signs": "a: Usage & Cost, 5 * 3, 50% off, Yahoo!\n",
    "many keys": "".join(f"k{i}: {i}\n" for i in range(500)),
    "nested 32 deep": "a: " + "[" * 31 + "]" * 31 + "\n",
}
"""Valid documents in forms a person may write, each valid to PyYAML."""


@needs_libyaml
def test_the_composer_is_pythons_and_only_the_events_come_from_libyaml() -> None:
    from yaml._yaml import CParser

    assert LIBYAML is not None
    mro = LIBYAML.__mro__

    def owner(name: str, after: int = 0) -> type:
        return next(c for c in mro[after:] if name in vars(c))

    assert mro.index(yaml.composer.Composer) < mro.index(CParser)
    for name in ("get_single_node", "check_node", "get_node"):
        # CParser has these in C: its composer knows nothing of our refusals. (The loader's
        # own get_single_node calls the next one in the order.)
        assert name in vars(CParser)
        assert owner(name, 1) is yaml.composer.Composer, name
    assert owner("compose_node") is yamlfile._Bounded
    assert owner("compose_document") is yaml.composer.Composer
    for name in ("check_event", "peek_event", "get_event"):
        assert owner(name) is CParser, name


@needs_libyaml
def test_the_libyaml_loader_refuses_an_alias_with_our_message() -> None:
    text = "a: &x 1\nb: *x\n"
    assert _read(LIBYAML, text) == (
        "error",
        SubmissionError,
        "f.yaml is not valid YAML\n  f.yaml:2: aliases (*name) are not accepted; write the "
        "value out",
        (Problem("f.yaml", 2, "", "aliases (*name) are not accepted; write the value out"),),
    )
    assert _read(LIBYAML, text) == _pure(text)


@needs_libyaml
def test_the_libyaml_loader_refuses_depth_past_the_limit_naming_the_field() -> None:
    text = "a:\n  b: " + "[" * 40 + "]" * 40 + "\n"
    result = _read(LIBYAML, text)
    assert result[:3] == (
        "error",
        SubmissionError,
        f"f.yaml is nested too deep\n  f.yaml:2: a.b{'[0]' * 30}: nested more than 32 levels "
        "deep, the limit for an input file",
    )
    assert result == _pure(text)


@needs_libyaml
def test_libyaml_gives_no_more_events_than_the_composer_asks_for() -> None:
    # One bracket a line, libyaml parses no further ahead than the composer asks, and the
    # composer refuses level 33: the levels past it are never parsed.
    text = "a:\n" + " [\n" * 10_000 + " ]\n" * 10_000
    result = _read(LIBYAML, text)
    assert result[3] == (
        Problem(
            "f.yaml",
            33,
            f"a{'[0]' * 31}",
            "nested more than 32 levels deep, the limit for an input file",
        ),
    )
    # All on one line, libyaml scans ahead (a key may follow on the line); the libyaml in
    # PyYAML 6.0.4's wheel stops at 1,000 levels with its own message. load_text gives
    # PyYAML's.
    text = "a: " + "[" * 10_000 + "]" * 10_000 + "\n"
    assert _read(None, text) == _pure(text)
    assert "nested more than 32 levels deep" in str(_read(None, text)[3])


@needs_libyaml
@pytest.mark.parametrize("path", REPOSITORY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository_reads_the_same_with_libyaml(path: Path) -> None:
    text = path.read_text("utf-8")
    # Else PyYAML alone would read it, and the bundled files are the common case.
    assert yamlfile._libyaml_reads_alike(text)
    expected = _pure(text)
    assert expected[0] == "data"
    assert _read(LIBYAML, text) == expected
    assert _read(None, text) == expected


def test_the_repository_has_yaml_files_to_compare() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in REPOSITORY_FILES}
    assert {"policies/2022/platform.yaml", "fixtures/demo/platform.yaml"} <= names


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_tricky_valid_documents_read_as_pyyaml_reads_them(text: str) -> None:
    expected = _pure(text)
    assert expected[0] == "data"
    assert _read(None, text) == expected
    if LIBYAML is not None and yamlfile._libyaml_reads_alike(text):
        # Given to libyaml, it must read it alike, not leave it to PyYAML; save an empty
        # document, whose line libyaml may give otherwise.
        got = _read(LIBYAML, text)
        assert got == expected or (got == ("not alike",) and expected[1] == "None")


@needs_libyaml
def test_most_tricky_documents_are_read_by_libyaml() -> None:
    # The pre-check sends only the syntax where the two differ to PyYAML.
    alike = [name for name, text in TRICKY.items() if yamlfile._libyaml_reads_alike(text)]
    assert len(alike) >= 30, sorted(set(TRICKY) - set(alike))


HOSTILE = {
    "alias": "a: &x 1\nb: *x\n",
    "alias loop": "a: &x [*x]\n",
    "undefined alias": "a: *nowhere\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\n",
    "nested 33 deep": "a: " + "[" * 32 + "]" * 32 + "\n",
    "nested 10,000 deep": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "nested 10,000 deep, a bracket a line": "a:\n" + " [\n" * 10_000 + " ]\n" * 10_000,
    "nested 100 deep in blocks": "".join("  " * i + "k:\n" for i in range(100)),
    "300,000 open brackets": "[" * 300_000,
    "a key twice": "a: 1\nb: 2\na: 3\n",
    "a key twice, deeper": "a:\n  b: 1\n  b: 2\n",
    "5000 digits": "a: " + "9" * 5000 + "\n",
    "impossible date": "a: 2026-13-45\n",
    "tab as indentation": "a:\n\tb: 1\n",
    "tab after a colon": "a:\tb\n",
    "tab before a comment": "a: 1\t# c\n",
    "tab inside a plain value": "a: x\ty\n",
    "NUL": "a: b\0c\n",
    "control character": "a: b\x01c\n",
    "DEL": "a: b\x7fc\n",
    "C1 control": "a: b\x80c\n",
    "U+FFFE": "a: \ufffe\n",
    "lone surrogate": "a: b\ud800c\n",
    "multiple documents": "a: 1\n---\nb: 2\n",
    "bad second document": "a: 1\n---\nb: [\n",
    "unclosed flow": "a: [1, 2\n",
    "unclosed quote": "a: 'x\n",
    "unknown escape": 'a: "\\q"\n',
    "bad character": "a: @x\n",
    "local tag": "a: !foo 12\n",
    "empty tag": "a: !\n",
    "unhashable key": "? [a]\n: 1\n",
    "question mark in a flow plain": "a: [l?]\n",
    "comment right after a block indicator": "a: |#\n  x\n",
    "YAML 1.3": "%YAML 1.3\n---\na: 1\n",
    "YAML 2.0": "%YAML 2.0\n---\na: 1\n",
    "text after the document end": "a: 1\n... junk\n",
    "only a document end": "...\n",
    "mapping value in a plain": "a: b: c\n",
    "a key over 1024 characters": "a" * 1100 + ": 1\n",
}
"""Bad (or, to one parser only, odd) documents: each must come out exactly as PyYAML
alone reads it."""


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_documents_fail_as_pyyaml_alone_fails(text: str) -> None:
    assert _read(None, text) == _pure(text)


def test_empty_and_comment_only_files_are_none_as_before() -> None:
    for text in ("", "# only a comment\n", "# no line break"):
        assert _read(None, text) == ("data", "None", {}) == _pure(text)


def _loaders_used(monkeypatch: pytest.MonkeyPatch) -> list[type[Any]]:
    """The loaders ``load_text`` reads with from now on, in order."""
    used: list[type[Any]] = []
    load_with = yamlfile._load_with

    def spy(loader: type[Any], *args: Any) -> Any:
        used.append(loader)
        return load_with(loader, *args)

    monkeypatch.setattr(yamlfile, "_load_with", spy)
    return used


@needs_libyaml
def test_a_bad_file_is_read_again_by_pyyaml_and_a_good_one_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    used = _loaders_used(monkeypatch)
    yamlfile.load_text("a: 1\n", "f.yaml", InputError)
    assert used == [LIBYAML]
    used.clear()
    with pytest.raises(InputError, match="names a key twice"):
        yamlfile.load_text("a: 1\na: 2\n", "f.yaml", InputError)
    assert used == [LIBYAML, yamlfile._Loader]
    used.clear()
    # libyaml refuses this escape, PyYAML reads it: PyYAML's data stands.
    data, _ = yamlfile.load_text('a: "\\ud800"\n', "f.yaml", InputError)
    assert data == {"a": "\ud800"}
    assert used == [LIBYAML, yamlfile._Loader]
    used.clear()
    yamlfile.load_text("a: !!str 1\n", "f.yaml", InputError)  # a tag: PyYAML alone
    assert used == [yamlfile._Loader]


def test_without_libyaml_pyyaml_reads_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    assert yamlfile._libyaml_loader() is None
    monkeypatch.setattr(yaml, "__with_libyaml__", True)
    monkeypatch.setitem(sys.modules, "yaml._yaml", None)  # the import fails
    assert yamlfile._libyaml_loader() is None

    monkeypatch.setattr(yamlfile, "_LIBYAML_LOADER", None)
    used = _loaders_used(monkeypatch)
    text = (ROOT / "fixtures" / "demo" / "platform.yaml").read_text("utf-8")
    assert _read(None, text) == _pure(text)
    assert _read(None, "a: 1\na: 2\n") == _pure("a: 1\na: 2\n")
    assert set(used) == {yamlfile._Loader}
