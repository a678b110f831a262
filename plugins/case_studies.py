"""case-studies: enough distinct customers are named on the applicant's own case-study pages.

Each submitted case study is its own page: it must answer 2xx HTML on the applicant's site
(see :mod:`plugins._sites`) and name its customer in text a visitor sees (ignoring case,
punctuation and legal suffixes). Pages are compared after redirects and after
normalising the URL (:func:`verifier.normalize_url`: ``www.``, fragment, trailing slash,
``utm_*``), and by the text a visitor sees (the same text under two addresses is one page,
whatever comment or nonce its bytes differ by): a page submitted twice counts once, for
the first case study that gives it, and the summary names it. A page whose body text (the
``<title>`` left out) is nearly that of a page read before (:func:`similarity` at least
:data:`NEAR_DUPLICATE`: one logo wall under two titles, or a visible nonce word apart) is
the same page too; two stories on one site share its header, menu and footer, but their
own text sets them apart.
Customers are counted once each, however many pages are about them. With
``min_customer_employees`` set, only customers declared at least that large count; an
undeclared size is unknown.

- ``pass``: ``min_customers`` distinct customers count (a fault on another page does not
  matter then);
- ``fail``: not provided, or too few count; per page, the evidence says why (gone, the
  customer not named and the name forms looked for, too small, the same page as an
  earlier case study, a page on the Foundation's own site, a page elsewhere that does not
  name the applicant);
- ``needs_review``: enough only when a person confirms some: a customer of undeclared
  size; a page a program cannot read (not HTML, built by JavaScript); a customer named
  only through one of its ``customer_aliases`` (the alias and the entry are shown: an
  alias such as "we" names anyone); a customer named only in text hidden from visitors
  (the hidden passage is quoted); a page on another site than the applicant's (a
  customer's blog, a press release) that names the applicant or its offering;
- ``error``: too few count and a page could not be fetched (or answered 5xx...).

Params: ``min_customers`` ("multiple" = 2), ``min_customer_employees`` (``null``: any size),
``foundation_sources``, ``foundation_domains`` (see :class:`plugins._sites.SiteParams`).

The verdict is :func:`decide`, a pure function of what was gathered (:class:`CaseStudyFacts`)
and the params: it reads no page, so its table test needs no server.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field

from plugins._signs import title_and_body
from plugins._sites import SiteParams, Sites, sites_of
from verifier import Check, CheckContext, CheckExample, Outcome, normalize_url
from verifier.inputs.submission import CaseStudy
from verifier.toolkit import (
    Read,
    excerpt,
    name_forms,
    normalize,
    read_page,
    record_hidden,
    some,
    text_mentions,
)

NEAR_DUPLICATE = 0.8
"""The :func:`similarity` of two pages' body text from which they are one page. Two
stories sharing a site's template of 200 words, with 150 words each of their own, are
about 0.4 alike; one logo wall a nonce word apart about 0.9."""

SHINGLE_WORDS = 5
"""Words in a shingle, a run of words in a row: a word changed, added or removed alters
at most this many of a page's shingles."""

SHORT_PAGE_WORDS = 50
"""Below this many body words (either page) two pages are compared by their sets of words:
one changed word alters five shingles, a fifth of a 25-word page."""

_MAX_WORDS = 20_000  # the body words compared: bounds the work on a huge page

# Why a customer is not counted yet a person may count it, in the order a summary says it.
_REVIEW = {
    "unsized": "the size of {} is not declared",
    "unreadable": "a person must read the pages about {}",
    "alias": "{} named only through an alias a person must confirm",
    "hidden": "{} named only in text hidden from visitors",
    "elsewhere": "the pages about {} are not on the applicant's site",
    "near-duplicate": (
        "the pages about {} are nearly the same as an earlier one (one page twice, or "
        "two stories in a large shared template?)"
    ),
}


# Why a customer was not confirmed, as a summary names it (a verdict not listed: itself).
_NOT_CONFIRMED = {
    "no-customer": "not named on its page",
    "too-small": "too small",
    "fault": "its page could not be read",
    "off-site": "not on the applicant's site",
    "foundation": "not on the applicant's site",
    "elsewhere": "not on the applicant's site",
    "duplicate": "the same page as another case study",
    "near-duplicate": "nearly the same page as another case study",
    "unsized": "size not declared",
    "unreadable": "its page needs a person",
    "alias": "named only through an alias",
    "hidden": "named only in hidden text",
}


class CaseStudiesParams(SiteParams):
    """Params of the ``case-studies`` check."""

    min_customers: int = Field(default=2, ge=1)
    """Distinct customers needed."""
    min_customer_employees: int | None = Field(default=None, ge=1)
    """Headcount from which a customer counts (mid-to-large); ``None``: any size counts."""


