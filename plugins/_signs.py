"""What an offering's landing page shows: signs of sale, open source and services.

The sign finders read a :class:`Content`, the page as a visitor sees it
(:func:`visible`) or with its hidden parts too (:func:`everything`), so the ``offering``
check can tell "the page shows it" from "only hidden content shows it" (issue 8: what
counts is what a visitor sees). They take their phrases and hosts from the check's params.

Signs are read from the body's text, never from the ``<title>``: a browser shows the title
on a tab, not on the page, and "Proto Lens — pricing, free trial" in the title alone sells
nothing on a page that says "internal prototype, not for sale"
(``fixtures/gaming/atk-css.example/title-only``). The title may still name the offering and
its topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from verifier import Hidden, Link, Page
from verifier.toolkit import (
    excerpt,
    hidden_links,
    hidden_text,
    normalize,
    page_links,
    says,
    text_mentions,
)
from verifier.urls import link_host, parse_link

if TYPE_CHECKING:
    from plugins.offering import OfferingParams

HEADINGS = ("title", "h1", "h2", "h3")
"""Where a page says what it is dedicated to: its title and main headings."""


class Sign(NamedTuple):
    """One thing the page shows."""

    kind: str
    """``purchase``, ``open-source``, ``service``, ``topic`` or ``weak-sign``."""
    what: str
    """What it shows, as a sentence for the evidence."""
    shown: str
    """The passage, link text or heading it was found in."""
    needle: str
    """The phrase or link target it was found by (to find the hidden element that holds
    it)."""


@dataclass(frozen=True)
class Content:
    """The parts of a page the signs are read from."""

    title: str
    """Its ``<title>``: it names the offering, it shows no sign."""
    text: str
    """Its body's text (the title left out)."""
    links: list[tuple[str, str]]
    """Its ``(absolute href, link text)`` links."""
    headings: list[tuple[str, str]]
    """Its ``(tag name, text)`` title and main headings."""


def title_and_body(page: Page) -> tuple[str, str]:
    """The page's title and the text of its body a visitor sees (``Page.visible_text``
    starts with the title, both collapsed alike)."""
    title, text = page.view.title, page.visible_text
    return title, (text[len(title) :].lstrip() if text.startswith(title) else text)


def visible(page: Page) -> Content:
    """``page`` as a visitor sees it. A heading's hidden words are not its text
    (``<h1>Cloud<span hidden> FinOps</span></h1>`` reads "Cloud")."""
    heads = [h for h in page.headings if h.name in HEADINGS and h.hidden is None]
    title, body = title_and_body(page)
    return Content(title, body, page_links(page), [(h.name, h.text) for h in heads])


def everything(page: Page) -> Content:
    """``page`` with what it hides from visitors, to ask whether that would have counted."""
    heads = [h for h in page.headings if h.name in HEADINGS]
    title, body = title_and_body(page)
    return Content(
        title,
        f"{body} {hidden_text(page)}",
        [(link.href, link.text) for link in page.links],
        [(h.name, h.all_text) for h in heads],
    )


def names(content: Content, name: str) -> bool:
    """Whether the content names ``name`` as whole words (case, punctuation and legal
    suffixes aside, a one-word name as a proper noun): "Lens" is not in "Lenses"."""
    return text_mentions(f"{content.title} {content.text}", [name]) is not None


def _phrases(kind: str, text: str, terms: list[str]) -> list[Sign]:
    """A ``kind`` sign for each of ``terms`` that ``text`` says."""
    return [
        Sign(kind, f"the page says {term!r}", excerpt(text, term, 60), term)
        for term in terms
        if says(text, term)
    ]


def purchase_signs(content: Content, params: OfferingParams) -> list[Sign]:
    """Evidence that the offering can be bought: phrases and marketplace links."""
    signs = _phrases("purchase", content.text, params.purchase_terms)
    for href, label in content.links:
        if marketplace_listing(href, params.marketplace_hosts):
            what = f"links to a cloud marketplace listing: {href}"
            signs.append(Sign("purchase", what, label or href, href))
    return signs


_LOCALE = re.compile(r"[a-z]{2}(?:[-_][a-z]{2,4})?", re.IGNORECASE)
"""A locale segment (``en-us``, ``en_US``, ``de``): part of a marketplace's address, no item."""
_SECTIONS = frozenset({"marketplace", "apps", "pp", "product", "products", "details", "listing"})
"""Path segments that name a section of a marketplace on the way to an item
(``/marketplace/pp/prodview-x``, ``/en-us/marketplace/apps/acme.lens``): no item alone."""
_NOT_LISTINGS = frozenset(
    {"search", "results", "category", "categories", "browse", "b", "seller-profile"}
)
"""Path segments of a marketplace's search, category, browse or seller pages: what
follows them (``/category/analytics``) names no item."""
_LISTING_QUERIES = frozenset({"productid", "listingid", "offerid", "sku"})
"""Query keys naming an item (``?productId=...``), case aside."""


