"""offering: the offering's landing page is public, on the applicant's site, and for sale,
open source, or (for a service provider's policy) a dedicated offering of services.

The page is read with :func:`verifier.toolkit.read_page`, like every submitted page.

- ``pass``: the page answers 2xx HTML on the applicant's site (``verifier.site_of``), names the
  offering, and shows it is purchasable (a ``purchase_terms`` phrase, or a link to a
  listing on a cloud marketplace: not its home, search or category page), open source (a
  link to a repository, ``host/<owner>/<repo>`` on a ``repository_hosts`` host and no
  page of the host's own such as ``github.com/topics/...``, that is the declared
  ``open_source_repository`` or whose owner or name is the offering: any GitHub link is
  not enough), or offered as a service (its title or a main heading names
  a ``topic_terms`` topic and its text says ``min_service_terms`` ``service_terms``
  phrases); with ``topic_terms`` set, the title or a main heading must name a topic;
- ``fail``: not provided; the page is gone (404, 410, a "not found" page); it does not
  name the offering; it shows neither purchase, open source nor services (the evidence
  lists what was searched);
What counts is what a visitor sees: text and links hidden from visitors (see
:mod:`verifier.fetch.visibility`) are no sign, and headings hidden are no topic.

- ``needs_review``: only content hidden from visitors would pass the page (its name,
  topic or signs; each hidden passage or link is quoted as ``hidden`` evidence with why
  it was set aside); the page is on another domain than the applicant's website, cannot
  be read by a program (not HTML, or a shell that JavaScript fills in), shows only weak
  signs (a ``weak_terms`` word such as "plans" or "license", a repository link that does
  not name the offering, a link to a declared ``open_source_repository`` that is not on a
  code host: the applicant's own site shows no repository someone else hosts), or, with
  ``topic_terms`` set, names no topic in its title or main headings: a person judges
  those;
- ``error``: the page could not be fetched, or answered another status.

Params: ``purchase_terms``, ``weak_terms``, ``marketplace_hosts``, ``repository_hosts``,
``topic_terms``, ``service_terms``, ``min_service_terms``.

The verdict is :func:`decide`, a pure function of what was gathered (:class:`OfferingFacts`)
and the params: it reads no page, so its table test needs no server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import Field

from plugins._signs import (
    Content,
    Sign,
    declared_off_host,
    everything,
    hidden_holding,
    names,
    open_source_signs,
    purchase_signs,
    service_signs,
    topic_sign,
    visible,
    weak_signs,
)
from verifier import Check, CheckContext, CheckExample, Outcome, Page, Params
from verifier.inputs.submission import Offering
from verifier.toolkit import excerpt, hidden_links, normalize, read_page, record_hidden
from verifier.urls import owned_by, where

# Defaults as "|"-separated listings, to keep the module short; each param is a list.
_PURCHASE_TERMS = """pricing | pricing plans | plans & pricing | plans and pricing
    | subscription | subscribe | free trial | start trial | buy now | contact sales
    | talk to sales | request a quote | per month | per year | per seat | per user"""

_MARKETPLACE_HOSTS = """aws.amazon.com/marketplace | azuremarketplace.microsoft.com
    | console.cloud.google.com/marketplace | cloud.google.com/marketplace
    | marketplace.oracle.com"""

_REPOSITORY_HOSTS = """github.com | gitlab.com | bitbucket.org | codeberg.org | sourceforge.net"""


_HOW = {"purchase": "purchasable", "open-source": "open source", "service": "offered as a service"}
"""How a pass summary says what each kind of sign shows."""


def _words(listing: str) -> list[str]:
    return [w.strip() for w in listing.split("|")]


class OfferingParams(Params):
    """Params of the ``offering`` check."""

    purchase_terms: list[str] = Field(default_factory=lambda: _words(_PURCHASE_TERMS))
    """Phrases showing the offering can be bought (matched case-insensitively, whole words).
    Bare "plans" or "license" are not among them: "big plans" and "MIT License" sell
    nothing."""
    weak_terms: list[str] = Field(default_factory=lambda: ["plans", "license", "licensing"])
    """Words that may mean the offering is sold, or may not ("big plans", "MIT License"):
    alone, they send the requirement to a person instead of failing it."""
    marketplace_hosts: list[str] = Field(default_factory=lambda: _words(_MARKETPLACE_HOSTS))
    """Link prefixes (host and path, ``aws.amazon.com/marketplace``) of cloud marketplaces,
    matched by whole host and whole path segments. A link is a listing only if it goes
    beyond the prefix to an item: a further path segment that is neither a locale
    (``en-us``), a section on the way to an item (``apps``, ``pp``, ``product``...), nor
    after a search, category or browse segment (``search``, ``category``, ``browse``,
    ``b``, ``seller-profile``...), or a listing-id query (``?productId=``, ``listingId``,
    ``offerId``, ``sku``); see :func:`plugins._signs.marketplace_listing`. The marketplace's
    home, search and category pages list no offering."""
    repository_hosts: list[str] = Field(default_factory=lambda: _words(_REPOSITORY_HOSTS))
    """Hosts of public source repositories. A repository there is ``host/<owner>/<repo>``
    whose owner is no page of the host's own (``topics``, ``sponsors``, ``marketplace``,
    ``orgs``, ``explore``, ``search``...: :data:`plugins._signs.RESERVED_OWNERS`, one list
    for every host). A declared ``open_source_repository`` counts only as such a
    repository."""
    topic_terms: list[str] = Field(default_factory=list)
    """Topics an offering must be dedicated to, one named in the page's title or a main
    heading (``h1``-``h3``); empty: no topic is asked for. A page that does not show one
    there but otherwise passes needs a person."""
    service_terms: list[str] = Field(default_factory=list)
    """Phrases describing services (consulting, assessment, managed service...). A page
    dedicated to a ``topic_terms`` topic that says ``min_service_terms`` of them offers
    services: no purchase terms are needed. Empty: services are no sign."""
    min_service_terms: int = Field(default=2, ge=1)
    """Distinct ``service_terms`` phrases that make a description of services."""


class OfferingCheck(Check[OfferingParams]):
    """Verifies the public landing page of the offering."""

    name = "offering"
    version = "2.0"
    Params = OfferingParams
    description = "Public landing page naming a purchasable or open-source offering"
    example = CheckExample(
        submission={"offering": {"name": "Acme Lens", "landing_page": "http://acme.example/lens"}}
    )

    async def verify(self, ctx: CheckContext[OfferingParams]) -> Outcome:
        """See the module docstring."""
        offering = ctx.submission.offering
        if offering is None:
            return Outcome.failed("not provided: the submission has no 'offering'")
        return decide(await _gather(ctx, offering), ctx.params)


@dataclass(frozen=True)
class OfferingFacts:
    """What the landing page shows: everything :func:`decide` needs, no page left to read."""

    name: str
    """The offering's name, as submitted."""
    url: str
    """The landing page, as submitted."""
    state: str = "ok"
    """How the page answered (:class:`verifier.toolkit.Read`: ``ok``, ``gone``, ``fault``,
    ``unreadable``)."""
    reason: str = ""
    """Why, when it is not ``ok``."""
    final_url: str = ""
    """Where the page was read, after redirects."""
    applicant_website: str = ""
    """The applicant's website, whose site the page must be on."""
    hidden_shows: tuple[str, ...] | None = None
    """What only content hidden from visitors shows, when that alone would pass the page
    ("the name 'Acme Lens'"...); ``None`` otherwise."""
    hidden_quote: str = ""
    """The first hidden passage or link quoted, shortened."""
    named: bool = False
    """The page names the offering where a visitor sees it."""
    kinds: tuple[str, ...] = ()
    """The kinds of clear sign the page shows (``purchase``, ``open-source``, ``service``)."""
    repository: str | None = None
    """The declared ``open_source_repository``, when the page links to it but it is not on
    a code host; ``None`` otherwise."""
    weak: tuple[str, ...] = ()
    """What each weak sign shows, when there is no clear one."""
    dedicated: bool = True
    """The title or a main heading names a topic, or the policy asks for none."""


