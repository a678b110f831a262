"""What a visitor sees of a page: its visible text and links, and what it hides.

An applicant controls their own pages, so text a visitor never sees must not count as
evidence: ``<div style="display:none">Pricing, free trial</div>`` on a page that says
"internal prototype" is not an offering for sale. :func:`view_of` walks a parsed page
once, in document order, and sorts every string and link into *visible* or *hidden*,
with the reason it is hidden:

- the ``hidden`` attribute, ``aria-hidden="true"``, a ``<template>``;
- an inline ``style`` that hides (:func:`hiding_declaration`): ``display:none``,
  ``visibility:hidden``, ``opacity:0``, ``font-size:0``, off-screen positions, zero-size
  clipped boxes, transparent text;
- a rule of the page's own ``<style>`` that hides an element by tag, class, id or simple
  attribute (:class:`StyleRules`). Rules are read generously (the subject of a complex
  selector, rules inside ``@media`` queries other than print): reading too much as hidden
  costs a person's review, reading too little would let hidden text pass.
- an ``<a href>`` with no text and no image shows nothing to click.

Scripts, styles, ``<noscript>``, the ``<head>`` (but its title), comments and other
markup are not text at all, as before. Stylesheets linked from other files are not
fetched: what they hide is read as visible (a known limit, in the README).

The walk is linear in the page: each element's state is derived from its parent's, which
the document order has already visited (a walk up ``.parents`` for every string is
quadratic, and 45,000 nested ``<div>`` took 80 s that way).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PreformattedString


class Overtime(Exception):
    """Reading a page went past its deadline (raised in the worker thread)."""


IGNORED = frozenset({"script", "style", "noscript", "head"})
"""Elements whose content is not text a reader sees, hidden or not (title taken apart)."""


@dataclass(frozen=True)
class Hidden:
    """A passage of a page that a visitor does not see."""

    text: str
    """Its text, whitespace collapsed."""
    reason: str
    """Why it is hidden, as a phrase (``display:none in its style attribute``)."""


@dataclass(frozen=True)
class Link:
    """An ``<a href>`` of a page."""

    href: str
    """The link's target, made absolute against the page's final URL."""
    text: str
    """Its text (or the ``alt`` of an image in it), whitespace collapsed."""
    hidden: str | None
    """``None`` for a link a visitor sees, else why it is hidden."""


@dataclass(frozen=True)
class PageView:
    """A page as a visitor sees it (see the module docstring)."""

    visible_text: str
    """The title and visible text, whitespace collapsed."""
    hidden: tuple[Hidden, ...]
    """The hidden passages, one per outermost hidden element with text, in order."""
    links: tuple[Link, ...]
    """Every ``<a href>`` with a valid target, visible or not, in order."""
    reasons: dict[int, str] = field(repr=False)
    """``id(tag)`` of every hidden element -> why; see :meth:`hidden_reason`."""

    def hidden_reason(self, tag: Tag) -> str | None:
        """Why ``tag`` (or an element around it) is hidden from visitors; ``None`` if seen."""
        return self.reasons.get(id(tag))


# --- inline and stylesheet declarations -------------------------------------------------

_LENGTH = re.compile(r"^(-?\d*\.?\d+)\s*([a-z%]*)$")
_FAR = -999.0
"""Offsets (px) at or beyond which a box is moved off the screen."""


def _number(value: str) -> tuple[float, str] | None:
    m = _LENGTH.match(value.strip())
    return (float(m.group(1)), m.group(2)) if m else None


def _tiny_font(value: str) -> bool:
    n = _number(value)
    if n is None:
        return False
    size, unit = n
    limits = {"px": 3.0, "pt": 3.0, "em": 0.2, "rem": 0.2, "%": 20.0, "": 0.5}
    return size <= 0 or size < limits.get(unit, 0.0)


def _far(value: str) -> bool:
    n = _number(value)
    return n is not None and n[0] <= _FAR and n[1] in ("px", "em", "rem", "")


def _zero(value: str) -> bool:
    n = _number(value)
    return n is not None and n[0] <= (1.0 if n[1] == "px" else 0.0)


def parse_declarations(text: str) -> dict[str, str]:
    """``prop: value; ...`` as a mapping of lower-case properties to lower-case values
    (``!important`` dropped; a later declaration wins, as in CSS)."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        prop, sep, value = part.partition(":")
        if sep:
            out[prop.strip().lower()] = " ".join(value.lower().replace("!important", "").split())
    return out


