"""Read a YAML file a person wrote, keeping the line of every value.

One helper serves every file we read from people (submissions, policies, sources,
rosters): :func:`load` gives the data and a :class:`LineMap`, and :func:`problems` turns a
pydantic ``ValidationError`` into :class:`~verifier.errors.Problem` objects that name the
file, the line and the field, in words rather than pydantic's codes.

Every file is read once (:func:`read`: a pipe such as ``/dev/stdin`` has no second
reading) and bounded before it is parsed: :data:`MAX_FILE_BYTES`, :data:`MAX_DEPTH`,
:data:`MAX_INTEGER_CHARS`. What is over a bound is bad input with its file, line and
field, never a traceback (PyYAML composes recursively and Python refuses to convert an
integer of more than 4,300 digits).

The text is scanned and parsed by libyaml when PyYAML has it (done in Python, that was most
of the CPU spent here when a re-check reads hundreds of submissions), then composed and
constructed by PyYAML's Python code as before, which keeps the bounds. PyYAML alone reads
again a file libyaml fails on, and alone reads text with syntax where the two differ, so
the data, the lines and every message are PyYAML's.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import yaml

from verifier.errors import InputError, Problem

Loc = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
"""Largest file read from a person: 1 MiB. The bundled policies and demo submissions are
under 8 KiB; a submission listing a thousand practitioners is about 60 KiB."""

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists (a scalar at the top is depth 1). The bundled
policies nest 9 deep; a few hundred levels would exhaust Python's stack in PyYAML."""

MAX_INTEGER_CHARS = 20
"""Longest integer, in characters: no count here needs more, and a 5,000-digit one is
more than Python converts."""


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


class _Located(yaml.MarkedYAMLError):
    """A bound passed while composing, with the field where it happened."""

    def __init__(self, problem: str, mark: yaml.Mark, loc: Loc) -> None:
        super().__init__(None, None, problem, mark)
        self.loc = loc


class _NotAlike(Exception):
    """libyaml read a document otherwise than PyYAML does."""


class _Bounded(yaml.composer.Composer, yaml.constructor.SafeConstructor):
    """PyYAML's composer and SafeConstructor, without aliases and no deeper than
    :data:`MAX_DEPTH`; plain ``yaml.safe_load`` would lose the line numbers. Files people
    write here never need an alias, and aliases let a few lines expand to billions of nodes
    or loop (``a: &x [*x]``). Both loaders compose with these methods, so the refusals and
    their messages do not depend on which parser gave the events."""

    # The keys and indexes down to the node being composed (None: the document, or a key),
    # for the field of a message; each loader's __init__ starts it empty.
    _path: list[str | int | None]

    if TYPE_CHECKING:  # given by each loader and its parser

        def __init__(self, stream: str) -> None: ...
        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...
        def dispose(self) -> None: ...

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not accepted; write the value out",
                event.start_mark,
            )
        part = index.value if isinstance(index, yaml.ScalarNode) else index
        self._path.append(part if isinstance(part, str | int) else None)
        try:
            # Refused on the way down, before the recursion goes any deeper.
            if len(self._path) > MAX_DEPTH:
                event = self.peek_event()
                raise _Located(
                    f"nested more than {MAX_DEPTH} levels deep, the limit for an input file",
                    event.start_mark,
                    tuple(p for p in self._path if p is not None),
                )
            return super().compose_node(parent, index)
        finally:
            self._path.pop()

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # a date like 2026-13-45
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r}: {exc}", node.start_mark
            ) from exc


