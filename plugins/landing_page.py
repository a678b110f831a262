"""landing-page: a public page on the applicant's site describes its FinOps training offering.

The submission's ``training.landing_page`` is read; the text a visitor sees must name the
subject (an ``offering_terms`` phrase: FinOps, cloud financial management...) and describe
training (``training_terms`` phrases: courses, certification prep, instructor-led,
self-paced...). Phrases match case-insensitively as whole words; each one found is
recorded with the passage around it.

- ``pass``: the page answers 2xx HTML on the applicant's site (``verifier.site_of``), names the
  subject and at least ``min_training_terms`` distinct training phrases;
- ``fail``: not provided; the page is gone (404, 410); it names neither the subject nor
  any training phrase (the evidence lists the phrases searched);
- ``needs_review``: only with text hidden from visitors would the page name the subject
  and enough training phrases (each hidden passage quoted as ``hidden`` evidence, with
  why it was set aside); the page is on another domain than the applicant's website,
  cannot be read by a program (not HTML, built by JavaScript), or shows some training
  phrases but fewer than required;
- ``error``: the page could not be fetched, or answered another status.

Params: ``offering_terms``, ``training_terms``, ``min_training_terms``.
"""

from __future__ import annotations

from pydantic import Field

from verifier import Check, CheckContext, CheckExample, Outcome, Page, Params
from verifier.toolkit import excerpt, hidden_text, read_page, record_hidden, says
from verifier.urls import owned_by, where


class LandingPageParams(Params):
    """Params of the ``landing-page`` check."""

    offering_terms: list[str] = Field(
        default_factory=lambda: ["finops", "cloud financial management", "cfm"], min_length=1
    )
    """Phrases naming the subject of the training (one is needed)."""
    training_terms: list[str] = Field(
        default_factory=lambda: ["course", "courses", "training", "certification", "exam"],
        min_length=1,
    )
    """Phrases describing a training offering."""
    min_training_terms: int = Field(default=2, ge=1)
    """Distinct training phrases needed."""


class LandingPageCheck(Check[LandingPageParams]):
    """Reads the training landing page."""

    name = "landing-page"
    version = "1.1"
    Params = LandingPageParams
    description = "Public landing page on the applicant's site describing its training offering"
    example = CheckExample(
        submission={"training": {"landing_page": "http://acme.example/training"}}
    )

    async def verify(self, ctx: CheckContext[LandingPageParams]) -> Outcome:
        """See the module docstring."""
        p = ctx.params
        training = ctx.submission.training
        if training is None or training.landing_page is None:
            return Outcome.failed("not provided: the submission has no 'training.landing_page'")
        read = await read_page(ctx, training.landing_page)
        if read.page is None or read.state == "fault":
            return Outcome.error(f"the training page {read.reason}; cannot judge it")
        if read.state == "gone":
            return Outcome.failed(f"the training page {read.url} {read.reason}")
        page = read.page
        if read.state == "unreadable":
            return Outcome.needs_review(f"the training page {page.final_url} {read.reason}")
        text = page.visible_text
        subject = _found(ctx, page, text, p.offering_terms, "subject")
        kinds = _found(ctx, page, text, p.training_terms, "training")
        if not subject or len(kinds) < p.min_training_terms:
            hidden = _only_hidden(ctx, page, subject + kinds)
            if hidden:
                return Outcome.needs_review(
                    f"the training page shows {hidden} only in content hidden from visitors "
                    "(set aside); a person must judge"
                )
        if not subject or not kinds:
            ctx.evidence(
                "search",
                "the page does not describe a training offering on the subject",
                page=page,
                offering_terms=p.offering_terms,
                training_terms=p.training_terms,
            )
            missing = "names no training subject" if not subject else "describes no training"
            return Outcome.failed(
                f"the training page {missing} (searched {', '.join(p.offering_terms)} and "
                f"{', '.join(p.training_terms)})"
            )
        shown = f"{', '.join(subject)} training: {', '.join(kinds)}"
        if len(kinds) < p.min_training_terms:
            return Outcome.needs_review(
                f"the training page shows only {len(kinds)} training phrase(s) ({shown}); "
                f"{p.min_training_terms} expected; a person must judge"
            )
        website = ctx.submission.applicant.website
        if not owned_by(page.final_url, website):
            on, own = where(page.final_url, str(website))
            return Outcome.needs_review(
                f"the training page is on {on}, not on the applicant's domain {own} ({shown})"
            )
        return Outcome.passed(f"{page.final_url} describes {shown}")


def _found(
    ctx: CheckContext[LandingPageParams], page: Page, text: str, terms: list[str], what: str
) -> list[str]:
    """The ``terms`` that occur in ``text`` as whole words, each recorded as evidence."""
    hits = []
    for term in terms:
        if says(text, term):
            hits.append(term)
            ctx.evidence(
                "text",
                f"{what}: the page says {term!r}",
                page=page,
                excerpt=excerpt(text, term, 60),
            )
    return hits


def _only_hidden(ctx: CheckContext[LandingPageParams], page: Page, seen: list[str]) -> str:
    """When the page's hidden content would have passed it, quote that content as
    evidence and return the phrases only it shows; else ``""``."""
    p = ctx.params
    text = f"{page.visible_text} {hidden_text(page)}"
    subject = [t for t in p.offering_terms if says(text, t)]
    kinds = [t for t in p.training_terms if says(text, t)]
    if not subject or len(kinds) < p.min_training_terms:
        return ""
    extra = [t for t in subject + kinds if t not in seen]
    passages = [h for h in page.hidden_passages if any(says(h.text, t) for t in extra)]
    record_hidden(ctx, page, passages, f"a training offering ({', '.join(extra)})")
    return ", ".join(extra)
