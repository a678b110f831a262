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

The verdict is :func:`decide`, a pure function of what was gathered (:class:`AlignmentFacts`)
and the params: it reads no page, so its table test needs no server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import Field, field_validator

from plugins._sites import SiteParams, sites_of
from plugins._taxonomy import Item, Taxonomy, load_taxonomy
from verifier import Check, CheckContext, CheckExample, Link, Outcome, Page, Status
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
    example = CheckExample(submission={"alignment_pages": ["http://acme.example/docs/framework"]})

    async def verify(self, ctx: CheckContext[FrameworkAlignmentParams]) -> Outcome:
        """See the module docstring."""
        if not ctx.submission.alignment_pages:
            return Outcome.failed("not provided: the submission has no 'alignment_pages'")
        found = await _gather(ctx)
        found.record_before(ctx)
        facts = found.facts()
        outcome = decide(facts, ctx.params)
        found.record_after(ctx, outcome, reach(facts, ctx.params))
        return outcome


@dataclass(frozen=True)
class Coverage:
    """The items one kind of evidence (a :data:`_WEAKER` key) covers, by current title, each
    with its label, in the order they were found."""

    domains: Mapping[str, str] = field(default_factory=dict)
    """Domains linked (or named) themselves."""
    capabilities: Mapping[str, str] = field(default_factory=dict)
    """Capabilities linked (or named)."""
    via: Mapping[str, str] = field(default_factory=dict)
    """The domains of those capabilities (covered too when ``domains_via_capabilities``)."""

    def domains_with(self, p: FrameworkAlignmentParams) -> dict[str, str]:
        """The domains covered under the policy ``p``: a capability's domain after those
        linked, unless the policy says otherwise."""
        if not p.domains_via_capabilities:
            return dict(self.domains)
        return {**self.domains, **{t: v for t, v in self.via.items() if t not in self.domains}}


@dataclass(frozen=True)
class AlignmentFacts:
    """What the alignment pages show: everything :func:`decide` needs, no page left to read."""

    taxonomy: str
    """The taxonomy's name as a summary says it ("FinOps Framework")."""
    coverage: Mapping[str, Coverage]
    """What each kind of evidence covers, by :data:`_WEAKER` key, strongest first."""
    faults: tuple[str, ...] = ()
    """Pages that could not be read (a fault), each with why."""
    unread: tuple[str, ...] = ()
    """Pages a person must read (not HTML, built by JavaScript), each with why."""
    aside: tuple[str, ...] = ()
    """Pages set aside as the Foundation's own, each described."""
    elsewhere: tuple[str, ...] = ()
    """Pages on another site than the applicant's."""


@dataclass(frozen=True)
class Reach:
    """The weaker evidence that first brings the coverage up to the bar."""

    kind: str
    """The :data:`_WEAKER` key whose items are needed."""
    added: tuple[str, ...]
    """The titles that kind of evidence adds (sorted)."""
    domains: int
    """Domains covered with it and all stronger evidence."""
    capabilities: int
    """Capabilities covered likewise."""


def reach(facts: AlignmentFacts, p: FrameworkAlignmentParams) -> Reach | None:
    """The weakest evidence needed to meet the bar, adding kinds from the strongest; ``None``
    when the links on the applicant's own pages meet it, or nothing does."""
    domains: dict[str, str] = {}
    capabilities: dict[str, str] = {}
    for kind in _WEAKER:
        covered = facts.coverage.get(kind, Coverage())
        more_d, more_c = covered.domains_with(p), covered.capabilities
        added = sorted([*(more_d.keys() - domains.keys()), *(more_c.keys() - capabilities.keys())])
        domains.update(more_d)
        capabilities.update(more_c)
        if kind == "linked" or len(domains) < p.min_domains:
            continue
        if len(capabilities) >= p.min_capabilities:
            return Reach(kind, tuple(added), len(domains), len(capabilities))
    return None


