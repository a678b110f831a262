"""The rules of a page's own stylesheets that hide what they select.

Its ``<style>`` elements, ``<link rel="stylesheet">`` given as a ``data:`` URL and
``@import`` of ``data:`` URLs (at most 1 MiB of ``data:`` CSS) are read
(:func:`stylesheets`); :class:`StyleRules` files each hiding rule under the class, id or
tag of its selector's subject and answers, per element, the rule that hides it. Rules are
read generously (the subject of a complex selector, rules inside ``@media`` queries other
than print): reading too much as hidden costs a person's review, reading too little would
let hidden text pass.
"""

from __future__ import annotations

import base64
import functools
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from bs4.builder import HTMLTreeBuilder

from verifier.fetch.bounded import Overtime
from verifier.fetch.css import (
    COMMENT,
    canonical,
    hiding_declaration,
    parse_declarations,
    unescape,
)

# --- the page's own <style> rules -------------------------------------------------------

_INTERACTIVE = re.compile(r":(hover|focus|focus-within|focus-visible|active|target|checked)\b")
_PSEUDO_ELEMENT = re.compile(r"::|:(before|after|first-line|first-letter|selection)\b", re.I)
_SELECTOR_SYNTAX = re.compile(r"\"[^\"]*\"?|'[^']*'?|:not\(|[()\[\]]", re.I)
_LIST_SYNTAX = re.compile(r"[(),\[\]\"']")
_PSEUDO = re.compile(r":[a-zA-Z-]+(\([^)]*\))?")
_ATTR = re.compile(
    r"\[\s*([^\[\]=~|^$*\s]+)\s*(?:([~|^$*]?=)\s*(\"[^\"]*\"|'[^']*'|[^\[\]\s]*))?\s*([is])?\s*\]",
    re.I,
)
_SUBJECT_SYNTAX = re.compile(r"\"[^\"]*\"?|'[^']*'?|[()\[\]]|[\s>+~]+")
"""Strings, brackets, parentheses and combinators: what :func:`_subject` reads."""
# An identifier: ASCII letters, "_", "-", digits after the first, any non-ASCII character,
# and escapes (made canonical by canonical, so "\\" and six hex digits).
_NAME_CHAR = r"(?:[\w-]|[^\x00-\x7f]|\\[0-9a-f]{6})"
_WORD = re.compile(rf"([.#]?)(-?(?:[_a-zA-Z]|[^\x00-\x7f]|\\[0-9a-f]{{6}}){_NAME_CHAR}*)")
_MAX_TRIES = 256
"""Rules tried on one element; past that it is read as hidden (a person looks)."""
_MAX_PER_KEY = _MAX_TRIES
"""Rules kept per class, id or tag; past that the key alone hides (reads more as hidden).
As many as an element may try, so that a page's ordinary attribute rules (``[hidden]``,
``[aria-hidden]``...) never collapse into "every element is hidden"."""
_MAX_SELECTOR = 2048
"""Longest selector (between the commas of a selector list, :func:`_selector_list`) whose
subject is read; a longer one is taken to select every element."""
_MAX_DATA_CSS = 1 << 20
"""Characters of CSS read from ``data:`` stylesheets of one page, in total."""


@dataclass(frozen=True)
class _Compound:
    """The subject of a selector (``div.promo#x[data-y="z"]``) and the rule it came from."""

    tag: str | None
    classes: frozenset[str]
    ident: str | None
    attrs: tuple[tuple[str, str | None, bool], ...]
    """``(name, value or None for any, compared case-insensitively)``."""
    subject: str
    """The selector's subject as written (``div.promo``), or the whole reason when
    ``decl`` is ``None``."""
    decl: str | None
    """The hiding declaration of its rule: one string shared by every selector of the
    rule, so that a rule of many selectors and a long declaration (``a,b,c...{left:-999px
    ...}``) is not copied once per selector (16 KiB of such CSS made 136 MB of rules,
    kept for the run by :func:`_kept_rules`)."""

    @property
    def rule(self) -> str:
        """The rule it came from, as a reason names it (``.promo {display:none}``)."""
        return self.subject if self.decl is None else f"{self.subject} {{{self.decl}}}"

    def matches(self, name: str, element: Any, ident: str | None, classes: frozenset[str]) -> bool:
        """Whether it selects lxml's ``element`` named ``name``, whose id is ``ident`` and
        classes are ``classes``."""
        if self.tag and name != self.tag:
            return False
        if self.ident and ident != self.ident:
            return False
        if self.classes and not self.classes <= classes:
            return False
        for attr, value, folded in self.attrs:
            text = attribute(element, name, attr)
            if text is None:
                return False
            if value is not None and (text.lower() if folded else text) != value:
                return False
        return True

    @property
    def key(self) -> str:
        """Where :class:`StyleRules` files it: its id, else a class, else its tag, else *."""
        if self.ident:
            return f"#{self.ident}"
        if self.classes:
            return f".{min(self.classes)}"
        return self.tag or "*"