def decide(facts: OfferingFacts, p: OfferingParams) -> Outcome:
    """The outcome from what the page shows (see the module docstring): pure, no page read."""
    name = facts.name
    if facts.state != "ok":
        verdict = {"gone": Outcome.failed, "unreadable": Outcome.needs_review}
        return verdict.get(facts.state, Outcome.error)(
            f"the landing page {facts.url} {facts.reason}"
        )
    if facts.hidden_shows is not None:
        return Outcome.needs_review(
            f"only content hidden from visitors shows {' and '.join(facts.hidden_shows)} "
            f"({facts.hidden_quote!r}, set aside); a person must judge"
        )
    if not facts.named:
        return Outcome.failed(f"the landing page does not name {name!r}")
    if not facts.kinds:
        return _unclear(facts, p)
    if not owned_by(facts.final_url, facts.applicant_website):
        on, own = where(facts.final_url, facts.applicant_website)
        return Outcome.needs_review(f"{name} is on {on}, not on the applicant's domain {own}")
    how = " and ".join(_HOW[k] for k in sorted(set(facts.kinds)))
    if not facts.dedicated:
        return Outcome.needs_review(
            f"{name} is listed at {facts.final_url} and is {how}, but its title and "
            f"headings name none of {', '.join(p.topic_terms)}: a person must "
            "judge whether it is a dedicated offering"
        )
    return Outcome.passed(f"{name} is listed at {facts.final_url} and is {how}")


def _unclear(facts: OfferingFacts, p: OfferingParams) -> Outcome:
    """The outcome for a page that names the offering but shows no clear sign."""
    name = facts.name
    if facts.repository is not None:
        return Outcome.needs_review(
            f"{name}: the page links to the declared repository {facts.repository}, "
            "but the declared repository is not on a code host "
            f"(as host/owner/name on {', '.join(p.repository_hosts)}); "
            "a person must judge"
        )
    if facts.weak:
        return Outcome.needs_review(
            f"{name}: only weak signs that it is sold or open source "
            f"({'; '.join(facts.weak[:3])}); a person must judge"
        )
    services = " nor a description of services" if p.service_terms else ""
    return Outcome.failed(
        f"{name}: the page shows no pricing, trial, marketplace listing "
        f"or public repository{services}"
    )


