"""The readings of a page as the bs4 tree gave them before issue 10's lxml reader: the
oracle the fetch layer's reader of lxml's own tree is compared with (test_tree_reading.py).

This is the code of ``verifier.fetch`` at tag r17-start (view_of, shape_notes, the titles),
kept as it was, reading the tree ``verifier.fetch.page._Builder`` makes; only the helpers
both readers share (stylesheets' rules, the hiding reasons' tables, the link assembly) are
imported.
"""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import Doctype, NavigableString, PreformattedString

from verifier.fetch.bounded import Overtime, parse
from verifier.fetch.css import hiding_declaration, parse_declarations
from verifier.fetch.content import (
    reads_like_not_found,
    script_shell,
    JS_SHELL_NOTE,
    SHELL_TEXT_CHARS,
)
from verifier.fetch.page import _Builder
from verifier.fetch.treeread import (
    _BREAKOUT,
    _FOREIGN,
    _FOREIGN_CONTAINERS,
    _INERT,
    outer_additions,
    outer_attributes,
)
from verifier.fetch.stylesheets import StyleRules, _IMPORT, _MAX_DATA_CSS, _data_css
from verifier.fetch.visibility import (
    IGNORED,
    Heading,
    Hidden,
    Link,
    _NOT_RENDERED,
    _SVG_NOT_RENDERED,
    _MAX_USES,
    _collapse,
    too_small,
)
from verifier.urls import join_url


@dataclass(frozen=True)
class OldView:
    title: str
    visible_text: str
    hidden: tuple[Hidden, ...]
    links: tuple[Link, ...]
    reasons: dict[int, str]
    texts: frozenset[int]


def attr_text(value):
    return " ".join(value) if isinstance(value, list) else value


class _AsElement:
    """A bs4 tag seen through the few calls StyleRules makes of an lxml element."""

    def __init__(self, tag: Tag) -> None:
        self.tag = tag

    def get(self, name: str, default: Any = None) -> Any:
        value = self.tag.get(name)
        return default if value is None else attr_text(value)

    def items(self) -> list[tuple[str, str]]:
        return [(name, attr_text(value)) for name, value in self.tag.attrs.items()]


def _hides(rules: StyleRules, tag: Tag) -> str | None:
    return rules.hides_element(str(tag.name), _AsElement(tag))


def stylesheets(soup: BeautifulSoup) -> list[str]:
    """The CSS a browser reads without fetching anything: every ``<style>``, every
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

    for tag in soup.find_all(["style", "link"]):
        if str(tag.get("media", "")).strip().lower() == "print":
            continue
        if tag.name == "style":
            add(tag.get_text(), data=False)
            continue
        rel = attr_text(tag.get("rel") or "").lower().split()
        href = tag.get("href")
        if "stylesheet" in rel and "alternate" not in rel and isinstance(href, str):
            css = _data_css(href.strip())
            if css is not None and budget > 0:
                add(css, data=True)
    return out


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
    return _hides(rules, tag)


def _used_ids(soup: BeautifulSoup, rules: StyleRules) -> set[str]:
    """The ids an SVG ``<use>`` shows (``href="#logo"``, ``xlink:href="#logo"``), of the
    uses that nothing hides themselves (a hidden ``<use>`` shows nobody its target)."""
    out: set[str] = set()
    uses = soup.find_all(["use"], limit=_MAX_USES + 1)
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


def view_of(soup: BeautifulSoup, base_url: str, deadline: float | None = None) -> OldView:
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
    return OldView(
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


def shape_notes(soup: BeautifulSoup) -> list[str]:
    """What a reviewer should know about a 2xx HTML page that may not be what it seems:
    a shell that needs JavaScript to show anything, or a "not found" page served as 200.
    """
    notes: list[str] = []
    text = " ".join(soup.get_text(" ").split())  # script, style, template excluded
    # The scripts are counted only where they can matter: a page with this much text is
    # no shell whatever it runs (script_shell), and counting walks the whole tree.
    scripts = len(soup.find_all(["script"])) if len(text) < SHELL_TEXT_CHARS else 0
    if script_shell(scripts, text=text):
        notes.append(
            f"{JS_SHELL_NOTE} ({len(text)} characters, {scripts} "
            "script(s)): the page may need a browser; a person should look"
        )
    heads = [t.get_text(" ", strip=True) for t in soup.find_all(["title", "h1"], limit=3)]
    for head in heads:
        if reads_like_not_found(head):
            notes.append(f"answered 200 but reads like a 'not found' page ({head[:80]!r})")
            break
    return notes


def _titles(soup: BeautifulSoup) -> tuple[str, tuple[str, ...]]:
    """Page.document_title and Page.every_title() as they were."""
    tags = soup.find_all(["title"])
    first = next(
        (" ".join(t.get_text(" ").split()) for t in tags if not _inert(t) and not _foreign(t)),
        "",
    )
    return first, tuple(" ".join(t.get_text(" ").split()) for t in tags if not _inert(t))


def _inert(tag: Tag) -> bool:
    return any(p.name in _INERT for p in tag.parents)


def _foreign(tag: Tag) -> bool:
    # A title in SVG or MathML, with only SVG/MathML containers up to the <svg>/<math>.
    # An <svg> holding an element that ends foreign content (<svg><p><title>: a browser
    # moves the <p> and the title out) is not trusted to keep its titles foreign.
    for parent in tag.parents:
        if parent.name in _FOREIGN:
            return not any(d.name in _BREAKOUT for d in parent.find_all(True))
        if parent.name not in _FOREIGN_CONTAINERS:
            return False
    return False


def without_inner_doctypes(soup: BeautifulSoup) -> BeautifulSoup:
    """``soup`` with every DOCTYPE inside an element taken out and the strings around it
    joined: bs4's tree holds one there (lxml reports it), splitting a word in two
    ("w", "rites"), where lxml's own tree, as a browser, drops it ("writes")."""
    for doctype in soup.find_all(string=lambda s: isinstance(s, Doctype)):
        parent = doctype.parent
        if parent is not soup:
            doctype.extract()
            parent.smooth()
    return soup


