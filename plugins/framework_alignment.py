"""framework-alignment: the alignment pages link to enough Framework Domains and Capabilities.

Each page in the submission's ``alignment_pages`` is read and its links classified with a
taxonomy file (see :mod:`plugins._taxonomy`): a link counts whatever version's slug it
uses, with or without ``www.``, over http or https, with or without a trailing slash, a
query or a fragment; relative links count when the page itself is on a taxonomy host. A
link to the home page or an index page names no item and does not count. A domain is
also covered through a linked capability of that domain, unless the policy says otherwise.

- ``pass``: the links cover ``min_domains`` domains and ``min_capabilities`` capabilities
  (named by current title; the evidence gives the page and the link text of each);
- ``fail``: not provided, or too few, and titles named in the text would not make up the
  difference either (the evidence says what was read and which links did not count);
- ``needs_review``: enough only when titles named without a link are counted (weaker
  evidence), or a page cannot be read by a program (not HTML, built by JavaScript);
- ``error``: too few links were found and a page could not be read (a fault).

Params: ``taxonomy`` (file under ``policies/``), ``min_domains``, ``min_capabilities``,
``domains_via_capabilities``.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from plugins._pages import read_page
from plugins._taxonomy import Item, load_taxonomy
from plugins._text import page_links
from verifier import Check, CheckContext, Outcome, Page, Params


class FrameworkAlignmentParams(Params):
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
    version = "1.0"
    Params = FrameworkAlignmentParams
    description = "Alignment pages link to Framework Domains and Capabilities"

    async def verify(self, ctx: CheckContext[FrameworkAlignmentParams]) -> Outcome:
        """See the module docstring."""
        p = ctx.params
        if not ctx.submission.alignment_pages:
            return Outcome.failed("not provided: the submission has no 'alignment_pages'")
        tax = load_taxonomy(p.taxonomy)
        linked: dict[str, dict[str, Item]] = {"domain": {}, "capability": {}}
        named: dict[str, dict[str, Item]] = {"domain": {}, "capability": {}}
        faults: list[str] = []  # pages that could not be read
        unread: list[str] = []  # pages a person must read (not HTML, or empty)
        not_counted: list[str] = []  # links to taxonomy pages that name no item
        mentions: list[tuple[str, Page, str, Item]] = []  # recorded if the verdict needs them
        for url in dict.fromkeys(ctx.submission.alignment_pages):
            read = await read_page(ctx, url)
            if read.page is None or read.state != "ok":
                if read.state != "gone":  # a page that is gone is an absence, not a doubt
                    (faults if read.state == "fault" else unread).append(f"{url} {read.reason}")
                ctx.evidence("page", f"{url} {read.reason}", page=read.page, url=url)
                continue
            page = read.page
            for href, text in page_links(page):
                link = tax.classify(href)
                if link is None:
                    continue
                if link.item is None:
                    not_counted.append(f"{href} ({link.kind})")
                elif link.item.title not in linked[link.kind]:
                    linked[link.kind][link.item.title] = link.item
                    legacy = f", an earlier version's slug {link.slug!r}" if link.legacy else ""
                    ctx.evidence(
                        "framework-link",
                        f"{link.kind} {link.item.label!r}: linked as {text!r}{legacy}",
                        page=page,
                        excerpt=text,
                        link=href,
                        slug=link.slug,
                    )
            for kind, item, title in tax.mentions(page.visible_text):
                if item.title not in named[kind]:
                    named[kind][item.title] = item
                    mentions.append(
                        (f"{kind} {item.label!r} named as {title!r}", page, title, item)
                    )
        if p.domains_via_capabilities:
            for cap in list(linked["capability"].values()):
                if str(cap.domain) not in linked["domain"]:
                    linked["domain"][str(cap.domain)] = tax.domain_of(cap)
                    ctx.evidence(
                        "framework-domain",
                        f"domain {cap.domain!r} covered through capability {cap.label!r}",
                    )
            for cap in list(named["capability"].values()):
                named["domain"].setdefault(str(cap.domain), tax.domain_of(cap))
        if not_counted:
            ctx.evidence(
                "search",
                f"{len(not_counted)} link(s) to {tax.name} pages name no domain or capability "
                "and do not count",
                links=not_counted[:50],
            )
        need = f"{p.min_domains} domain(s) and {p.min_capabilities} capability(ies) required"
        nd, nc = len(linked["domain"]), len(linked["capability"])
        covered = (
            f"links to {nd} {tax.name} domain(s) ({_titles(linked['domain'])}) and {nc} "
            f"capability(ies) ({_titles(linked['capability'])})"
        )
        if nd >= p.min_domains and nc >= p.min_capabilities:
            return Outcome.passed(f"{covered}; {need}")
        if faults:
            return Outcome.error(f"{covered}, but {'; '.join(faults)}; {need}")
        wd = len(linked["domain"].keys() | named["domain"].keys())
        wc = len(linked["capability"].keys() | named["capability"].keys())
        only_named = [
            t for kind, items in named.items() for t in items.keys() - linked[kind].keys()
        ]
        for detail, page, title, item in mentions:  # the verdict now depends on them
            if item.title in only_named:
                ctx.evidence(
                    "framework-mention", f"{detail} without a link", page=page, excerpt=title
                )
        if wd >= p.min_domains and wc >= p.min_capabilities:
            return Outcome.needs_review(
                f"{covered}; only with titles named without a link (weaker evidence: "
                f"{', '.join(sorted(only_named))}) do they reach {wd} domain(s) and {wc} "
                f"capability(ies); {need}"
            )
        if unread:
            return Outcome.needs_review(f"{covered}; {'; '.join(unread)}; {need}")
        ctx.evidence(
            "search",
            f"read {len(ctx.submission.alignment_pages)} page(s) for links to "
            f"{', '.join(tax.hosts)} under {', '.join(tax.domain_paths + tax.capability_paths)}",
            pages=list(ctx.submission.alignment_pages),
            hosts=list(tax.hosts),
        )
        return Outcome.failed(f"only {covered}; {need}")


def _titles(items: dict[str, Item]) -> str:
    return ", ".join(i.label for i in items.values()) or "none"