class _Loader(_Bounded, yaml.SafeLoader):
    """The loader written in Python from reader to constructor. It reads every file when
    PyYAML has no libyaml, and any file the libyaml loader fails on or may read otherwise
    (:func:`_libyaml_reads_alike`): what it says of a file is what a person is told."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path = []

    def scan_flow_scalar_non_spaces(self, double: bool, start_mark: yaml.Mark) -> Any:
        # PyYAML's scanner turns an escape such as "\U00110000" or "\UFFFFFFFF" into a
        # character with chr(), which refuses a code point beyond Unicode with a bare
        # ValueError (or OverflowError): bad input, to be said where it is.
        try:
            return super().scan_flow_scalar_non_spaces(double, start_mark)
        except (ValueError, OverflowError) as exc:
            raise yaml.scanner.ScannerError(
                "while scanning a double-quoted scalar",
                start_mark,
                "found an escape beyond Unicode (the last character is \\U0010FFFF)",
                self.get_mark(),
            ) from exc


def _libyaml_loader() -> type[_Bounded] | None:
    """A loader taking its events from libyaml, or ``None`` when PyYAML has no libyaml."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None

    # Why libyaml: load_text of a generated 1.3 KB submission took about 5 ms of CPU with
    # PyYAML's Python scanner and parser (most of it theirs), 0.9 ms with libyaml's; a
    # re-check of 300 partners reads 300 of them. Policies gain as much (7 KB: 21 -> 3 ms).
    class _LibyamlLoader(_Bounded, CParser, yaml.resolver.Resolver):
        """Events from libyaml's parser (``CParser``), composed by :class:`_Bounded`.
        ``CParser`` also composes, in C and without our refusals (``get_single_node``,
        ``check_node``, ``get_node``); :class:`_Bounded` comes before it in the method
        order, so PyYAML's Python composer runs and takes only ``check_event``,
        ``peek_event`` and ``get_event`` from ``CParser``. libyaml's marks carry a line and
        a column but no text to quote; only the line is used."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._path = []

        def get_single_node(self) -> yaml.Node | None:
            node = super().get_single_node()
            if isinstance(node, yaml.ScalarNode) and not node.value:
                # An empty document. When the last line has no line break libyaml ends it
                # itself and puts the document on the line after; PyYAML, on the last.
                raise _NotAlike
            return node

    return _LibyamlLoader


_LIBYAML_LOADER = _libyaml_loader()
"""The loader :func:`load_text` tries first; ``None`` without libyaml."""

_LIBYAML_DIFFERS = re.compile(
    "|".join(
        (
            "\t",  # PyYAML takes a tab only in quoted and block scalars and in comments
            "\ufeff(?<=.\ufeff)",  # a BOM after the start: libyaml skips one on any line
            # A tag, an anchor or an alias where a token starts (an empty value tagged "!"
            # is null to PyYAML, "" to libyaml).
            # A BOM before it counts as a start: the first line's token follows it.
            r"!(?<![^\s\[\]{},\ufeff]!)",
            r"&(?<![^\s\[\]{},\ufeff]&)(?=[-\w])",
            r"\*(?<![^\s\[\]{},\ufeff]\*)(?=[-\w])",
            "%(?<![^\n\r\x85\u2028\u2029\ufeff]%)",  # a directive: a line starting with %
            r"\|[-+0-9]{0,2}#",  # "#" right after a block scalar's indicators: PyYAML
            r">[-+0-9]{0,2}#",  # refuses it, libyaml takes a comment
        )
    ),
    re.DOTALL,
)
"""Syntax that libyaml reads otherwise than PyYAML, or may: found by comparing the two
loaders over documents made at random and over files with random edits. Each alternative
starts with a fixed character, so that a search skips quickly through the text."""


def _libyaml_reads_alike(text: str) -> bool:
    """Whether the libyaml loader may read ``text``: none of :data:`_LIBYAML_DIFFERS`, no
    character PyYAML's reader refuses (libyaml refuses the same ones, but in other words,
    and cannot be given a lone surrogate at all), and no "?" beside a flow collection. It
    costs about 20 µs for a 1.3 KB file, which libyaml then reads in about 1 ms."""
    if "?" in text and ("[" in text or "{" in text):
        # In a flow collection PyYAML ends a plain scalar at "?" and reads a key; libyaml
        # keeps the "?" in the scalar.
        return False
    return (
        yaml.reader.Reader.NON_PRINTABLE.search(text) is None
        and _LIBYAML_DIFFERS.search(text) is None
    )


def _walk(
    node: yaml.Node,
    loc: Loc,
    lines: LineMap,
    twice: list[tuple[Loc, int, int]],
    too_long: list[tuple[Loc, int, int]],
) -> None:
    """Record the line of every value, every key given twice in one mapping (YAML keeps
    the last silently, which would drop what the person wrote first) as (path, line, first
    line), and every integer over :data:`MAX_INTEGER_CHARS` as (path, line, length), in
    one pass over the tree (composed, not yet constructed)."""
    lines.add(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_INTEGER_CHARS:
            too_long.append((loc, node.start_mark.line + 1, len(node.value)))
    elif isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if key in first:
                twice.append(((*loc, key), line, first[key]))
            first.setdefault(key, line)
            # The key's own line: an unknown or misspelt key is reported where it stands.
            lines.add((*loc, key), line)
            _walk(value_node, (*loc, key), lines, twice, too_long)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), lines, twice, too_long)


def load_text(text: str, name: str, error: type[InputError]) -> tuple[Any, LineMap]:
    """Parse YAML ``text`` (from file ``name``); syntax errors raise ``error`` with the line."""
    if _LIBYAML_LOADER is not None and _libyaml_reads_alike(text):
        # Whatever fails here (bad YAML, a bound, a key given twice, _NotAlike) is read
        # again by PyYAML alone, whose error, or data, stands: a bad file costs two reads.
        with contextlib.suppress(Exception):
            return _load_with(_LIBYAML_LOADER, text, name, error)
    return _load_with(_Loader, text, name, error)


def _load_with(
    loader_class: type[_Bounded], text: str, name: str, error: type[InputError]
) -> tuple[Any, LineMap]:
    """:func:`load_text` with one loader."""
    lines = LineMap()
    try:
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_tree(node, name, lines, error)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        if isinstance(exc, _Located):
            raise error(
                f"{name} is nested too deep", (Problem(name, line, field_name(exc.loc), what),)
            ) from exc
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
    return data, lines


def _check_tree(node: yaml.Node, name: str, lines: LineMap, error: type[InputError]) -> None:
    """Fill ``lines``; refuse a key given twice or an integer too long to be one."""
    twice: list[tuple[Loc, int, int]] = []
    too_long: list[tuple[Loc, int, int]] = []
    _walk(node, (), lines, twice, too_long)
    if twice:
        raise error(
            f"{name} names a key twice; YAML would keep only the last one",
            tuple(
                Problem(
                    name, line, field_name(loc), f"given twice (first on line {first}); keep one"
                )
                for loc, line, first in twice
            ),
        )
    if too_long:
        raise error(
            f"{name} holds a number too long to be one",
            tuple(
                Problem(
                    name,
                    line,
                    field_name(loc),
                    f"a number of {n:,} characters; the limit is {MAX_INTEGER_CHARS}",
                )
                for loc, line, n in too_long
            ),
        )


def read(path: Path, error: type[InputError], what: str) -> bytes:
    """The bytes of the file at ``path``, read once and at most :data:`MAX_FILE_BYTES`;
    ``what`` names the file in messages. Everything after works on these bytes: a pipe
    (``/dev/stdin``) cannot be read a second time, and a file may change meanwhile."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise error(f"{what} {path} does not exist; check the path") from exc
    except IsADirectoryError as exc:
        raise error(f"{what} {path} is a directory; give the path of a YAML file") from exc
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise error(
            f"{what} {path} is larger than {MAX_FILE_BYTES:,} bytes (1 MiB), the limit for "
            "an input file; no valid one comes near it"
        )
    return raw