_LISTS = HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES
_LISTED = frozenset(_LISTS["*"])


def attribute(element: Any, name: str, attr: str) -> str | None:
    """The value of attribute ``attr`` of lxml's ``element`` named ``name``, as a
    selector compares it on bs4's tree of the page: an attribute bs4 takes as a list of
    words (``class``, ``rel``...) has its words joined by one space. A name lxml would
    not look up as written (``{urn:x}y``, read as namespaced; one holding a control
    character, refused) is compared with the element's names as written."""
    value: str | None
    try:
        value = element.get(attr) if "{" not in attr else _as_written(element, attr)
    except ValueError:
        value = _as_written(element, attr)
    if value is not None and (attr in _LISTED or attr in _LISTS.get(name, ())):
        return " ".join(value.split())
    return value


def _as_written(element: Any, attr: str) -> str | None:
    return next((value for name, value in element.items() if name == attr), None)


def _compound(selector: str, decl: str) -> _Compound | None:
    """The subject (last compound) of ``selector`` (escapes made canonical); ``None`` when
    the rule hides only while a visitor interacts (``:hover``) or only generated content
    (``::before``). A selector longer than :data:`_MAX_SELECTOR` selects every element."""
    if len(selector) > _MAX_SELECTOR:
        # The patterns reading a subject are kept to short text: once, an unclosed `[`
        # or `(` of 64,000 characters took 8 s, and one block is read between two looks
        # at the clock. No page needs such a selector: it is taken to select every element
        # (read as hidden: a person looks), never skipped (what it hides would pass),
        # whatever it holds (a `:hover` or `::` too: one in a string must not skip it).
        return _Compound(
            None,
            frozenset(),
            None,
            (),
            f"{selector.strip()[:40]}... (a selector of {len(selector)} characters, too "
            "long to read: taken to select every element)",
            decl,
        )
    # A `:hover` in an attribute or a string is text, and under `:not()` it hides while the
    # visitor does nothing (`.promo:not(:hover)`), as a closed <dialog> is hidden.
    outside = _outside_negations(selector)
    if _INTERACTIVE.search(outside) or _PSEUDO_ELEMENT.search(outside):
        return None
    last, top = _subject(selector.strip())
    if not last:
        return None
    attrs = []
    for m in _ATTR.finditer(top):
        folded = (m.group(4) or "").lower() == "i"
        value = unescape(m.group(3).strip("\"'")) if m.group(2) == "=" else None
        attrs.append(
            (unescape(m.group(1)).lower(), value.lower() if value and folded else value, folded)
        )
    tag, classes, ident = None, set(), None
    for prefix, word in _WORD.findall(_PSEUDO.sub("", _ATTR.sub("", top))):
        word = unescape(word)
        if prefix == ".":
            classes.add(word)
        elif prefix == "#":
            ident = word
        else:
            tag = word.lower()
    return _Compound(tag, frozenset(classes), ident, tuple(attrs), unescape(last), decl)


def _subject(selector: str) -> tuple[str, str]:
    """The last compound of ``selector`` (what follows its last combinator outside
    strings, brackets and parentheses: ``.promo:not(.a .b)``), and that compound without
    what its parentheses hold (``.promo:not``): a class or attribute inside ``:not()`` or
    ``:is()`` is no condition on the element."""
    start, depth, opened = 0, 0, -1  # opened: where the open top-level `(` is, or -1
    groups: list[tuple[int, int]] = []  # the spans of the subject's top-level parentheses
    for m in _SUBJECT_SYNTAX.finditer(selector):
        token = m.group()
        if token[0] in "\"'":
            continue
        if token in "([":
            if token == "(" and not depth:
                opened = m.start()
            depth += 1
        elif token in ")]":
            depth = max(depth - 1, 0)
            if not depth and opened >= 0:
                groups.append((opened, m.end()))
                opened = -1
        elif not depth:  # a combinator: the subject follows it
            start = m.end()
            groups.clear()
    if opened >= 0:
        groups.append((opened, len(selector)))  # unclosed: to the end
    last = selector[start:]
    top, at = [], start
    for begin, end in groups:
        top.append(selector[at:begin])
        at = end
    top.append(selector[at:])
    return last, "".join(top)


