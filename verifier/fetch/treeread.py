"""A page read from lxml's own tree: what a visitor sees of it, its titles, its shape.

The fetch layer reads every HTML page it fetches (:func:`read_markup`, in a page reader
thread): its view (:mod:`verifier.fetch.visibility`), the titles a "not found" rule
reads, and the notes on its shape (:func:`~verifier.fetch.content.shape_notes`). It
reads them from lxml's own tree, which lxml builds in C in about a millisecond and whose
nodes Python's cyclic collector never walks; bs4's tree of the same page (``page.soup``)
is built only for a check that walks it.

Both trees come from the same parse (lxml's HTML parser, fed the text as bs4's lxml
builder feeds it), so each reading is the one bs4's tree would give: the tests compare
them on every fixture page and on hostile and random pages
(``tests/fetch/test_tree_reading.py``).
"""

from __future__ import annotations

import contextlib
import html
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from verifier.fetch.bounded import Overtime
from verifier.fetch.content import shape_notes
from verifier.fetch.stylesheets import stylesheets
from verifier.fetch.visibility import Marks, PageView, TooComplex, strings_of, walk, within

_INERT = frozenset({"template", "noscript"})
"""Elements whose ``<title>`` is inert markup, never the page's."""
_FOREIGN = frozenset({"svg", "math"})
"""Foreign content: a ``<title>`` in it is an SVG tooltip, unless HTML resumes on the way."""
_FOREIGN_CONTAINERS = frozenset(
    [
        "svg",
        "g",
        "a",
        "symbol",
        "defs",
        "switch",
        "use",
        "marker",
        "pattern",
        "mask",
        "clippath",
        "text",
        "tspan",
        "textpath",
        "lineargradient",
        "radialgradient",
        "filter",
        "image",
        "circle",
        "rect",
        "path",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "view",
        "math",
        "mrow",
        "mstyle",
        "semantics",
        "mfrac",
        "msub",
        "msup",
        "msubsup",
        "mover",
        "munder",
        "munderover",
        "msqrt",
        "mroot",
        "mtable",
        "mtr",
        "mtd",
        "menclose",
        "mpadded",
        "mphantom",
    ]
)
"""SVG and MathML elements in which a ``<title>`` stays foreign. Any other element between
a ``<title>`` and its ``<svg>``/``<math>`` (``foreignObject``, ``desc``, ``mi``,
``annotation-xml``, or an HTML element such as ``<p>`` that a browser moves out of the SVG)
makes it an HTML ``<title>``: the one the tab shows."""
_BREAKOUT = frozenset(
    [
        "b",
        "big",
        "blockquote",
        "body",
        "br",
        "center",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "font",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "hr",
        "i",
        "img",
        "li",
        "listing",
        "menu",
        "meta",
        "nobr",
        "ol",
        "p",
        "pre",
        "ruby",
        "s",
        "small",
        "span",
        "strong",
        "strike",
        "sub",
        "sup",
        "table",
        "tt",
        "u",
        "ul",
        "var",
    ]
)
"""HTML elements that end foreign content in a browser's parser: written in an ``<svg>``,
they and what follows are HTML (lxml keeps them inside, so their presence is the sign)."""


@dataclass(frozen=True, eq=False)
class Reading:
    """What the fetch layer reads of an HTML page (module docstring)."""

    view: PageView
    """What a visitor sees of it."""
    marks: Marks
    """The view's verdict on each element, for bs4's tree
    (:class:`~verifier.fetch.visibility.SoupMarks`)."""
    notes: tuple[str, ...]
    """What a reviewer should know about its shape
    (:func:`~verifier.fetch.content.shape_notes`)."""
    document_title: str
    """The title a browser shows in the tab (``Page.document_title``)."""
    titles: tuple[str, ...]
    """Every title but inert ones (``Page.every_title``)."""
    scripts: int
    """How many ``<script>`` elements it holds."""


MAX_DEPTH = 2048
"""Levels of nesting lxml builds a tree to: past them it stops, and the rest of the page
would be missing. A page that deep is refused (:class:`TooDeep`); no real page comes near.
(bs4's tree has no such limit: its parse was stopped by its deadline instead.)"""