class CaseStudiesCheck(Check[CaseStudiesParams]):
    """Reads each case-study page for its customer."""

    name = "case-studies"
    version = "2.0"
    Params = CaseStudiesParams
    description = "Case-study pages naming enough distinct (large enough) customers"
    example = CheckExample(
        submission={
            "case_studies": [
                {"url": "http://acme.example/customers/globex", "customer": "Globex Corporation"},
                {"url": "http://acme.example/customers/initech", "customer": "Initech"},
            ]
        }
    )

    async def verify(self, ctx: CheckContext[CaseStudiesParams]) -> Outcome:
        """See the module docstring."""
        if not ctx.submission.case_studies:
            return Outcome.failed("not provided: the submission has no 'case_studies'")
        gathered = _Gathered(ctx)
        # Every page it will read, asked now: the request for one need not wait until the
        # one before is answered and judged. A URL given again (normalised) is not read again.
        first: dict[str, str] = {}
        for study in ctx.submission.case_studies:
            first.setdefault(normalize_url(str(study.url)), str(study.url))
        ctx.prefetch(first.values())
        for number, study in enumerate(ctx.submission.case_studies, 1):
            await gathered.add(number, study)
        return decide(gathered.facts(), ctx.params)


@dataclass(frozen=True)
class CaseStudyFacts:
    """What the case-study pages show: everything :func:`decide` needs, no page left to read."""

    found: Mapping[str, Mapping[str, str]]
    """By verdict (``counted`` or a :data:`_REVIEW` key): each customer normalised, and as
    submitted, in the order of the case studies."""
    faults: tuple[str, ...] = ()
    """Why each page that could not be read could not (a fault)."""
    repeated: tuple[str, ...] = ()
    """Pages given again, counted once."""
    near: tuple[str, ...] = ()
    """``"<url>, the same page as <earlier url>"`` for each page nearly the same as an
    earlier one."""
    off_site: tuple[str, ...] = ()
    """Pages not counted for being on someone else's site (or the Foundation's)."""
    unconfirmed: tuple[str, ...] = ()
    """``"<customer> (<why>)"`` for each customer submitted but not confirmed by any
    page, in the order of the case studies: what a summary must not leave out."""


def decide(facts: CaseStudyFacts, p: CaseStudiesParams) -> Outcome:
    """The outcome from what the pages show (see the module docstring): pure, no page read."""
    counted = facts.found.get("counted", {})
    large = p.min_customer_employees
    need = f"{p.min_customers} required" + (f", each of {large}+ employees" if large else "")
    listed = some(list(counted.values())) or "none"
    have = f"{len(counted)} distinct customer(s) confirmed ({listed})"
    if facts.repeated:
        have += f"; a page given again counts once ({some(facts.repeated, 3)})"
    if facts.near:
        have += f"; a page nearly the same as an earlier one counts once ({some(facts.near, 3)})"
    if len(counted) >= p.min_customers:
        # A pass ends with every customer the pages did not confirm, and why: the pass
        # must not read as if every customer submitted was confirmed.
        also = f"; not confirmed: {some(list(facts.unconfirmed), 3)}" if facts.unconfirmed else ""
        return Outcome.passed(f"{have}; {need}{also}")
    if facts.faults:
        return Outcome.error(f"{have}, but {some(facts.faults, 3)}; {need}")
    doubts, maybe = [], set(counted)
    for verdict, phrase in _REVIEW.items():
        more = {k: v for k, v in facts.found.get(verdict, {}).items() if k not in maybe}
        maybe |= more.keys()
        if more:
            doubts.append(phrase.format(some(list(more.values()))))
    if len(maybe) >= p.min_customers:
        return Outcome.needs_review(f"{have}; {'; '.join(doubts)}; {need}")
    if facts.off_site:
        have += f"; not on the applicant's site, not counted: {some(facts.off_site, 3)}"
    return Outcome.failed(f"{have}; {need}")