def _outside_negations(selector: str) -> str:
    """``selector`` without its strings, attributes and negations (``:not(...)``, nested
    parentheses and all): what says which state of the visitor's it needs."""
    out: list[str] = []
    last, nots, brackets = 0, 0, 0
    for m in _SELECTOR_SYNTAX.finditer(selector):
        token = m.group()
        if not (nots or brackets):
            out.append(selector[last : m.start()])
        last = m.end()
        if token[0] in "\"'":  # a string (an unclosed one runs to the end): left out
            continue
        if brackets or token == "[":
            brackets += (token == "[") - (token == "]")
        elif nots:
            nots += (token != "]" and token.endswith("(")) - (token == ")")
        elif token.lower() == ":not(":
            nots = 1
        else:
            out.append(token)
    if not (nots or brackets):
        out.append(selector[last:])
    return "".join(out)


def _selector_list(selectors: str) -> list[str]:
    """The selectors of a rule's prelude, split at its commas outside brackets,
    parentheses and strings (``.promo:not(.a, .b)`` is one selector, and
    ``[title="a,b"]`` one attribute); an unclosed one holds the rest of the prelude."""
    out: list[str] = []
    start, depth, quote = 0, 0, ""
    for m in _LIST_SYNTAX.finditer(selectors):
        char = m.group()
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif not depth:  # a comma between two selectors
            out.append(selectors[start : m.start()])
            start = m.end()
    out.append(selectors[start:])
    return out


def _blocks(sheet: str) -> Iterable[tuple[str, str, bool]]:
    """``(selectors, declarations, print_only)`` of every rule of ``sheet``, in one pass:
    a rule inside ``@media print`` hides nothing from a visitor on a screen."""
    stack: list[str] = []  # the preludes of the blocks we are in
    last, opened = 0, -1
    for m in re.finditer(r"[{}]", sheet):
        if m.group() == "{":
            stack.append(sheet[last : m.start()].rsplit(";", 1)[-1].strip())
            opened = m.end()
        elif stack:
            prelude = stack.pop()
            if opened >= 0:  # no block inside: a rule
                printing = any(p.lower().split() == ["@media", "print"] for p in stack)
                yield prelude, sheet[opened : m.start()], printing
            opened = -1
        last = m.end()


_IMPORT = re.compile(r"@import\s+(?:url\(\s*)?([\"']?)(data:[^\"')]*)\1\s*\)?\s*([^;{}]*)", re.I)


def _data_css(url: str) -> str | None:
    """The CSS a ``data:`` URL carries (percent-encoded or base64), or ``None``."""
    head, sep, data = url.partition(",")
    if not sep or not head.lower().startswith("data:"):
        return None
    if head.lower().endswith(";base64"):
        try:
            raw = base64.b64decode("".join(unquote(data).split()) + "==", validate=False)
        except ValueError:
            return None
    else:
        raw = unquote_to_bytes(data)
    return raw.decode("utf-8", errors="replace")


def stylesheets(elements: Iterable[Any]) -> list[str]:
    """The CSS a browser reads without fetching anything, of a page's ``<style>`` and
    ``<link>`` elements (lxml's, in document order): every ``<style>``, every
    ``<link rel="stylesheet">`` given as a ``data:`` URL and every ``@import`` of a
    ``data:`` URL in those, in order; at most :data:`_MAX_DATA_CSS` characters of
    ``data:`` CSS in all. Print-only sheets are left out."""
    budget = _MAX_DATA_CSS
    out: list[str] = []

    def add(css: str, data: bool) -> None:
        nonlocal budget
        if data:
            css = css[:budget]
            budget -= len(css)
        out.append(css)
        for m in _IMPORT.finditer(css):
            inner = _data_css(m.group(2)) if m.group(3).strip().lower() != "print" else None
            if inner is not None and budget > 0:
                add(inner, data=True)  # as deep as the budget allows: each costs its length

    for element in elements:
        if (element.get("media") or "").strip().lower() == "print":
            continue
        if element.tag == "style":
            add(element.text or "", data=False)  # its text alone: lxml reads no tag in it
            continue
        rel = (element.get("rel") or "").lower().split()
        href = element.get("href")
        if "stylesheet" in rel and "alternate" not in rel and href is not None:
            css = _data_css(href.strip())
            if css is not None and budget > 0:
                add(css, data=True)
    return out


