"""community: the applicant takes part in a Special Interest Group or Working Group.

Each claimed group's page is read and the applicant (name or alias, ignoring case,
punctuation and legal suffixes) is looked for among its contributors: the text under a
heading such as "Contributors", and elements whose class names a contributor or author
(real finops.org working-group pages list each contributor as a name and a company).

- ``pass``: at least one group's page lists the applicant as a contributor;
- ``fail``: no participation claimed;
- ``needs_review``: participation only claimed: no page given, the page does not list the
  applicant among contributors (or names it elsewhere), the page is gone or unreadable, or
  it is not on the site of a ``trusted_sources`` directory (a page the applicant wrote);
- ``error``: no group confirmed and a group page could not be fetched.

Params: ``trusted_sources`` (source names whose site is authoritative for group pages;
empty: any site), ``section_terms`` (headings that introduce the contributors).
"""

from __future__ import annotations

import re

from bs4 import Tag
from pydantic import Field

from plugins._names import name_forms, text_mentions
from plugins._pages import read_page
from plugins._text import excerpt
from verifier import Check, CheckContext, Outcome, Page, Params, registrable_domain

_PEOPLE_CLASS = re.compile(r"contributor|author|participant|member-card|person", re.IGNORECASE)
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]


class CommunityParams(Params):
    """Params of the ``community`` check."""

    trusted_sources: list[str] = Field(default_factory=list)
    """Sources (e.g. finops-members) whose site's pages may confirm participation."""
    section_terms: list[str] = Field(
        default_factory=lambda: ["contributors", "contributor", "participants", "authors"]
    )
    """Words of a heading that introduces the contributors (case-insensitive)."""


class CommunityCheck(Check[CommunityParams]):
    """Looks the applicant up among each claimed group's contributors."""

    name = "community"
    version = "1.0"
    Params = CommunityParams
    description = "Applicant listed among the contributors of a claimed SIG or Working Group"

    async def verify(self, ctx: CheckContext[CommunityParams]) -> Outcome:
        """See the module docstring."""
        claims = ctx.submission.community
        if not claims:
            return Outcome.failed("not provided: the submission claims no SIG or Working Group")
        applicant = ctx.submission.applicant
        forms = name_forms(applicant.name, applicant.aliases)
        urls = [ctx.source(name).url for name in ctx.params.trusted_sources]
        trusted = {registrable_domain(url) for url in urls if url}
        confirmed: list[str] = []
        claimed: list[str] = []
        faults: list[str] = []
        for claim in claims:
            why = "no contributors page given"
            if claim.url is not None:
                read = await read_page(ctx, claim.url)
                if read.page is None or read.state != "ok":
                    why = f"{claim.url} {read.reason}"
                    if read.state == "fault":
                        faults.append(f"{claim.group}: {why}")
                elif trusted and registrable_domain(read.page.final_url) not in trusted:
                    why = f"{read.page.final_url} is not on {', '.join(sorted(trusted))}"
                else:
                    why = _find(ctx, read.page, forms, claim.group)
            if not why:
                confirmed.append(claim.group)
                continue
            claimed.append(claim.group)
            ctx.evidence("community-claim", f"{claim.group}: not confirmed ({why})", url=claim.url)
        if confirmed:
            rest = f"; only claimed: {', '.join(claimed)}" if claimed else ""
            return Outcome.passed(f"listed as a contributor of {', '.join(confirmed)}{rest}")
        if faults:
            return Outcome.error(f"no group confirmed, and {'; '.join(faults)}")
        return Outcome.needs_review(
            f"participation claimed but not confirmed by a contributors page: {', '.join(claimed)}"
        )


def _find(ctx: CheckContext[CommunityParams], page: Page, forms: list[str], group: str) -> str:
    """Look for ``forms`` among the page's contributors: ``""`` if found, else why not."""
    sections = _contributor_texts(page, ctx.params.section_terms)
    # The smallest text first: the contributor's own card, not the grid around it.
    for text in sorted(sections, key=len):
        form = text_mentions(text, forms)
        if form is not None:
            ctx.evidence(
                "contributor",
                f"{group}: {page.final_url} lists the applicant among its contributors",
                page=page,
                excerpt=excerpt(text, form, 60),
                matched=form,
            )
            return ""
    ctx.evidence(
        "search",
        f"{group}: looked for {forms} in {len(sections)} contributor section(s) of "
        f"{page.final_url}",
        page=page,
        forms=forms,
        sections=len(sections),
    )
    if text_mentions(page.visible_text, forms):
        return "the page names the applicant, but not among its contributors"
    if not sections:
        return "the page has no contributors section"
    return "the applicant is not among the contributors listed"


def _contributor_texts(page: Page, terms: list[str]) -> list[str]:
    """Texts of the contributor cards, and of what follows a contributors heading."""
    soup = page.soup
    texts = [
        tag.get_text(" ", strip=True)
        for tag in soup.find_all(class_=_PEOPLE_CLASS)
        if isinstance(tag, Tag)
    ]
    wanted = re.compile(rf"\b({'|'.join(map(re.escape, terms))})\b", re.IGNORECASE)
    for heading in soup.find_all(_HEADINGS):
        if not isinstance(heading, Tag) or not wanted.search(heading.get_text(" ")):
            continue
        level = str(heading.name)
        anchor = heading
        # A heading in a box of its own (<div class="title"><h2>...</h2></div>, see
        # fixtures www.finops.example/wg/focus/): the section follows the box.
        while anchor.find_next_sibling() is None and isinstance(anchor.parent, Tag):
            anchor = anchor.parent
        parts = []
        # The section runs to the next heading of the same or a higher level.
        for sib in anchor.find_next_siblings():
            if _opens_section(sib, level):
                break
            parts.append(sib.get_text(" ", strip=True))
        texts.append(" ".join(parts))
    return [t for t in texts if t]


def _opens_section(tag: Tag, level: str) -> bool:
    """Whether ``tag`` is, or holds, a heading of ``level`` or higher (h2 is above h3)."""
    if tag.name in _HEADINGS:
        return str(tag.name) <= level
    return tag.find(lambda t: t.name in _HEADINGS and t.name <= level) is not None
