"""A fetched page: what was asked, what answered, and the bytes, parsed at most once."""

from __future__ import annotations

import codecs
import dataclasses
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bs4 import BeautifulSoup, Tag, UnicodeDammit
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import NavigableString, PageElement

from verifier.errors import FetchTimeout, FetchTooLarge
from verifier.fetch.bounded import Overtime, current_deadline, in_reader, parse
from verifier.fetch.content import JS_SHELL_NOTE, sniff_type
from verifier.fetch.treeread import Reading, read_markup
from verifier.fetch.visibility import Heading, Hidden, Link, PageView, SoupMarks, TooComplex
from verifier.models import Evidence

T = TypeVar("T")

_ONCE_LOCK = "_once_lock"
"""The key of the lock :meth:`Page._once` makes its caches under, in the page's dict."""

_TEXTUAL_TYPES = ("text/html", "text/plain", "application/xml", "application/json")
_GENERIC_TYPES = ("", "text/plain", "application/octet-stream", "binary/octet-stream")

KEPT_HEADERS = (
    "content-type",
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "date",
    "location",
    "retry-after",
    "server",
)
"""Response headers recorded in evidence; the rest are not kept."""


@dataclass(frozen=True)
class Hop:
    """One response on the way to the final one (a redirect)."""

    url: str
    """URL requested at this hop."""
    status: int
    """Its status (301, 302, 303, 307, 308; 200 for a meta refresh)."""
    location: str
    """Where it pointed, resolved against ``url``."""
    via: str = "redirect"
    """``redirect`` (a 3xx with Location) or ``meta refresh`` (an HTML refresh tag)."""

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"url": self.url, "status": self.status, "location": self.location, "via": self.via}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Hop:
        """The hop :meth:`to_json` wrote (``via`` defaults to ``redirect``, as bundles
        written before it was recorded mean); ``KeyError``/``ValueError`` when a field is
        missing or not a number."""
        via = data.get("via")
        return cls(
            str(data["url"]),
            int(data["status"]),
            str(data["location"]),
            str(via) if via else "redirect",
        )


_WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
"""Python's names of the encodings a browser takes from a byte order mark or a header only."""


def _codec(name: str | None) -> str:
    try:
        return codecs.lookup(name or "ascii").name
    except LookupError:
        return ""


