"""Read a YAML file a person wrote, keeping the line of every value.

One helper serves every file we read from people (submissions, policies, sources,
rosters): :func:`load` gives the data and a :class:`LineMap`, and :func:`problems` turns a
pydantic ``ValidationError`` into :class:`~verifier.errors.Problem` objects that name the
file, the line and the field, in words rather than pydantic's codes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pydantic
import yaml

from verifier.errors import InputError, Problem

Loc = tuple[str | int, ...]


class LineMap:
    """Maps a path of keys and indexes (``("applicant", "website")``) to a 1-based line."""

    def __init__(self) -> None:
        self._lines: dict[Loc, int] = {}

    def add(self, loc: Loc, line: int) -> None:
        """Record that the value at ``loc`` starts on ``line``."""
        self._lines.setdefault(loc, line)

    def line(self, loc: Sequence[str | int]) -> int | None:
        """Line of ``loc``, or of its nearest ancestor that has one."""
        key = tuple(loc)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return self._lines.get((), None)

    def sub(self, prefix: Loc) -> LineMap:
        """The lines below ``prefix``, with ``prefix`` removed from each path."""
        out = LineMap()
        n = len(prefix)
        for loc, line in self._lines.items():
            if loc[:n] == prefix:
                out.add(loc[n:], line)
        return out


class _Loader(yaml.SafeLoader):
    """SafeLoader without anchors and aliases; plain ``yaml.safe_load`` would lose the
    line numbers. Files people write here never need an alias, and aliases let a few lines
    expand to billions of nodes or loop (``a: &x [*x]``)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not accepted; write the value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _walk(node: yaml.Node, loc: Loc, lines: LineMap, twice: list[tuple[Loc, int, int]]) -> None:
    """Record the line of every value, and every key given twice in one mapping (YAML keeps
    the last silently, which would drop what the person wrote first) as (path, line, first
    line), in one pass over the tree."""
    lines.add(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if key in first:
                twice.append(((*loc, key), line, first[key]))
            first.setdefault(key, line)
            # The key's own line: an unknown or misspelt key is reported where it stands.
            lines.add((*loc, key), line)
            _walk(value_node, (*loc, key), lines, twice)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), lines, twice)


def load_text(text: str, name: str, error: type[InputError]) -> tuple[Any, LineMap]:
    """Parse YAML ``text`` (from file ``name``); syntax errors raise ``error`` with the line."""
    lines = LineMap()
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        raise error(
            f"{name} is not valid YAML",
            (
                Problem(
                    name,
                    line,
                    "",
                    what if "aliases" in what else f"{what}; fix the YAML syntax there",
                ),
            ),
        ) from exc
    except yaml.YAMLError as exc:
        raise error(f"{name} is not valid YAML: {exc}") from exc
    if node is not None:
        twice: list[tuple[Loc, int, int]] = []
        _walk(node, (), lines, twice)
        if twice:
            raise error(
                f"{name} names a key twice; YAML would keep only the last one",
                tuple(
                    Problem(
                        name,
                        line,
                        field_name(loc),
                        f"given twice (first on line {first}); keep one",
                    )
                    for loc, line, first in twice
                ),
            )
    return data, lines


def load(path: Path, error: type[InputError], what: str) -> tuple[Any, LineMap]:
    """Read and parse the YAML file at ``path``; ``what`` names it in messages."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(f"{what} {path} does not exist; check the path") from exc
    except IsADirectoryError as exc:
        raise error(f"{what} {path} is a directory; give the path of a YAML file") from exc
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from exc
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from exc
    return load_text(text, str(path), error)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """The hint after an unknown name: the closest known one, or the list of them."""
    choices = sorted(known)
    close = difflib.get_close_matches(name, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else f"known: {', '.join(choices) or 'none'}"


def field_name(loc: Iterable[str | int]) -> str:
    """``("case_studies", 0, "url")`` -> ``case_studies[0].url``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _known_fields(model: type[pydantic.BaseModel] | None, loc: Loc) -> list[str]:
    """Field names of the (nested) model that holds ``loc``'s last key, for suggestions."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", {})
        info = fields.get(part)
        if info is None:
            return []
        annotation = info.annotation
        current = _model_in(annotation)
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _message(err: Any, known: list[str]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        allowed = f" (allowed here: {', '.join(known)})" if known and not close else ""
        return f"unknown field '{key}'{hint}{allowed}"
    if kind == "missing":
        return "required field is missing"
    if kind in (
        "string_type",
        "int_type",
        "int_parsing",
        "bool_type",
        "list_type",
        "tuple_type",
        "dict_type",
        "model_type",
        "float_type",
        "float_parsing",
        "bool_parsing",
    ):
        expected = {
            "string_type": "text",
            "int_type": "a whole number",
            "int_parsing": "a whole number",
            "bool_type": "true or false",
            "bool_parsing": "true or false",
            "list_type": "a list",
            "tuple_type": "a list",
            "dict_type": "a mapping",
            "model_type": "a mapping",
            "float_type": "a number",
            "float_parsing": "a number",
        }[kind]
        got = err.get("input")
        shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
        return f"must be {expected}, not {shown}"
    ctx = err.get("ctx") or {}
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        limit = ctx.get(key)
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)  # "more than 0", not "more than 0.0"
        return f"must be {words} {limit}, not {err.get('input')!r}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg


def problems(
    exc: pydantic.ValidationError,
    file: str,
    lines: LineMap,
    model: type[pydantic.BaseModel] | None = None,
    prefix: Loc = (),
) -> tuple[Problem, ...]:
    """Translate a pydantic error into problems naming file, line and field."""
    out: list[Problem] = []
    for err in exc.errors():
        # pydantic adds the tag of a union member to the location; drop non-data parts.
        loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        known = _known_fields(model, loc) if model is not None else []
        full = (*prefix, *loc)
        out.append(Problem(file, lines.line(loc), field_name(full), _message(err, known)))
    # In file order, so a person fixes them top to bottom.
    return tuple(sorted(out, key=lambda p: p.line or 0))