class _Gathered:
    """The case studies read so far, each judged and recorded as evidence in turn."""

    def __init__(self, ctx: CheckContext[CaseStudiesParams]) -> None:
        self.ctx = ctx
        self.sites = sites_of(ctx)
        # normalised customer -> customer as submitted, by verdict
        self.found: dict[str, dict[str, str]] = {v: {} for v in ("counted", *_REVIEW)}
        self.faults: list[str] = []
        # normalised page URL (asked and final), or its visible text's hash -> the study
        # that gave it
        self.seen: dict[str, str] = {}
        self.bodies: list[tuple[str, str, _Body]] = []  # (study, URL, body) of the pages read
        self.repeated: list[str] = []
        self.near: list[str] = []  # "<url>, the same page as <earlier url>"
        self.off_site: list[str] = []  # pages not counted for being on someone else's site
        # (normalised customer, as submitted, verdict) of each study, for the summary
        self.judged: list[tuple[str, str, str]] = []

    async def add(self, number: int, study: CaseStudy) -> None:
        """Judge case study ``number`` and record it (a page given before is not read again)."""
        url = str(study.url)
        verdict, why = await self._judge(number, study, url)
        key = normalize(study.customer)
        if verdict == "counted" and key in self.found["counted"]:
            why = f"{why}; the same customer as an earlier page, counted once"
        if verdict in self.found:
            self.found[verdict].setdefault(key, study.customer)
        if verdict == "fault":
            self.faults.append(why)
        if verdict in ("off-site", "foundation"):
            self.off_site.append(url)
        self.judged.append((key, study.customer, verdict))
        self.ctx.evidence(
            "case-study",
            f"{study.customer}: {'counted' if verdict == 'counted' else 'not counted'} ({why})",
            url=url,
            customer=study.customer,
            verdict=verdict,
        )

    def facts(self) -> CaseStudyFacts:
        """What was gathered, as :func:`decide` takes it."""
        return CaseStudyFacts(
            {verdict: dict(customers) for verdict, customers in self.found.items()},
            tuple(self.faults),
            tuple(self.repeated),
            tuple(self.near),
            tuple(self.off_site),
            self._unconfirmed(),
        )

    def _unconfirmed(self) -> tuple[str, ...]:
        # Each customer no page confirmed, once, with why its (first) page did not.
        counted, named, out = self.found["counted"], set(), []
        for key, customer, verdict in self.judged:
            if key in counted or key in named:
                continue
            named.add(key)
            out.append(f"{customer} ({_NOT_CONFIRMED.get(verdict, verdict)})")
        return tuple(out)

    async def _judge(self, number: int, study: CaseStudy, url: str) -> tuple[str, str]:
        """``(verdict, why)`` for case study ``number``, read unless given already."""
        first = self.seen.get(normalize_url(url))
        if first is None:  # not given already: read it, then compare where it led
            read = await read_page(self.ctx, url)
            keys = {normalize_url(url)}
            if read.page is not None and read.state == "ok":
                # The same text under another address (?id=2 on a server that ignores
                # the query; one logo wall whose bytes differ by a comment, see
                # fixtures/gaming/atk-dup.example) is the same page too.
                keys |= {normalize_url(read.page.final_url), _text_key(read.page.visible_text)}
            first = next((self.seen[k] for k in keys if k in self.seen), None)
            if first is None:
                return self._judge_new(f"#{number} ({url})", study, read, keys)
        self.repeated.append(url)
        return "duplicate", f"the same page as case study {first}, counted once"

    def _judge_new(
        self, label: str, study: CaseStudy, read: Read, keys: set[str]
    ) -> tuple[str, str]:
        """``(verdict, why)`` for a page no earlier case study gave (``label`` names it)."""
        names = (study.customer, *study.customer_aliases)
        body = None
        if read.page is not None and read.state == "ok":
            body = _Body.of(title_and_body(read.page)[1])  # built already: no walk
            like = body.nearest(self.bodies)
            if like is not None:
                (first, earlier), alike = like
                self.seen.update(dict.fromkeys(keys, first))
                self.near.append(f"{read.url}, the same page as {earlier}")
                # Not counted; but text this alike may also be two real stories in a large
                # shared template: one that would have counted needs a person, never a fail.
                verdict, _ = _judge(self.ctx, self.sites, read, names)
                return ("near-duplicate" if verdict == "counted" else "duplicate"), (
                    f"the same page as case study {first}: their text is {alike:.0%} alike "
                    f"(from {NEAR_DUPLICATE:.0%} two pages are one), counted once"
                )
            self.bodies.append((label, read.url, body))
        self.seen.update(dict.fromkeys(keys, label))
        verdict, why = _judge(self.ctx, self.sites, read, names)
        return _sized(self.ctx.params, study.customer_employees, verdict, why)


