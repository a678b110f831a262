"""Group pages: whether a page is a given Special Interest Group or Working Group's page,
and what its contributor or member listing holds.

A page is the group's page when its title or a top heading names the group: the title
whole or by its parts ("FOCUS Working Group - FinOps Foundation"), an ``<h1>`` (the first
``<h2>`` on a page without one) whole, without its parenthesised short name, or by it
("FinOps Open Cost and Usage Specification (FOCUS)"). A heading hidden from visitors names
nothing. A page also belongs to the group when it sits under the group's page: a page up
its URL path, on the same site and never the site's root, that names the group and shows
a link to it (a contributors page linked from the group's page; a path alone proves
nothing, a link from the group's page does).

Names are compared as words (:func:`verifier.toolkit.words`: case, accents and punctuation
do not count), with the policy's ``abbreviations`` expanded ("WG" -> "Working Group"), a
trailing *kind* set aside ("Working Group": two names that both give a kind must give the
same one, so "Containers SIG" is not "Containers WG") and one leading ``prefix`` dropped
(the Foundation titles "FinOps for Containers" what an applicant may write "FinOps for
Containers Working Group" or "Containers WG"). All three lists are policy params.

The listing (:func:`listing`): elements whose class has a listing word, and what follows
a heading with a section word; never an author byline (:func:`bylines`).

A page that is an article (:func:`article_sign`: ``og:type`` article, the listing inside an
``<article>``, a byline, a blog or news path, a dated path) is not the group's page, however
it is titled: a guest post titled as the group, with a "Contributors" list of its own, is
what its author says. The words and paths are policy params (:class:`ArticleSigns`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from bs4 import Tag

from verifier import CheckContext, FetchError, Hidden, Page, same_site
from verifier.toolkit import page_links, read_page, record_hidden, some, whole_words, words

_TITLE_PARTS = re.compile(r"\s+[-|–—:·•»]\s+")
_SHORT_NAME = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")


@dataclass(frozen=True)
class GroupNames:
    """How group names compare (see the module docstring)."""

    abbreviations: Mapping[str, str]
    """Short forms and what they stand for: ``{"WG": "Working Group"}``."""
    kinds: Sequence[str]
    """Kinds of group, set aside at the end of a name: ``["Working Group"]``."""
    prefixes: Sequence[str]
    """Words one of which is dropped at the start of a name: ``["FinOps for", "FinOps"]``."""

    def key(self, name: str) -> tuple[str, str | None]:
        """The comparable core of ``name`` and the kind it gives, if any."""
        short = {k.casefold(): words(v) for k, v in self.abbreviations.items()}
        got = [w for word in words(name) for w in short.get(word, [word])]
        kind = None
        for k in sorted((words(k) for k in self.kinds), key=len, reverse=True):
            if k and len(got) > len(k) and got[-len(k) :] == k:
                got, kind = got[: -len(k)], " ".join(k)
                break
        for p in sorted((words(p) for p in self.prefixes), key=len, reverse=True):
            if p and len(got) > len(p) and got[: len(p)] == p:
                got = got[len(p) :]
                break
        return " ".join(got), kind

    def same(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` name the same group."""
        (core_a, kind_a), (core_b, kind_b) = self.key(a), self.key(b)
        kinds_agree = kind_a is None or kind_b is None or kind_a == kind_b
        return bool(core_a) and core_a == core_b and kinds_agree


@dataclass(frozen=True)
class Naming:
    """A title or top heading of a page, as a name the page gives itself."""

    text: str
    """Its text (a visitor's, or the whole text when it is hidden)."""
    where: str
    """``title`` or ``heading``."""
    hidden: str | None
    """Why a visitor does not see it (or part of it); ``None`` when seen whole."""


def namings(page: Page) -> list[Naming]:
    """The page's title and top headings (``<h1>``, else the first ``<h2>``)."""
    soup = page.soup
    found = []
    if page.document_title:  # what the tab shows: an SVG's <title> is not it
        found.append(Naming(page.document_title, "title", None))
    heads = soup.find_all("h1") or soup.find_all("h2", limit=1)
    for head in heads:
        if not isinstance(head, Tag):
            continue
        own = page.hidden_reason(head)
        shown, part = page.shown_text(head)
        if own is None and shown:
            found.append(Naming(shown, "heading", None))
        if own is not None or part is not None:
            found.append(Naming(head.get_text(" ", strip=True), "heading", own or part))
    return found