def decide(facts: AlignmentFacts, p: FrameworkAlignmentParams) -> Outcome:
    """The outcome from what the pages show (see the module docstring): pure, no page read."""
    linked = facts.coverage.get("linked", Coverage())
    domains = linked.domains_with(p)
    nd, nc = len(domains), len(linked.capabilities)
    covered = (
        f"links to {nd} {facts.taxonomy} domain(s) ({_titles(domains)}) and {nc} "
        f"capability(ies) ({_titles(linked.capabilities)})"
    )
    if facts.aside:
        covered += f" (set aside, never the applicant's documentation: {some(facts.aside, 2)})"
    need = f"{p.min_domains} domain(s) and {p.min_capabilities} capability(ies) required"
    if nd >= p.min_domains and nc >= p.min_capabilities:
        # Met on what was read; a page that was not read is named all the same.
        unread = [*facts.faults, *facts.unread]
        left = f"; not read: {some(unread, 3)}" if unread else ""
        return Outcome.passed(f"{covered}; {need}{left}")
    if facts.faults:
        return Outcome.error(f"{covered}, but {some(facts.faults, 3)}; {need}")
    weaker = reach(facts, p)
    if weaker is not None:
        added = facts.elsewhere if weaker.kind == "elsewhere" else weaker.added
        shown = some(added, 2 if weaker.kind == "elsewhere" else 5)
        return Outcome.needs_review(
            f"{covered}; only with {_WEAKER[weaker.kind].format(shown)} do they reach "
            f"{weaker.domains} domain(s) and {weaker.capabilities} capability(ies); {need}"
        )
    if facts.unread:
        return Outcome.needs_review(f"{covered}; {some(facts.unread, 3)}; {need}")
    return Outcome.failed(f"only {covered}; {need}")


async def _gather(ctx: CheckContext[FrameworkAlignmentParams]) -> _Found:
    """Read every alignment page once, noting the links and titles each shows."""
    found = _Found(load_taxonomy(ctx.params.taxonomy))
    # The Framework's own pages are the Foundation's, whatever sources the run has.
    sites = sites_of(ctx, found.tax.hosts)
    urls = list(dict.fromkeys(ctx.submission.alignment_pages))
    ctx.prefetch(urls)  # each asked now: one need not wait until the one before is read
    for url in urls:
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
    return found


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

    def record_before(self, ctx: CheckContext[FrameworkAlignmentParams]) -> None:
        """Record what holds whatever the verdict: the domains covered through a linked
        capability, and the links that name no item."""
        if ctx.params.domains_via_capabilities:
            linked = self.pools["linked"]
            domains = set(linked["domain"])
            for cap in linked["capability"].values():
                if str(cap.domain) not in domains:
                    domains.add(str(cap.domain))
                    ctx.evidence(
                        "framework-domain",
                        f"domain {cap.domain!r} covered through capability {cap.label!r}",
                    )
        if self.not_counted:
            ctx.evidence(
                "search",
                f"{len(self.not_counted)} link(s) to {self.tax.name} pages name no domain or "
                "capability and do not count",
                links=self.not_counted[:50],
            )

    def facts(self) -> AlignmentFacts:
        """What was gathered, as :func:`decide` takes it."""
        coverage: dict[str, Coverage] = {}
        for kind, pool in self.pools.items():
            via: dict[str, str] = {}
            for cap in pool["capability"].values():
                via.setdefault(str(cap.domain), self.tax.domain_of(cap).label)
            coverage[kind] = Coverage(
                {t: i.label for t, i in pool["domain"].items()},
                {t: i.label for t, i in pool["capability"].items()},
                via,
            )
        return AlignmentFacts(
            self.tax.name,
            coverage,
            tuple(self.faults),
            tuple(self.unread),
            tuple(self.aside),
            tuple(self.elsewhere),
        )

    def record_after(
        self, ctx: CheckContext[FrameworkAlignmentParams], outcome: Outcome, weaker: Reach | None
    ) -> None:
        """Record what the verdict relied on: the weaker evidence that decided a review
        (titles named, links hidden), or the search that found too little."""
        if outcome.status == Status.FAIL:
            pages, tax = ctx.submission.alignment_pages, self.tax
            ctx.evidence(
                "search",
                f"read {len(pages)} page(s) for links to {', '.join(tax.hosts)} under "
                f"{', '.join(tax.domain_paths + tax.capability_paths)}",
                pages=list(pages),
                hosts=list(tax.hosts),
            )
        if outcome.status != Status.NEEDS_REVIEW or weaker is None:
            return
        if weaker.kind == "named":
            for detail, page, title, item in self.mentions:  # the verdict depends on them
                if item.title in weaker.added:
                    detail = f"{detail} without a link"
                    ctx.evidence("framework-mention", detail, page=page, excerpt=title)
        if weaker.kind == "hidden":
            self._record_hidden(ctx, weaker.added)

    def _record_hidden(
        self, ctx: CheckContext[FrameworkAlignmentParams], added: tuple[str, ...]
    ) -> None:
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


def _titles(labels: Mapping[str, str]) -> str:
    # Titles come from the taxonomy, not the applicant: a summary may name them all.
    return some(list(labels.values()), TITLES) or "none"
