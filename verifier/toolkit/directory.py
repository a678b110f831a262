"""Reading organisation directories: the entries of any page that lists organisations.

CONTRACT.md: a directory page lists organisations "as links, logo images (the name in
``alt``), list items, table rows, cards or headings", and may span pages (``rel="next"``
or a "Next" link). :func:`read_directory` follows the pages, records each fetch, and
returns every entry with where it was found; matching is done by the caller.

What counts is what a visitor sees (:mod:`verifier.fetch.visibility`): an entry whose
element is hidden (``display:none``, ``aria-hidden``, a class the page's ``<style>``
hides...) is no listing, and neither is the hidden part of a name or a hidden link.
:func:`read_entries` keeps those apart (:attr:`Directory.hidden`) so that a check can tell
a person "listed only where visitors cannot see it" rather than "not listed".

Each page is read with :func:`verifier.toolkit.pages.read_page`: a page that is gone, faulty or
unreadable (not HTML, a JavaScript shell), or one that lists no organisation at all, makes
the directory unreadable (:attr:`Directory.problem`), since an absence from a directory we
could not read proves nothing. Stopping at ``max_pages`` while a next page exists is
reported too (:attr:`Directory.unread`): the caller must not read it as a full search.

Reading one page is two steps: :func:`candidates` gathers, from the tree, every element
that may name an organisation with the facts about it (its text, what a visitor sees of
it, its link, what is hidden and why), and :func:`decide_entry`, a pure function, says
what each one lists. Nothing here knows of any particular directory or program.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bs4 import BeautifulSoup, Tag

from verifier.checks import CheckContext
from verifier.fetch.page import Page
from verifier.names import whole_words
from verifier.toolkit.pages import read_page
from verifier.urls import join_url, owned_by, same_site, site_of

__all__ = [
    "Candidate",
    "Directory",
    "Entry",
    "Listing",
    "candidates",
    "decide_entry",
    "entries_of",
    "leads_to",
    "links_in",
    "links_out",
    "next_page",
    "read_directory",
    "read_entries",
]

_SKIP_ANCESTORS = ("nav", "header", "footer", "script", "style", "noscript", "template", "head")
_NEXT_TEXT = re.compile(r"^\s*(next|next page|older|›|»|→)\s*[›»→]?\s*$", re.IGNORECASE)
_PREV_TEXT = re.compile(
    r"^\s*[‹«←]?\s*(prev|previous|previous page|newer|first|last|‹|«|←)\s*[‹«←]?\s*$",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^\s*(page\s*)?\d+\s*$", re.IGNORECASE)
_LOGO = "img-alt"
"""How a name read from a logo image's alt text is found (:attr:`Candidate.how`)."""
_LOGO_WORDS = whole_words(["logo", "icon"])
T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """One organisation as a directory lists it."""

    name: str
    """The name as shown (link text, alt text, cell or heading text)."""
    href: str | None
    """The link the entry carries (absolute), if any."""
    how: str
    """Where the name came from: ``img-alt``, ``link``, ``list-item``, ``table-row``..."""
    page: Page
    """The directory page it is on."""
    hidden: str | None = None
    """``None`` for an entry a visitor sees; else why it (its element, a hidden part of
    its name, or its link) is hidden from visitors. A hidden entry is no listing."""


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _in_chrome(tag: Tag) -> bool:
    return any(parent.name in _SKIP_ANCESTORS for parent in tag.parents)


def _absolute(page: Page, raw: object) -> str | None:
    """``raw`` (an ``href`` value) made absolute against the page; ``None`` when it is no
    link to another page (missing, malformed, a fragment, ``javascript:``, ``mailto:``)."""
    if not isinstance(raw, str) or raw.startswith("#"):
        return None
    joined = join_url(page.final_url, raw)
    if joined is None or not joined[:8].lower().startswith(("http://", "https://")):
        return None  # javascript:, mailto:, tel:, however written (" JavaScript:")
    return joined


def _href(tag: Tag, page: Page, holder: Tag | None = None) -> tuple[str | None, str | None]:
    """The link an entry carries (its own, its enclosing link's, or the one link it holds:
    ``<li><a href=...>Name</a></li>``; else the link of its ``holder``, the table row of a
    name cell or the card of a title: its one link, or the first of its links that leaves
    the directory's site, ``<tr><td>Name</td><td><a>site</a></td></tr>``), and why that
    link is hidden (``None``: seen)."""
    link = tag if tag.name == "a" else tag.find_parent("a")
    if link is None:
        inner = tag.find_all("a", href=True, limit=2)
        link = inner[0] if len(inner) == 1 else None
    if link is None and holder is not None:
        # A row's or card's links: its one link, or the first that leaves the directory's
        # site (a member's website before its LinkedIn page: the row names its company).
        around = [
            (a, _absolute(page, a.get("href")))
            for a in holder.find_all("a", href=True)
            if isinstance(a, Tag)
        ]
        out = [(a, h) for a, h in around if links_out(h, page)]
        if len(around) == 1 or out:
            link, href = (around if len(around) == 1 else out)[0]
            return href, (page.hidden_reason(link) if href else None)
    if not isinstance(link, Tag):
        return None, None
    href = _absolute(page, link.get("href"))
    return href, (page.hidden_reason(link) if href else None)


