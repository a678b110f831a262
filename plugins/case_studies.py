"""case-studies: enough distinct customers are named on reachable case-study pages.

Each submitted case study's page must answer 2xx HTML naming its customer (the name or
one of its ``customer_aliases`` as submitted, ignoring case, punctuation and legal
suffixes). A page on another site than
the applicant's (a customer's blog, a press release) must also name the applicant (name
or alias) or its offering: otherwise it is not a reference to the applicant. Customers are
counted once each, however many pages are about them. With ``min_customer_employees``
set, only customers declared at least that large count; an undeclared size is unknown.

- ``pass``: ``min_customers`` distinct customers count (a fault on another page does not
  matter then);
- ``fail``: not provided, or too few count; per page, the evidence says why (gone, the
  customer not named and the name forms looked for, too small);
- ``needs_review``: enough only when customers of undeclared size, or pages a program cannot
  read (not HTML, or built by JavaScript), are counted;
- ``error``: too few count and a page could not be fetched (or answered 5xx...).

Params: ``min_customers`` ("multiple" = 2), ``min_customer_employees`` (``null``: any size).
"""

from __future__ import annotations

from pydantic import Field

from plugins._names import name_forms, normalize, text_mentions
from plugins._pages import read_page
from plugins._text import excerpt
from verifier import Check, CheckContext, Outcome, Params, same_site


class CaseStudiesParams(Params):
    """Params of the ``case-studies`` check."""

    min_customers: int = Field(default=2, ge=1)
    """Distinct customers needed."""
    min_customer_employees: int | None = Field(default=None, ge=1)
    """Headcount from which a customer counts (mid-to-large); ``None``: any size counts."""


class CaseStudiesCheck(Check[CaseStudiesParams]):
    """Reads each case-study page for its customer."""

    name = "case-studies"
    version = "1.0"
    Params = CaseStudiesParams
    description = "Case-study pages naming enough distinct (large enough) customers"

    async def verify(self, ctx: CheckContext[CaseStudiesParams]) -> Outcome:
        """See the module docstring."""
        p = ctx.params
        studies = ctx.submission.case_studies
        if not studies:
            return Outcome.failed("not provided: the submission has no 'case_studies'")
        # normalised customer -> customer as submitted, by how far its pages got
        found: dict[str, dict[str, str]] = {"counted": {}, "unsized": {}, "unreadable": {}}
        faults: list[str] = []
        for study in studies:
            names = (study.customer, *study.customer_aliases)
            verdict, why = await _judge(ctx, str(study.url), names)
            if verdict == "counted" and p.min_customer_employees is not None:
                declared = study.customer_employees
                if declared is None:
                    verdict, why = "unsized", f"{why}; its size is not declared"
                elif declared < p.min_customer_employees:
                    verdict = "too-small"
                    why = f"{why}, but {declared} employees < {p.min_customer_employees}"
                else:
                    why = f"{why}; {declared} employees declared"
            key = normalize(study.customer)
            if verdict == "counted" and key in found["counted"]:
                why = f"{why}; the same customer as an earlier page, counted once"
            if verdict in found:
                found[verdict].setdefault(key, study.customer)
            if verdict == "fault":
                faults.append(why)
            ctx.evidence(
                "case-study",
                f"{study.customer}: {'counted' if verdict == 'counted' else 'not counted'} ({why})",
                url=str(study.url),
                customer=study.customer,
                verdict=verdict,
            )
        counted, unsized, unread = found["counted"], found["unsized"], found["unreadable"]
        large = p.min_customer_employees
        need = f"{p.min_customers} required" + (f", each of {large}+ employees" if large else "")
        listed = ", ".join(counted.values()) or "none"
        have = f"{len(counted)} distinct customer(s) confirmed ({listed})"
        if len(counted) >= p.min_customers:
            return Outcome.passed(f"{have}; {need}")
        if faults:
            return Outcome.error(f"{have}, but {'; '.join(faults)}; {need}")
        if len(counted | unsized) >= p.min_customers and unsized:
            return Outcome.needs_review(
                f"{have}; the size of {', '.join(unsized.values())} is not declared; {need}"
            )
        if len(counted | unsized | unread) >= p.min_customers:
            return Outcome.needs_review(
                f"{have}; a person must read the pages about {', '.join(unread.values())}; {need}"
            )
        return Outcome.failed(f"{have}; {need}")


async def _judge(
    ctx: CheckContext[CaseStudiesParams], url: str, names: tuple[str, ...]
) -> tuple[str, str]:
    """``(verdict, why)`` for one page; verdict is ``counted`` or why it does not count."""
    read = await read_page(ctx, url)
    if read.page is None or read.state != "ok":
        return read.state, f"{url} {read.reason}"
    page, text = read.page, read.page.visible_text
    customer = names[0]
    forms = name_forms(customer, names[1:])
    found = text_mentions(text, forms)
    if found is None:
        ctx.evidence(
            "search",
            f"{page.final_url} does not name {customer!r}",
            page=page,
            looked_for=forms,
        )
        return "no-customer", f"the page does not name the customer (looked for {forms})"
    applicant = ctx.submission.applicant
    if not same_site(page.final_url, applicant.website):
        own = name_forms(applicant.name, applicant.aliases)
        if ctx.submission.offering:
            own += name_forms(ctx.submission.offering.name)
        if text_mentions(text, own) is None:
            return "off-site", (
                f"the page is on another site and does not name the applicant (looked for {own})"
            )
    ctx.evidence("text", f"the page names {customer!r}", page=page, excerpt=excerpt(text, found))
    return "counted", f"{page.final_url} names the customer"
