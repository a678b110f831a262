"""offering: the offering's landing page is public, on the applicant's site, and for sale
or open source.

- ``pass``: the page answers 2xx HTML on the applicant's registrable domain, names the
  offering, and shows it is purchasable (a ``purchase_terms`` phrase, or a link to a
  cloud marketplace) or open source (a link to a public repository);
- ``fail``: not provided; the page is gone (404, 410); it does not name the offering; it
  shows neither purchase nor open source (the evidence lists what was searched);
- ``needs_review``: the page is on another domain than the applicant's website, or is
  not HTML;
- ``error``: the page could not be fetched, or answered another status.

Params: ``purchase_terms``, ``marketplace_hosts``, ``repository_hosts``.
"""

from __future__ import annotations

import re

import httpx
from bs4 import Tag
from pydantic import Field

from plugins._names import normalize
from verifier import Check, CheckContext, Outcome, Page, Params, registrable_domain, same_site

_GONE = (404, 410)


class OfferingParams(Params):
    """Params of the ``offering`` check."""

    purchase_terms: list[str] = Field(
        default_factory=lambda: [
            "pricing",
            "plans",
            "subscription",
            "subscribe",
            "free trial",
            "start trial",
            "buy now",
            "contact sales",
            "talk to sales",
            "request a quote",
            "per month",
            "per year",
            "license",
        ]
    )
    """Phrases showing the offering can be bought (matched case-insensitively, whole words)."""
    marketplace_hosts: list[str] = Field(
        default_factory=lambda: [
            "aws.amazon.com/marketplace",
            "azuremarketplace.microsoft.com",
            "console.cloud.google.com/marketplace",
            "cloud.google.com/marketplace",
            "marketplace.oracle.com",
        ]
    )
    """Link prefixes (host and path) of cloud marketplaces."""
    repository_hosts: list[str] = Field(
        default_factory=lambda: [
            "github.com",
            "gitlab.com",
            "bitbucket.org",
            "codeberg.org",
            "sourceforge.net",
        ]
    )
    """Hosts of public source repositories."""


class OfferingCheck(Check[OfferingParams]):
    """Verifies the public landing page of the offering."""

    name = "offering"
    version = "1.0"
    Params = OfferingParams
    description = "Public landing page naming a purchasable or open-source offering"

    async def verify(self, ctx: CheckContext[OfferingParams]) -> Outcome:
        """See the module docstring."""
        offering = ctx.submission.offering
        if offering is None:
            return Outcome.failed("not provided: the submission has no 'offering'")
        page = await ctx.fetch(offering.landing_page)
        if page.status in _GONE:
            return Outcome.failed(f"the landing page {page.final_url} answered {page.status}")
        if not page.ok:
            return Outcome.error(
                f"the landing page {page.final_url} answered {page.status}; cannot judge it"
            )
        if not page.is_html:
            return Outcome.needs_review(
                f"the landing page is {page.content_type or 'untyped'}, "
                "not HTML; a person must read it"
            )
        text = page.visible_text
        if normalize(offering.name) not in normalize(text):
            ctx.evidence(
                "search",
                f"the offering name {offering.name!r} does not appear on the page",
                page=page,
                looked_for=[offering.name, normalize(offering.name)],
            )
            return Outcome.failed(f"the landing page does not name {offering.name!r}")
        ctx.evidence(
            "text",
            f"the page names the offering {offering.name!r}",
            page=page,
            excerpt=excerpt(text, offering.name),
        )
        signs = purchase_signs(page, text, ctx.params) + open_source_signs(
            page, ctx.params, offering.open_source_repository
        )
        for kind, what, shown in signs:
            ctx.evidence(kind, what, page=page, excerpt=shown)
        if not signs:
            ctx.evidence(
                "search",
                "no sign of purchase or open source on the page",
                page=page,
                terms=ctx.params.purchase_terms,
                marketplaces=ctx.params.marketplace_hosts,
                repository_hosts=ctx.params.repository_hosts,
            )
            return Outcome.failed(
                f"{offering.name}: the page shows no pricing, plans, trial, "
                "marketplace listing or public repository"
            )
        if not same_site(page.final_url, ctx.submission.applicant.website):
            return Outcome.needs_review(
                f"{offering.name} is on {registrable_domain(page.final_url)}, not on the "
                f"applicant's domain {registrable_domain(ctx.submission.applicant.website)}"
            )
        kinds = sorted({k for k, _, _ in signs})
        how = " and ".join(
            {"purchase": "purchasable", "open-source": "open source"}[k] for k in kinds
        )
        return Outcome.passed(f"{offering.name} is listed at {page.final_url} and is {how}")


def excerpt(text: str, needle: str, width: int = 80) -> str:
    """The passage of ``text`` around ``needle`` (case-insensitive)."""
    i = text.lower().find(needle.lower())
    if i < 0:
        return text[: width * 2]
    return text[max(0, i - width) : i + len(needle) + width].strip()


def page_links(page: Page) -> list[tuple[str, str]]:
    """Every ``(absolute href, link text)`` of the page's ``<a href>`` elements."""
    out = []
    for a in page.soup.find_all("a", href=True):
        if isinstance(a, Tag) and isinstance(a.get("href"), str):
            try:
                out.append(
                    (
                        str(httpx.URL(page.final_url).join(str(a["href"]))),
                        a.get_text(" ", strip=True),
                    )
                )
            except (httpx.InvalidURL, ValueError):
                continue
    return out


def purchase_signs(page: Page, text: str, params: OfferingParams) -> list[tuple[str, str, str]]:
    """Evidence that the offering can be bought: phrases and marketplace links."""
    signs = []
    for term in params.purchase_terms:
        if re.search(rf"\b{re.escape(term)}\b", text, re.IGNORECASE):
            signs.append(("purchase", f"the page says {term!r}", excerpt(text, term, 60)))
    for href, label in page_links(page):
        bare = href.split("://", 1)[-1]
        if any(bare.startswith(m) for m in params.marketplace_hosts):
            signs.append(
                ("purchase", f"links to a cloud marketplace listing: {href}", label or href)
            )
    return signs


def open_source_signs(
    page: Page, params: OfferingParams, declared: str | None
) -> list[tuple[str, str, str]]:
    """Evidence that the offering is open source: links to a public repository."""
    signs = []
    for href, label in page_links(page):
        url = httpx.URL(href)
        is_repo_host = url.host.removeprefix("www.") in params.repository_hosts
        if (declared and href.rstrip("/") == declared.rstrip("/")) or (
            is_repo_host and url.path.count("/") >= 2
        ):
            signs.append(("open-source", f"links to a public repository: {href}", label or href))
    return signs