def links_in(page: Page, tag: Tag) -> list[tuple[str, str | None]]:
    """Every link of ``tag`` (itself included), absolute, with why it is hidden (``None``:
    a visitor sees it)."""
    anchors = [tag] if tag.name == "a" else []
    anchors += [a for a in tag.find_all("a", href=True) if isinstance(a, Tag)]
    found = [(_absolute(page, a.get("href")), page.hidden_reason(a)) for a in anchors]
    return [(href, why) for href, why in found if href is not None]


def leads_to(href: str | None, site: str, page: Page, *, website: str | None = None) -> bool:
    """Whether ``href``, a link of ``page``, leads to ``site`` (the applicant's, as
    :func:`verifier.site_of` gives it): the page's own tie between what it lists and the
    applicant. A link within the page's own site (a profile page) ties it to nobody,
    whatever website the submission gives. Given the applicant's ``website``, the link
    must also be on it as :func:`verifier.urls.owned_by` says (its host too, for a website
    on a subdomain of a domain others may share)."""
    if href is None or site_of(href) != site or same_site(href, page.final_url):
        return False
    return website is None or owned_by(href, website)


def links_out(href: str | None, page: Page) -> bool:
    """Whether ``href``, a link of ``page``, leads to another site than the page's own."""
    return href is not None and not same_site(href, page.final_url)


def _is_pagination(text: str) -> bool:
    return any(rx.match(text) for rx in (_NEXT_TEXT, _PREV_TEXT, _PAGE_NUMBER))


@dataclass(frozen=True)
class Candidate:
    """An element of a directory page that may name an organisation, with the facts
    :func:`decide_entry` needs (gathered by :func:`candidates`)."""

    how: str
    """Where the name comes from: ``img-alt``, ``table-row``, ``list-item``, ``link``,
    ``card`` or ``heading``."""
    text: str
    """Everything the element says: its alt text for a logo, else its text with the parts
    hidden from visitors."""
    shown: str
    """What a visitor sees of that text (for a logo, its alt text)."""
    href: str | None = None
    """The link the element carries (absolute), if any."""
    hidden: str | None = None
    """Why the element itself is hidden from visitors; ``None`` when it is seen."""
    part_hidden: str | None = None
    """Why part of its text is hidden; ``None`` when all of it is seen."""
    link_hidden: str | None = None
    """Why its link is hidden; ``None`` when the link is seen (or there is none)."""


@dataclass(frozen=True)
class Listing:
    """What one candidate lists, as :func:`decide_entry` decides it."""

    name: str
    """The name, cleaned (spacing collapsed, "logo" and "icon" removed)."""
    href: str | None
    """The link that goes with it; ``None`` when there is none or it is hidden."""
    hidden: str | None
    """``None`` for a listing a visitor sees; else why it is hidden."""


def _listing(text: str, href: str | None, hidden: str | None, logo: bool) -> Listing | None:
    """``text`` as a listed name, or ``None`` when it names no organisation: a pagination
    link ("Next", "« Previous", "2"), one character, or more than 120. A logo's alt text
    loses the words "logo" and "icon" ("Acme logo" lists Acme); any other text keeps them
    ("Icon Protoco" is another organisation than Protoco)."""
    name = _clean(text)
    if logo and _LOGO_WORDS is not None:
        name = _LOGO_WORDS.sub("", name)
    name = name.strip(" -|")
    if _is_pagination(name) or not 1 < len(name) <= 120:
        return None
    return Listing(name, href, hidden)


def decide_entry(candidate: Candidate) -> tuple[Listing | None, Listing | None]:
    """What ``candidate`` lists: ``(seen, hidden)``, each ``None`` when it lists nothing
    so. A pure function of the candidate.

    An element hidden from visitors is no listing: only ``hidden``, with its full text and
    why. A seen element is a listing with what a visitor sees, without a link the visitor
    cannot see; when part of its name or its link is hidden, ``hidden`` has the full text
    and link as well, so that a person can see what was set aside.
    """
    c = candidate
    logo = c.how == _LOGO
    if c.hidden is not None:
        return None, _listing(c.text, c.href, c.hidden, logo)
    seen = _listing(c.shown, None if c.link_hidden else c.href, None, logo)
    why = c.part_hidden or c.link_hidden
    return seen, (_listing(c.text, c.href, why, logo) if why else None)


