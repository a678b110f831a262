"""What a visitor sees of a page: its visible text and links, and what it hides.

An applicant controls their own pages, so text a visitor never sees must not count as
evidence: ``<div style="display:none">Pricing, free trial</div>`` on a page that says
"internal prototype" is not an offering for sale. :func:`view_of` walks a parsed page
once, in document order, and sorts every string and link into *visible* or *hidden*,
with the reason it is hidden:

- the ``hidden`` attribute, ``aria-hidden="true"``, a ``popover``, a ``<template>``, a
  closed ``<dialog>``;
- content a browser does not show as text: the fallback of ``<canvas>``, ``<video>``,
  ``<audio>``, ``<object data>``, the inside of ``<iframe>`` and ``<frameset>``,
  ``<noembed>``, ``<noframes>``, ``<datalist>``, an SVG's ``<defs>`` and ``<symbol>``
  (but what a ``<use>`` shows), ``<desc>``, ``<title>``, ``<metadata>``;
- an inline ``style`` that hides (:func:`hiding_declaration`), read as CSS reads it
  (comments anywhere, escapes replaced, :func:`parse_declarations`), with these
  thresholds: ``display:none``; ``visibility:hidden|collapse``;
  ``content-visibility:hidden``; ``opacity``, ``filter:opacity()``, ``zoom``, any factor
  of ``scale()``/``scale`` and a colour's alpha at or below 0.05 (5 %); ``font-size`` at
  or below 0, under 3px/3pt, 0.2em/rem, 20 %, 0.3vw/vh/vmin/vmax; ``left``, ``top``,
  ``right``, ``bottom``, ``inset``, ``margin*``, ``text-indent``, ``translate`` and
  ``transform: translate*()`` at or beyond -999px/em/rem, -100vw/vh/vmin/vmax or -1000 %;
  ``width``/``height`` (or their ``max-``) at most 1px where the overflow of that axis
  clips (``hidden``, ``clip``, ``auto``, ``scroll``); ``clip:rect(0...``; ``clip-path``
  ``inset(50%|100%)``, ``circle(0)`` or a ``polygon()`` of no area; a transparent
  ``color`` or ``-webkit-text-fill-color`` (``transparent``, ``#0000``, ``#rrggbb00``,
  ``rgba(...,0)``, ``hsl(... / 0)``) unless a background clipped to the text or a text
  stroke paints it. A literal ``calc(0px)`` is read; no other arithmetic.
- a rule of the page's stylesheets that hides an element by tag, class, id or attribute
  (:class:`StyleRules`): its ``<style>`` elements, ``<link rel="stylesheet">`` given as
  a ``data:`` URL and ``@import`` of ``data:`` URLs (at most 1 MiB of ``data:`` CSS,
  :func:`stylesheets`). Rules are read generously (the subject of a complex selector,
  rules inside ``@media`` queries other than print): reading too much as hidden costs a
  person's review, reading too little would let hidden text pass. An element with more
  than 256 hiding rules filed under its classes, id and tag is read as hidden, so the
  work per element stays bounded.
- an ``<a href>`` with no text and no image a visitor sees shows nothing to click: an
  image hidden, or too small to see (:func:`too_small`: a ``width`` or ``height``
  attribute or inline style of 2px or less, as ``<img width="1" height="1">``), shows
  no link.

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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.builder import HTMLTreeBuilder
from bs4.element import NavigableString, PreformattedString

from verifier.fetch.bounded import Overtime
from verifier.fetch.css import hiding_declaration, parse_declarations
from verifier.fetch.stylesheets import StyleRules
from verifier.urls import join_url

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
class Heading:
    """A ``<title>`` or ``<h1>``-``<h6>`` element of a page, as a visitor sees it."""

    name: str
    """``title``, ``h1``... ``h6``."""
    text: str
    """Its text a visitor sees, whitespace collapsed (its hidden words left out:
    ``<h1>Cloud<span hidden> FinOps</span></h1>`` reads "Cloud")."""
    all_text: str
    """Its text with the words it hides: what would have counted."""
    hidden: str | None
    """``None`` when a visitor sees the element, else why it is hidden (an SVG's or a
    body's ``<title>`` is hidden: a browser never draws it)."""


@dataclass(frozen=True)
class PageView:
    """A page as a visitor sees it (see the module docstring)."""

    title: str
    """The page's title (the ``<title>`` in its ``<head>``), whitespace collapsed."""
    visible_text: str
    """The title and visible text, whitespace collapsed."""
    hidden: tuple[Hidden, ...]
    """The hidden passages, one per outermost hidden element with text, in order."""
    links: tuple[Link, ...]
    """Every ``<a href>`` with a valid target, visible or not, in order."""
    headings: tuple[Heading, ...] = ()
    """Every title and ``<h1>``-``<h6>`` element, in order (:class:`Heading`)."""


@dataclass(frozen=True, eq=False)
class Marks:
    """The walk's verdict on each element, by its place in document order: what
    :class:`SoupMarks` lays onto bs4's tree of the same page (both trees are built from
    the same parse of lxml, element for element)."""

    names: tuple[str, ...]
    """Each element's name (a check that the trees agree)."""
    reasons: tuple[str | None, ...]
    """Why each element is hidden, or ``None``."""
    ignored: frozenset[int]
    """Elements whose content is not text (:data:`IGNORED` and what they hold)."""
    title: int | None
    """The page's title element (its text is text, in the tab, though the head is not)."""


MISMATCH = (
    "the page read differently by its two parsers (lxml's tree and bs4's): read as "
    "hidden, a person should look"
)
"""Why every element reads as hidden when bs4's tree of a page does not follow the walk's
element for element (never seen: the tests compare them on every fixture and hostile page)."""


class SoupMarks:
    """:class:`Marks` laid onto bs4's tree of the same page, for the checks that walk
    ``page.soup``: :meth:`hidden_reason` and :meth:`shown_text` answer for its tags."""

    def __init__(self, soup: BeautifulSoup, marks: Marks) -> None:
        self._reasons: dict[int, str] = {}
        self._texts: set[int] = set()  # strings that are text, seen or hidden
        self.broken = False
        """Whether the trees differed (then every element reads as hidden, :data:`MISMATCH`)."""
        names, reasons, ignored = marks.names, marks.reasons, marks.ignored
        skipped: set[int] = set()
        title: int | None = None
        at = 0
        for node in soup.descendants:
            if isinstance(node, Tag):
                if at >= len(names) or names[at] != node.name:
                    self.broken = True
                    return
                why = reasons[at]
                if why is not None:
                    self._reasons[id(node)] = why
                if at in ignored:
                    skipped.add(id(node))
                if at == marks.title:
                    title = id(node)
                at += 1
            elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
                parent = id(node.parent)
                if parent not in skipped or parent == title:
                    self._texts.add(id(node))
        self.broken = at != len(names)

    def hidden_reason(self, tag: Tag) -> str | None:
        """Why ``tag`` (or an element around it) is hidden from visitors; ``None`` if seen."""
        return MISMATCH if self.broken else self._reasons.get(id(tag))

    def shown_text(self, tag: Tag, hidden_too: bool = False) -> tuple[str, str | None]:
        """The text of ``tag`` a visitor sees (whitespace collapsed; with ``hidden_too``,
        its hidden text as well), and why some of its text is hidden (the first reason
        met; ``None`` when none is): the walk's own verdict on each string, so one element
        reads as the whole page does."""
        if self.broken:
            return (tag.get_text(" ") if hidden_too else "", MISMATCH)
        shown: list[str] = []
        hidden: str | None = None
        for node in tag.descendants:
            if id(node) not in self._texts:
                continue  # a tag, or no text (script, style, comment)
            why = self._reasons.get(id(node.parent))
            if why is None or hidden_too:
                shown.append(str(node))
            if why is not None and hidden is None:
                hidden = why
        return _collapse(shown), hidden


# --- the walk ---------------------------------------------------------------------------


_NOT_RENDERED = {
    "canvas": "fallback content of a <canvas>",
    "video": "fallback content of a <video>",
    "audio": "fallback content of an <audio>",
    "iframe": "text inside an <iframe> (a browser shows the page it loads)",
    "noembed": "a <noembed>",
    "noframes": "a <noframes>",
    "frameset": "text inside a <frameset> (a browser shows only its frames)",
    "datalist": "the options of a <datalist>",
    "rp": "a ruby fallback <rp>",
    "title": "a <title> outside the page's head (a browser never draws it)",
}
"""Elements whose content a browser does not show as text (hidden or not)."""
_SVG_NOT_RENDERED = {
    "defs": "an SVG <defs>",
    "symbol": "an SVG <symbol>",
    "desc": "an SVG <desc>",
    "title": "an SVG <title>",
    "metadata": "an SVG <metadata>",
}
"""The same inside an ``<svg>``; what a ``<use>`` shows of a ``<defs>`` or ``<symbol>``
is seen."""


def _own_reason(name: str, el: Any, rules: StyleRules, in_svg: bool) -> str | None:
    get = el.get
    if name == "template":
        return "a <template>"
    if in_svg and name in _SVG_NOT_RENDERED:
        return _SVG_NOT_RENDERED[name]
    if name in _NOT_RENDERED:
        return _NOT_RENDERED[name]
    if name == "object" and get("data"):
        return "fallback content of an <object> with data to show"
    if get("hidden") is not None:
        return "the hidden attribute"
    if name == "dialog" and get("open") is None:
        return "a closed <dialog>"
    if get("popover") is not None:
        return "a popover, shown only once opened"
    if (get("aria-hidden") or "").strip().lower() == "true":
        return 'aria-hidden="true"'
    style = get("style")
    if style is not None:
        decl = hiding_declaration(parse_declarations(style))
        if decl:
            return f"{decl} in its style attribute"
    return rules.hides_element(name, el)


_MAX_USES = 100
"""``<use>`` elements read per page; a page with more shows no ``<defs>`` through them."""


def _used_ids(uses: list[Any], rules: StyleRules) -> set[str]:
    """The ids an SVG ``<use>`` shows (``href="#logo"``, ``xlink:href="#logo"``), of the
    uses that nothing hides themselves (a hidden ``<use>`` shows nobody its target)."""
    out: set[str] = set()
    if len(uses) > _MAX_USES:
        return out
    for use in uses:
        around = [use, *use.iterancestors()][:64]
        if any(_own_reason(t.tag, t, rules, True) for t in around):
            continue
        for name in ("href", "xlink:href"):
            value = use.get(name)
            if value is not None and value.startswith("#"):
                out.add(value[1:])
    return out


class _Anchor:
    """An ``<a href>`` met on the walk: its words, and what images it holds."""

    __slots__ = ("href", "parts", "pictured", "reason", "tiny")

    def __init__(self, href: str, reason: str | None) -> None:
        self.href = href
        self.parts: list[str] = []  # its words, and "\x00" + the alt of an image in it
        self.reason = reason  # why the link itself is hidden
        self.pictured = False  # holds an image a visitor sees
        self.tiny = False  # holds an image too small to see


class _State:
    """What the walk knows of an element, from its parent's and its own."""

    __slots__ = ("anchor", "contained", "heads", "ignored", "reason", "root", "svg", "title")

    def __init__(
        self,
        ignored: bool,
        reason: str | None,
        root: list[str] | None,
        anchor: _Anchor | None,
        svg: bool,
        contained: bool,
        heads: tuple[_Heading, ...],
    ) -> None:
        self.ignored = ignored  # not text (IGNORED and what it holds)
        self.reason = reason  # why it is hidden
        self.root = root  # the hidden text of its outermost hidden element
        self.anchor = anchor  # the <a href> around it, or itself
        self.svg = svg  # inside an <svg>
        self.contained = contained  # inside bs4's string containers (no main-content text)
        self.heads = heads  # the headings around it, or itself
        self.title = False  # the page's title (its strings are text, though in the head)


class _Heading:
    """A heading met on the walk, gathering its text."""

    __slots__ = ("all", "hidden", "name", "shown")

    def __init__(self, name: str, hidden: str | None) -> None:
        self.name = name
        self.hidden = hidden
        self.shown: list[str] = []  # its strings a visitor sees
        self.all: list[str] = []  # and those it hides


HEADING_NAMES = frozenset({"title", "h1", "h2", "h3", "h4", "h5", "h6"})
"""The elements :attr:`PageView.headings` holds."""


STRING_CONTAINERS = frozenset(HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS)
"""Elements bs4 makes the strings of another class than text (script, style, template,
rt, rp): ``get_text()`` of bs4's tree leaves their strings out, and so does
:attr:`Walk.text`."""
_SVG_REASONS = frozenset(_SVG_NOT_RENDERED.values())


@dataclass(frozen=True, eq=False)
class Walk:
    """What :func:`walk` read of a page."""

    view: PageView
    marks: Marks
    text: str
    """The page's text as bs4's ``get_text(" ")`` of the whole tree gives it, whitespace
    collapsed (hidden text, the title and a ``<noscript>`` in; scripts, styles, templates,
    comments out): what the fetch layer's shape notes judge."""
    depth: int
    """How deep its deepest element lies (an ``<html>`` at the top: 1)."""


class TooComplex(Exception):
    """The page is built so that lxml's tree of it would be missing parts or take too long
    to build or read: it is refused (``FetchTooLarge``), never read in part."""


def walk(
    tops: list[Any],
    base_url: str,
    title: Any,
    sheets: list[str],
    uses: list[Any],
    deadline: float | None = None,
    heading_budget: int | None = None,
) -> Walk:
    """Sort the text and links of lxml's tree, whose nodes at the top are ``tops`` (a
    page may have several ``<html>`` there, and comments), into visible and hidden
    (module docstring); ``title`` is the head's ``<title>``, ``sheets``
    the page's CSS (:func:`~verifier.fetch.stylesheets.stylesheets`) and ``uses`` its SVG
    ``<use>`` elements. Raise :class:`Overtime` once ``time.monotonic()`` passes
    ``deadline``, :class:`TooComplex` once the headings hold more than
    ``heading_budget`` characters in all (each holds the text inside it, so headings
    nested in headings hold the square of the page).

    One pass in document order, each element's state made from its parent's: lxml keeps
    an element's text in ``.text`` and the text after it, its parent's, in ``.tail``."""
    rules = StyleRules(sheets, deadline)
    used = _used_ids(uses, rules)
    names: list[str] = []
    reasons: list[str | None] = []
    ignored: set[int] = set()
    title_at: int | None = None
    visible: list[str] = []
    text: list[str] = []  # bs4's get_text() of the page
    roots: list[tuple[str, list[str]]] = []  # outermost hidden elements: why, their text
    anchors: list[_Anchor] = []

    held = [0]  # characters the headings hold, all together

    def string(value: str, at: _State) -> None:
        if not at.contained:
            text.append(value)
        if at.heads and (not at.ignored or at.title):
            held[0] += len(value) * len(at.heads)
            if heading_budget is not None and held[0] > heading_budget:
                raise TooComplex(
                    "headings nested in headings, holding more text than the page reads in time"
                )
            for head in at.heads:
                head.all.append(value)
                if at.reason is None:
                    head.shown.append(value)
        if at.ignored:
            return
        if at.reason is None:
            visible.append(value)
        else:
            assert at.root is not None
            at.root.append(value)
        anchor = at.anchor
        if anchor is not None and (at.reason is None or anchor.reason is not None):
            anchor.parts.append(value)  # a visible link's hidden words are not its text

    top = _State(False, None, None, None, False, False, ())
    headings: list[_Heading] = []
    # Each frame: the children still to walk, the state of their parent, and the text
    # after that parent (its own parent's, taken once its children are done).
    stack: list[tuple[Any, _State, str | None, _State]] = []
    if tops:
        stack.append((iter(tops), top, None, top))
    count = depth = 0
    while stack:
        children, parent, tail, tail_state = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            if tail:
                string(tail, tail_state)
            continue
        name = node.tag
        if not isinstance(name, str):  # a comment or processing instruction: its tail is text
            if node.tail:
                string(node.tail, parent)
            continue
        count += 1
        # Often: one element may cost up to _MAX_TRIES rules.
        if deadline is not None and not count % 16 and time.monotonic() > deadline:
            raise Overtime("reading the page went past its deadline")
        at = len(names)
        names.append(name)
        contained = parent.contained or name in STRING_CONTAINERS
        heading = name in HEADING_NAMES
        if parent.ignored or name in IGNORED:
            ignored.add(at)
            reasons.append(None)
            if (
                parent.ignored
                and contained == parent.contained
                and not (heading or parent.title or node is title)
            ):
                state = parent  # nothing changes: the parent's state serves (most elements)
            else:
                state = _State(True, None, None, None, parent.svg, contained, parent.heads)
            if node is title:
                title_at = at
                state.title = True
        else:
            svg = parent.svg or name == "svg"
            reason, hidden_root = parent.reason, parent.root
            if reason is not None and reason in _SVG_REASONS and node.get("id") in used:
                reason = None  # what a <use> shows of a <defs>: its own reason alone
            if reason is None:
                reason = _own_reason(name, node, rules, svg)
                if reason is not None:
                    hidden_root = []
                    roots.append((reason, hidden_root))
            reasons.append(reason)
            anchor = parent.anchor
            if name == "a" and node.get("href") is not None:
                anchor = _Anchor(node.get("href"), reason)
                anchors.append(anchor)
            outer = parent.anchor
            if outer is not None and name in ("img", "svg"):
                # An image shows its link only if a visitor sees the image (not hidden, not
                # a 1x1 pixel); its alt is the link's text then (or, for a hidden link, what
                # it would have shown).
                seen = reason is None and not too_small(node)
                if seen:
                    outer.pictured = True
                elif reason is None:
                    outer.tiny = True
                alt = node.get("alt")
                if alt and (seen or outer.reason is not None):
                    outer.parts.append(f"\x00{alt}")
            if (
                reason is parent.reason
                and hidden_root is parent.root
                and anchor is parent.anchor
                and svg == parent.svg
                and contained == parent.contained
                and not heading
                and not parent.ignored
            ):
                state = parent  # nothing changes: the parent's state serves (most elements)
            else:
                state = _State(False, reason, hidden_root, anchor, svg, contained, parent.heads)
        if heading:
            head = _Heading(name, reasons[at])
            headings.append(head)
            state.heads = (*state.heads, head)
        if node.text:
            string(node.text, state)
        if len(stack) > depth:
            depth = len(stack)  # this element's level: a frame per element above it
        if len(node):
            stack.append((iter(node), state, node.tail, parent))
        elif node.tail:
            string(node.tail, parent)  # no children: the text after it, at once
    title_text = _collapse(strings_of(title)) if title is not None else ""
    view = PageView(
        title=title_text,
        visible_text=_collapse([title_text, *visible]),
        hidden=tuple(Hidden(t, why) for why, words in roots if (t := _collapse(words))),
        links=tuple(_links(anchors, base_url, deadline)),
        headings=tuple(
            Heading(h.name, _collapse(h.shown), _collapse(h.all), h.hidden) for h in headings
        ),
    )
    marks = Marks(tuple(names), tuple(reasons), frozenset(ignored), title_at)
    return Walk(view, marks, " ".join(" ".join(text).split()), depth)


def _links(anchors: list[_Anchor], base_url: str, deadline: float | None) -> Iterable[Link]:
    for count, a in enumerate(anchors):
        if deadline is not None and not count % 256 and time.monotonic() > deadline:
            raise Overtime("reading the page's links went past its deadline")
        href = join_url(base_url, a.href)
        if href is None:
            continue  # a malformed href is no link to follow or count
        words = [p for p in a.parts if not p.startswith("\x00")]
        alts = [p[1:] for p in a.parts if p.startswith("\x00")]
        text = _collapse(words) or _collapse(alts)
        reason = a.reason
        if reason is None and not text and not a.pictured:
            reason = (
                "a link whose only image is too small to see (2 pixels or less)"
                if a.tiny
                else "a link with no text or image to click"
            )
        yield Link(href, text, reason)


def within(element: Any, names: frozenset[str], known: dict[Any, bool] | None = None) -> bool:
    """Whether an element around lxml's ``element`` is named one of ``names``. ``known``
    keeps, for each element met on the way up, whether it or one around it is (for these
    names): elements under one deep parent then cost one walk up between them, not one
    each (24,000 titles 2,000 deep took 12 s that way)."""
    chain: list[Any] = []
    parent = element.getparent()
    found = False
    while parent is not None:
        if known is not None and parent in known:
            found = known[parent]
            break
        chain.append(parent)
        if parent.tag in names:
            found = True
            break
        parent = parent.getparent()
    if known is not None:
        known.update(dict.fromkeys(chain, found))
    return found


def strings_of(element: Any, known: dict[Any, bool] | None = None) -> list[str]:
    """The strings of lxml's ``element`` that bs4's ``get_text()`` of the same element
    joins, in order: its text but comments' and that of string containers (a ``<title>``
    inside a ``<template>`` has no text to bs4). ``known``: as :func:`within`'s."""
    if within(element, STRING_CONTAINERS, known):
        return []
    out: list[str] = []
    if element.text:
        out.append(element.text)
    stack: list[tuple[Any, str | None]] = [(iter(element), None)]
    while stack:
        children, tail = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            if tail:
                out.append(tail)
            continue
        if not isinstance(node.tag, str) or node.tag in STRING_CONTAINERS:
            if node.tail:
                out.append(node.tail)
            continue
        if node.text:
            out.append(node.text)
        stack.append((iter(node), node.tail))
    return out


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
"""Characters that show nothing (soft hyphen, zero-width spaces and joiners, marks)."""


def _collapse(parts: list[str]) -> str:
    # A link whose only text is a zero-width space shows nothing to click; "Ac\u200bme"
    # reads "Acme" to a visitor.
    text = " ".join(parts)
    if not text.isascii():  # (every character of _INVISIBLE is beyond ASCII)
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


_TINY_PX = 2.0
"""Width or height (px) at or below which an image shows a visitor nothing to click."""
_SIZE = re.compile(r"(-?\d*\.?\d+)\s*([a-z%]*)")


def too_small(tag: Any) -> bool:
    """Whether the image ``tag`` (lxml's element) is given a width or height of
    :data:`_TINY_PX` or less, by its ``width``/``height`` attribute or its inline style
    (px, or no unit; any 0)."""
    style = tag.get("style")
    decls = parse_declarations(style) if isinstance(style, str) else {}
    for axis in ("width", "height"):
        for value in (tag.get(axis), decls.get(axis)):
            m = _SIZE.fullmatch(value.strip().lower()) if isinstance(value, str) else None
            if m is None:
                continue
            size, unit = float(m.group(1)), m.group(2)
            if size <= 0 or (unit in ("", "px") and size <= _TINY_PX):
                return True
    return False
