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

The directories are read at once (``ctx.gather``: evidence listed source by source) when
the check's fetch budget covers ``max_pages`` pages of each; otherwise one after the
other, in the policy's order, so that where the budget runs out never depends on which
site answers first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import Field

from verifier import (
    Check,
    CheckContext,
    CheckExample,
    Hidden,
    Link,
    Outcome,
    Params,
    overall_status,
    site_of,
)
from verifier.toolkit import (
    Directory,
    Entry,
    Match,
    NameMatcher,
    leads_to,
    links_out,
    name_forms,
    normalize,
    read_directory,
    record_hidden,
    some,
)
from verifier.urls import owned_by, where


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
    example = CheckExample(
        params={"sources": ["finops-members"]},
        sources={"finops-members": "http://www.finops.example/members/"},
        pages={
            "http://www.finops.example/members/": (
                "<h1>Members</h1><ul><li>Globex Corporation</li><li>Initech</li></ul>"
            )
        },
    )

    async def verify(self, ctx: CheckContext[MembershipParams]) -> Outcome:
        """Search each source; combine as the module docstring says."""
        sources = ctx.params.sources
        left = ctx.fetches_left
        if left is None or len(sources) * ctx.params.max_pages <= left:
            # The directories are read at once (each a chain of pages, on its own site),
            # their evidence listed source by source: the budget covers every page they
            # may have, so none can run short whichever site answers first. Their first
            # pages are asked now, before the pages other checks ask of the same sites:
            # each next page of a directory waits for the one before, a group page does not.
            ctx.prefetch(url for s in sources if (url := ctx.source(s).url) is not None)
            verdicts = await ctx.gather(*(find_in_directory(ctx, s) for s in sources))
        else:
            # One after the other, in the policy's order: which source the budget runs
            # out in must not depend on which site answers first.
            verdicts = [await find_in_directory(ctx, s) for s in sources]
        return combine(verdicts)


@dataclass(frozen=True)
class Wanted:
    """Who a directory must list, gathered once from the submission."""

    forms: list[str]
    """The normalised name and aliases looked for."""
    aliases: dict[str, str]
    """The forms only an alias gives (an alias that normalises to the name is the name),
    each with the alias as written."""
    domain: str
    """The applicant's website, as :func:`verifier.site_of` gives it."""
    website: str
    """The applicant's website (``applicant.website``): a link ties an entry to the
    applicant only on it (:func:`verifier.urls.owned_by`), and an entry under its name
    linking out of the directory anywhere else is another organisation of the same name
    (or one the applicant pretends to be: its offering's landing page may be anyone's)."""
    weak_threshold: float
    """Similarity from which a different name is a candidate."""

    @classmethod
    def of(cls, ctx: CheckContext[MembershipParams]) -> Wanted:
        """What ``ctx``'s submission and params say to look for."""
        applicant = ctx.submission.applicant
        own = normalize(applicant.name)
        return cls(
            forms=name_forms(applicant.name, applicant.aliases),
            aliases={form: a for a in applicant.aliases if (form := normalize(a)) != own},
            domain=site_of(applicant.website),
            website=str(applicant.website),
            weak_threshold=ctx.params.weak_threshold,
        )


@dataclass(frozen=True)
class Findings:
    """The entries of one directory, sorted by what they say of the applicant."""

    confirmed: list[tuple[Entry, str]]
    """Seen entries that list the applicant, each with why."""
    elsewhere: list[Entry]
    """Seen entries under the applicant's name that link to another organisation's site."""
    by_alias: list[tuple[Entry, str]]
    """Seen entries matching only an alias, untied to the applicant, each with the alias."""
    weak: list[tuple[Entry, Match]]
    """Seen entries with a similar name, the most similar first."""
    unseen: list[Entry]
    """Entries hidden from visitors that would have listed the applicant."""
    linked: list[Entry] = field(default_factory=list)
    """Of the confirmed entries, those linking to the applicant's website: a tie that an
    entry under its name linking elsewhere does not undo."""


def sort_entries(entries: list[Entry], hidden: list[Entry], wanted: Wanted) -> Findings:
    """Sort a directory's ``entries`` (seen) and ``hidden`` ones by what they say of the
    applicant ``wanted``. A pure function of its arguments."""
    found = Findings([], [], [], [], [])
    # Only an exact or a similar name counts: the matcher does not work out how little
    # each other entry resembles the applicant (a re-check compares every partner with
    # every entry of the shared directories).
    names = NameMatcher(wanted.forms, wanted.weak_threshold)
    for entry in entries:
        m = names.find(entry.name)
        if why := _confirms(entry, m, wanted):
            if _links_elsewhere(entry, wanted.website):
                found.elsewhere.append(entry)
            else:
                found.confirmed.append((entry, why))
                if entry.href and owned_by(entry.href, wanted.website):
                    found.linked.append(entry)
        elif m is None:
            continue
        elif m.strength == "exact":
            found.by_alias.append((entry, wanted.aliases[m.form]))
        else:
            found.weak.append((entry, m))
    found.weak.sort(key=lambda em: -em[1].score)
    # Hidden from visitors, an entry is no listing; one that would have listed the
    # applicant is set aside for a person, quoted with why (issue 8: hidden content).
    found.unseen.extend(e for e in hidden if _confirms(e, names.find(e.name), wanted))
    return found


Verdict = Literal[
    "listed", "unreadable", "unfinished", "elsewhere", "hidden", "alias", "similar", "absent"
]
"""What one directory says of the applicant (see :func:`decide`)."""


