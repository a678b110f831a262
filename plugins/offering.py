"""offering: the offering's landing page is public, on the applicant's site, and for sale,
open source, or (for a service provider's policy) a dedicated offering of services.

The page is read with :func:`plugins._pages.read_page`, like every submitted page.

- ``pass``: the page answers 2xx HTML on the applicant's registrable domain, names the
  offering, and shows it is purchasable (a ``purchase_terms`` phrase, or a link to a
  cloud marketplace), open source (a link to the declared ``open_source_repository``,
  or to a repository on a ``repository_hosts`` host whose path names the offering: any
  GitHub link is not enough), or offered as a service (its title or a main heading names
  a ``topic_terms`` topic and its text says ``min_service_terms`` ``service_terms``
  phrases); with ``topic_terms`` set, the title or a main heading must name a topic;
- ``fail``: not provided; the page is gone (404, 410, a "not found" page); it does not
  name the offering; it shows neither purchase, open source nor services (the evidence
  lists what was searched);
- ``needs_review``: the page is on another domain than the applicant's website, cannot
  be read by a program (not HTML, or a shell that JavaScript fills in), shows only weak
  signs (a ``weak_terms`` word such as "plans" or "license", a repository link that does
  not name the offering), or, with ``topic_terms`` set, names no topic in its title or
  main headings: a person judges those;
- ``error``: the page could not be fetched, or answered another status.

Params: ``purchase_terms``, ``weak_terms``, ``marketplace_hosts``, ``repository_hosts``,
``topic_terms``, ``service_terms``, ``min_service_terms``.
"""

from __future__ import annotations

import re

import httpx
from pydantic import Field

from plugins._names import normalize
from plugins._pages import read_page
from plugins._text import excerpt, page_links
from verifier import Check, CheckContext, Outcome, Page, Params, registrable_domain, same_site

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
    """Link prefixes (host and path) of cloud marketplaces."""
    repository_hosts: list[str] = Field(default_factory=lambda: _words(_REPOSITORY_HOSTS))
    """Hosts of public source repositories."""
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
    version = "1.2"
    Params = OfferingParams
    description = "Public landing page naming a purchasable or open-source offering"

    async def verify(self, ctx: CheckContext[OfferingParams]) -> Outcome:
        """See the module docstring."""
        offering = ctx.submission.offering
        if offering is None:
            return Outcome.failed("not provided: the submission has no 'offering'")
        read = await read_page(ctx, offering.landing_page)
        verdict = {"gone": Outcome.failed, "fault": Outcome.error}.get(read.state)
        if verdict is not None or read.page is None:
            return (verdict or Outcome.error)(f"the landing page {read.url} {read.reason}")
        if read.state == "unreadable":
            return Outcome.needs_review(f"the landing page {read.url} {read.reason}")
        page, text = read.page, read.page.visible_text
        if normalize(offering.name) not in normalize(text):
            ctx.evidence(
                "search",
                f"the offering name {offering.name!r} does not appear on the page",
                page=page,
                looked_for=[offering.name, normalize(offering.name)],
            )
            return Outcome.failed(f"the landing page does not name {offering.name!r}")
        found = excerpt(text, offering.name)
        ctx.evidence("text", f"the page names {offering.name!r}", page=page, excerpt=found)
        topic = topic_sign(page, ctx.params)
        signs = purchase_signs(page, text, ctx.params) + open_source_signs(
            page, ctx.params, offering.name, offering.open_source_repository
        )
        if topic is not None:
            signs += service_signs(text, ctx.params)
        for kind, what, shown in [*signs, *([topic] if topic else [])]:
            ctx.evidence(kind, what, page=page, excerpt=shown)
        if not signs:
            weak = weak_signs(page, text, ctx.params)
            for kind, what, shown in weak:
                ctx.evidence(kind, what, page=page, excerpt=shown)
            ctx.evidence(
                "search",
                "no clear sign of purchase, open source or services on the page",
                page=page,
                terms=ctx.params.purchase_terms,
                marketplaces=ctx.params.marketplace_hosts,
                repository_hosts=ctx.params.repository_hosts,
                service_terms=ctx.params.service_terms,
            )
            if weak:
                return Outcome.needs_review(
                    f"{offering.name}: only weak signs that it is sold or open source "
                    f"({'; '.join(w for _, w, _ in weak[:3])}); a person must judge"
                )
            services = " nor a description of services" if ctx.params.service_terms else ""
            return Outcome.failed(
                f"{offering.name}: the page shows no pricing, trial, marketplace listing "
                f"or public repository{services}"
            )
        if not same_site(page.final_url, ctx.submission.applicant.website):
            return Outcome.needs_review(
                f"{offering.name} is on {registrable_domain(page.final_url)}, not on the "
                f"applicant's domain {registrable_domain(ctx.submission.applicant.website)}"
            )
        kinds = sorted({k for k, _, _ in signs})
        how = " and ".join(_HOW[k] for k in kinds)
        if ctx.params.topic_terms and topic is None:
            return Outcome.needs_review(
                f"{offering.name} is listed at {page.final_url} and is {how}, but its title and "
                f"headings name none of {', '.join(ctx.params.topic_terms)}: a person must "
                "judge whether it is a dedicated offering"
            )
        return Outcome.passed(f"{offering.name} is listed at {page.final_url} and is {how}")


