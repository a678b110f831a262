"""framework-alignment: the applicant's alignment pages link to enough Framework Domains and
Capabilities.

Each page in the submission's ``alignment_pages`` is read and the links a visitor sees
classified with a
taxonomy file (see :mod:`plugins._taxonomy`): a link counts whatever version's slug it
uses, with or without ``www.``, over http or https, with or without a trailing slash, a
query or a fragment. A link to the home page or an index page names no item and does not
count. A domain is also covered through a linked capability of that domain, unless the
policy says otherwise. The pages are the applicant's documentation (see
:mod:`plugins._sites`): a page on the Foundation's own sites (the Framework's hosts, the
directory sources' sites, ``foundation_domains``) is set aside and never counts; a page on
another site than the applicant's counts only for a person to confirm.

- ``pass``: the links on the applicant's own pages cover ``min_domains`` domains and
  ``min_capabilities`` capabilities (named by current title; the evidence gives the page
  and the link text of each);
- ``fail``: not provided, or too few, and neither pages elsewhere nor titles named in the
  text would make up the difference (the evidence says what was read, which links did not
  count, and which pages were set aside as the Foundation's);
- ``needs_review``: enough only when links on pages elsewhere than the applicant's site,
  links hidden from visitors (each quoted as ``hidden`` evidence with why it was set
  aside), or titles named without a link (weaker evidence) are counted; or a page cannot
  be read by a program (not HTML, built by JavaScript);
- ``error``: too few links were found and a page could not be read (a fault).

Params: ``taxonomy`` (file under ``policies/``), ``min_domains``, ``min_capabilities``,
``domains_via_capabilities``, ``foundation_sources``, ``foundation_domains``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field, field_validator

from plugins._sites import SiteParams, sites_of
from plugins._taxonomy import Item, Taxonomy, load_taxonomy
from verifier import Check, CheckContext, Link, Outcome, Page
from verifier.toolkit import hidden_links, page_links, read_page, record_hidden, some

TITLES = 30
"""Taxonomy titles a summary names before it counts the rest (the 2026 Framework has 22
capabilities): bounded by the taxonomy, unlike names an applicant lists."""

Pool = dict[str, dict[str, Item]]
"""Items covered, by kind (``domain``, ``capability``), by current title."""

# Evidence from strongest to weakest, each with how a summary names what it adds.
_WEAKER = {
    "linked": "links on the applicant's own pages ({})",
    "elsewhere": "links on pages not on the applicant's site ({})",
    "hidden": "links hidden from visitors ({})",
    "named": "titles named without a link (weaker evidence: {})",
}


class FrameworkAlignmentParams(SiteParams):
    """Params of the ``framework-alignment`` check."""

    taxonomy: str = "framework/finops-framework.yaml"
    """Taxonomy file, relative to the bundled ``policies/`` (or absolute)."""
    min_domains: int = Field(default=1, ge=0)
    """Distinct domains the links must cover."""
    min_capabilities: int = Field(default=1, ge=0)
    """Distinct capabilities the links must cover."""
    domains_via_capabilities: bool = True
    """Whether a linked capability also covers its domain."""

    @field_validator("taxonomy")
    @classmethod
    def _loads(cls, value: str) -> str:
        load_taxonomy(value)  # a bad taxonomy fails the policy at load time
        return value


class FrameworkAlignmentCheck(Check[FrameworkAlignmentParams]):
    """Reads the alignment pages for links to taxonomy items."""

    name = "framework-alignment"
    version = "2.0"
    Params = FrameworkAlignmentParams
    description = "Alignment pages link to Framework Domains and Capabilities"

    async def verify(self, ctx: CheckContext[FrameworkAlignmentParams]) -> Outcome:
        """See the module docstring."""
        if not ctx.submission.alignment_pages:
            return Outcome.failed("not provided: the submission has no 'alignment_pages'")
        found = _Found(load_taxonomy(ctx.params.taxonomy))
        # The Framework's own pages are the Foundation's, whatever sources the run has.
        sites = sites_of(ctx, found.tax.hosts)
        for url in dict.fromkeys(ctx.submission.alignment_pages):
            read = await read_page(ctx, url)
            if read.page is None or read.state != "ok":
                if read.state != "gone":  # a page that is gone is an absence, not a doubt
                    (found.faults if read.state == "fault" else found.unread).append(
                        f"{url} {read.reason}"
                    )
                ctx.evidence("page", f"{url} {read.reason}", page=read.page, url=url)
                continue
            page = read.page
            owner = sites.whose(page.final_url)
            if owner == "foundation":
                found.aside.append(sites.describe(page.final_url))
                why = f"set aside: {found.aside[-1]}; it is never the applicant's documentation"
                ctx.evidence("page", why, page=page)
                continue
            if owner == "elsewhere":
                found.elsewhere.append(page.final_url)
                ctx.evidence("page", f"{sites.describe(page.final_url)}", page=page)
            pool = "linked" if owner == "applicant" else "elsewhere"
            found.add_links(ctx, page, pool, page_links(page))
            found.add_hidden(page, hidden_links(page))
            found.add_mentions(page)
        return found.verdict(ctx)


class _Found:
    """What the alignment pages show, gathered page by page."""

    def __init__(self, tax: Taxonomy) -> None:
        self.tax = tax
        self.pools: dict[str, Pool] = {w: {"domain": {}, "capability": {}} for w in _WEAKER}
        self.faults: list[str] = []  # pages that could not be read
        self.unread: list[str] = []  # pages a person must read (not HTML, or empty)
        self.aside: list[str] = []  # pages that never count (the Foundation's own)
        self.elsewhere: list[str] = []  # pages on another site than the applicant's
        self.not_counted: list[str] = []  # links to taxonomy pages that name no item
        self.mentions: list[tuple[str, Page, str, Item]] = []  # recorded if the verdict needs them
        self.hidden: list[tuple[Page, Link, Item]] = []  # likewise: links no visitor sees

    def add_links(
        self,
        ctx: CheckContext[FrameworkAlignmentParams],
        page: Page,
        pool: str,
        links: Iterable[tuple[str, str]],
    ) -> None:
        """Classify ``(href, text)`` links of ``page`` into ``pool``, each new item recorded."""
        items = self.pools[pool]
        for href, text in links:
            link = self.tax.classify(href)
            if link is None:
                continue
            if link.item is None:
                self.not_counted.append(f"{href} ({link.kind})")
            elif link.item.title not in items[link.kind]:
                items[link.kind][link.item.title] = link.item
                legacy = f", an earlier version's slug {link.slug!r}" if link.legacy else ""
                where = "" if pool == "linked" else f" ({_WEAKER[pool].split(' (')[0]})"
                ctx.evidence(
                    "framework-link",
                    f"{link.kind} {link.item.label!r}: linked as {text!r}{legacy}{where}",
                    page=page,
                    excerpt=text,
                    link=href,
                    slug=link.slug,
                )

    def add_hidden(self, page: Page, links: Iterable[Link]) -> None:
        """Note the items that links of ``page`` hidden from visitors point to (set aside,
        and quoted only if they would have decided the verdict)."""
        for link in links:
            classified = self.tax.classify(link.href)
            if classified is not None and classified.item is not None:
                item = classified.item
                self.pools["hidden"][classified.kind].setdefault(item.title, item)
                self.hidden.append((page, link, item))

    def add_mentions(self, page: Page) -> None:
        """Note the titles ``page`` names in its visible text (recorded if they decide)."""
        named = self.pools["named"]
        for kind, item, title in self.tax.mentions(page.visible_text):
            if item.title not in named[kind]:
                named[kind][item.title] = item
                self.mentions.append(
                    (f"{kind} {item.label!r} named as {title!r}", page, title, item)
                )

    def verdict(self, ctx: CheckContext[FrameworkAlignmentParams]) -> Outcome:
        """The outcome from everything gathered (see the module docstring)."""
        p, tax = ctx.params, self.tax
        if p.domains_via_capabilities:
            for name, pool in self.pools.items():
                for cap in list(pool["capability"].values()):
                    if str(cap.domain) not in pool["domain"] and name == "linked":
                        ctx.evidence(
                            "framework-domain",
                            f"domain {cap.domain!r} covered through capability {cap.label!r}",
                        )
                    pool["domain"].setdefault(str(cap.domain), tax.domain_of(cap))
        if self.not_counted:
            ctx.evidence(
                "search",
                f"{len(self.not_counted)} link(s) to {tax.name} pages name no domain or "
                "capability and do not count",
                links=self.not_counted[:50],
            )
        need = f"{p.min_domains} domain(s) and {p.min_capabilities} capability(ies) required"
        linked = self.pools["linked"]
        nd, nc = len(linked["domain"]), len(linked["capability"])
        covered = (
            f"links to {nd} {tax.name} domain(s) ({_titles(linked['domain'])}) and {nc} "
            f"capability(ies) ({_titles(linked['capability'])})"
        )
        if self.aside:
            covered += f" (set aside, never the applicant's documentation: {some(self.aside, 2)})"
        if nd >= p.min_domains and nc >= p.min_capabilities:
            return Outcome.passed(f"{covered}; {need}")
        if self.faults:
            return Outcome.error(f"{covered}, but {some(self.faults, 3)}; {need}")
        reach: Pool = {"domain": {}, "capability": {}}
        for name, what in _WEAKER.items():
            pool = self.pools[name]
            added = sorted(t for kind in reach for t in pool[kind].keys() - reach[kind].keys())
            for kind in reach:
                reach[kind].update(pool[kind])
            wd, wc = len(reach["domain"]), len(reach["capability"])
            if name == "linked" or wd < p.min_domains or wc < p.min_capabilities:
                continue
            if name == "named":
                for detail, page, title, item in self.mentions:  # the verdict depends on them
                    if item.title in added:
                        detail = f"{detail} without a link"
                        ctx.evidence("framework-mention", detail, page=page, excerpt=title)
            if name == "hidden":
                self._record_hidden(ctx, added)
            shown = some(self.elsewhere, 2) if name == "elsewhere" else some(added)
            return Outcome.needs_review(
                f"{covered}; only with {what.format(shown)} do they reach {wd} domain(s) and "
                f"{wc} capability(ies); {need}"
            )
        if self.unread:
            return Outcome.needs_review(f"{covered}; {some(self.unread, 3)}; {need}")
        pages = ctx.submission.alignment_pages
        ctx.evidence(
            "search",
            f"read {len(pages)} page(s) for links to {', '.join(tax.hosts)} under "
            f"{', '.join(tax.domain_paths + tax.capability_paths)}",
            pages=list(pages),
            hosts=list(tax.hosts),
        )
        return Outcome.failed(f"only {covered}; {need}")

    def _record_hidden(self, ctx: CheckContext[FrameworkAlignmentParams], added: list[str]) -> None:
        """Quote the hidden links that would have covered ``added`` items, page by page."""
        by_page: dict[str, tuple[Page, list[Link], list[str]]] = {}
        for page, link, item in self.hidden:
            if item.title in added:
                _, links, titles = by_page.setdefault(page.sha256, (page, [], []))
                links.append(link)
                titles.append(item.label)
        for page, links, titles in by_page.values():
            shown = some(list(dict.fromkeys(titles)), TITLES)
            record_hidden(ctx, page, links, f"links to {self.tax.name} items ({shown})")


def _titles(items: dict[str, Item]) -> str:
    # Titles come from the taxonomy, not the applicant: a summary may name them all.
    return some([i.label for i in items.values()], TITLES) or "none"