def _candidate(
    page: Page, tag: Tag, how: str, alt: str | None = None, holder: Tag | None = None
) -> Candidate:
    """The facts about one element (walks it: runs inside ``ctx.read``); ``holder``: the
    element whose one link is the entry's when the element holds none (:func:`_href`)."""
    href, link_hidden = _href(tag, page, holder)
    own = page.hidden_reason(tag)
    if alt is not None:
        return Candidate(how, alt, alt, href, own, None, link_hidden)
    shown, part = page.shown_text(tag) if own is None else ("", None)
    return Candidate(how, tag.get_text(" "), shown, href, own, part, link_hidden)


def candidates(page: Page, *, headings: bool = False) -> list[Candidate]:
    """Every element of a directory page that may name an organisation, by kind: logos
    (their ``alt``), the first cell of table rows, list items and links, and the title of
    cards; with ``headings``, the ``h2``-``h4`` headings instead. Site chrome (``nav``,
    ``header``, ``footer``...) is left out. Walks the tree: run it through ``ctx.read``."""
    if headings:
        return [_candidate(page, t, "heading") for t in _outside_chrome(page, ["h2", "h3", "h4"])]
    kinds = (_logos, _table_rows, _items_and_links, _card_titles)
    return [candidate for kind in kinds for candidate in kind(page)]


def _outside_chrome(page: Page, names: str | list[str]) -> list[Tag]:
    """The ``names`` elements of the page outside its chrome."""
    return [t for t in page.soup.find_all(names) if isinstance(t, Tag) and not _in_chrome(t)]


def _logos(page: Page) -> list[Candidate]:
    """Each image with an ``alt`` text: a logo names its organisation there."""
    return [
        # In a table, the row's one link is the logo's when the logo has none.
        _candidate(page, img, _LOGO, str(img["alt"]), holder=img.find_parent("tr"))
        for img in _outside_chrome(page, "img")
        if isinstance(img.get("alt"), str)
    ]


def _table_rows(page: Page) -> list[Candidate]:
    """The first cell of each table row, when it is a data cell (not a header)."""
    cells = [(row.find(["td", "th"]), row) for row in _outside_chrome(page, "tr")]
    return [
        _candidate(page, cell, "table-row", holder=row)
        for cell, row in cells
        if isinstance(cell, Tag) and cell.name == "td"
    ]


def _items_and_links(page: Page) -> list[Candidate]:
    """Each list item and link that is not a container of other entries or a logo link
    (whose alt text :func:`_logos` took)."""
    found: list[Candidate] = []
    for tag in _outside_chrome(page, ["li", "a"]):
        if tag.name == "li" and tag.find(["li", "table"]):
            continue  # a container of other entries, not an entry
        if tag.name == "a" and tag.find("img"):
            continue  # a logo link: its alt text was taken above
        found.append(_candidate(page, tag, "list-item" if tag.name == "li" else "link"))
    return found


def _card_titles(page: Page) -> list[Candidate]:
    """The title of each card (an element whose class says card, member or partner)."""
    found: list[Candidate] = []
    for card in page.soup.select("[class*=card], [class*=member], [class*=partner]"):
        # A card holds one organisation; a section holding many (a logo grid) is not one.
        if isinstance(card, Tag) and not _in_chrome(card) and len(card.find_all("a")) <= 1:
            title = card.find(["h2", "h3", "h4", "h5", "strong", "b"])
            if isinstance(title, Tag):
                found.append(_candidate(page, title, "card", holder=card))
    return found


def _sort(
    page: Page, found: list[Candidate], seen: dict[str, Entry], unseen: dict[str, Entry]
) -> None:
    """Add what each of ``found`` lists to ``seen`` and ``unseen`` (keyed by the name in
    lower case and the link: the first listing of a name with one link is kept, and a
    name listed again with another link, or none, is listed again: a bare mention of a
    name does not hide that its linked entry leads to another company)."""
    for candidate in found:
        for listing, into in zip(decide_entry(candidate), (seen, unseen), strict=True):
            key = f"{listing.name.lower()}\x00{listing.href or ''}" if listing else ""
            if listing is not None and key not in into:
                into[key] = Entry(listing.name, listing.href, candidate.how, page, listing.hidden)


def entries_of(page: Page) -> list[Entry]:
    """Every organisation-like entry of one directory page a visitor sees."""
    return read_entries(page)[0]


