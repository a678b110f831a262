"""membership: the applicant is listed in every named directory source.

Verdicts, per source and then combined:

- ``pass``: every source lists the applicant: an entry a visitor sees with its name
  (ignoring case, punctuation and legal suffixes), or one linking to the applicant's
  website domain (a link within the directory's own site ties an entry to nobody). An
  entry hidden from visitors (``display:none``, ``aria-hidden``, a class the page's
  ``<style>`` hides...), a hidden part of a name, or a hidden link lists nobody;
- ``fail``: a source read in full does not list it; the evidence says what was searched
  (the pages read, how many entries they held, the name forms tried);
- ``needs_review``: no source fails, but one lists the applicant only in content hidden
  from visitors (``hidden`` evidence quotes the entry and why it was set aside); or only
  through an alias the submission gives, on an entry that does not link to the
  applicant's domain (anyone can write another member's name as an alias: the entry, the
  alias and its link are shown); or only under a similar name (candidates shown);
- ``error``: a directory could not be read: a page could not be fetched, answered
  another status than 2xx (404 included: the source is configured, so its absence is a
  fault), is not HTML, needs JavaScript, or lists no organisation at all; or the directory
  has more than ``max_pages`` pages and the applicant is not on those read (a search we
  could not finish is not an absence: raise ``max_pages``). Each source is judged on its
  own, so a real absence from one source still fails when another cannot be read.

Params: ``sources`` (source names, all required), ``max_pages`` (pages followed per
directory), ``weak_threshold`` (similarity from which a name is a candidate).
"""

from __future__ import annotations

from pydantic import Field

from verifier import (
    Check,
    CheckContext,
    Hidden,
    Link,
    Outcome,
    Params,
    overall_status,
    site_of,
)
from verifier.toolkit import (
    Entry,
    Match,
    leads_to,
    links_out,
    match_name,
    name_forms,
    normalize,
    read_directory,
    record_hidden,
    some,
)


class MembershipParams(Params):
    """Params of the ``membership`` check."""

    sources: list[str] = Field(min_length=1)
    """Directory sources that must all list the applicant (e.g. finops-members)."""
    max_pages: int = Field(default=20, ge=1, le=200)
    """Pages followed per directory (rel=next, "Next" links)."""
    weak_threshold: float = Field(default=0.8, gt=0, le=1)
    """Similarity from which a different name is shown as a candidate."""


class MembershipCheck(Check[MembershipParams]):
    """Looks the applicant up in directory sources."""

    name = "membership"
    version = "1.2"
    Params = MembershipParams
    description = "Applicant listed in every named member directory"

    async def verify(self, ctx: CheckContext[MembershipParams]) -> Outcome:
        """Search each source; combine as the module docstring says."""
        verdicts = [await find_in_directory(ctx, source) for source in ctx.params.sources]
        return combine(verdicts)


async def find_in_directory(ctx: CheckContext[MembershipParams], source_name: str) -> Outcome:
    """Look the applicant up in one directory source; also used by other listing checks."""
    applicant = ctx.submission.applicant
    source = ctx.source(source_name)
    if source.url is None:
        return Outcome.error(f"source {source_name} must be a URL, not a file")
    directory = await read_directory(ctx, source.url, ctx.params.max_pages)
    pages, entries = directory.pages, directory.entries
    forms = name_forms(applicant.name, applicant.aliases)
    # The forms only an alias gives (an alias that normalises to the name is the name).
    own = normalize(applicant.name)
    aliases = {form: a for a in applicant.aliases if (form := normalize(a)) != own}
    domain = site_of(applicant.website)
    # The applicant's own sites: an entry under its name linking to any other is another
    # organisation of the same name (or one the applicant pretends to be).
    offering = ctx.submission.offering
    own_sites = {domain} | ({site_of(offering.landing_page)} if offering else set())
    confirmed: list[tuple[Entry, str]] = []
    elsewhere: list[Entry] = []
    by_alias: list[tuple[Entry, str]] = []
    weak: list[tuple[Entry, Match]] = []
    for entry in entries:
        m = match_name(entry.name, forms, ctx.params.weak_threshold)
        if why := _confirms(entry, m, aliases, domain):
            if _links_elsewhere(entry, own_sites):
                elsewhere.append(entry)
            else:
                confirmed.append((entry, why))
        elif m.strength == "exact":
            by_alias.append((entry, aliases[m.form]))
        elif m.strength == "weak":
            weak.append((entry, m))
    if confirmed:
        entry, why = confirmed[0]
        ctx.evidence(
            "directory-entry",
            f"{source_name}: listed ({why})",
            page=entry.page,
            excerpt=entry.name,
            source=source_name,
            found_as=entry.how,
            link=entry.href,
        )
        return Outcome.passed(f"listed in {source_name} as {entry.name!r}")
    # Found on a page read before a later one failed: that listing is proof enough. Not
    # found: the unread part may hold it, so the search could not decide.
    if directory.problem is not None:
        return Outcome.error(f"{source_name}: could not read the directory: {directory.problem}")
    if directory.unread is not None:
        ctx.evidence(
            "search",
            f"{source_name}: not found on the first {len(pages)} page(s); the directory goes "
            f"on at {directory.unread}, not read (max_pages {ctx.params.max_pages})",
            url=source.url,
            source=source_name,
            pages=[p.url for p in pages],
            unread=directory.unread,
        )
        return Outcome.error(
            f"{source_name}: the directory is longer than the {ctx.params.max_pages} page(s) "
            f"searched and does not list the applicant on them; raise max_pages"
        )
    if elsewhere:
        return _linked_elsewhere(ctx, source_name, elsewhere, domain)
    # Hidden from visitors, an entry is no listing; one that would have listed the
    # applicant is set aside for a person, quoted with why (issue 8: hidden content).
    unseen = [
        e
        for e in directory.hidden
        if _confirms(e, match_name(e.name, forms, ctx.params.weak_threshold), aliases, domain)
    ]
    if unseen:
        return _hidden_only(ctx, source_name, unseen)
    if by_alias:
        return _alias_only(ctx, source_name, by_alias, domain)
    if weak:
        weak.sort(key=lambda em: -em[1].score)
        for entry, m in weak[:5]:
            ctx.evidence(
                "directory-candidate",
                f"{source_name}: {entry.name!r} resembles {m.form!r} "
                f"(similarity {m.score:.2f}); a person must judge",
                page=entry.page,
                excerpt=entry.name,
                source=source_name,
                score=round(m.score, 3),
                link=entry.href,
            )
        names = some([repr(e.name) for e, _ in weak], 3)
        return Outcome.needs_review(f"{source_name}: only similar names listed ({names})")
    ctx.evidence(
        "search",
        f"{source_name}: not listed; read {len(pages)} page(s) holding {len(entries)} "
        f"entries; looked for {some([repr(f) for f in forms])} and links to {domain}",
        url=source.url,
        source=source_name,
        pages=[p.url for p in pages],
        entries=len(entries),
        forms=forms,
        domain=domain,
    )
    return Outcome.failed(f"not listed in {source_name} ({len(entries)} entries searched)")