_KEPT_CSS = 16 * 1024
"""Characters of CSS (all of a page's sheets) up to which its hiding rules are read once
and kept for the next page carrying the same CSS, the last 16 such sets. However hostile,
such a set is read in under 50 ms and holds under 5 MB (16 KiB of one-character
selectors of one hiding rule: 4.7 MB; 75 MB for sixteen of them)."""


def _rules(sheets: tuple[str, ...], deadline: float | None) -> dict[str, tuple[_Compound, ...]]:
    """The hiding rules of ``sheets``, filed under the class, id or tag of their subject."""
    by: dict[str, list[_Compound]] = defaultdict(list)
    count = 0
    for sheet in sheets:
        for selectors, body, print_only in _blocks(canonical(COMMENT.sub("", sheet))):
            count += 1
            if deadline is not None and not count % 256 and time.monotonic() > deadline:
                raise Overtime("reading the page's <style> went past its deadline")
            decl = hiding_declaration(parse_declarations(body))
            if decl is None or print_only or selectors.startswith("@"):
                continue
            for selector in _selector_list(selectors):
                if deadline is not None and time.monotonic() > deadline:
                    raise Overtime("reading the page's <style> went past its deadline")
                compound = _compound(selector, decl)
                if compound is not None:
                    _add(by, compound)
    return {key: tuple(rules) for key, rules in by.items()}  # read-only: pages share it


@functools.lru_cache(maxsize=16)
def _kept_rules(sheets: tuple[str, ...]) -> dict[str, tuple[_Compound, ...]]:
    return _rules(sheets, None)


def _add(by: dict[str, list[_Compound]], compound: _Compound) -> None:
    key = compound.key
    entries = by[key]
    if len(entries) == _MAX_PER_KEY:
        # Too many rules on one key to try each: the key alone hides (reads more).
        tag, cls, ident = key, frozenset({key[1:]}), key[1:]
        entries[:] = [
            _Compound(
                tag if key[0] not in ".#*" else None,
                cls if key[0] == "." else frozenset(),
                ident if key[0] == "#" else None,
                (),
                f"{key} (one of {_MAX_PER_KEY}+ hiding rules)",
                None,
            )
        ]
    if len(entries) < _MAX_PER_KEY:
        entries.append(compound)


class StyleRules:
    """The rules of a page's stylesheets (:func:`stylesheets`) that hide what they select."""

    def __init__(self, css: Iterable[str], deadline: float | None = None) -> None:
        sheets = tuple(css)
        self._reasons: dict[int, str] = {}  # id of a rule -> its reason, made once
        if sum(map(len, sheets)) <= _KEPT_CSS:
            # The pages of one site mostly carry the same <style>: read once. That small a
            # sheet is read in milliseconds, so no deadline is needed.
            self._by = _kept_rules(sheets)
        else:
            self._by = _rules(sheets, deadline)

    def hides_element(self, name: str, element: Any) -> str | None:
        """Why a rule hides lxml's ``element`` named ``name`` (``the rule .promo
        {display:none} of the page's <style>``), or ``None``. Past
        :data:`_MAX_TRIES` rules tried on it, the element reads as hidden."""
        if not self._by:
            return None
        # In the page's order (the same reason every run), as bs4 splits them.
        names = dict.fromkeys((element.get("class") or "").split())
        classes = frozenset(names)
        keys = [f".{c}" for c in names]
        ident: str | None = element.get("id")
        if ident is not None:
            keys.append(f"#{ident}")
        keys += [name, "*"]
        tries = 0
        for key in keys:
            rules = self._by.get(key, ())
            tries += len(rules)
            if tries > _MAX_TRIES:
                return f"more than {_MAX_TRIES} rules of the page's <style> to try on it"
            for rule in rules:
                if rule.matches(name, element, ident, classes):
                    # One string per rule, however many elements it hides: a rule's text
                    # may be 16 KiB, and 2,000 elements given a copy each held 65 MB.
                    reason = self._reasons.get(id(rule))  # (self._by keeps the rule)
                    if reason is None:
                        reason = f"the rule {rule.rule} of the page's <style>"
                        self._reasons[id(rule)] = reason
                    return reason
        return None
