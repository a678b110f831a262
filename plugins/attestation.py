"""attestation: the applicant's statement, and every page it cites, captured for a person.

Some requirements ("a business model to support enterprise end users", "reseller of the
exam") cannot be verified from public pages: only judged. This check gathers what the
reviewer needs: the statement ``attestations[<requirement id>]``, the submission fields the
policy names (``specialization``, ``training.references``), and each URL they cite (URLs in
the statement, reference URLs), fetched and stored as evidence.

- ``needs_review``: a statement or a named field is provided; the summary and a
  ``checklist`` evidence item say what the reviewer must confirm (the ``checklist`` param,
  else the requirement's text). A cited URL that cannot be fetched, or answers an error, is
  recorded and named in the summary: it never makes the result ``pass`` (nothing does).
  A cited page that names the applicant only in text hidden from visitors says so, and
  the passage is quoted as ``hidden`` evidence;
- ``error``: a cited page could not be captured because of a fault (no answer, a 5xx, a
  time-out, robots.txt): the reviewer would judge on less than the applicant cited, so
  the run says so and a re-run captures it (a gone or unreadable cited page is itself
  something to show the reviewer: ``needs_review``, named);
- ``fail``: no statement and none of the named fields ("not provided");
- ``pass``: never; a statement is for a person to judge.

Params: ``checklist`` (items for the reviewer), ``fields`` (submission fields to capture
with the statement), ``max_urls`` (cited URLs fetched, default 20).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from verifier import Check, CheckContext, CheckExample, Outcome, Params
from verifier.toolkit import name_forms, read_page, record_hidden, text_mentions

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


class AttestationParams(Params):
    """Params of the ``attestation`` check."""

    checklist: list[str] = Field(default_factory=list)
    """What the reviewer must confirm; empty: the requirement's published text."""
    fields: list[Literal["specialization", "training.references"]] = Field(default_factory=list)
    """Submission fields captured with the statement (they can stand in for it)."""
    max_urls: int = Field(default=20, ge=0, le=100)
    """Cited URLs fetched at most; the rest are listed unfetched."""


class AttestationCheck(Check[AttestationParams]):
    """Captures a statement and its cited pages for a reviewer."""

    name = "attestation"
    version = "1.1"
    Params = AttestationParams
    description = "Applicant's statement and cited pages captured for a reviewer"
    example = CheckExample(
        submission={"attestations": {"requirement": "See http://acme.example/practice"}}
    )

    async def verify(self, ctx: CheckContext[AttestationParams]) -> Outcome:
        """See the module docstring."""
        req_id = ctx.requirement.id
        sub = ctx.submission
        statement = (sub.attestations.get(req_id) or "").strip()
        urls: list[str] = []
        given: list[str] = []
        if statement:
            given.append("statement")
            ctx.evidence(
                "statement", f"the applicant's statement (attestations.{req_id})", excerpt=statement
            )
            urls += [u.rstrip(".,;:!?)]}") for u in _URL.findall(statement)]
        if "specialization" in ctx.params.fields and sub.specialization:
            given.append("specialization")
            ctx.evidence(
                "statement", "the specialization the applicant names", excerpt=sub.specialization
            )
        refs = sub.training.references if sub.training else ()
        if "training.references" in ctx.params.fields and refs:
            given.append(f"{len(refs)} reference(s)")
            for ref in refs:
                who = f"{ref.name} ({ref.organization})" if ref.organization else ref.name
                ctx.evidence("reference", f"reference from {who}", url=ref.url, excerpt=who)
                urls += [ref.url] if ref.url else []
        if not given:
            wanted = ", ".join([f"attestations.{req_id}", *ctx.params.fields])
            return Outcome.failed(f"not provided: the submission has no {wanted}")
        cited_urls = list(dict.fromkeys(urls))
        unread = await _capture(ctx, cited_urls)
        checklist = ctx.params.checklist or [f"The evidence shows: {ctx.requirement.text}"]
        ctx.evidence(
            "checklist",
            "for the reviewer to confirm: " + " | ".join(checklist),
            checklist=checklist,
        )
        fetched = cited_urls[: ctx.params.max_urls]
        skipped = len(cited_urls) - len(fetched)
        cited = f"; {len(fetched) - len(unread)} of {len(cited_urls)} cited page(s) captured"
        cited = cited if cited_urls else ""
        faults = [url for url, state in unread.items() if state == "fault"]
        if unread:
            cited += f" ({', '.join(unread)} could not be read)"
        if skipped:
            cited += f" ({skipped} not fetched: over max_urls {ctx.params.max_urls})"
        if faults:
            return Outcome.error(
                f"{' and '.join(given)} provided{cited}; {len(faults)} cited page(s) could "
                f"not be captured because of a fault ({', '.join(faults)}): run again so "
                "that the reviewer judges on every page the applicant cited"
            )
        return Outcome.needs_review(
            f"{' and '.join(given)} provided{cited}; a reviewer must judge them against "
            f"{len(checklist)} checklist item(s)"
        )


async def _capture(ctx: CheckContext[AttestationParams], urls: list[str]) -> dict[str, str]:
    """Fetch each cited URL (each fetch is evidence); return those that gave no readable
    page, each with its :class:`~verifier.Read` state (``gone``, ``fault``, ``unreadable``)."""
    unread: dict[str, str] = {}
    forms = name_forms(ctx.submission.applicant.name, ctx.submission.applicant.aliases)
    for url in urls[ctx.params.max_urls :]:
        ctx.evidence("cited-url", f"cited but not fetched (over max_urls): {url}", url=url)
    ctx.prefetch(urls[: ctx.params.max_urls])  # asked now: none waits for the one before
    for url in urls[: ctx.params.max_urls]:
        read = await read_page(ctx, url)
        if read.page is None or read.state != "ok":
            unread[url] = read.state
            ctx.evidence("cited-url", f"{url} {read.reason}", page=read.page, url=url)
            continue
        named = text_mentions(read.page.visible_text, forms)
        hidden = (
            [] if named else [h for h in read.page.hidden_passages if text_mentions(h.text, forms)]
        )
        says = "names the applicant" if named else "does not name the applicant"
        says = "names the applicant only in text hidden from visitors" if hidden else says
        ctx.evidence(
            "cited-url",
            f"{url} captured; it {says}",
            page=read.page,
            names_applicant=bool(named),
        )
        if hidden:  # the reviewer must not take a name no visitor sees for a citation
            record_hidden(ctx, read.page, hidden, "the applicant's name")
    return unread