def decide(found: Findings, problem: str | None, unread: str | None) -> Verdict:
    """What a directory says of the applicant, from its sorted entries, why it could not
    be read (``problem``) and the next page left unread (``unread``). A pure function.

    A listing seen on a page read before a later one failed is proof enough, unless an
    entry under the applicant's name links to another site and no listing links to the
    applicant's own (a linked logo and a bare mention of one name: the link says whose it
    is); without one, a directory not read in full cannot prove an absence. Then, in
    order: a name tied to another site, a listing only in hidden content, only through an
    untied alias, only under a similar name; else the applicant is absent.
    """
    if found.confirmed and (found.linked or not found.elsewhere):
        return "listed"
    if problem is not None:
        return "unreadable"
    if unread is not None:
        return "unfinished"
    if found.elsewhere:
        return "elsewhere"
    if found.unseen:
        return "hidden"
    if found.by_alias:
        return "alias"
    return "similar" if found.weak else "absent"


async def find_in_directory(ctx: CheckContext[MembershipParams], source_name: str) -> Outcome:
    """Look the applicant up in one directory source: read it, sort its entries, decide,
    and record the evidence that says why."""
    source = ctx.source(source_name)
    if source.url is None:
        return Outcome.error(f"source {source_name} must be a URL, not a file")
    directory = await read_directory(ctx, source.url, ctx.params.max_pages)
    wanted = Wanted.of(ctx)
    found = sort_entries(directory.entries, directory.hidden, wanted)
    match decide(found, directory.problem, directory.unread):
        case "listed":
            return _listed(ctx, source_name, *found.confirmed[0])
        case "unreadable":
            return Outcome.error(
                f"{source_name}: could not read the directory: {directory.problem}"
            )
        case "unfinished":
            return _unfinished(ctx, source_name, source.url, directory)
        case "elsewhere":
            return _linked_elsewhere(ctx, source_name, found.elsewhere, wanted.website)
        case "hidden":
            return _hidden_only(ctx, source_name, found.unseen)
        case "alias":
            return _alias_only(ctx, source_name, found.by_alias, wanted.domain)
        case "similar":
            return _similar(ctx, source_name, found.weak)
    return _absent(ctx, source_name, source.url, directory, wanted)


def _listed(
    ctx: CheckContext[MembershipParams], source_name: str, entry: Entry, why: str
) -> Outcome:
    """The applicant is listed: the entry is the evidence."""
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


def _unfinished(
    ctx: CheckContext[MembershipParams], source_name: str, url: str, directory: Directory
) -> Outcome:
    """Not found on the pages read, and more are left: the search could not decide."""
    pages, max_pages = directory.pages, ctx.params.max_pages
    ctx.evidence(
        "search",
        f"{source_name}: not found on the first {len(pages)} page(s); the directory goes "
        f"on at {directory.unread}, not read (max_pages {max_pages})",
        url=url,
        source=source_name,
        pages=[p.url for p in pages],
        unread=directory.unread,
    )
    return Outcome.error(
        f"{source_name}: the directory is longer than the {max_pages} page(s) "
        f"searched and does not list the applicant on them; raise max_pages"
    )


def _similar(
    ctx: CheckContext[MembershipParams], source_name: str, weak: list[tuple[Entry, Match]]
) -> Outcome:
    """Only similar names are listed: the best candidates, for a person to judge."""
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


def _absent(
    ctx: CheckContext[MembershipParams],
    source_name: str,
    url: str,
    directory: Directory,
    wanted: Wanted,
) -> Outcome:
    """A directory read in full does not list the applicant: what was searched."""
    pages, entries, forms = directory.pages, directory.entries, wanted.forms
    ctx.evidence(
        "search",
        f"{source_name}: not listed; read {len(pages)} page(s) holding {len(entries)} "
        f"entries; looked for {some([repr(f) for f in forms])} and links to {wanted.domain}",
        url=url,
        source=source_name,
        pages=[p.url for p in pages],
        entries=len(entries),
        forms=forms,
        domain=wanted.domain,
    )
    return Outcome.failed(f"not listed in {source_name} ({len(entries)} entries searched)")


def _confirms(entry: Entry, m: Match | None, wanted: Wanted) -> str:
    """Why ``entry`` lists the applicant (``m``: how its name matched, ``None`` for not at
    all), or ``""``: its name is the applicant's own (an alias alone is the applicant's
    word), or it links to the applicant's domain."""
    if m is not None and m.strength == "exact" and m.form not in wanted.aliases:
        return f"name {entry.name!r} matches {m.form!r}"
    if leads_to(entry.href, wanted.domain, entry.page, website=wanted.website):
        return f"entry {entry.name!r} links to {entry.href}, on {wanted.domain}"
    return ""


def _links_elsewhere(entry: Entry, website: str) -> bool:
    """Whether ``entry`` links out of the directory's site to a page not on the
    applicant's ``website`` (:func:`verifier.urls.owned_by`: another tenant of a shared
    host, another account of a host shared by path, is elsewhere)."""
    return links_out(entry.href, entry.page) and not owned_by(entry.href or "", website)


def _linked_elsewhere(
    ctx: CheckContext[MembershipParams], source_name: str, found: list[Entry], website: str
) -> Outcome:
    """Entries with the applicant's name that link to another organisation's site: the
    directory ties the name to someone else, so a person must judge."""
    for entry in found[:5]:
        ctx.evidence(
            "directory-elsewhere",
            f"{source_name}: {entry.name!r} bears the applicant's name, but the entry links "
            f"to {entry.href}, not to {where(entry.href or '', website)[1]}: a person must "
            "confirm it is the applicant",
            page=entry.page,
            excerpt=entry.name,
            source=source_name,
            found_as=entry.how,
            link=entry.href,
        )
    entry = found[0]
    theirs, own = where(entry.href or "", website)
    return Outcome.needs_review(
        f"{source_name}: listed as {entry.name!r}, but the entry links to {theirs}, not "
        f"{own}; a person must confirm it is the applicant"
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