def _forms(naming: Naming) -> list[str]:
    """The names a title or heading gives: whole, by title parts, by a short name."""
    forms = [naming.text]
    if naming.where == "title":
        forms += _TITLE_PARTS.split(naming.text)
    m = _SHORT_NAME.match(naming.text)
    if m:
        forms += [m.group(1), m.group(2)]
    return forms


def names_group(page: Page, group: str, names: GroupNames) -> tuple[Naming | None, list[Naming]]:
    """The title or heading a visitor sees that names ``group`` (``None`` if none does),
    and the hidden headings that would have named it."""
    seen, unseen = None, []
    for naming in namings(page):
        if any(names.same(group, form) for form in _forms(naming)):
            if naming.hidden is not None:
                unseen.append(naming)
            elif seen is None:
                seen = naming
    return seen, unseen


async def group_page(
    ctx: CheckContext[Any], page: Page, group: str, names: GroupNames, levels: int
) -> str:
    """``""`` if ``page`` is ``group``'s page, or sits under it (at most ``levels`` up its
    path); else why not. Records what it relied on: ``group-page`` or ``hidden``."""
    seen, unseen = await ctx.read(names_group, page, group, names)
    if seen is not None:
        ctx.evidence(
            "group-page",
            f"{group}: {page.final_url} is the group's page (its {seen.where} names it)",
            page=page,
            excerpt=seen.text,
        )
        return ""
    if await _under_group_page(ctx, page, group, names, levels):
        return ""
    if unseen:
        hidden = [Hidden(n.text, n.hidden or "") for n in unseen]
        record_hidden(ctx, page, hidden, f"the page as the page of {group}")
        return f"the page names {group} only in a heading hidden from visitors"
    shown = some([repr(n.text) for n in await ctx.read(namings, page) if n.hidden is None], 3)
    return (
        f"{page.final_url} is not the page of {group}: neither its title nor its top heading "
        f"({shown}) names the group, nor does a page above it that links to it"
    )


async def _under_group_page(
    ctx: CheckContext[Any], page: Page, group: str, names: GroupNames, levels: int
) -> bool:
    """Whether ``page`` sits under ``group``'s page: a page up its path on the same site
    (never the root) that names the group and shows a link to ``page``."""
    url = httpx.URL(page.final_url)
    # The path as written (%-escapes kept): decoded, a segment may hold a character no URL
    # may (%00), and the pages above would not be those of the page's own path.
    path = url.raw_path.decode("ascii", "replace").partition("?")[0]
    segments = [s for s in path.split("/") if s]
    here = {_plain_url(page.url), _plain_url(page.final_url)}
    for up in range(1, min(levels, len(segments) - 1) + 1):
        above = str(url.join("/" + "/".join(segments[:-up]) + "/"))
        read = await read_page(ctx, above)
        if read.state == "fault":  # no answer is no "no": the check cannot decide
            raise FetchError(above, f"the page above it, {above}, {read.reason}")
        if read.page is None or read.state != "ok" or not same_site(read.page.final_url, above):
            continue  # gone, unreadable, or redirected off the site: no group page above
        seen, _ = await ctx.read(names_group, read.page, group, names)
        if seen is not None and any(_plain_url(h) in here for h, _ in page_links(read.page)):
            ctx.evidence(
                "group-page",
                f"{group}: {page.final_url} sits under {read.page.final_url}, the group's page "
                f"(its {seen.where} names it), which links to it",
                page=read.page,
                excerpt=seen.text,
            )
            return True
    return False