MAX_ATTRIBUTES = 256
"""Attributes one element may have. lxml's tree adds each attribute at the end of its
element's list by walking the list, so the parse, one C call that no deadline stops,
costs the square of an element's attributes: 40,000 on one tag took 2 s, 600,000 (4.6 MB,
under the body cap) more than 10 minutes, where bs4's parse of them took 14 ms and 0.2 s.
At 256 a page filled with such tags parses in half a second; no real page comes near."""


class TooDeep(TooComplex):
    """The page nests elements :data:`MAX_DEPTH` deep or more: what lxml's tree holds of
    it may stop there."""


class _MostAttributes:
    """A target for lxml's parser that builds nothing and keeps the largest number of
    attributes of one start tag: the same parse as the tree's, in linear time."""

    def __init__(self) -> None:
        self.most = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.most = max(self.most, len(attrib))

    def close(self) -> int:
        return self.most


def parse_tree(text: str) -> Any:
    """lxml's tree of ``text`` (its root element; ``None`` when there is none), parsed as
    bs4's lxml builder parses it: the whole text fed at once to lxml's HTML parser, a
    leading byte order mark dropped, and the text given as UTF-8 bytes if lxml refuses
    it as a string. Raise :class:`TooComplex` when an element has more than
    :data:`MAX_ATTRIBUTES` attributes (counted first by the same parse without a tree)."""
    if text[:1] == "\ufeff":
        text = text[1:]
    refused: Exception | None = None
    for markup, encoding in ((text, None), (text.encode("utf-8"), "utf8")):
        # huge_tree: lxml's tree keeps long text whole and nests to MAX_DEPTH (not 256),
        # as bs4's tree of the same parse does.
        parser = etree.HTMLParser(recover=True, encoding=encoding, huge_tree=True)
        counter = etree.HTMLParser(
            recover=True, encoding=encoding, huge_tree=True, target=_MostAttributes()
        )
        try:
            counter.feed(markup)
            most = counter.close()
            if most > MAX_ATTRIBUTES:
                raise TooComplex(
                    f"an element with {most:,} attributes, over the {MAX_ATTRIBUTES} "
                    "the parser reads in time"
                )
            parser.feed(markup)
            return parser.close()
        except (UnicodeDecodeError, LookupError, etree.ParserError) as exc:
            refused = exc
    raise ValueError(f"lxml refused the page: {refused}")


_OUTER_TAG = re.compile(r"<(body|html)(?=[\s/>])((?:\"[^\"]*\"?|'[^']*'?|[^'\">])*)>?", re.I)
"""A ``<body>`` or ``<html>`` start tag and its attributes (quoted values whole; an
unclosed quote runs to the end of the text, so each character is read once)."""
_ATTRIBUTE = re.compile(r"([^\s/>\"'=][^\s/>=]*)(?:\s*=\s*(\"[^\"]*\"?|'[^']*'?|[^\s>]*))?")


_LONGEST_OUTER_TAG = 8192
"""Characters of attributes of one ``<body>``/``<html>`` tag read; a longer one hides."""


def outer_attributes(text: str, deadline: float | None = None) -> dict[str, dict[str, str | None]]:
    """The attributes every ``<body>`` and every ``<html>`` start tag of ``text`` gives
    (``{"body": {...}, "html": {...}}``, the first value of a name in a tag kept; None
    for a name different tags give different values). A browser adds those of a later
    ``<body>`` or ``<html>`` tag to the page's body or root, where lxml drops them:
    ``<body hidden>`` after the content hides the whole page. Found in the text, so one
    inside a comment or a script counts too (reading more as hidden). Raise
    :class:`~verifier.fetch.bounded.Overtime` once ``time.monotonic()`` passes
    ``deadline`` (5 MiB of such tags take seconds to read)."""
    found: dict[str, dict[str, str | None]] = {"body": {}, "html": {}}
    for tag in _OUTER_TAG.finditer(text):
        if deadline is not None and time.monotonic() > deadline:
            raise Overtime("reading the page's <body> and <html> tags went past its deadline")
        given: dict[str, str] = {}
        if len(tag.group(2)) > _LONGEST_OUTER_TAG:
            # Too long to read in time (2 million attributes: 1.5 s): taken to hide the
            # page, never read in part (a `hidden` could stand last). A person looks.
            given["hidden"] = ""
        else:
            for attribute in _ATTRIBUTE.finditer(tag.group(2)):
                value = attribute.group(2) or ""
                if value[:1] in ("'", '"'):
                    value = value[1:-1] if len(value) > 1 and value[-1] == value[0] else value[1:]
                given.setdefault(attribute.group(1).lower(), html.unescape(value))
        kept = found[tag.group(1).lower()]
        for name, value in given.items():
            # Which tag a browser reads first is not known from the text (one in a comment
            # it skips): two values of one name are both possible, never the first taken.
            kept[name] = value if kept.get(name, value) == value else None
    return found


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters lxml refuses in an attribute's value (XML 1.0 has no place for them)."""