def hiding_declaration(decls: dict[str, str]) -> str | None:
    """The declaration that hides an element (``display:none``), or ``None``."""
    for prop, hides in (
        ("display", lambda v: v == "none"),
        ("visibility", lambda v: v in ("hidden", "collapse")),
        ("opacity", lambda v: (n := _number(v)) is not None and n[0] <= (5 if n[1] else 0.05)),
        ("font-size", _tiny_font),
        ("text-indent", _far),
        ("left", _far),
        ("top", _far),
        ("right", _far),
        ("transform", lambda v: bool(re.search(r"scale[xy]?\(\s*0(\.0+)?\s*[,)]", v))),
        ("clip", lambda v: v.replace(" ", "").startswith("rect(0")),
        ("clip-path", lambda v: bool(re.match(r"(inset\(\s*(50|100)%|circle\(\s*0)", v))),
        ("color", lambda v: v == "transparent"),
    ):
        value = decls.get(prop)
        if value is not None and hides(value):
            return f"{prop}:{value}"
    if decls.get("overflow") in ("hidden", "clip"):
        for prop in ("width", "height", "max-width", "max-height"):
            value = decls.get(prop)
            if value is not None and _zero(value):
                return f"{prop}:{value} with overflow:{decls['overflow']}"
    return None


# --- the page's own <style> rules -------------------------------------------------------

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_INTERACTIVE = re.compile(r":(hover|focus|focus-within|focus-visible|active|target|checked)\b")
_PSEUDO_ELEMENT = re.compile(r"::|:(before|after|first-line|first-letter|selection)\b", re.I)
_PSEUDO = re.compile(r":[a-zA-Z-]+(\([^)]*\))?")
_ATTR = re.compile(r"\[\s*([^\]=~|^$*\s]+)\s*(?:([~|^$*]?=)\s*(\"[^\"]*\"|'[^']*'|[^\]\s]*))?\s*\]")
_WORD = re.compile(r"([.#]?)(-?[_a-zA-Z][\w-]*)")
_MAX_PER_KEY = 32
"""Rules tried per class, id or tag; past that the key alone hides (reads more as hidden)."""


@dataclass(frozen=True)
class _Compound:
    """The subject of a selector (``div.promo#x[data-y="z"]``) and the rule it came from."""

    tag: str | None
    classes: frozenset[str]
    ident: str | None
    attrs: tuple[tuple[str, str | None], ...]
    rule: str

    def matches(self, tag: Tag) -> bool:
        if self.tag and tag.name != self.tag:
            return False
        if self.ident and tag.get("id") != self.ident:
            return False
        if self.classes and not self.classes <= set(_classes(tag)):
            return False
        for name, value in self.attrs:
            got = tag.get(name)
            if got is None or (value is not None and _attr_text(got) != value):
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


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    return value if isinstance(value, list) else ([value] if value else [])


def _attr_text(value: str | list[str]) -> str:
    return " ".join(value) if isinstance(value, list) else value


def _compound(selector: str, decl: str) -> _Compound | None:
    """The subject (last compound) of ``selector``; ``None`` when the rule hides only
    while a visitor interacts (``:hover``) or only generated content (``::before``)."""
    if _INTERACTIVE.search(selector) or _PSEUDO_ELEMENT.search(selector):
        return None
    last = re.split(r"\s*[\s>+~]\s*", selector.strip())[-1]
    attrs = tuple(
        (m.group(1).lower(), m.group(3).strip("\"'") if m.group(2) == "=" else None)
        for m in _ATTR.finditer(last)
    )
    tag, classes, ident = None, set(), None
    for prefix, word in _WORD.findall(_PSEUDO.sub("", _ATTR.sub("", last))):
        if prefix == ".":
            classes.add(word)
        elif prefix == "#":
            ident = word
        else:
            tag = word.lower()
    return _Compound(tag, frozenset(classes), ident, attrs, f"{last} {{{decl}}}")


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


class StyleRules:
    """The rules of a page's ``<style>`` elements that hide what they select."""

    def __init__(self, css: Iterable[str]) -> None:
        self._by: dict[str, list[_Compound]] = defaultdict(list)
        for sheet in css:
            for selectors, body, print_only in _blocks(_COMMENT.sub("", sheet)):
                decl = hiding_declaration(parse_declarations(body))
                if decl is None or print_only or selectors.startswith("@"):
                    continue
                for selector in selectors.split(","):
                    compound = _compound(selector, decl)
                    if compound is not None:
                        self._add(compound)

    def _add(self, compound: _Compound) -> None:
        key = compound.key
        entries = self._by[key]
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
                )
            ]
        if len(entries) < _MAX_PER_KEY:
            entries.append(compound)

    def hides(self, tag: Tag) -> str | None:
        """The rule hiding ``tag``, as ``.promo {display:none}``, or ``None``."""
        if not self._by:
            return None
        keys = [f".{c}" for c in _classes(tag)]
        ident = tag.get("id")
        if isinstance(ident, str):
            keys.append(f"#{ident}")
        keys += [str(tag.name), "*"]
        for key in keys:
            for rule in self._by.get(key, ()):
                if rule.matches(tag):
                    return rule.rule
        return None


