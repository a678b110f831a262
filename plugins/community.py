"""community: the applicant takes part in a Special Interest Group or Working Group.

Each claimed group's page is read. It confirms the claim when all of this holds:

1. it is the group's page (:mod:`plugins._groups`): its title or top heading names the
   claimed group ("FinOps for Containers" for "FinOps for Containers Working Group" or
   "Containers WG"), or it sits under the group's page: a page up its URL path on the same
   site (at most ``parent_levels`` up, never the site's root page) whose title or top
   heading names the group and which shows a link to it. A blog post on the Foundation's
   site, or another group's page, is not;
2. the applicant is in the page's contributor or member listing: elements whose class
   has a ``listing_classes`` word (``contributor-card``, ``wg-members``), and what follows
   a heading with a ``section_terms`` word. An author byline (a class with a
   ``byline_classes`` word, ``rel="author"``) is never a listing, and a mention elsewhere
   on the page is not participation;
3. the listing names the applicant (case, punctuation and legal suffixes ignored); an
   alias the submission gives counts only on an item that links to the applicant's domain
   (an alias alone is the applicant's word: another member's name is easy to write), and
   the name counts only on an item that does not link it to another organisation's own
   site instead (a domain of its own or a LinkedIn organisation page; not a person's
   page, a GitHub or X account, which may be the contributor's: evidence
   ``contributor-elsewhere``);
4. a visitor sees it: a listing item, a heading or a link hidden from visitors
   (``display:none``, ``aria-hidden``, the page's own ``<style>``...) counts for nothing;
5. the page's byline does not name the applicant (a page it wrote lists whom it likes);
6. the page is not an article (:func:`plugins._groups.article_sign`): a post titled as the
   group, with a "Contributors" list of its own, is its author's word. Signs:
   ``<meta property="og:type" content="article">``, the listing inside an ``<article>``,
   an ``article_paths`` segment (``/blog/``, ``/news/``, ``/resources/``, ``/guest/``) or a
   dated path (``/2024/05/``),
   ``rel="author"``, a class with a ``byline_classes`` or ``article_classes`` word
   (``post-meta``), a short line opening with a ``byline_phrases`` word and a name ("By
   Pat Quinn", "By: Pat Quinn", "Author: Pat Quinn", "Contributed by ...").

- ``pass``: at least one group's page confirms;
- ``fail``: no participation claimed;
- ``needs_review``: participation only claimed: no page given, the page is gone or
  unreadable, not on the site of a ``trusted_sources`` directory (a page the applicant
  wrote), not the group's page, an article (point 6: "an article, not the group's page"),
  or does not list the applicant as point 2-5 require (named
  elsewhere or as an author, only through an unconfirmed alias, only in hidden content:
  ``hidden`` evidence quotes it with why it was set aside). The evidence says which;
- ``error``: no group confirmed and a group page could not be fetched.

Params: ``trusted_sources`` (source names whose site is authoritative for group pages;
default ``[finops-members]``; ``[]``: any site), ``section_terms``, ``listing_classes``,
``byline_classes``, ``article_classes``, ``article_paths``, ``byline_phrases``, and how group
names compare: ``group_abbreviations``, ``group_kinds``, ``group_prefixes`` (the policies
give "FinOps for" and "FinOps"), ``parent_levels``.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Literal

from bs4 import Tag
from pydantic import Field

from plugins._groups import (
    ArticleSigns,
    GroupNames,
    Item,
    article_sign,
    bylines,
    group_page,
    listing,
)
from verifier import (
    Check,
    CheckContext,
    CheckExample,
    FetchError,
    Hidden,
    Outcome,
    Page,
    Params,
    site_of,
)
from verifier.toolkit import (
    excerpt,
    leads_to,
    links_in,
    links_out,
    normalize,
    read_page,
    record_hidden,
    some,
    text_mentions,
)
from verifier.urls import origin_of, owned_by, where


class CommunityParams(Params):
    """Params of the ``community`` check."""

    trusted_sources: list[str] = Field(default_factory=lambda: ["finops-members"])
    """Sources whose site's pages may confirm participation: by default the Foundation's
    member directory's site, so that a policy that says nothing never trusts a page the
    applicant wrote; ``[]`` trusts any site (the page must still be the group's)."""
    section_terms: list[str] = Field(
        default_factory=lambda: ["contributor", "participant", "member", "lead", "chair"]
    )
    """Words of a heading that introduces the group's contributors, members or leads (case
    and a plural "s" do not count): "Contributors", "Members", "Working Group Lead"."""
    listing_classes: list[str] = Field(
        default_factory=lambda: ["contributor", "participant", "member"]
    )
    """Words that, in an element's class (``contributor-card``), mark a listing of people."""
    byline_classes: list[str] = Field(default_factory=lambda: ["author", "byline"])
    """Words that, in an element's class (``post-author``), mark an author byline."""
    article_classes: list[str] = Field(
        default_factory=lambda: ["post-meta", "entry-meta", "article-meta", "post-info"]
    )
    """Classes (their words in a row) of a post's metadata: with ``byline_classes``, a
    page that has one is an article, not a group's page."""
    article_paths: list[str] = Field(
        default_factory=lambda: [
            *("blog", "blogs", "news", "post", "posts", "insights", "article", "articles"),
            *("stories", "press", "press-releases", "resources", "library"),
            *("guest", "guest-post", "guest-posts"),
        ]
    )
    """Path segments of a blog, news or resource section: a page under one is an article."""
    byline_phrases: list[str] = Field(
        default_factory=lambda: [
            *("by", "guest post by", "posted by", "written by", "words by", "authored by"),
            *("contributed by", "guest author", "author:", "authors:"),
        ]
    )
    """Words that open a byline when a capitalised name follows ("By Pat Quinn"; a colon
    after the words may follow too: "By: Pat Quinn"). Words that end with a colon need it:
    "author:" is "Author: Pat Quinn", never "Author Guidelines"."""
    group_abbreviations: dict[str, str] = Field(
        default_factory=lambda: {"WG": "Working Group", "SIG": "Special Interest Group"}
    )
    """Short forms in group names and what they stand for."""
    group_kinds: list[str] = Field(
        default_factory=lambda: ["Working Group", "Special Interest Group"]
    )
    """Kinds of group a name may end with; a page titled without it still names it."""
    group_prefixes: list[str] = Field(default_factory=list)
    """Words one of which a group's name may start with or not ("FinOps for")."""
    parent_levels: int = Field(default=2, ge=0, le=5)
    """How many pages up its path a cited page may sit under its group's page."""

    def article_signs(self) -> ArticleSigns:
        """What marks a page as an article, from these params."""
        classes = [*self.byline_classes, *self.article_classes]
        return ArticleSigns(self.article_paths, classes, self.byline_phrases)


class CommunityCheck(Check[CommunityParams]):
    """Looks the applicant up among each claimed group's contributors."""

    name = "community"
    version = "2.0"
    Params = CommunityParams
    description = "Applicant listed among the contributors of a claimed SIG or Working Group"
    example = CheckExample(
        submission={
            "community": [
                {"group": "FinOps for Containers", "url": "http://www.finops.example/wg/c/"}
            ]
        },
        sources={"finops-members": "http://www.finops.example/members/"},
    )

    async def verify(self, ctx: CheckContext[CommunityParams]) -> Outcome:
        """See the module docstring."""
        claims, p = ctx.submission.community, ctx.params
        if not claims:
            return Outcome.failed("not provided: the submission claims no SIG or Working Group")
        urls = [ctx.source(name).url for name in p.trusted_sources]
        trusted = {site_of(url) for url in urls if url}
        confirmed: list[str] = []
        claimed: list[str] = []
        faults: list[str] = []
        # Each claim's page is read, in turn: asked now, one need not wait for the one
        # before and the pages above it that group_page may read (those are not asked
        # ahead: group_page stops at the first that answers).
        ctx.prefetch(claim.url for claim in claims if claim.url is not None)
        for claim in claims:
            why = "no contributors page given"
            if claim.url is not None:
                read = await read_page(ctx, claim.url)
                if read.page is None or read.state != "ok":
                    why = f"{claim.url} {read.reason}"
                    if read.state == "fault":
                        faults.append(f"{claim.group}: {why}")
                elif trusted and site_of(read.page.final_url) not in trusted:
                    why = f"{read.page.final_url} is not on {', '.join(sorted(trusted))}"
                else:
                    names = GroupNames(p.group_abbreviations, p.group_kinds, p.group_prefixes)
                    levels = p.parent_levels
                    try:
                        whys = [await group_page(ctx, read.page, claim.group, names, levels)]
                        whys.append(await ctx.read(_find, read.page, ctx, claim.group))
                        why = "; ".join(w for w in whys if w)
                    except FetchError as exc:  # one group's page must not hide the others
                        why = f"{claim.url} could not be read: {exc.reason}"
                        faults.append(f"{claim.group}: {why}")
            if not why:
                confirmed.append(claim.group)
                continue
            claimed.append(claim.group)
            ctx.evidence("community-claim", f"{claim.group}: not confirmed ({why})", url=claim.url)
        if confirmed:
            rest = f"; only claimed: {some(claimed)}" if claimed else ""
            return Outcome.passed(f"listed as a contributor of {some(confirmed)}{rest}")
        if faults:
            return Outcome.error(f"no group confirmed, and {some(faults, 3)}")
        return Outcome.needs_review(
            f"participation claimed but not confirmed by a contributors page: {some(claimed)}"
        )


@dataclass(frozen=True)
class _Applicant:
    """The names and domain the applicant is looked for by."""

    name: str
    """Its name as written."""
    own: list[str]
    """The normalised form of its name."""
    aliases: dict[str, str]
    """Normalised forms only an alias gives -> the alias as written."""
    domain: str
    """The site of its website (:func:`verifier.site_of`)."""
    website: str
    """Its website: a link ties a listing to it only on it (``leads_to``'s ``website``)."""

    @classmethod
    def of(cls, ctx: CheckContext[CommunityParams]) -> _Applicant:
        applicant = ctx.submission.applicant
        own = [normalize(applicant.name)]
        aliases = {f: a for a in applicant.aliases if (f := normalize(a)) not in own}
        website = str(applicant.website)
        return cls(applicant.name, own, aliases, site_of(website), website)

    @property
    def forms(self) -> list[str]:
        """Every form: the name's, then the aliases'."""
        return [*self.own, *self.aliases]

    @property
    def names(self) -> list[str]:
        """Every name as written: its own, then the aliases'."""
        return [self.name, *self.aliases.values()]

    def named(self, text: str) -> str | None:
        """The form ``text`` names the applicant by, its own name first; ``None``."""
        return text_mentions(text, [self.name]) or text_mentions(text, self.aliases.values())

    def away(self, page: Page, tag: Tag) -> str | None:
        """The link a visitor sees in ``tag`` to another organisation's own site (a domain
        of its own, or an organisation's page on LinkedIn; not a person's page on a
        platform shared by path, a GitHub or X account, which may be the contributor's),
        when none of its links leads to the applicant's site (its website's host, whatever
        path the website was given as: ``/en-us/`` owns the rest of its domain here);
        ``None``."""
        links = [h for h, why in links_in(page, tag) if not why]
        if any(leads_to(h, self.domain, page, website=self.website) for h in links):
            return None
        root = origin_of(self.website)
        return next(
            (
                h
                for h in links
                if links_out(h, page)
                and not owned_by(h, root)
                and ("/" not in (site := site_of(h)) or _ORGANISATION_PAGE.match(site))
            ),
            None,
        )

    def tied(self, page: Page, tag: Tag, hidden_too: bool = False) -> bool:
        """Whether ``tag`` holds a link to the applicant's domain (one a visitor sees,
        unless ``hidden_too``)."""
        links = links_in(page, tag)
        return any(
            leads_to(h, self.domain, page, website=self.website)
            for h, why in links
            if hidden_too or not why
        )


_ORGANISATION_PAGE = re.compile(r"(?:[a-z0-9-]+\.)?linkedin\.com/(?:company|showcase|school)/")
"""A site (``site_of``) that is an organisation's page on a platform shared by path."""


@dataclass(frozen=True)
class ItemFacts:
    """What one item of a page's contributor listing says of the applicant (gathered by
    :func:`gather`; the tree is not needed to decide)."""

    key: int
    """The item's identity (its element's ``id()``)."""
    holders: frozenset[int]
    """The identities of the elements that hold it."""
    text: str
    """What a visitor sees of it."""
    hidden: str | None
    """Why the item, or the heading that makes it a listing, is hidden; ``None``."""
    part: str | None
    """Why part of its text is hidden; ``None``."""
    form: str | None
    """The form a visitor reads it naming the applicant by (never for a hidden item)."""
    tied: bool
    """Whether it holds a link a visitor sees to the applicant's domain (asked only when
    ``form`` is an alias's)."""
    full: str
    """All of its text, hidden parts included."""
    full_form: str | None
    """The form all of its text names the applicant by (asked only when something of the
    item is hidden)."""
    tied_hidden: bool
    """Whether it holds a link, seen or hidden, to the applicant's domain (asked only when
    ``full_form`` is an alias's)."""
    away: str | None = None
    """Its link a visitor sees to another organisation's site, none leading to the
    applicant's (asked only of an item naming the applicant by its own name, up to the
    first that links nowhere away, and not of the grids around one that does: what
    :func:`decide` reads): the page ties that name to someone else."""


@dataclass(frozen=True)
class PageFacts:
    """What a group's page says of the applicant, gathered once from the tree."""

    items: list[ItemFacts]
    """The items of its contributor listings, the smallest text first: the contributor's
    own card before the grid around it."""
    byline_names: bool
    """Whether a byline a visitor sees names the applicant."""
    article: str | None
    """Why the page is an article, not the group's page; ``None``."""
    page_names: bool
    """Whether the text a visitor sees names the applicant anywhere."""


Finding = Literal[
    "listed",
    "byline",
    "article",
    "hidden",
    "alias",
    "linked-away",
    "author-only",
    "elsewhere",
    "no-listing",
    "absent",
]
"""What a group's page says of the applicant (see :func:`decide`)."""


@dataclass(frozen=True)
class Decision:
    """What :func:`decide` found, and what the evidence of it quotes."""

    finding: Finding
    """The verdict on the page."""
    item: ItemFacts | None = None
    """The item that lists the applicant (``listed``, ``article``) or names an alias
    (``alias``)."""
    form: str = ""
    """The form that item names the applicant by."""
    unseen: tuple[Hidden, ...] = ()
    """The hidden items that would have listed the applicant (``hidden``)."""


@dataclass(frozen=True)
class _Layout:
    """What a group's page lists, whoever asks: read once per page and rules, since every
    partner of a re-check reads the same group pages (the same :class:`Page`)."""

    byline_texts: tuple[str, ...]
    """What a visitor sees of each byline a visitor sees."""
    shown: tuple[tuple[Item, str, str | None, str], ...]
    """The listing's items, the smallest seen text first, each with that text, why part
    of it is hidden, and its whole text."""
    holders: dict[int, frozenset[int]]
    """Each item's tag's ancestors (``id``)."""
    article: str | None
    """Why the page is an article; ``None``."""


_LAYOUTS: weakref.WeakKeyDictionary[Page, dict[str, _Layout]] = weakref.WeakKeyDictionary()


def _layout(page: Page, params: CommunityParams) -> _Layout:
    """The applicant-free facts of ``page`` under ``params``' rules (walks the tree)."""
    rules = params.model_dump_json()  # every rule (none names the applicant)
    kept = _LAYOUTS.setdefault(page, {})
    found = kept.get(rules)
    if found is None:
        authored = [b for b in bylines(page, params.byline_classes) if not page.hidden_reason(b)]
        items = listing(page, params.section_terms, params.listing_classes, authored)
        # The smallest text first: the contributor's own card, not the grid around it.
        shown = sorted(((i, *page.shown_text(i.tag)) for i in items), key=lambda t: len(t[1]))
        found = kept[rules] = _Layout(
            byline_texts=tuple(page.shown_text(b)[0] for b in authored),
            shown=tuple((i, t, part, i.tag.get_text(" ", strip=True)) for i, t, part in shown),
            holders={id(i.tag): frozenset(id(t) for t in i.tag.parents) for i in items},
            article=article_sign(page, params.article_signs(), [i.tag for i in items]),
        )
    return found


def gather(page: Page, params: CommunityParams, who: _Applicant) -> PageFacts:
    """The facts :func:`decide` needs from ``page`` (walks the tree: runs in ``ctx.read``)."""
    layout = _layout(page, params)
    facts: list[ItemFacts] = []
    listed = False  # an item naming the applicant without a link away came: decide stops
    held: set[int] = set()  # what holds an item linking the name away: decide skips it
    for item, text, part, full in layout.shown:
        form = who.named(text) if item.hidden is None else None
        full_form = who.named(full) if (item.hidden or part) else None
        away = None
        if form in who.own and not listed and id(item.tag) not in held:
            # Asked only where decide looks: the grids around a card are walked no more.
            away = who.away(page, item.tag)
            listed = away is None
            if away is not None:
                held.update(layout.holders[id(item.tag)])
        facts.append(
            ItemFacts(
                key=id(item.tag),
                holders=layout.holders[id(item.tag)],
                text=text,
                hidden=item.hidden,
                part=part,
                form=form,
                tied=form in who.aliases and who.tied(page, item.tag),
                full=full,
                full_form=full_form,
                tied_hidden=full_form in who.aliases and who.tied(page, item.tag, True),
                away=away,
            )
        )
    return PageFacts(
        items=facts,
        byline_names=any(text_mentions(text, who.names) for text in layout.byline_texts),
        article=layout.article,
        page_names=text_mentions(page.visible_text, who.names) is not None,
    )


def decide(facts: PageFacts, own: list[str], aliases: dict[str, str]) -> Decision:
    """What the page says of the applicant, whose forms are ``own`` (its name's) and
    ``aliases`` (form -> alias as written). A pure function of its arguments.

    The first item a visitor sees naming the applicant lists it, unless it names only an
    alias without a link to the applicant's domain (nor does a grid holding such an item
    tie the alias), or names it linking to another organisation's site and not to the
    applicant's (nor does a grid holding it); a byline naming the applicant, or a page
    that is an article, takes that listing back. Without a listing: the name linked to
    another organisation, a hidden item that would have listed it, an untied alias, a
    byline, a mention elsewhere, no listing at all, or absence.
    """
    listed, by_alias, away = _first_listing(facts.items, aliases)
    if listed is not None and listed.form is not None:
        if facts.byline_names:
            return Decision("byline")
        return Decision("article" if facts.article else "listed", listed, listed.form)
    if away is not None and away.form is not None:
        return Decision("linked-away", away, away.form)
    if unseen := _would_have_listed(facts.items, own):
        return Decision("hidden", unseen=unseen)
    if by_alias is not None and by_alias.form is not None:
        return Decision("alias", by_alias, by_alias.form)
    if facts.byline_names:
        return Decision("author-only")
    if facts.page_names:
        return Decision("elsewhere")
    return Decision("absent" if facts.items else "no-listing")


def _first_listing(
    items: list[ItemFacts], aliases: dict[str, str]
) -> tuple[ItemFacts | None, ItemFacts | None, ItemFacts | None]:
    """The first item a visitor sees that lists the applicant, the first before it that
    names only an alias it does not tie to the applicant, and the first before it that
    names the applicant linking to another organisation."""
    by_alias: ItemFacts | None = None
    away: ItemFacts | None = None
    untied: set[int] = set()  # what holds an item naming an alias it does not tie
    elsewhere: set[int] = set()  # what holds an item tying the name to someone else
    for item in items:
        if item.form is None:
            continue
        if item.form in aliases and (item.key in untied or not item.tied):
            # The card naming the alias decides: a grid around it that holds some other
            # link to the applicant's site does not tie that alias to the applicant.
            by_alias = by_alias or item
            untied.update(item.holders)
            continue
        if item.form not in aliases and (item.key in elsewhere or item.away is not None):
            # Likewise the card whose link names another organisation's site decides.
            away = away or item
            elsewhere.update(item.holders)
            continue
        return item, by_alias, away
    return None, by_alias, away


def _would_have_listed(items: list[ItemFacts], own: list[str]) -> tuple[Hidden, ...]:
    """What hidden items, or hidden words or links of seen ones, would have listed the
    applicant: the smallest of each (the card, not the grid that holds it)."""
    unseen: list[Hidden] = []
    holders: set[int] = set()
    for item in items:
        why = item.hidden or item.part
        if why is None or item.key in holders or item.full_form is None:
            continue
        if item.full_form in own or item.tied_hidden:
            unseen.append(Hidden(item.full, why))
            holders.update(item.holders)
    return tuple(unseen)


_NOT_LISTED: dict[Finding, str] = {
    "byline": "the page's byline names the applicant: a page it wrote is its own word",
    "hidden": "the page lists the applicant among its contributors only in hidden content",
    "author-only": "the page names the applicant only as an author (a byline is not participation)",
    "elsewhere": "the page names the applicant, but not among its contributors",
    "no-listing": "the page has no contributors section",
    "absent": "the applicant is not among the contributors listed",
}
"""Why a page confirms no participation, for the findings that need no more words."""


def _find(page: Page, ctx: CheckContext[CommunityParams], group: str) -> str:
    """``""`` if the page's listing names the applicant as the module docstring says,
    else why not (recording the evidence either way)."""
    who = _Applicant.of(ctx)
    facts = gather(page, ctx.params, who)
    found = decide(facts, who.own, who.aliases)
    item, form = found.item, found.form
    if found.finding in ("listed", "article") and item is not None:
        article = found.finding == "article"
        lists = "lists the applicant among its contributors"
        if article:
            lists = (
                "lists the applicant, but is an article, not the group's page "
                f"({facts.article}): a person must judge"
            )
        elif form not in who.own:
            lists += f" as {who.aliases[form]!r}, linking to {who.domain}"
        ctx.evidence(
            "contributor",
            f"{group}: {page.final_url} {lists}",
            page=page,
            excerpt=excerpt(item.text, form, 60),
            matched=form,
        )
        return f"the page is an article, not the group's page: {facts.article}" if article else ""
    if found.finding == "byline":
        return _NOT_LISTED["byline"]
    ctx.evidence(
        "search",
        f"{group}: looked for {some([repr(f) for f in who.forms])} in {len(facts.items)} item(s) "
        f"of the contributor listings of {page.final_url}",
        page=page,
        forms=who.forms,
        sections=len(facts.items),
    )
    if found.finding == "hidden":
        record_hidden(ctx, page, found.unseen, f"the applicant among the contributors of {group}")
    elif found.finding == "alias" and item is not None:
        alias = who.aliases[form]
        ctx.evidence(
            "contributor-alias",
            f"{group}: the listing names {alias!r}, an alias the submission gives, on an item "
            f"that does not link to {who.domain}: a person must confirm it is the applicant",
            page=page,
            excerpt=item.full[:200],
            alias=alias,
        )
        return f"the page lists only the alias {alias!r}, which it does not tie to {who.domain}"
    elif found.finding == "linked-away" and item is not None and item.away is not None:
        theirs, own = where(item.away, who.website)
        ctx.evidence(
            "contributor-elsewhere",
            f"{group}: the listing names the applicant, but links it to {item.away}, not to "
            f"{own}: a person must confirm it is the applicant",
            page=page,
            excerpt=item.full[:200],
            link=item.away,
        )
        return (
            f"the page lists the applicant's name linking to {theirs}, not {own}: it may be "
            "another organisation of the same name"
        )
    return _NOT_LISTED[found.finding]
