"""Whose page is it: the applicant's own site, the Foundation's, or somebody else's.

Alignment pages and case studies are the applicant's own documentation (issue 8, class 3):
a page counts as the applicant's when its final URL (after redirects) is on the
site (:func:`verifier.site_of`) of ``applicant.website``. Not of ``offering.landing_page``:
an applicant may point it anywhere (a Wikipedia article), and every page of that site
(Walmart's article) would then have been the applicant's own case study. A product on a
domain of its own is ``elsewhere`` (a person confirms it), as the offering check says. A page on
the Foundation's own sites (the sites of the directories the run consults, plus the
``foundation_domains`` a policy names) never counts as the applicant's, even if the
applicant's website says otherwise. Any other site is ``elsewhere``: a person judges
it. Sites are compared with :func:`verifier.site_of`: by registrable domain, so
``acme.github.io`` is not ``evil.github.io`` (:data:`verifier.urls.SHARED_HOSTING`), and
on a host shared by path by owner too, so ``github.com/evil`` is not ``github.com/acme``
(:data:`verifier.urls.PATH_SCOPED_HOSTS`). Those lists cannot know every platform: when
``applicant.website`` is on a subdomain of its site (``acme.docs-platform.example``, not
``www.acme.example``), a page counts only on that same host (:func:`verifier.urls.owned_by`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import Field

from verifier import CheckContext, Params, site_of
from verifier.errors import SourceMissing
from verifier.urls import owned_by, where

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
    """More domains (sites) of the Foundation (``finops.org``): pages there are never
    the applicant's documentation."""


@dataclass(frozen=True)
class Sites:
    """What decides whose a page is: the applicant's website and the Foundation's sites."""

    website: str
    """The applicant's website: a page is the applicant's when it is on it as
    :func:`verifier.urls.owned_by` says (its site; its host too, when the website is on a
    subdomain of its site, ``acme.docs-platform.example``, a domain others may share;
    its path too on a host shared by path)."""
    foundation: frozenset[str]
    """The Foundation's sites (:func:`verifier.site_of`; they win over the applicant's)."""

    def whose(self, url: str) -> Owner:
        """Whose site ``url`` is on."""
        if site_of(url) in self.foundation:
            return "foundation"
        return "applicant" if owned_by(url, self.website) else "elsewhere"

    def describe(self, url: str) -> str:
        """Why a page that is not the applicant's does not count as such, as a phrase."""
        site = site_of(url)
        if site in self.foundation:
            return f"{url} is on the Foundation's own site {site}, not the applicant's"
        on, own = where(url, self.website)
        return f"{url} is on {on}, not on the applicant's site ({own})"


S = TypeVar("S", bound=SiteParams)


def sites_of(ctx: CheckContext[S], also_foundation: Iterable[str] = ()) -> Sites:
    """The :class:`Sites` of this run: the applicant's sites from the submission, the
    Foundation's from ``ctx.params`` (a :class:`SiteParams`) and ``also_foundation``
    (hosts a check knows are the Foundation's, such as the Framework's)."""
    params = ctx.params
    sub = ctx.submission
    urls = []
    for name in params.foundation_sources:
        try:
            urls.append(ctx.source(name).url)
        except SourceMissing:
            continue  # a run without that directory has no site of it to refuse
    foundation = [*params.foundation_domains, *also_foundation, *(u for u in urls if u)]
    return Sites(str(sub.applicant.website), frozenset(site_of(d) for d in foundation))