def _confirms(entry: Entry, m: Match, aliases: dict[str, str], domain: str) -> str:
    """Why ``entry`` lists the applicant (``m``: how its name matched), or ``""``: its
    name is the applicant's own (an alias alone is the applicant's word), or it links to
    the applicant's domain."""
    if m.strength == "exact" and m.form not in aliases:
        return f"name {entry.name!r} matches {m.form!r}"
    if leads_to(entry.href, domain, entry.page):
        return f"entry {entry.name!r} links to {entry.href}, on {domain}"
    return ""


def _links_elsewhere(entry: Entry, own_sites: set[str]) -> bool:
    """Whether ``entry`` links out of the directory's site to a site not the applicant's."""
    return links_out(entry.href, entry.page) and site_of(entry.href or "") not in own_sites


def _linked_elsewhere(
    ctx: CheckContext[MembershipParams], source_name: str, found: list[Entry], domain: str
) -> Outcome:
    """Entries with the applicant's name that link to another organisation's site: the
    directory ties the name to someone else, so a person must judge."""
    for entry in found[:5]:
        ctx.evidence(
            "directory-elsewhere",
            f"{source_name}: {entry.name!r} bears the applicant's name, but the entry links "
            f"to {entry.href}, not to {domain}: a person must confirm it is the applicant",
            page=entry.page,
            excerpt=entry.name,
            source=source_name,
            found_as=entry.how,
            link=entry.href,
        )
    entry = found[0]
    return Outcome.needs_review(
        f"{source_name}: listed as {entry.name!r}, but the entry links to "
        f"{site_of(entry.href or '')}, not {domain}; a person must confirm it is the applicant"
    )


def _alias_only(
    ctx: CheckContext[MembershipParams],
    source_name: str,
    found: list[tuple[Entry, str]],
    domain: str,
) -> Outcome:
    """Entries that match only an alias the applicant wrote, and do not link to its
    domain: anyone can write another member's name as an alias, so a person must judge."""
    for entry, alias in found[:5]:
        tie = f"has no link to {domain}"
        if entry.href:
            tie = f"links to {entry.href}, not to {domain}"
        ctx.evidence(
            "directory-alias",
            f"{source_name}: {entry.name!r} matches only the alias {alias!r} and the entry "
            f"{tie}: a person must confirm the alias is the applicant",
            page=entry.page,
            excerpt=entry.name,
            source=source_name,
            alias=alias,
            link=entry.href,
        )
    entry, alias = found[0]
    return Outcome.needs_review(
        f"{source_name}: listed only through the alias {alias!r} (as {entry.name!r}), which "
        f"the directory does not tie to {domain}; a person must confirm the alias is the "
        "applicant"
    )


def _hidden_only(
    ctx: CheckContext[MembershipParams], source_name: str, unseen: list[Entry]
) -> Outcome:
    """Entries that would list the applicant, but that visitors do not see."""
    for page in dict.fromkeys(e.page for e in unseen):
        # The entry quoted with its link, if any: the link may be what would have counted.
        passages = [
            Link(e.href, e.name, e.hidden) if e.href else Hidden(e.name, e.hidden or "")
            for e in unseen
            if e.page is page
        ]
        record_hidden(ctx, page, passages, f"the applicant listed in {source_name}")
    entry = unseen[0]
    return Outcome.needs_review(
        f"{source_name}: lists the applicant only in content hidden from visitors "
        f"({entry.name!r}: {entry.hidden}); a person must judge"
    )


def combine(verdicts: list[Outcome]) -> Outcome:
    """One outcome from several sources: the worst status (:func:`verifier.overall_status`:
    fail > error > needs_review > pass, so a real absence decides even if another source
    could not be read), every summary."""
    summary = "; ".join(v.summary for v in verdicts)
    return Outcome(overall_status([v.status for v in verdicts]), summary)