def _has(element: Any) -> Callable[[str], bool]:
    def has(name: str) -> bool:
        try:
            return name in element.attrib
        except ValueError:
            return False  # a name lxml cannot hold (a NUL in it): the element lacks it

    return has


def outer_additions(given: dict[str, str | None], has: Callable[[str], bool]) -> dict[str, str]:
    """The attributes an element that ``has`` some is given by ``given`` (one entry of
    :func:`outer_attributes`): each it lacks, as a browser adds them (none replaced). A
    name given different values by different tags (``<!-- <body style="color:red"> -->``
    before ``<body style="display:none">``) hides the element: the text does not say
    which one a browser reads, and the wrong one would show a hidden page. A person looks."""
    added: dict[str, str] = {}
    for name, value in given.items():
        if not has(name):
            if value is None:
                if not has("hidden"):
                    added["hidden"] = ""
            else:
                added.setdefault(name, value)
    return added


def _add_outer_attributes(text: str, tops: list[Any], deadline: float | None) -> None:
    # As a browser: each attribute the element lacks is added (none is replaced).
    root = next((t for t in tops if t.tag == "html"), None)
    if root is None:
        return
    found = outer_attributes(text, deadline)
    # `<html hidden/>`: lxml closes that <html> and builds the page in a second one, where
    # a browser has one root: each <html> at the top is given what it lacks.
    htmls = [("html", t) for t in tops if t.tag == "html"]
    for name, element in [*htmls, ("body", _body(tops))]:
        if element is None:
            continue
        added = outer_additions(found[name], _has(element))
        if len(element.attrib) + len(added) > MAX_ATTRIBUTES:
            # lxml adds each attribute by walking the element's list (the parse's limit):
            # 40,000 names over later <body> tags took 8 s to add, 740,000 fit in 5 MiB.
            raise TooComplex(
                f"a <{name}> given {len(element.attrib) + len(added):,} attributes by its "
                f"tags, over the {MAX_ATTRIBUTES} the parser reads in time"
            )
        for attribute, value in added.items():
            # A value lxml cannot hold (a control character: `hidden="\x01"` hides in a
            # browser) is added with those characters replaced; a name it cannot hold
            # ("a:b", a control character) is left: none that hides is such.
            with contextlib.suppress(ValueError):
                element.set(attribute, _NOT_XML.sub("\ufffd", value))


def _body(tops: list[Any]) -> Any:
    # lxml's body: in the first <html>, or (`</html><body class=x>`) in a later one.
    return next(
        (b for t in tops if t.tag == "html" for b in [t.find("body")] if b is not None), None
    )


def _into_body(tops: list[Any]) -> list[Any]:
    """``tops`` once what follows lxml's body is moved into it (module docstring)."""
    # A browser puts what follows </body> or </html> (text, elements, a second <body> or
    # <html>) back into the one body; lxml keeps it beside the body, or beside the
    # <html>, where the body's verdict (`<body hidden></body><main>`: a blank page in
    # Chromium) would not reach it. Moved to the body's end in document order, so bs4's
    # tree, in the same order, takes the same verdicts (SoupMarks).
    body = _body(tops)
    if body is None:
        return tops
    if body.tail:
        # lxml's tree holds control characters it refuses to be given: replaced.
        if len(body):
            body[-1].tail = _NOT_XML.sub("\ufffd", (body[-1].tail or "") + body.tail)
        else:
            body.text = _NOT_XML.sub("\ufffd", (body.text or "") + body.tail)
        body.tail = None
    for after in [*body.itersiblings(), *body.getparent().itersiblings()]:
        body.append(after)  # its tail goes with it
    return [t for t in tops if t.getparent() is None]


_HEADING_TEXT = 4
"""Times the page's length the text of its headings may hold, all together (nested
headings each hold what is inside them: 2,000 deep around 47,000 strings held 1.9 GB)."""

_NAMED = ("head", "style", "link", "use", "title", "script", "h1")
"""The elements found before the walk, in one pass of lxml's in C."""