def _plain_url(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


# --- an article, not the group's page ----------------------------------------------------

_TOP_ELEMENTS = 60
_DATED_PATH = re.compile(r"/(19|20)\d\d/(0?[1-9]|1[0-2])(/|$)")


@dataclass(frozen=True)
class ArticleSigns:
    """What marks a page as an article (a post, news), not a group's own page."""

    paths: Sequence[str]
    """Path segments of a blog or news section: ``["blog", "news"]``."""
    classes: Sequence[str]
    """Class names (their ``-``/``_`` words in order) of a byline or a post's metadata:
    ``["byline", "author", "post-meta"]``."""
    phrases: Sequence[str]
    """Words that open a byline when a capitalised name follows, after a space or a colon:
    ``["by", "guest post by", "author:"]`` (a final colon: the colon is needed)."""


def article_sign(page: Page, signs: ArticleSigns, items: Sequence[Tag] = ()) -> str | None:
    """Why ``page`` is an article, not a group's page (the first sign met), or ``None``.

    ``items`` are the page's listing elements: a listing inside an ``<article>`` is a
    post's. Signs a visitor cannot see count too: they say what the page is, not who takes
    part.
    """
    return (
        _declared_article(page, items)
        or _article_path(page, signs)
        or _byline_class(page, signs)
        or _byline_text(page, signs)
    )


def _declared_article(page: Page, items: Sequence[Tag]) -> str | None:
    """Whether the markup says the page, or its listing, is an article."""
    og = page.soup.find("meta", attrs={"property": "og:type"})
    if isinstance(og, Tag) and str(og.get("content", "")).strip().casefold() == "article":
        return 'it declares itself an article (<meta property="og:type" content="article">)'
    if any(item.find_parent("article") is not None for item in items):
        return "its listing is inside an <article>"
    return None


def _article_path(page: Page, signs: ArticleSigns) -> str | None:
    """Whether the page's address is a post's: in a blog or news section, or dated."""
    path = httpx.URL(page.final_url).path
    segments = {s.casefold() for s in path.split("/") if s}
    section = next((p for p in signs.paths if p.strip().casefold() in segments), None)
    if section is not None:
        return f"its address is in a /{section}/ section"
    if _DATED_PATH.search(path):
        return "its address is dated (a post's)"
    return None


def _byline_class(page: Page, signs: ArticleSigns) -> str | None:
    """Whether the page has an author link or an element classed as a byline."""
    soup = page.soup
    if soup.find(rel="author") is not None:
        return 'it has an author link (rel="author")'
    wanted = [[w for w in re.split(r"[-_\s]+", c.casefold()) if w] for c in signs.classes]
    for tag in soup.find_all(class_=True):
        if isinstance(tag, Tag) and any(_has_phrase(_class_tokens(tag), w) for w in wanted if w):
            return f"it has a byline ({_quote(tag)})"
    return None


def _byline_text(page: Page, signs: ArticleSigns) -> str | None:
    """Whether one of the page's first elements reads as a byline ("By Pat Quinn")."""
    by = _byline_opener(signs.phrases)
    if by is None:
        return None
    # A byline sits at the top: the first elements only, which also bounds the work on a
    # page of thousands of nested blocks (each get_text reads all it holds).
    for tag in page.soup.find_all(["p", "span", "div", "small", "address"], limit=_TOP_ELEMENTS):
        text = tag.get_text(" ", strip=True) if isinstance(tag, Tag) else ""
        # "By Pat Quinn": a name follows; "By invitation only" is no byline.
        m = by.match(text) if 0 < len(text) <= 80 else None
        if m is not None and m.group(1).isupper():
            return f"it has a byline ({text!r})"
    return None


def _byline_opener(phrases: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern for a line opening with one of ``phrases`` and then a name's first letter
    (group 1): after the words a colon or a space ("By: Pat", "By Pat", never "Byron"); a
    phrase written with a final colon ("author:") needs the colon."""
    opener = []
    for phrase in (p.strip() for p in phrases):
        words = re.escape(phrase.rstrip(":").strip())
        if words:
            opener.append(words + (r"\s*:\s*" if phrase.endswith(":") else r"(?:\s*:\s*|\s+)"))
    return re.compile(rf"^\s*(?:{'|'.join(opener)})(\w)", re.IGNORECASE) if opener else None


def _class_tokens(tag: Tag) -> list[list[str]]:
    """Each class of an element as its words, case folded: ``Post-Meta`` -> post, meta."""
    value = tag.get("class")
    tokens = value if isinstance(value, list) else [str(value or "")]
    return [[w for w in re.split(r"[-_]+", t.casefold()) if w] for t in tokens]


def _has_phrase(tokens: list[list[str]], phrase: list[str]) -> bool:
    """Whether one class token has ``phrase``'s words in a row (``post-meta`` in
    ``entry-post-meta``; ``author`` in ``post-author``)."""
    n = len(phrase)
    return any(t[i : i + n] == phrase for t in tokens for i in range(len(t) - n + 1))


def _quote(tag: Tag) -> str:
    text = tag.get_text(" ", strip=True)
    return repr(text[:80]) if text else f"class {' '.join(tag.get('class') or [])!r}"


# --- the page's contributor or member listing -------------------------------------------

_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_ITEMS = ["li", "tr", "dd"]


def _class_words(tag: Tag) -> set[str]:
    """The words of an element's classes, singular: ``wg-contributors`` -> wg, contributor."""
    return {w.removesuffix("s") for token in _class_tokens(tag) for w in token}


def bylines(page: Page, byline_classes: Sequence[str]) -> list[Tag]:
    """Author bylines: elements whose class has a ``byline_classes`` word (``post-author``),
    and ``rel="author"`` links. Who wrote a page is not who takes part in a group."""
    wanted = {c.casefold().removesuffix("s") for c in byline_classes}
    return [
        tag
        for tag in page.soup.find_all(True)
        if isinstance(tag, Tag)
        and (_class_words(tag) & wanted or "author" in (tag.get("rel") or []))
    ]


@dataclass(frozen=True)
class Item:
    """One element of a contributor or member listing."""

    tag: Tag
    """The element: a contributor card, a list item, a row, a section's block."""
    hidden: str | None
    """Why a visitor does not see it (or the heading that makes it a listing); ``None``."""


def listing(
    page: Page, terms: Sequence[str], classes: Sequence[str], byline: list[Tag]
) -> list[Item]:
    """The items of the page's contributor or member listings: elements whose class has a
    ``classes`` word, and what follows a heading with a ``terms`` word up to the next
    heading of its level; each with the cards of a grid it holds and the list items and
    rows inside. An author byline is never an item, nor is what holds one."""
    roots = [*_classed_roots(page, classes), *_headed_roots(page, terms)]
    # A byline, what it holds and what holds it are no item.
    authored = {id(t) for b in byline for t in (b, *b.parents, *b.find_all(True))}
    out: dict[int, Item] = {}
    for root, why in roots:
        for tag in _items_of(root):
            if id(tag) not in out and id(tag) not in authored:
                out[id(tag)] = Item(tag, why or page.hidden_reason(tag))
    return list(out.values())


def _classed_roots(page: Page, classes: Sequence[str]) -> list[tuple[Tag, str | None]]:
    """The elements whose class has a ``classes`` word (each with no reason yet)."""
    wanted = {c.casefold().removesuffix("s") for c in classes}
    # A class names a listing on a part of the page, not on the page itself
    # (<body class="page-template-members">, a box holding the page's <h1>).
    return [
        (tag, None)
        for tag in page.soup.find_all(class_=True)
        if isinstance(tag, Tag)
        and _class_words(tag) & wanted
        and tag.name not in ("html", "body", "main")
        and tag.find("h1") is None
    ]


def _headed_roots(page: Page, terms: Sequence[str]) -> list[tuple[Tag, str | None]]:
    """The elements of each section whose heading has a ``terms`` word, each with why its
    heading is hidden from visitors (``None``: it is not)."""
    term = whole_words([t.strip() for t in terms], plural=True)
    if term is None:  # no term: no heading counts
        return []
    return [
        (sib, page.hidden_reason(heading))
        for heading in page.soup.find_all(_HEADINGS)
        if isinstance(heading, Tag) and term.search(heading.get_text(" "))
        for sib in _section(heading)
    ]


def _items_of(root: Tag) -> list[Tag]:
    """``root``, the cards of a grid it is (two or more children built of elements, each a
    contributor: their parts are no item) and the list items and rows inside."""
    cards = [c for c in root.find_all(True, recursive=False) if c.find(True) is not None]
    inner = [*(cards if len(cards) > 1 else []), *root.find_all(_ITEMS)]
    return [root, *(t for t in inner if isinstance(t, Tag))]


def _section(heading: Tag) -> list[Tag]:
    """The elements after ``heading`` up to the next heading of its level or higher."""
    level = str(heading.name)
    anchor = heading
    # A heading in a box of its own (<div class="title"><h2>...</h2></div>, see
    # fixtures www.finops.example/wg/focus/): the section follows the box.
    while anchor.find_next_sibling() is None and isinstance(anchor.parent, Tag):
        anchor = anchor.parent
    parts = []
    for sib in anchor.find_next_siblings():
        if not isinstance(sib, Tag) or _opens_section(sib, level):
            break
        parts.append(sib)
    return parts


def _opens_section(tag: Tag, level: str) -> bool:
    """Whether ``tag`` is, or holds, a heading of ``level`` or higher (h2 is above h3)."""
    if tag.name in _HEADINGS:
        return str(tag.name) <= level
    return tag.find(lambda t: t.name in _HEADINGS and t.name <= level) is not None