def with_outer_attributes(soup: BeautifulSoup, text: str) -> BeautifulSoup:
    """``soup`` with the attributes of every ``<body>``/``<html>`` start tag of ``text``
    added to its body and root where they lack them, as a browser adds a later tag's
    (lxml drops them; the reader adds them to lxml's tree: treeread.outer_attributes)."""
    root = soup.find("html", recursive=False)
    if root is None:
        return soup
    found = outer_attributes(text)
    for name, tag in (("html", root), ("body", root.find("body", recursive=False))):
        if tag is not None:
            for attribute, value in outer_additions(found[name], tag.attrs.__contains__).items():
                if ":" not in attribute and "{" not in attribute:
                    tag[attribute] = value
    return soup


def bs4_reading(text: str, base_url: str) -> dict[str, Any]:
    """Everything the fetch layer read of a page's text with the bs4 tree, comparable
    (the one known difference, a DOCTYPE inside an element, taken out)."""
    soup = with_outer_attributes(without_inner_doctypes(parse(text, builder=_Builder(None))), text)
    view = view_of(soup, base_url)
    title, titles = _titles(soup)
    return {
        "title": view.title,
        "visible_text": view.visible_text,
        "hidden": view.hidden,
        "links": view.links,
        "notes": tuple(shape_notes(soup)),
        "document_title": title,
        "titles": titles,
        "scripts": len(soup.find_all("script")),
        # What a check walking the soup for its headings got (plugins/_signs.py did).
        "headings": tuple(
            Heading(t.name, _shown(view, t)[0], _shown(view, t, True)[0], view.reasons.get(id(t)))
            for t in soup.find_all(["title", "h1", "h2", "h3", "h4", "h5", "h6"])
        ),
    }


def bs4_marks(soup: BeautifulSoup, base_url: str, limit: int = 200) -> list[Any]:
    """For each of the first ``limit`` tags of ``soup``: its name, why it is hidden, and
    its shown text (alone and with hidden text), as the old view's maps gave them."""
    view = view_of(soup, base_url)
    out = []
    for tag in soup.find_all(True, limit=limit):
        out.append(
            (tag.name, view.reasons.get(id(tag)), _shown(view, tag), _shown(view, tag, True))
        )
    return out


def _shown(view: OldView, tag: Tag, hidden_too: bool = False) -> tuple[str, str | None]:
    shown: list[str] = []
    hidden = None
    for node in tag.descendants:
        if id(node) not in view.texts:
            continue
        why = view.reasons.get(id(node.parent))
        if why is None or hidden_too:
            shown.append(str(node))
        if why is not None and hidden is None:
            hidden = why
    return _collapse(shown), hidden
