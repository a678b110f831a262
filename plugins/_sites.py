"""Whose page is it: the applicant's own site, the Foundation's, or somebody else's.

Alignment pages and case studies are the applicant's own documentation (issue 8, class 3):
a page counts as the applicant's when its final URL (after redirects) is on the
registrable domain of ``applicant.website`` or of ``offering.landing_page``. A page on
the Foundation's own sites (the sites of the directories the run consults, plus the
``foundation_domains`` a policy names) never counts as the applicant's, even if the
applicant's own domains say otherwise. Any other site is ``elsewhere``: a person judges
it. Sites are compared by registrable domain, so ``acme.github.io`` is not
``evil.github.io`` (see :data:`verifier.urls.SHARED_HOSTING`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import Field

from verifier import CheckContext, Params, registrable_domain
from verifier.errors import SourceMissing

Owner = Literal["applicant", "foundation", "elsewhere"]

DIRECTORY_SOURCES = (
    "finops-members",
    "lf-members",
    "certified-platforms",
    "certified-solutions",
    "certified-service-providers",
    "training-partners",
)
"""The sources whose sites are the Foundation's (CONTRACT.md, "Source names")."""


class SiteParams(Params):
    """Params of a check that tells the applicant's pages from others' (a mix-in)."""

    foundation_sources: list[str] = Field(default_factory=lambda: list(DIRECTORY_SOURCES))
    """Sources whose sites are the Foundation's own; a source the run does not define is
    skipped (it names no site)."""
    foundation_domains: list[str] = Field(default_factory=list)
    """More registrable domains of the Foundation (``finops.org``): pages there are never
    the applicant's documentation."""


@dataclass(frozen=True)
class Sites:
    """The registrable domains that decide whose a page is."""

    applicant: frozenset[str]
    """The applicant's own domains."""
    foundation: frozenset[str]
    """The Foundation's domains (they win over the applicant's)."""

    def whose(self, url: str) -> Owner:
        """Whose site ``url`` is on."""
        domain = registrable_domain(url)
        if domain in self.foundation:
            return "foundation"
        return "applicant" if domain in self.applicant else "elsewhere"

    def describe(self, url: str) -> str:
        """Why a page that is not the applicant's does not count as such, as a phrase."""
        domain = registrable_domain(url)
        if domain in self.foundation:
            return f"{url} is on the Foundation's own site {domain}, not the applicant's"
        return (
            f"{url} is on {domain}, not on the applicant's site "
            f"({', '.join(sorted(self.applicant))})"
        )


S = TypeVar("S", bound=SiteParams)


def sites_of(ctx: CheckContext[S], also_foundation: Iterable[str] = ()) -> Sites:
    """The :class:`Sites` of this run: the applicant's domains from the submission, the
    Foundation's from ``ctx.params`` (a :class:`SiteParams`) and ``also_foundation``
    (hosts a check knows are the Foundation's, such as the Framework's)."""
    params = ctx.params
    sub = ctx.submission
    own = [sub.applicant.website] + ([sub.offering.landing_page] if sub.offering else [])
    urls = []
    for name in params.foundation_sources:
        try:
            urls.append(ctx.source(name).url)
        except SourceMissing:
            continue  # a run without that directory has no site of it to refuse
    foundation = [*params.foundation_domains, *also_foundation, *(u for u in urls if u)]
    return Sites(
        frozenset(registrable_domain(u) for u in own),
        frozenset(registrable_domain(d) for d in foundation),
    )