def read_markup(text: str, base_url: str, deadline: float | None = None) -> Reading:
    """Read the HTML ``text`` of a page whose final URL is ``base_url`` (module
    docstring); raise :class:`~verifier.fetch.bounded.Overtime` once
    ``time.monotonic()`` passes ``deadline``, :class:`TooComplex` for a page nested too
    deep to read whole or with an element of too many attributes (:func:`parse_tree`)."""
    root = parse_tree(text)
    if deadline is not None and time.monotonic() > deadline:
        raise Overtime("the parse went past its deadline")
    # Markup after </html> may make a second <html> beside the first (bs4's tree holds
    # both), and comments may stand before and after them.
    tops = [] if root is None else [*reversed(list(root.itersiblings(preceding=True))), root]
    if root is not None:
        tops += root.itersiblings()
    _add_outer_attributes(text, tops, deadline)
    tops = _into_body(tops)
    named: dict[str, list[Any]] = {name: [] for name in _NAMED}
    ordered: list[Any] = []  # <style>, <link>, <title>, <h1> in document order
    for element in (e for top in tops if isinstance(top.tag, str) for e in top.iter(*_NAMED)):
        named[element.tag].append(element)
        if element.tag in ("style", "link", "title", "h1"):
            ordered.append(element)
    head = named["head"][0] if named["head"] else None
    title = next((e for e in head if e.tag == "title"), None) if head is not None else None
    read = walk(
        tops,
        base_url,
        title,
        stylesheets(e for e in ordered if e.tag in ("style", "link")),
        named["use"],
        deadline,
        heading_budget=_HEADING_TEXT * len(text) + 65_536,
    )
    if read.depth >= MAX_DEPTH:
        raise TooDeep(
            f"elements nested {MAX_DEPTH:,} deep or more, past what the parser reads whole"
        )
    document_title, titles = _titles(named["title"], deadline)
    heads = [e for e in ordered if e.tag in ("title", "h1")][:3]
    return Reading(
        view=read.view,
        marks=read.marks,
        notes=tuple(
            shape_notes(
                read.text,
                len(named["script"]),
                [" ".join(s.strip() for s in strings_of(e) if s.strip()) for e in heads],
            )
        ),
        document_title=document_title,
        titles=titles,
        scripts=len(named["script"]),
    )


def _titles(elements: list[Any], deadline: float | None) -> tuple[str, tuple[str, ...]]:
    """The title a browser shows and every title but inert ones (``Reading``), reading
    the clock every 16th (24,000 titles 2,000 deep, each walking up all its ancestors,
    took 16 s; what is known of an ancestor is now kept)."""
    shown: str | None = None
    kept: list[str] = []
    foreign: dict[Any, bool] = {}  # each element met on the way up: in foreign content?
    inert: dict[Any, bool] = {}  # each element met on the way up: in an inert one?
    contained: dict[Any, bool] = {}  # ... in a string container?
    for count, element in enumerate(elements):
        if deadline is not None and not count % 16 and time.monotonic() > deadline:
            raise Overtime("reading the page's titles went past its deadline")
        if within(element, _INERT, inert):
            continue
        kept.append(_text(element, contained))
        if shown is None and not _foreign(element, foreign):
            shown = kept[-1]
    return shown or "", tuple(kept)


def _text(element: Any, known: dict[Any, bool] | None = None) -> str:
    return " ".join(" ".join(strings_of(element, known)).split())


def _foreign(element: Any, known: dict[Any, bool]) -> bool:
    # A title in SVG or MathML, with only SVG/MathML containers up to the <svg>/<math>.
    # An <svg> holding an element that ends foreign content (<svg><p><title>: a browser
    # moves the <p> and the title out) is not trusted to keep its titles foreign.
    # `known` keeps the answer for each element met on the way up (a title under it is
    # foreign), so that each <svg> is searched once and each element walked up once:
    # 24,000 titles in one <svg>, each searching all of it, took 58 s.
    chain: list[Any] = []
    foreign = False
    for parent in element.iterancestors():
        if parent in known:
            foreign = known[parent]
            break
        chain.append(parent)
        if parent.tag in _FOREIGN:
            foreign = not any(d.tag in _BREAKOUT for d in parent.iterdescendants())
            break
        if parent.tag not in _FOREIGN_CONTAINERS:
            break
    known.update(dict.fromkeys(chain, foreign))
    return foreign