@dataclass(frozen=True, eq=False)
class Page:
    """The final response to a fetch, whatever its status (a 404 is an answer)."""

    url: str
    """The URL asked."""
    final_url: str
    """The URL that answered, after redirects."""
    status: int
    """HTTP status of the final response."""
    headers: Mapping[str, str]
    """The kept response headers (:data:`KEPT_HEADERS`), lower-cased names."""
    body: bytes
    """The decoded body (after Content-Encoding), at most the size cap."""
    sha256: str
    """SHA-256 of ``body``; the capture's file name."""
    fetched_at: str
    """When the final response arrived (UTC, ISO 8601)."""
    hops: tuple[Hop, ...] = ()
    """Redirects followed, in order."""
    attempts: int = 1
    """Requests made for the final URL, retries included."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Things a reviewer should know (a meta refresh, a canonical link, a sniffed type)."""
    history: tuple[Mapping[str, Any], ...] = ()
    """Every request made for this fetch, in order (robots.txt, retries, redirect hops):
    ``{"attempt", "url", "status"}`` or ``{"attempt", "url", "error"}``."""

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case (``text/html``)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def declared_charset(self) -> str | None:
        """The charset named by the Content-Type header, if any."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def sniffed_type(self) -> str:
        """The media type the first bytes show (:func:`~verifier.fetch.content.sniff_type`)."""
        return self._once("_sniffed", lambda: sniff_type(self.body))

    def _once(self, key: str, make: Callable[[], T]) -> T:
        # A cache in the instance dict, made under the page's own lock. Not
        # functools.cached_property: on Python 3.11 it holds one lock for every instance,
        # so a check reading one page on the event loop would wait for another page being
        # parsed in a worker thread. A lock all the same: in a re-check, the partners'
        # checks read one shared page (a group page, a directory) in several page reader
        # threads at once, and each must get the same tree. Made twice, a tag of one
        # parse is unknown to the marks made from the other, and reads as shown.
        try:
            found: T = self.__dict__[key]
            return found
        except KeyError:
            pass
        lock = self.__dict__.get(_ONCE_LOCK)
        if lock is None:
            lock = self.__dict__.setdefault(_ONCE_LOCK, threading.RLock())
        with lock:
            if key not in self.__dict__:
                self.__dict__[key] = make()
            value: T = self.__dict__[key]
            return value

    @property
    def is_html(self) -> bool:
        """Whether the body is HTML: declared so and not binary by its bytes (a PDF sent
        as text/html is a PDF), or undeclared/generic and HTML by its bytes."""
        if self.content_type in ("text/html", "application/xhtml+xml"):
            return self.sniffed_type in _TEXTUAL_TYPES
        if self.content_type in _GENERIC_TYPES:
            return self.sniffed_type == "text/html"
        return False

    @property
    def _decoded(self) -> tuple[str, str]:
        return self._once("_text", self._decode)

    def _decode(self) -> tuple[str, str]:
        # Header charset first (if Python knows it), then BOM / meta tag, then utf-8 and
        # windows-1252; never raises on bad bytes.
        known = [self.declared_charset] if self.declared_charset else []
        try:
            dammit = UnicodeDammit(self.body, known_definite_encodings=known, is_html=self.is_html)
        except (LookupError, ValueError):
            dammit = UnicodeDammit(self.body, is_html=self.is_html)
        if dammit.unicode_markup is None:
            return self.body.decode("utf-8", "replace"), "utf-8 (with replacements)"
        used = str(dammit.original_encoding or "ascii")
        if (
            self.is_html
            and _codec(used) in _WIDE
            and dammit.detector.sniffed_encoding is None
            and _codec(used) not in {_codec(k) for k in known}
        ):
            # A browser makes a page UTF-16 only by its byte order mark or its header: a
            # <meta> naming UTF-16 means UTF-8 (the HTML standard's prescan; UTF-32 is no
            # encoding of the web, and a guess is never UTF-16). Read as UTF-16, markup a
            # visitor sees (a `hidden` div holding "P\0r\0i\0c\0e") became text read as
            # visible, and the page's own words noise.
            try:
                return self.body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                return self.body.decode("utf-8", "replace"), "utf-8 (with replacements)"
        return dammit.unicode_markup, used

    @property
    def text(self) -> str:
        """The body as text: header charset, else meta tag or BOM, else detection."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        """The character encoding actually used to decode :attr:`text`."""
        return self._decoded[1]

    @property
    def is_json(self) -> bool:
        """Whether the body is JSON (``application/json``, ``+json``, or sniffed as such
        when the declared type is generic)."""
        if self.content_type == "application/json" or self.content_type.endswith("+json"):
            return True
        return self.content_type in _GENERIC_TYPES and self.sniffed_type == "application/json"

    def json(self) -> Any:
        """The body parsed as JSON; ``ValueError`` says why when it is not JSON."""
        if not self.is_json:
            raise ValueError(
                f"{self.final_url} is {self.content_type or self.sniffed_type}, not JSON"
            )
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{self.final_url} is not valid JSON: {exc}") from exc

    @property
    def soup(self) -> BeautifulSoup:
        """The page parsed by bs4 with lxml, once, shared by every check that reads it;
        built when a check first asks for it (the fetch layer reads pages without it,
        :mod:`verifier.fetch.treeread`), within the deadline of the ``ctx.read`` asking.

        A page that is not HTML parses as an empty document. Read it, never change it:
        every check (and, in a re-check, every partner) reads the same tree, and
        :meth:`hidden_reason` lays the page's view onto it as parsed.
        """
        return self._once("_soup", lambda: self._parse(self._soup_deadline()))

    def _soup_deadline(self) -> float | None:
        # The ctx.read's deadline; outside one (a check walking the soup on the event
        # loop, against the rules), the fetch's parse timeout, from now: bs4 takes a
        # minute over some hostile pages that lxml reads in milliseconds.
        deadline = current_deadline()
        seconds: float | None = self.__dict__.get("_parse_seconds")
        if deadline is None and seconds is not None:
            deadline = time.monotonic() + seconds
        return deadline

    def with_notes(self, *notes: str) -> Page:
        """This page with ``notes`` added, keeping what was already decoded and parsed."""
        other = dataclasses.replace(self, notes=(*self.notes, *notes))
        kept = {k: v for k, v in self.__dict__.items() if k.startswith("_") and k != _ONCE_LOCK}
        other.__dict__.update(kept)
        return other

    @property
    def parsed(self) -> bool:
        """Whether the page has been read already (:meth:`read_by`)."""
        return "_reading" in self.__dict__

    def _parse(self, deadline: float | None = None) -> BeautifulSoup:
        if not self.is_html:
            return BeautifulSoup("", "lxml")
        return parse(self.text, builder=_Builder(deadline))

    def read_by(self, deadline: float | None) -> None:
        """Read the page now (its view, titles and shape: :mod:`verifier.fetch.treeread`),
        giving up with :class:`Overtime` once ``time.monotonic()`` passes ``deadline``;
        meant for a page reader thread."""
        self._once("_reading", lambda: self._read(deadline))

    def _read(self, deadline: float | None = None) -> Reading:
        return read_markup(self.text if self.is_html else "", self.final_url, deadline)

    @property
    def _reading(self) -> Reading:
        return self._once("_reading", self._read)

    @property
    def shape_notes(self) -> tuple[str, ...]:
        """What the fetch layer notes of the shape of the page, read as HTML: a shell that
        needs JavaScript, a "not found" page (:func:`~verifier.fetch.content.shape_notes`)."""
        return self._reading.notes

    @property
    def script_count(self) -> int:
        """How many ``<script>`` elements the page holds (read as HTML)."""
        return self._reading.scripts

    @property
    def needs_javascript(self) -> bool:
        """Whether the fetch layer found a shell that scripts fill in: almost no text
        without JavaScript, so what it lacks is not evidence of absence."""
        return any(note.startswith(JS_SHELL_NOTE) for note in self.notes)

    @property
    def view(self) -> PageView:
        """The page as a visitor sees it (:mod:`verifier.fetch.visibility`), read once in
        one linear walk; the fetch layer reads it off the event loop."""
        return self._reading.view

    @property
    def document_title(self) -> str:
        """What a browser shows in the tab (``document.title``): the first ``<title>`` of
        the page wherever the parser put it (a stray ``<img>`` in the head moves it into the
        body), except one inside a ``<template>`` or ``<noscript>`` and an SVG or MathML
        ``<title>`` (a tooltip; a ``<title>`` in a ``<foreignObject>`` is the page's);
        whitespace collapsed, ``""`` when there is none. The title a check compares as
        text is :attr:`view`'s (the head's); this is the one a visitor reads."""
        return self._reading.document_title

    def every_title(self) -> list[str]:
        """The text of every ``<title>`` of the page but inert ones (in a ``<template>`` or
        ``<noscript>``), SVG and MathML ones included, in document order: for a rule that
        must not miss the title a browser shows where lxml and a browser's parser build
        different trees (they do, around SVG). Read with the page: no walk."""
        return list(self._reading.titles)

    @property
    def visible_text(self) -> str:
        """The title and the text a visitor sees, whitespace collapsed. Scripts, styles,
        comments and hidden elements (``display:none``, ``hidden``, ``aria-hidden``, a
        ``<template>``, a class the page's ``<style>`` hides...) are left out: see
        :attr:`hidden_passages`."""
        return self.view.visible_text

    @property
    def hidden_passages(self) -> tuple[Hidden, ...]:
        """The text a visitor does not see, one passage per hidden element, with why."""
        return self.view.hidden

    @property
    def links(self) -> tuple[Link, ...]:
        """Every ``<a href>`` made absolute, in order, each saying whether it is hidden."""
        return self.view.links

    @property
    def headings(self) -> tuple[Heading, ...]:
        """Every ``<title>`` (the head's, an SVG's...) and ``<h1>``-``<h6>`` of the page,
        in order, each with the text a visitor sees of it and whether it is hidden: what
        walking :attr:`soup` for them with :meth:`hidden_reason` and :meth:`shown_text`
        gives, without building bs4's tree."""
        return self.view.headings

    def _marks(self) -> SoupMarks:
        return self._once("_soup_marks", lambda: SoupMarks(self.soup, self._reading.marks))

    def hidden_reason(self, element: PageElement) -> str | None:
        """Why ``element`` of :attr:`soup` (a tag or a string: the tag around it answers)
        is hidden from visitors, by itself or an element around it; ``None`` when a
        visitor sees it. Walks the tree the first time: a check calls it in ``ctx.read``."""
        tag = element if isinstance(element, Tag) else element.parent
        return None if tag is None else self._marks().hidden_reason(tag)

    def shown_text(self, tag: Tag, hidden_too: bool = False) -> tuple[str, str | None]:
        """The text of ``tag`` of :attr:`soup` that a visitor sees (whitespace collapsed;
        with ``hidden_too``, its hidden text too: what would have counted), and why some of
        its text is hidden (the first reason met; ``None`` when none is). Walks ``tag``: a
        check calls it inside ``ctx.read``."""
        return self._marks().shown_text(tag, hidden_too)

    def evidence(self) -> Evidence:
        """This fetch as a piece of evidence."""
        via = f" via {len(self.hops)} redirect(s) to {self.final_url}" if self.hops else ""
        return Evidence(
            kind="fetch",
            url=self.url,
            sha256=self.sha256,
            fetched_at=self.fetched_at,
            detail=f"GET {self.url} answered {self.status}{via} ({len(self.body)} bytes, "
            f"{self.content_type or 'no content type'})",
            data={
                "final_url": self.final_url,
                "status": self.status,
                "headers": dict(self.headers),
                "hops": [h.to_json() for h in self.hops],
                "attempts": self.attempts,
                "size": len(self.body),
                "notes": list(self.notes),
                "declared_type": self.content_type or None,
                "sniffed_type": self.sniffed_type,
                "encoding": self.encoding if self.is_html else None,
                "history": [dict(h) for h in self.history],
            },
        )


class _Builder(LXMLTreeBuilder):
    """bs4's lxml tree builder, stopping with :class:`Overtime` past a deadline, and
    building bs4's own tree in fewer steps.

    lxml calls back into Python for every tag, so the parse can be stopped there: a
    parse in a thread cannot be killed, but it can be made to give up by itself.

    For what an HTML parser reports (tags and text without a namespace), each tag and
    string is made here as bs4's handlers would make it (``handle_starttag``, ``Tag``'s
    constructor, ``pushTag``, ``endData``, ``object_was_parsed``, ``popTag``), without
    their general cases: the same objects with the same fields and links, in a third less
    time (a 75 KiB page of ``python -m bench recheck``: 5.3-7.1 ms through bs4's handlers,
    3.0-4.5 ms here, in the same runs).
    Tests compare every field of every node with bs4's own tree, on every fixture page and
    on pages spliced with markup that takes bs4 off its usual path.
    Anything else (a namespace, a comment, a doctype, a processing instruction, an end
    tag that closes more than the open tag) goes through bs4's own code.
    """

    def __init__(self, deadline: float | None) -> None:
        super().__init__()
        self._deadline = deadline
        self._calls = 0
        self._multi: dict[str, frozenset[str]] = {}  # tag name -> its multi-valued attributes
        self._empty: dict[str, bool] = {}  # tag name -> can_be_empty_element

    def start(self, tag: Any, attrib: Any, nsmap: Any = None) -> None:
        self._calls += 1
        if not self._calls % _CLOCK_EVERY:
            self._check_deadline()
        soup: Any = self.soup  # bs4's parse state, typed loosely by bs4 itself
        # lxml's HTML parser reports every attribute value as a string (bs4's own start
        # asserts it), so the attributes are taken as they come.
        if (
            nsmap
            or len(self.nsmaps) != 1
            or soup is None
            or tag[:1] == "{"
            or soup.parse_only is not None
        ):
            super().start(tag, attrib, nsmap or {})
            # (lxml's HTML parser reports no namespace and no braced name: a safety net.)
            return
        # An HTML page has no namespaced attributes: an attribute written `{urn:x}style`
        # is one of that name for a browser, while bs4 would read it as a namespaced
        # `style` and let its value replace the real `style` (`display:none` read as
        # visible, a `class` or `href` swapped). Every name is kept as written.
        if soup.current_data:
            self._end_data(soup)
        attrs = self.attribute_dict_class(attrib) if attrib else self.attribute_dict_class()
        if attrs:
            self._split_lists(tag, attrs)
        # Tag's constructor and bs4's handle_starttag + pushTag, for this case.
        element: Any = _new_tag(soup.element_classes.get(Tag, Tag))
        parent = soup.currentTag
        previous = soup._most_recent_element
        element.parser_class = soup.__class__
        element.name = tag
        element.namespace = None
        element._namespaces = self.active_namespace_prefixes[-1] or {}
        element.prefix = None
        element.sourceline = None
        element.sourcepos = None
        element.attribute_value_list_class = self.attribute_value_list_class
        element.attrs = attrs
        element.known_xml = self.is_xml
        element.contents = []
        _link(element, parent, previous)
        element.hidden = False
        if tag == "meta":
            self.set_up_substitutions(element)
        empty = self._empty.get(tag)
        if empty is None:
            empty = self._empty[tag] = self.can_be_empty_element(tag)
        element.can_be_empty_element = empty
        element.cdata_list_attributes = self.cdata_list_attributes
        element.preserve_whitespace_tags = self.preserve_whitespace_tags
        containers = self.string_containers
        contained = tag in containers
        element.interesting_string_types = (
            {containers[tag]} if contained else Tag.MAIN_CONTENT_STRING_TYPES
        )
        soup._most_recent_element = element
        parent.contents.append(element)
        soup.tagStack.append(element)
        soup.currentTag = element
        soup.open_tag_counter[tag] += 1
        if tag in self.preserve_whitespace_tags:
            soup.preserve_whitespace_tag_stack.append(element)
        if contained:
            soup.string_container_stack.append(element)

    def end(self, tag: Any) -> None:
        # The deadline is read at ends too, and at comments and doctypes (lxml's HTML
        # parser reports `<?x?>` as a comment): each adds the text before it, and bs4 then
        # walks up every open tag (_linkage_fixer), so 25,000 nested tags closed one by one
        # with text between, or 25,000 comments in them, parsed for a minute after the
        # last start tag, where alone the deadline was read.
        self._calls += 1
        if not self._calls % _CLOCK_EVERY:
            self._check_deadline()
        soup: Any = self.soup
        if soup is None or len(self.nsmaps) != 1 or tag[:1] == "{":
            super().end(tag)
            return
        if soup.current_data:
            self._end_data(soup)
        stack = soup.tagStack
        top = stack[-1]
        if len(stack) < 2 or top.name != tag or top.prefix is not None:
            soup._popToTag(tag, None)  # bs4's own: it closes what else is open
            return
        # popTag: the open tag is the one closed.
        stack.pop()
        soup.open_tag_counter[tag] -= 1
        kept = soup.preserve_whitespace_tag_stack
        if kept and top == kept[-1]:  # bs4 compares with ==, so does this
            kept.pop()
        containers = soup.string_container_stack
        if containers and top == containers[-1]:
            containers.pop()
        soup.currentTag = stack[-1]

    def data(self, content: Any) -> None:
        self.soup.current_data.append(content)  # type: ignore[union-attr]

    def comment(self, text: Any) -> None:
        self._tick()
        super().comment(text)

    def doctype(self, name: Any, pubid: Any, system: Any) -> None:
        self._tick()
        super().doctype(name, pubid, system)

    def _tick(self) -> None:
        # What start and end do first (inlined there: they are called for every tag).
        self._calls += 1
        if not self._calls % _CLOCK_EVERY:
            self._check_deadline()

    def _check_deadline(self) -> None:
        deadline = self._deadline
        if deadline is not None and time.monotonic() > deadline:
            raise Overtime("the parse went past its deadline")

    def _end_data(self, soup: Any) -> None:
        # bs4's endData and object_was_parsed for a string of text: whitespace alone
        # becomes one space or newline outside <pre>/<textarea>; inside <script>, <style>,
        # <template>... it is of that tag's string class.
        text = "".join(soup.current_data)
        if not soup.preserve_whitespace_tag_stack and not text.strip(soup.ASCII_SPACES):
            text = "\n" if "\n" in text else " "
        soup.current_data = []
        kind = soup.element_classes.get(NavigableString, NavigableString)
        inside = soup.string_container_stack
        if inside and kind is NavigableString:
            kind = self.string_containers.get(inside[-1].name, kind)
        string: Any = _new_str(kind, text)
        parent = soup.currentTag
        fix = parent.next_element is not None
        string.hidden = False
        _link(string, parent, soup._most_recent_element)
        soup._most_recent_element = string
        parent.contents.append(string)
        if fix:
            soup._linkage_fixer(parent)

    def _split_lists(self, tag_name: str, attrs: Any) -> None:
        # bs4 turns each multi-valued attribute (class, rel...) into a list of its words,
        # looking at every attribute of every tag; this looks only at those that are
        # multi-valued, and splits as bs4's r"\S+" does (str.split: the same whitespace,
        # checked for every code point).
        wanted = self._multi.get(tag_name)
        if wanted is None:
            lists = self.cdata_list_attributes or {}
            both = lists.get("*", _NONE) | lists.get(tag_name.lower(), _NONE)
            self._multi[tag_name] = wanted = frozenset(both)
        if wanted:
            for attr, value in attrs.items():  # values replaced in place: the keys stay
                if attr in wanted and isinstance(value, str):
                    attrs[attr] = self.attribute_value_list_class(value.split())

    def _replace_cdata_list_attribute_values(self, tag_name: str, attrs: Any) -> Any:
        # bs4's own path (a namespaced tag) splits the same way.
        if attrs:
            self._split_lists(tag_name, attrs)
        return attrs


def _link(element: Any, parent: Any, previous: Any) -> None:
    """bs4's ``PageElement.setup`` for an element added last to ``parent``: it follows
    ``previous`` in document order and its parent's last child among its siblings."""
    element.parent = parent
    element.previous_element = previous
    if previous is not None:
        previous.next_element = element
    element.next_element = None
    element.next_sibling = None
    siblings = parent.contents
    before = siblings[-1] if siblings else None
    element.previous_sibling = before
    if before is not None:
        before.next_sibling = element


_new_tag = Tag.__new__
_new_str = str.__new__
_NONE: frozenset[str] = frozenset()
_CLOCK_EVERY = 64
"""Calls from the parser between two looks at the clock: a call can cost a walk up every
open tag (bs4's _linkage_fixer), about 4 ms under 25,000 of them, so 64 such calls stay
within a quarter of a second past the deadline."""

DEFAULT_MAX_TAGS = 50_000
"""Default of ``FetchSettings.max_tags``: the pages lxml reads and bs4's tree a check may
ask for stay within seconds and tens of MB (bs4 needs about 60 µs and 1 KB a tag)."""


async def parse_within(page: Page, seconds: float | None, max_tags: int = DEFAULT_MAX_TAGS) -> None:
    """Read the page (:meth:`Page.read_by`: its view, titles and shape, from lxml's
    tree) in a page reader thread, within ``seconds`` (``None``: no limit) from when it
    starts there; the thread itself stops at the deadline (:class:`Overtime`).

    Reading takes milliseconds a page, which on the event loop would make every other
    fetch's deadline late; adversarial HTML can take far longer. A thread cannot be
    stopped, so a page with more than ``max_tags`` tags is refused before parsing starts
    (1.7 million ``<b>`` fit under a 5 MiB cap and took bs4 a minute and 900 MB), and so
    is a page lxml's tree cannot read whole or in time (:class:`TooComplex`); past
    ``seconds`` the fetch is an error while the bounded walk finishes on its own.
    """
    if page.parsed:
        return
    tags = page.body.count(b"<")  # an upper bound of the tag count, at C speed
    if tags > max_tags:
        raise _refused(
            FetchTooLarge,
            page,
            f"too complex to parse: about {tags} tags, over the cap of {max_tags} (--max-tags)",
        )
    page.__dict__["_parse_seconds"] = seconds  # bs4's tree, if a check asks for it, too
    try:
        await in_reader(page.read_by, seconds)
    except TooComplex as exc:
        raise _refused(FetchTooLarge, page, f"too complex to parse: {exc}") from None
    except (TimeoutError, Overtime):
        raise _refused(
            FetchTimeout,
            page,
            f"gave up parsing: the page ({len(page.body)} bytes) took more than "
            f"{seconds:g}s to parse",
        ) from None


def _refused(
    kind: type[FetchTooLarge] | type[FetchTimeout], page: Page, reason: str
) -> FetchTooLarge | FetchTimeout:
    """The fetch error saying why ``page`` was not read, with how it was fetched."""
    return kind(
        page.url,
        reason,
        attempts=len(page.history),
        history=page.history,
        hops=[h.to_json() for h in page.hops],
    )