def parse(raw: bytes, name: str, error: type[InputError], what: str) -> tuple[Any, LineMap]:
    """Parse the bytes :func:`read` returned for file ``name``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {name} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from exc
    return load_text(text, name, error)


def load(path: Path, error: type[InputError], what: str) -> tuple[Any, LineMap]:
    """Read and parse the YAML file at ``path``; ``what`` names it in messages."""
    return parse(read(path, error, what), str(path), error, what)


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


_EXPECTED = {
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
}
"""What a value of the wrong type must be, by pydantic error type."""

_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}
"""How a message says a bound, and the key of the bound in the error's ``ctx``."""


def _message(err: Any, known: list[str]) -> str:
    """One pydantic error as a person reads it (``known``: the fields allowed there)."""
    kind = err["type"]
    if kind == "extra_forbidden":
        return _unknown_field(str(err["loc"][-1]), known)
    if kind == "missing":
        return "required field is missing"
    if kind in _EXPECTED:
        return f"must be {_EXPECTED[kind]}, not {shown(err.get('input'))}"
    ctx = err.get("ctx") or {}
    if kind in _BOUNDS:
        return _out_of_bounds(kind, ctx, err.get("input"))
    return _size_message(kind, ctx, err.get("input")) or _plain(str(err["msg"]))


def _unknown_field(key: str, known: list[str]) -> str:
    """A field the model does not have, with the closest known one or the allowed ones."""
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    allowed = f" (allowed here: {', '.join(known)})" if known and not close else ""
    return f"unknown field '{key}'{hint}{allowed}"


def _out_of_bounds(kind: str, ctx: dict[str, Any], value: Any) -> str:
    """A number (or date) beyond one of the field's bounds."""
    words, key = _BOUNDS[kind]
    limit = ctx.get(key)
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)  # "more than 0", not "more than 0.0"
    # 10,000,000 reads better than 10000000; a bound may also be a date or a float.
    limit = f"{limit:,}" if isinstance(limit, int) and not isinstance(limit, bool) else limit
    return f"must be {words} {limit}, not {shown(value)}"


def _size_message(kind: str, ctx: dict[str, Any], value: Any) -> str | None:
    """A text or list too short or too long; ``None`` for another kind of error."""
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    if kind == "string_too_long":
        return f"is {len(value or ''):,} characters long; the limit is {ctx.get('max_length', 0):,}"
    if kind == "too_long":
        actual = ctx.get("actual_length")
        given = f"has {actual:,} items" if actual else "has too many items"
        return f"{given}; the limit is {ctx.get('max_length', 0):,}"
    return None


def _plain(msg: str) -> str:
    """Pydantic's own message, without the prefix it gives a validator's."""
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg


def shown(value: Any, limit: int = 60) -> str:
    """``value`` as a message quotes it: its ``repr``, cut to about ``limit`` characters (a
    50 MB value must not become a 50 MB message); a mapping or list by its type."""
    if isinstance(value, dict | list | tuple):
        return type(value).__name__
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


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