def purchase_signs(page: Page, text: str, params: OfferingParams) -> list[tuple[str, str, str]]:
    """Evidence that the offering can be bought: phrases and marketplace links."""
    signs = []
    for term in params.purchase_terms:
        if _says(text, term):
            signs.append(("purchase", f"the page says {term!r}", excerpt(text, term, 60)))
    for href, label in page_links(page):
        bare = href.split("://", 1)[-1]
        if any(bare.startswith(m) for m in params.marketplace_hosts):
            signs.append(
                ("purchase", f"links to a cloud marketplace listing: {href}", label or href)
            )
    return signs


def topic_sign(page: Page, params: OfferingParams) -> tuple[str, str, str] | None:
    """The page's title or main heading naming a ``topic_terms`` topic, if one does."""
    for tag in page.soup.find_all(["title", "h1", "h2", "h3"]):
        heading = tag.get_text(" ", strip=True)
        for term in params.topic_terms:
            if _says(heading, term):
                return ("topic", f"its {tag.name} names the topic {term!r}", heading)
    return None


def service_signs(text: str, params: OfferingParams) -> list[tuple[str, str, str]]:
    """A description of services: ``min_service_terms`` distinct ``service_terms`` phrases."""
    found = [term for term in params.service_terms if _says(text, term)]
    if len(found) < params.min_service_terms:
        return []
    return [
        ("service", f"the page describes services: {term!r}", excerpt(text, term, 60))
        for term in found
    ]


def _says(text: str, term: str) -> bool:
    """Whether ``term`` occurs in ``text`` as whole words, ignoring case."""
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE) is not None


def weak_signs(page: Page, text: str, params: OfferingParams) -> list[tuple[str, str, str]]:
    """Signs a person must weigh: a ``weak_terms`` word, or a link to some repository."""
    signs = [
        ("weak-sign", f"the page says {term!r}", excerpt(text, term, 60))
        for term in params.weak_terms
        if _says(text, term)
    ]
    for href, label in page_links(page):
        url = httpx.URL(href)
        if url.host.removeprefix("www.") in params.repository_hosts and url.path.count("/") >= 2:
            signs.append(("weak-sign", f"links to a repository: {href}", label or href))
    return signs


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalize(text))


def open_source_signs(
    page: Page, params: OfferingParams, name: str, declared: str | None
) -> list[tuple[str, str, str]]:
    """Evidence that the offering is open source: a link to its declared repository, or to
    a repository whose owner or name is the offering's (``github.com/openlens/openlens``)."""
    signs = []
    for href, label in page_links(page):
        url = httpx.URL(href)
        segments = [s for s in url.path.split("/") if s][:2]
        names_it = len(segments) == 2 and _compact(name) in map(_compact, segments)
        on_host = url.host.removeprefix("www.") in params.repository_hosts
        if (declared and href.rstrip("/") == declared.rstrip("/")) or (on_host and names_it):
            signs.append(("open-source", f"links to a public repository: {href}", label or href))
    return signs