def _judge(
    ctx: CheckContext[CaseStudiesParams], sites: Sites, read: Read, names: tuple[str, ...]
) -> tuple[str, str]:
    """``(verdict, why)`` for one page about the customer ``names[0]`` (the rest are its
    aliases): ``counted``, a :data:`_REVIEW` key, or why it does not count."""
    if read.page is None or read.state != "ok":
        return read.state, f"{read.url} {read.reason}"
    page, text = read.page, read.page.visible_text
    owner = sites.whose(page.final_url)
    if owner == "foundation":
        return "foundation", f"{sites.describe(page.final_url)}: no case study of the applicant's"
    customer = names[0]
    own = name_forms(customer)
    forms = name_forms(customer, names[1:])
    verdict, found = "counted", text_mentions(text, [customer])
    if found is None:
        # An alias only ever sends the page to a person, who sees the passage: a common
        # word ("Enterprise" in "a leading enterprise") is shown, not counted.
        aliases = [a for a in names[1:] if normalize(a) not in own]
        found = text_mentions(text, aliases, proper=False)
        verdict = "alias"
    if found is None:
        hidden = [h for h in page.hidden_passages if text_mentions(h.text, names)]
        if hidden:  # named where no visitor reads it: a person judges the page
            record_hidden(ctx, page, hidden, f"the customer {customer!r}")
            return (
                "hidden",
                f"{page.final_url} names the customer only in text hidden from visitors",
            )
        ctx.evidence(
            "search", f"{page.final_url} does not name {customer!r}", page=page, looked_for=forms
        )
        return "no-customer", f"the page does not name the customer (looked for {forms})"
    why = f"{page.final_url} names the customer"
    if verdict == "alias":
        ctx.evidence(
            "alias",
            f"the page names {customer!r} only through the alias {found!r}; a person must "
            "confirm the alias is this customer",
            page=page,
            excerpt=excerpt(text, found),
            alias=found,
            entry={"customer": customer, "customer_aliases": list(names[1:])},
        )
        why = f"{page.final_url} names the customer only through the alias {found!r}"
    if owner == "elsewhere":
        applicant = ctx.submission.applicant
        written = [applicant.name, *applicant.aliases]
        if ctx.submission.offering:
            written.append(ctx.submission.offering.name)
        theirs = name_forms(written[0], written[1:])
        if text_mentions(text, written) is None:
            return "off-site", (
                f"{sites.describe(page.final_url)}, and does not name the applicant "
                f"(looked for {theirs})"
            )
        verdict = "elsewhere"
        why = f"{why}, but {sites.describe(page.final_url)}; a person must confirm it"
    ctx.evidence("text", f"the page names {customer!r}", page=page, excerpt=excerpt(text, found))
    return verdict, why


def _sized(p: CaseStudiesParams, declared: int | None, verdict: str, why: str) -> tuple[str, str]:
    """The verdict once the customer's ``declared`` size is weighed against the bar."""
    if p.min_customer_employees is None or (verdict != "counted" and verdict not in _REVIEW):
        return verdict, why
    if declared is None:
        return ("unsized" if verdict == "counted" else verdict), f"{why}; its size is not declared"
    if declared < p.min_customer_employees:
        return "too-small", f"{why}, but {declared} employees < {p.min_customer_employees}"
    return verdict, f"{why}; {declared} employees declared"


def _text_key(text: str) -> str:
    """A key under which pages showing the same text (spacing aside) compare equal."""
    return "text:" + hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def similarity(a: str, b: str) -> float:
    """How alike two pages' body texts are, from 0 to 1: the Jaccard similarity (shared
    over all) of their word :data:`SHINGLE_WORDS`-shingles, or of their sets of words when
    either has fewer than :data:`SHORT_PAGE_WORDS` words. Case and punctuation aside; 0
    when either has no words."""
    return _Body.of(a).alike(_Body.of(b))


@dataclass(frozen=True)
class _Body:
    """A page's body text as :func:`similarity` compares it."""

    words: int
    vocabulary: frozenset[str]
    shingles: frozenset[int]

    @classmethod
    def of(cls, text: str) -> _Body:
        words = re.findall(r"\w+", text.casefold())[:_MAX_WORDS]
        runs = zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)
        return cls(len(words), frozenset(words), frozenset(hash(run) for run in runs))

    def _sets(self, other: _Body) -> tuple[frozenset[str] | frozenset[int], ...]:
        if min(self.words, other.words) < SHORT_PAGE_WORDS:
            return self.vocabulary, other.vocabulary
        return self.shingles, other.shingles

    def alike(self, other: _Body) -> float:
        a, b = self._sets(other)
        return len(a & b) / len(a | b) if a and b else 0.0

    def nearest(
        self, earlier: list[tuple[str, str, _Body]]
    ) -> tuple[tuple[str, str], float] | None:
        """The ``(study, url)`` of the first of ``earlier`` this body is at least
        :data:`NEAR_DUPLICATE` alike, and how alike; ``None`` if none is."""
        for study, url, body in earlier:
            a, b = self._sets(body)
            if min(len(a), len(b)) < NEAR_DUPLICATE * max(len(a), len(b)):
                continue  # sizes that far apart cannot be alike enough: skip the sets' work
            alike = self.alike(body)
            if alike >= NEAR_DUPLICATE:
                return (study, url), alike
        return None