async def _gather(ctx: CheckContext[OfferingParams], offering: Offering) -> OfferingFacts:
    """Read the landing page, recording what it shows (or what was looked for)."""
    read = await read_page(ctx, offering.landing_page)
    name = offering.name
    if read.page is None or read.state != "ok":
        return OfferingFacts(name, read.url, read.state, read.reason)
    page, p = read.page, ctx.params
    repo = offering.open_source_repository
    where = OfferingFacts(
        name, read.url, final_url=page.final_url, applicant_website=ctx.submission.applicant.website
    )
    seen = visible(page)  # read with the page: no tree to walk
    shown = _Judgement.of(seen, p, name, repo)
    if not shown.passes:  # would what the page hides have passed it? Then a person judges
        hidden = _Judgement.of(everything(page), p, name, repo)
        if hidden.passes:
            parts, first = _set_aside(ctx, page, name, shown, hidden)
            return replace(where, hidden_shows=parts, hidden_quote=first)
    if not shown.named:
        ctx.evidence(
            "search",
            f"the offering name {name!r} does not appear on the page",
            page=page,
            looked_for=[name, normalize(name)],
        )
        return where
    found = excerpt(page.visible_text, name)
    ctx.evidence("text", f"the page names {name!r}", page=page, excerpt=found)
    for sign in [*shown.signs, *([shown.topic] if shown.topic else [])]:
        ctx.evidence(sign.kind, sign.what, page=page, excerpt=sign.shown)
    kinds = tuple(s.kind for s in shown.signs)
    if kinds:
        return replace(where, named=True, kinds=kinds, dedicated=shown.dedicated)
    elsewhere = declared_off_host(seen, p, repo)
    weak = elsewhere + weak_signs(seen, p)
    for sign in weak:
        ctx.evidence(sign.kind, sign.what, page=page, excerpt=sign.shown)
    ctx.evidence(
        "search",
        "no clear sign of purchase, open source or services on the page",
        page=page,
        terms=p.purchase_terms,
        marketplaces=p.marketplace_hosts,
        repository_hosts=p.repository_hosts,
        service_terms=p.service_terms,
    )
    return replace(
        where,
        named=True,
        repository=repo if elsewhere else None,
        weak=tuple(w.what for w in weak),
        dedicated=shown.dedicated,
    )


@dataclass(frozen=True)
class _Judgement:
    """What one reading of the page (visible, or with hidden content) shows."""

    named: bool
    """It names the offering."""
    topic: Sign | None
    """Its title or a main heading names a ``topic_terms`` topic."""
    dedicated: bool
    """It names a topic, or the policy asks for none."""
    signs: list[Sign]
    """Signs of sale, open source, or (with a topic) services."""

    @property
    def passes(self) -> bool:
        """Whether this reading alone would pass (the site aside)."""
        return self.named and self.dedicated and bool(self.signs)

    @classmethod
    def of(cls, content: Content, p: OfferingParams, name: str, repo: str | None) -> _Judgement:
        """Judge ``content`` for the offering ``name`` (with its declared ``repo``)."""
        topic = topic_sign(content, p)
        signs = purchase_signs(content, p) + open_source_signs(content, p, name, repo)
        if topic is not None:
            signs += service_signs(content, p)
        dedicated = topic is not None or not p.topic_terms
        return cls(names(content, name), topic, dedicated, signs)


def _set_aside(
    ctx: CheckContext[OfferingParams], page: Page, name: str, shown: _Judgement, hidden: _Judgement
) -> tuple[tuple[str, ...], str]:
    """Only hidden content would pass the page: quote it (for a person to judge); return
    what it shows that the visible page does not, and the first passage quoted."""
    parts, needles = [], []
    if not shown.named:
        parts.append(f"the name {name!r}")
        needles.append(name)
    if not shown.dedicated and hidden.topic is not None:
        parts.append(f"the topic {hidden.topic.needle!r} in a heading")
        needles.append(hidden.topic.needle)
    had = {s.needle for s in shown.signs}
    extra = [s for s in hidden.signs if s.needle not in had]
    how = sorted({_HOW[s.kind] for s in extra}, key=list(_HOW.values()).index)
    parts += [f"that {name} is {' and '.join(how)}"] if how else []
    needles += [s.needle for s in extra]
    # A name matched only once normalised ("Acme Lens™") may be in no passage word for
    # word: then every hidden passage is shown, so the person sees what was set aside.
    quoted = hidden_holding(page, needles) or [*page.hidden_passages, *hidden_links(page)]
    record_hidden(ctx, page, quoted, " and ".join(parts))
    first = quoted[0].text if quoted else ""
    first = first if len(first) <= 80 else first[:80].rsplit(" ", 1)[0] + "…"
    return tuple(parts), first