def read_entries(page: Page) -> tuple[list[Entry], list[Entry]]:
    """The entries of one directory page a visitor sees, and those hidden from visitors
    (:attr:`Entry.hidden` says why), each list de-duplicated by name.

    An entry whose element is hidden is only in the second list. A visible entry with a
    hidden part (``Acme<span hidden> Cloud Economics</span>``, or a hidden link) is in the
    first with what shows, and in the second with the hidden words or link as well.
    Walks the tree: run it through ``ctx.read``. The walk is made once per page: a
    directory page every partner of a re-check reads (one :class:`Page`, shared through
    the fetch cache) is not walked again for each of them.
    """
    shown, hidden = page._once(_ENTRIES, lambda: _read_entries(page))
    return list(shown), list(hidden)


_ENTRIES = "_directory_entries"
"""Where a page keeps what :func:`read_entries` read of it (:meth:`Page._once`)."""


def _read_entries(page: Page) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    seen: dict[str, Entry] = {}
    unseen: dict[str, Entry] = {}
    _sort(page, candidates(page), seen, unseen)
    if not seen:
        # Headings name organisations only on pages that list them as headings; on a logo
        # grid they title its sections ("Premier Members"), which are not entries.
        _sort(page, candidates(page, headings=True), seen, unseen)
    return tuple(seen.values()), tuple(unseen.values())


def next_page(page: Page) -> str | None:
    """The URL of the directory's next page, on the same site, if the page links one.

    Walks the tree: run it through ``ctx.read``. Worked out once per page, as
    :func:`read_entries` is: it depends on the page alone."""
    return page._once(_NEXT, lambda: _next_page(page))


def _next_page(page: Page) -> str | None:
    soup: BeautifulSoup = page.soup
    candidates = [
        t
        for t in soup.find_all(["a", "link"], rel=True)
        if isinstance(t, Tag) and "next" in (t.get("rel") or [])
    ]
    candidates += [
        a
        for a in soup.find_all("a", href=True)
        if isinstance(a, Tag) and _NEXT_TEXT.match(a.get_text(" "))
    ]
    for tag in candidates:
        href = _href(tag, page)[0]
        if href and same_site(href, page.final_url) and href != page.final_url:
            return href
    return None


_NEXT = "_directory_next"
"""Where a page keeps what :func:`next_page` found in it (:meth:`Page._once`)."""


async def _walk_once(ctx: CheckContext[Any], page: Page, key: str, walk: Callable[[Page], T]) -> T:
    """``walk(page)``, kept by the page under ``key``: walked through ``ctx.read`` the first
    time; after, what the page keeps, without sending it to a reader thread (a shared
    directory page is read by every partner of a re-check)."""
    kept = vars(page)
    if key in kept:
        found: T = kept[key]
        return found
    return await ctx.read(lambda p: p._once(key, lambda: walk(p)), page)


@dataclass(frozen=True)
class Directory:
    """What was read of one directory."""

    pages: list[Page]
    """The pages read, in order."""
    entries: list[Entry]
    """Every entry of those pages that a visitor sees: the listings."""
    hidden: list[Entry]
    """The entries of those pages hidden from visitors: no listing, but a person should
    see one that names the applicant (:attr:`Entry.hidden` says why it is set aside)."""
    problem: str | None
    """Why the directory could not be read (a sentence naming the page); ``None`` if it was."""
    unread: str | None
    """The next page not read because ``max_pages`` were read; ``None`` if none is left."""


async def read_directory(ctx: CheckContext[Any], url: str, max_pages: int) -> Directory:
    """Fetch a directory from ``url``, following its next pages up to ``max_pages``."""
    pages: list[Page] = []
    entries: list[Entry] = []
    hidden: list[Entry] = []
    seen: set[str] = set()
    current: str | None = url
    while current and current not in seen:
        if len(pages) >= max_pages:
            return Directory(pages, entries, hidden, None, current)
        seen.add(current)
        read = await read_page(ctx, current)
        if read.page is not None:
            pages.append(read.page)
        if read.page is None or read.state != "ok":
            return Directory(pages, entries, hidden, f"{current} {read.reason}", None)
        # Walking a page's tree runs in a worker within --parse-timeout (CheckContext.read):
        # 12,000 nested lists took 223 s here on the event loop.
        shown, unseen = await _walk_once(ctx, read.page, _ENTRIES, _read_entries)
        if not shown and not unseen:
            why = "it lists no organisation (a page built by JavaScript?)"
            return Directory(pages, entries, hidden, f"{current} could not be read: {why}", None)
        entries.extend(shown)
        hidden.extend(unseen)
        current = await _walk_once(ctx, read.page, _NEXT, _next_page)
    return Directory(pages, entries, hidden, None, None)