def marketplace_listing(href: str, prefixes: list[str]) -> bool:
    """Whether ``href`` is a listing on a marketplace of ``prefixes`` (host and path, as
    ``aws.amazon.com/marketplace``): past the prefix, its path names an item (a segment
    neither a locale, a section of :data:`_SECTIONS`, nor after a search, category or
    browse segment of :data:`_NOT_LISTINGS`), or its query a listing id
    (:data:`_LISTING_QUERIES`). The marketplace's home, search and category pages list no
    offering."""
    if href.isascii() and not any(_host_in(prefix, href.lower()) for prefix in prefixes):
        return False  # every link of every page comes here: most are not on a marketplace
    url = parse_link(href)
    if url is None:
        return False  # a link httpx cannot read leads nowhere: no sign
    host = link_host(url)
    path = [s for s in url.path.split("/") if s]
    for prefix in prefixes:
        p_host, _, p_path = prefix.strip().partition("/")
        stem = [s for s in p_path.split("/") if s]
        if host != p_host.removeprefix("www.") or path[: len(stem)] != stem:
            continue
        rest = [s.lower() for s in path[len(stem) :]]
        if any(s in _NOT_LISTINGS for s in rest):
            return False
        if any(k.lower() in _LISTING_QUERIES and v for k, v in url.params.multi_items()):
            return True
        return any(s not in _SECTIONS and not _LOCALE.fullmatch(s) for s in rest)
    return False


def _host_in(prefix: str, text: str) -> bool:
    # Whether the host of ``prefix`` (``www.`` aside) may be that of a link whose text,
    # in lower case, is ``text``: an ASCII link's host, as httpx reads it, is its own
    # characters in lower case, or %-escapes where it had others (a host given with a %,
    # or beyond ASCII, which httpx reads from the link's punycode, is looked for the long
    # way).
    host = prefix.strip().partition("/")[0].lower().removeprefix("www.")
    return "%" in host or not host.isascii() or host in text


def topic_sign(content: Content, params: OfferingParams) -> Sign | None:
    """The page's title or a main heading naming a ``topic_terms`` topic, if one does."""
    for tag, heading in content.headings:
        for term in params.topic_terms:
            if says(heading, term):
                return Sign("topic", f"its {tag} names the topic {term!r}", heading, term)
    return None


def service_signs(content: Content, params: OfferingParams) -> list[Sign]:
    """A description of services: ``min_service_terms`` distinct ``service_terms`` phrases."""
    text = content.text
    found = [term for term in params.service_terms if says(text, term)]
    if len(found) < params.min_service_terms:
        return []
    return [
        Sign("service", f"the page describes services: {t!r}", excerpt(text, t, 60), t)
        for t in found
    ]


def weak_signs(content: Content, params: OfferingParams) -> list[Sign]:
    """Signs a person must weigh: a ``weak_terms`` word, or a link to some repository."""
    signs = _phrases("weak-sign", content.text, params.weak_terms)
    for href, label in content.links:
        if repository_of(href, params.repository_hosts) is not None:
            signs.append(Sign("weak-sign", f"links to a repository: {href}", label or href, href))
    return signs


RESERVED_OWNERS = frozenset(
    {
        *("topics", "sponsors", "marketplace", "orgs", "organizations", "collections"),
        *("explore", "search", "features", "about", "apps", "settings", "login", "join"),
        *("signup", "enterprise", "pricing", "trending", "users", "user", "groups"),
        *("dashboard", "notifications", "issues", "pulls", "new", "help", "account"),
        *("customer-stories", "readme", "solutions", "resources", "security", "-"),
    }
)
"""First path segments of code hosts that are the host's own pages, not an owner
(``github.com/topics/<name>``, ``gitlab.com/explore/...``, ``gitlab.com/-/...``): one list
for every ``repository_hosts`` host, kept short (an owner of one of these names is rare)."""


def repository_of(href: str, hosts: list[str]) -> tuple[str, str] | None:
    """The ``(owner, repository)`` that ``href`` shows on a code host of ``hosts``
    (``https://github.com/openlens/openlens/tree/main``), or ``None``: another host, fewer
    than two path segments, or an owner that is a page of the host's own
    (:data:`RESERVED_OWNERS`)."""
    url = parse_link(href)
    if url is None:
        return None
    segments = [s for s in url.path.split("/") if s][:2]
    if link_host(url) not in hosts or len(segments) < 2:
        return None
    if segments[0].lower() in RESERVED_OWNERS:
        return None
    return segments[0], segments[1]


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalize(text))


def open_source_signs(
    content: Content, params: OfferingParams, name: str, declared: str | None
) -> list[Sign]:
    """Evidence that the offering is open source: a link to a repository on a code host
    (:func:`repository_of`) that is its declared repository, or whose owner or name is the
    offering's (``github.com/openlens/openlens``). A declared repository elsewhere (the
    applicant's own site) shows nothing someone else hosts: no sign."""
    signs = []
    for href, label in content.links:
        repository = repository_of(href, params.repository_hosts)
        if repository is None:
            continue
        is_declared = declared is not None and href.rstrip("/") == declared.rstrip("/")
        if is_declared or _compact(name) in map(_compact, repository):
            what = f"links to a public repository: {href}"
            signs.append(Sign("open-source", what, label or href, href))
    return signs


def declared_off_host(content: Content, params: OfferingParams, declared: str | None) -> list[Sign]:
    """Links to the declared repository when it is on no code host (:func:`repository_of`):
    a self-hosted forge, or the applicant's own page; a person judges whether it is public
    source."""
    if declared is None or repository_of(declared, params.repository_hosts) is not None:
        return []
    what = f"links to the declared repository, which is not on a code host: {declared}"
    return [
        Sign("weak-sign", what, label or href, href)
        for href, label in content.links
        if href.rstrip("/") == declared.rstrip("/")
    ]


def hidden_holding(page: Page, needles: list[str]) -> list[Hidden | Link]:
    """The hidden passages and links of ``page`` that hold one of ``needles`` (a phrase
    in a passage, or a link's target): what a ``hidden`` evidence item must quote."""
    found: list[Hidden | Link] = [
        h for h in page.hidden_passages if any(says(h.text, n) for n in needles)
    ]
    found += [link for link in hidden_links(page) if link.href in needles]
    return found
