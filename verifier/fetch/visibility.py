"""What a visitor sees of a page: its visible text and links, and what it hides.

An applicant controls their own pages, so text a visitor never sees must not count as
evidence: ``<div style="display:none">Pricing, free trial</div>`` on a page that says
"internal prototype" is not an offering for sale. :func:`view_of` walks a parsed page
once, in document order, and sorts every string and link into *visible* or *hidden*,
with the reason it is hidden:

- the ``hidden`` attribute, ``aria-hidden="true"``, a ``popover``, a ``<template>``, a
  closed ``<dialog>``;
- content a browser does not show as text: the fallback of ``<canvas>``, ``<video>``,
  ``<audio>``, ``<object data>``, the inside of ``<iframe>``, ``<noembed>``,
  ``<noframes>``, ``<datalist>``, an SVG's ``<defs>`` and ``<symbol>`` (but what a
  ``<use>`` shows), ``<desc>``, ``<title>``, ``<metadata>``;
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
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PreformattedString

from verifier.fetch.bounded import Overtime, tags_named
from verifier.fetch.css import hiding_declaration, parse_declarations
from verifier.fetch.stylesheets import StyleRules, attr_text, stylesheets
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
    reasons: dict[int, str] = field(repr=False)
    """``id(tag)`` of every hidden element -> why; see :meth:`hidden_reason`."""
    texts: frozenset[int] = field(repr=False, default=frozenset())
    """``id(string)`` of every string that is text (seen or hidden; not a script's source,
    a style, a comment); see :meth:`shown_text`."""

    def hidden_reason(self, tag: Tag) -> str | None:
        """Why ``tag`` (or an element around it) is hidden from visitors; ``None`` if seen."""
        return self.reasons.get(id(tag))

    def shown_text(self, tag: Tag, hidden_too: bool = False) -> tuple[str, str | None]:
        """The text of ``tag`` a visitor sees (whitespace collapsed; with ``hidden_too``,
        its hidden text as well), and why some of its text is hidden (the first reason
        met; ``None`` when none is): the walk's own verdict on each string, so one element
        reads as the whole page does."""
        shown: list[str] = []
        hidden: str | None = None
        for node in tag.descendants:
            if id(node) not in self.texts:
                continue  # a tag, or no text (script, style, comment)
            why = self.reasons.get(id(node.parent))
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


def _own_reason(tag: Tag, rules: StyleRules, in_svg: bool) -> str | None:
    name = tag.name
    if name == "template":
        return "a <template>"
    if in_svg and name in _SVG_NOT_RENDERED:
        return _SVG_NOT_RENDERED[name]
    if name in _NOT_RENDERED:
        return _NOT_RENDERED[name]
    if name == "object" and tag.get("data"):
        return "fallback content of an <object> with data to show"
    if tag.has_attr("hidden"):
        return "the hidden attribute"
    if name == "dialog" and not tag.has_attr("open"):
        return "a closed <dialog>"
    if tag.has_attr("popover"):
        return "a popover, shown only once opened"
    if str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return 'aria-hidden="true"'
    style = tag.get("style")
    if isinstance(style, str):
        decl = hiding_declaration(parse_declarations(style))
        if decl:
            return f"{decl} in its style attribute"
    return rules.hides(tag)


_MAX_USES = 100
"""``<use>`` elements read per page; a page with more shows no ``<defs>`` through them."""


def _used_ids(soup: BeautifulSoup, rules: StyleRules) -> set[str]:
    """The ids an SVG ``<use>`` shows (``href="#logo"``, ``xlink:href="#logo"``), of the
    uses that nothing hides themselves (a hidden ``<use>`` shows nobody its target)."""
    out: set[str] = set()
    uses = tags_named(soup, ("use",), limit=_MAX_USES + 1)
    if len(uses) > _MAX_USES:
        return out
    for use in uses:
        around = [use, *use.parents][:64]
        if any(_own_reason(t, rules, True) for t in around if isinstance(t, Tag)):
            continue
        for name in ("href", "xlink:href"):
            value = use.get(name)
            if isinstance(value, str) and value.startswith("#"):
                out.add(value[1:])
    return out


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
"""Characters that show nothing (soft hyphen, zero-width spaces and joiners, marks)."""


def _collapse(parts: list[str]) -> str:
    # A link whose only text is a zero-width space shows nothing to click; "Ac\u200bme"
    # reads "Acme" to a visitor.
    return " ".join(" ".join(parts).translate(_INVISIBLE).split())


_TINY_PX = 2.0
"""Width or height (px) at or below which an image shows a visitor nothing to click."""
_SIZE = re.compile(r"(-?\d*\.?\d+)\s*([a-z%]*)")


def too_small(tag: Tag) -> bool:
    """Whether the image ``tag`` is given a width or height of :data:`_TINY_PX` or less,
    by its ``width``/``height`` attribute or its inline style (px, or no unit; any 0)."""
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


def view_of(soup: BeautifulSoup, base_url: str, deadline: float | None = None) -> PageView:
    """Sort ``soup``'s text and links into visible and hidden (module docstring); raise
    :class:`Overtime` once ``time.monotonic()`` passes ``deadline``."""
    rules = StyleRules(stylesheets(soup), deadline)
    used = _used_ids(soup, rules)
    head = soup.head
    title = head.find("title", recursive=False) if head is not None else None
    reasons: dict[int, str] = {}
    svg: set[int] = set()  # elements inside an <svg>
    ignored: set[int] = set()
    root_of: dict[int, Tag] = {}  # hidden element -> its outermost hidden ancestor
    anchor_of: dict[int, Tag] = {}  # element -> the <a href> around it
    hidden_parts: dict[int, list[str]] = {}
    hidden_roots: list[Tag] = []
    link_parts: dict[int, list[str]] = {}
    anchors: list[Tag] = []
    pictured: set[int] = set()  # links holding an image a visitor sees
    tiny: set[int] = set()  # links holding an image too small to see
    texts: set[int] = set()  # strings that are text, seen or hidden
    visible: list[str] = []
    for count, node in enumerate(soup.descendants):
        # Often: one element may cost up to _MAX_TRIES rules.
        if deadline is not None and not count % 16 and time.monotonic() > deadline:
            raise Overtime("reading the page went past its deadline")
        parent = node.parent
        pid = id(parent)
        if isinstance(node, Tag):
            nid = id(node)
            if pid in ignored or node.name in IGNORED:
                ignored.add(nid)
                continue
            if node.name == "svg" or pid in svg:
                svg.add(nid)
            if pid in reasons and not (
                reasons[pid] in _SVG_NOT_RENDERED.values() and node.get("id") in used
            ):
                reasons[nid] = reasons[pid]
                root_of[nid] = root_of[pid]
            else:
                own = _own_reason(node, rules, nid in svg)
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
            anchor = anchor_of.get(pid)
            if anchor is not None and node.name in ("img", "svg"):
                # An image shows its link only if a visitor sees the image (not hidden, not
                # a 1x1 pixel); its alt is the link's text then (or, for a hidden link, what
                # it would have shown).
                seen = nid not in reasons and not too_small(node)
                if seen:
                    pictured.add(id(anchor))
                elif nid not in reasons:
                    tiny.add(id(anchor))
                if node.get("alt") and (seen or id(anchor) in reasons):
                    link_parts[id(anchor)].append(f"\x00{attr_text(node['alt'])}")
            continue
        if not isinstance(node, NavigableString) or isinstance(node, PreformattedString):
            continue  # comments, doctype, processing instructions, CDATA
        if pid in ignored:
            if title is not None and parent is title:
                texts.add(id(node))  # the page's title is text (in the tab), taken apart
            continue
        text = str(node)
        texts.add(id(node))
        if pid in reasons:
            hidden_parts[id(root_of[pid])].append(text)
        else:
            visible.append(text)
        anchor = anchor_of.get(pid)
        if anchor is not None and (pid not in reasons or id(anchor) in reasons):
            link_parts[id(anchor)].append(text)  # a visible link's hidden words are not its text
    title_text = _collapse([title.get_text(" ")]) if title is not None else ""
    hidden = tuple(
        Hidden(text, reasons[id(root)])
        for root in hidden_roots
        if (text := _collapse(hidden_parts[id(root)]))
    )
    return PageView(
        title=title_text,
        visible_text=_collapse([title_text, *visible]),
        hidden=hidden,
        links=tuple(_links(anchors, link_parts, reasons, (pictured, tiny), base_url, deadline)),
        reasons=reasons,
        texts=frozenset(texts),
    )


def _links(
    anchors: list[Tag],
    parts: dict[int, list[str]],
    reasons: dict[int, str],
    images: tuple[set[int], set[int]],
    base_url: str,
    deadline: float | None,
) -> Iterable[Link]:
    pictured, tiny = images
    for count, a in enumerate(anchors):
        if deadline is not None and not count % 256 and time.monotonic() > deadline:
            raise Overtime("reading the page's links went past its deadline")
        href = join_url(base_url, str(a["href"]))
        if href is None:
            continue  # a malformed href is no link to follow or count
        words = [p for p in parts[id(a)] if not p.startswith("\x00")]
        alts = [p[1:] for p in parts[id(a)] if p.startswith("\x00")]
        text = _collapse(words) or _collapse(alts)
        reason = reasons.get(id(a))
        if reason is None and not text and id(a) not in pictured:
            reason = (
                "a link whose only image is too small to see (2 pixels or less)"
                if id(a) in tiny
                else "a link with no text or image to click"
            )
        yield Link(href, text, reason)