# --- the walk ---------------------------------------------------------------------------


def _own_reason(tag: Tag, rules: StyleRules) -> str | None:
    if tag.name == "template":
        return "a <template>"
    if tag.has_attr("hidden"):
        return "the hidden attribute"
    if tag.name == "dialog" and not tag.has_attr("open"):
        return "a closed <dialog>"
    if str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return 'aria-hidden="true"'
    style = tag.get("style")
    if isinstance(style, str):
        decl = hiding_declaration(parse_declarations(style))
        if decl:
            return f"{decl} in its style attribute"
    rule = rules.hides(tag)
    if rule:
        return f"the rule {rule} of the page's <style>"
    return None


def _collapse(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


def view_of(soup: BeautifulSoup, base_url: str, deadline: float | None = None) -> PageView:
    """Sort ``soup``'s text and links into visible and hidden (module docstring); raise
    :class:`Overtime` once ``time.monotonic()`` passes ``deadline``."""
    rules = StyleRules(s.get_text() for s in soup.find_all("style"))
    reasons: dict[int, str] = {}
    ignored: set[int] = set()
    root_of: dict[int, Tag] = {}  # hidden element -> its outermost hidden ancestor
    anchor_of: dict[int, Tag] = {}  # element -> the <a href> around it
    hidden_parts: dict[int, list[str]] = {}
    hidden_roots: list[Tag] = []
    link_parts: dict[int, list[str]] = {}
    anchors: list[Tag] = []
    visible: list[str] = []
    for count, node in enumerate(soup.descendants):
        if deadline is not None and not count % 1024 and time.monotonic() > deadline:
            raise Overtime("reading the page went past its deadline")
        parent = node.parent
        pid = id(parent)
        if isinstance(node, Tag):
            nid = id(node)
            if pid in ignored or node.name in IGNORED:
                ignored.add(nid)
                continue
            if pid in reasons:
                reasons[nid] = reasons[pid]
                root_of[nid] = root_of[pid]
            else:
                own = _own_reason(node, rules)
                if own is not None:
                    reasons[nid] = own
                    root_of[nid] = node
                    hidden_roots.append(node)
                    hidden_parts[nid] = []
            if pid in anchor_of:
                anchor_of[nid] = anchor_of[pid]
            if node.name == "a" and isinstance(node.get("href"), str):
                anchor_of[nid] = node
                anchors.append(node)
                link_parts[nid] = []
            if node.name == "img" and pid in anchor_of and node.get("alt"):
                link_parts[id(anchor_of[pid])].append(f"\x00{_attr_text(node['alt'])}")
            continue
        if not isinstance(node, NavigableString) or isinstance(node, PreformattedString):
            continue  # comments, doctype, processing instructions, CDATA
        if pid in ignored:
            continue
        text = str(node)
        if pid in reasons:
            hidden_parts[id(root_of[pid])].append(text)
        else:
            visible.append(text)
        anchor = anchor_of.get(pid)
        if anchor is not None and (pid not in reasons or id(anchor) in reasons):
            link_parts[id(anchor)].append(text)  # a visible link's hidden words are not its text
    title = soup.title.get_text(" ") if soup.title else ""
    hidden = tuple(
        Hidden(text, reasons[id(root)])
        for root in hidden_roots
        if (text := _collapse(hidden_parts[id(root)]))
    )
    return PageView(
        visible_text=_collapse([title, *visible]),
        hidden=hidden,
        links=tuple(_links(anchors, link_parts, reasons, base_url, deadline)),
        reasons=reasons,
    )


def _links(
    anchors: list[Tag],
    parts: dict[int, list[str]],
    reasons: dict[int, str],
    base_url: str,
    deadline: float | None,
) -> Iterable[Link]:
    base = httpx.URL(base_url)
    for count, a in enumerate(anchors):
        if deadline is not None and not count % 256 and time.monotonic() > deadline:
            raise Overtime("reading the page's links went past its deadline")
        try:
            href = str(base.join(str(a["href"])))
        except (httpx.InvalidURL, ValueError):
            continue  # a malformed href is no link to follow or count
        words = [p for p in parts[id(a)] if not p.startswith("\x00")]
        alts = [p[1:] for p in parts[id(a)] if p.startswith("\x00")]
        text = _collapse(words) or _collapse(alts)
        reason = reasons.get(id(a))
        if reason is None and not text and a.find(["img", "svg"]) is None:
            reason = "a link with no text or image to click"
        yield Link(href, text, reason)
