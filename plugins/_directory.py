"""Reading organisation directories: the entries of any page that lists organisations.

CONTRACT.md: a directory page lists organisations "as links, logo images (the name in
``alt``), list items, table rows, cards or headings", and may span pages (``rel="next"``
or a "Next" link). :func:`read_directory` follows the pages, records each fetch, and
returns every entry with where it was found; matching is done by the caller.

Each page is read with :func:`plugins._pages.read_page`: a page that is gone, faulty or
unreadable (not HTML, a JavaScript shell), or one that lists no organisation at all, makes
the directory unreadable (:attr:`Directory.problem`), since an absence from a directory we
could not read proves nothing. Stopping at ``max_pages`` while a next page exists is
reported too (:attr:`Directory.unread`): the caller must not read it as a full search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from bs4 import BeautifulSoup, Tag

from plugins._pages import read_page
from verifier import CheckContext, Page, same_site

_SKIP_ANCESTORS = ("nav", "header", "footer", "script", "style", "noscript", "template")
_NEXT_TEXT = re.compile(r"^\s*(next|next page|older|›|»|→)\s*[›»→]?\s*$", re.IGNORECASE)
_PREV_TEXT = re.compile(
    r"^\s*[‹«←]?\s*(prev|previous|previous page|newer|first|last|‹|«|←)\s*[‹«←]?\s*$",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^\s*(page\s*)?\d+\s*$", re.IGNORECASE)
_LOGO_WORDS = re.compile(r"\b(logo|icon)\b", re.IGNORECASE)


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


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _in_chrome(tag: Tag) -> bool:
    return any(parent.name in _SKIP_ANCESTORS for parent in tag.parents)


def _href(tag: Tag, page: Page) -> str | None:
    """The link an entry carries: its own, its enclosing link's, or the one link it holds
    (``<li><a href=...>Name</a></li>``: the list item is the entry, the link its target)."""
    link = tag if tag.name == "a" else tag.find_parent("a")
    if link is None:
        inner = tag.find_all("a", href=True, limit=2)
        link = inner[0] if len(inner) == 1 else None
    raw = link.get("href") if isinstance(link, Tag) else None
    if not isinstance(raw, str) or raw.startswith(("#", "javascript:", "mailto:")):
        return None
    try:
        return str(httpx.URL(page.final_url).join(raw))
    except (httpx.InvalidURL, ValueError):
        return None


def _is_pagination(text: str) -> bool:
    return any(rx.match(text) for rx in (_NEXT_TEXT, _PREV_TEXT, _PAGE_NUMBER))


def entries_of(page: Page) -> list[Entry]:
    """Every organisation-like entry of one directory page, de-duplicated by name."""
    soup: BeautifulSoup = page.soup
    found: dict[str, Entry] = {}

    def add(name: str, tag: Tag, how: str) -> None:
        name = _LOGO_WORDS.sub("", _clean(name)).strip(" -|")
        if _is_pagination(name):
            return  # "Next", "« Previous", "2": the directory's own page links
        if 1 < len(name) <= 120 and name.lower() not in found:
            found[name.lower()] = Entry(name, _href(tag, page), how, page)

    for img in soup.find_all("img"):
        if isinstance(img, Tag) and not _in_chrome(img) and isinstance(img.get("alt"), str):
            add(str(img["alt"]), img, "img-alt")
    for row in soup.find_all("tr"):
        if isinstance(row, Tag) and not _in_chrome(row):
            cell = row.find(["td", "th"])
            if isinstance(cell, Tag) and cell.name == "td":
                add(cell.get_text(" "), cell, "table-row")
    for tag in soup.find_all(["li", "a"]):
        if not isinstance(tag, Tag) or _in_chrome(tag):
            continue
        if tag.name == "li" and tag.find(["li", "table"]):
            continue  # a container of other entries, not an entry
        if tag.name == "a" and tag.find("img"):
            continue  # a logo link: its alt text was taken above
        add(tag.get_text(" "), tag, "list-item" if tag.name == "li" else "link")
    for card in soup.select("[class*=card], [class*=member], [class*=partner]"):
        # A card holds one organisation; a section holding many (a logo grid) is not one.
        if isinstance(card, Tag) and not _in_chrome(card) and len(card.find_all("a")) <= 1:
            title = card.find(["h2", "h3", "h4", "h5", "strong", "b"])
            if isinstance(title, Tag):
                add(title.get_text(" "), title, "card")
    if not found:
        # Headings name organisations only on pages that list them as headings; on a logo
        # grid they title its sections ("Premier Members"), which are not entries.
        for tag in soup.find_all(["h2", "h3", "h4"]):
            if isinstance(tag, Tag) and not _in_chrome(tag):
                add(tag.get_text(" "), tag, "heading")
    return list(found.values())


def next_page(page: Page) -> str | None:
    """The URL of the directory's next page, on the same site, if the page links one."""
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
        href = _href(tag, page)
        if href and same_site(href, page.final_url) and href != page.final_url:
            return href
    return None


@dataclass(frozen=True)
class Directory:
    """What was read of one directory."""

    pages: list[Page]
    """The pages read, in order."""
    entries: list[Entry]
    """Every entry of those pages."""
    problem: str | None
    """Why the directory could not be read (a sentence naming the page); ``None`` if it was."""
    unread: str | None
    """The next page not read because ``max_pages`` were read; ``None`` if none is left."""


async def read_directory(ctx: CheckContext[Any], url: str, max_pages: int) -> Directory:
    """Fetch a directory from ``url``, following its next pages up to ``max_pages``."""
    pages: list[Page] = []
    entries: list[Entry] = []
    seen: set[str] = set()
    current: str | None = url
    while current and current not in seen:
        if len(pages) >= max_pages:
            return Directory(pages, entries, None, current)
        seen.add(current)
        read = await read_page(ctx, current)
        if read.page is not None:
            pages.append(read.page)
        if read.page is None or read.state != "ok":
            return Directory(pages, entries, f"{current} {read.reason}", None)
        found = entries_of(read.page)
        if not found:
            why = "it lists no organisation (a page built by JavaScript?)"
            return Directory(pages, entries, f"{current} could not be read: {why}", None)
        entries.extend(found)
        current = next_page(read.page)
    return Directory(pages, entries, None, None)
