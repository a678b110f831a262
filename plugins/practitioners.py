"""practitioners: enough valid certificates for the applicant's company size.

The policy gives one or more *columns*, each a certification with its table of company-size
bands (program 2022: one column, FinOps Certified Practitioner; program 2025: three that do
not substitute for each other). Each submitted certificate is looked up in the credential
registry (:mod:`plugins._credentials`) and counts toward the column of its certification
only if the registry knows it, the holder's name matches, and it is not expired on the
as-of date. A certificate id counts once, and a holder counts once per certification.

- ``pass``: every column reaches its required count (even if some look-ups failed);
- ``fail``: ``applicant.employees`` not provided (it decides the band, so nothing can be
  judged without it); or a column stays short even if every look-up that failed had
  counted;
- ``error``: a column is short but failed look-ups could still close the gap (registry
  down), or the registry is unusable (malformed CSV, no such source);
- the evidence lists every certificate with its verdict and reason.

Params: ``columns`` (list of ``{certification, table: [{min_employees, required, label?}]}``),
``source`` (default ``credential-registry``).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from plugins._credentials import RegistryError, Verdict, judge, open_registry, record_verdict
from plugins._names import normalize
from verifier import Check, CheckContext, Outcome, Params


class Band(Params):
    """One row of a company-size table."""

    min_employees: int = Field(ge=0)
    """Smallest headcount of the band (the band runs up to the next row's minimum)."""
    required: int = Field(ge=0)
    """Certificates required in the band."""
    label: str | None = None
    """How the published table names the band ("<100"); default "500-4999" or "5000+"."""


class Column(Params):
    """One certification and its table."""

    certification: str = Field(min_length=1)
    """The certification as the registry names it."""
    table: list[Band] = Field(min_length=1)
    """Bands by company size; one must start at 0 employees."""

    @model_validator(mode="after")
    def _covers_every_size(self) -> Column:
        mins = [b.min_employees for b in self.table]
        if len(set(mins)) != len(mins):
            raise ValueError("two bands start at the same min_employees")
        if 0 not in mins:
            raise ValueError("one band must start at min_employees 0")
        return self

    def band(self, employees: int) -> tuple[Band, str]:
        """The band of ``employees`` and its label."""
        rows = sorted(self.table, key=lambda b: -b.min_employees)
        for i, b in enumerate(rows):
            if employees >= b.min_employees:
                upper = f"-{rows[i - 1].min_employees - 1}" if i else "+"
                return b, b.label or f"{b.min_employees}{upper}"
        raise AssertionError("a band starts at 0")  # guaranteed by the validator


class PractitionersParams(Params):
    """Params of the ``practitioners`` check."""

    columns: list[Column] = Field(min_length=1)
    """Certifications required, each with its company-size table; none substitutes."""
    source: str = "credential-registry"
    """The credential registry source."""

    @model_validator(mode="after")
    def _distinct(self) -> PractitionersParams:
        names = [normalize(c.certification) for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError("a certification appears in two columns")
        return self


class PractitionersCheck(Check[PractitionersParams]):
    """Counts valid certificates against the company-size table."""

    name = "practitioners"
    version = "1.0"
    Params = PractitionersParams
    description = "Valid certificates in the credential registry, by company size"

    async def verify(self, ctx: CheckContext[PractitionersParams]) -> Outcome:
        """See the module docstring."""
        employees = ctx.submission.applicant.employees
        if employees is None:
            return Outcome.failed(
                "not provided: applicant.employees (the parent organisation's headcount) "
                "decides how many certificates are required"
            )
        columns = ctx.params.columns
        bands = [c.band(employees) for c in columns]
        people = ctx.submission.practitioners
        try:
            registry = await open_registry(ctx, ctx.params.source)
        except RegistryError as exc:
            return Outcome.error(str(exc))
        lookups = await registry.lookup_all(ctx, (p.certificate_id for p in people))
        accepted = [c.certification for c in columns]
        valid = {normalize(c): 0 for c in accepted}
        faults = 0
        seen_ids: dict[str, int] = {}
        seen_holders: dict[tuple[str, str], str] = {}
        for i, person in enumerate(people, 1):
            cid = person.certificate_id.strip()
            if cid in seen_ids:
                verdict = Verdict(
                    "invalid",
                    f"duplicate of entry {seen_ids[cid]}: a certificate counts once",
                    None,
                )
            else:
                seen_ids[cid] = i
                verdict = judge(person.name, lookups[cid], accepted, ctx.as_of)
            rec = verdict.credential
            if verdict.status == "valid" and rec is not None:
                holder = (
                    " ".join(sorted(normalize(rec.name).split())),
                    normalize(rec.certification),
                )
                if holder in seen_holders:
                    verdict = Verdict(
                        "invalid",
                        f"{rec.name} is already counted for {rec.certification} "
                        f"with {seen_holders[holder]}",
                        rec,
                    )
                else:
                    seen_holders[holder] = cid
                    valid[holder[1]] += 1
            faults += verdict.status == "fault"
            page = lookups[cid].page if seen_ids[cid] == i else None
            record_verdict(ctx, i, person.name, cid, verdict, page)
        short = [
            (c, b, label, valid[normalize(c.certification)])
            for c, (b, label) in zip(columns, bands, strict=True)
            if valid[normalize(c.certification)] < b.required
        ]
        summary = _summary(columns, bands, valid, len(people), faults)
        if not short:
            return Outcome.passed(summary)
        if faults and all(n + faults >= b.required for _, b, _, n in short):
            return Outcome.error(
                f"{summary}; {faults} look-up(s) failed and could close the gap, so the "
                "count cannot be decided"
            )
        return Outcome.failed(summary)


def _summary(
    columns: list[Column],
    bands: list[tuple[Band, str]],
    valid: dict[str, int],
    submitted: int,
    faults: int,
) -> str:
    """ "37 valid of 40 submitted; 35 required for 500-4999 employees" (one column), or
    one clause per column."""
    failed = f" ({faults} could not be looked up)" if faults else ""
    if len(columns) == 1:
        (band, label), cert = bands[0], columns[0].certification
        n = valid[normalize(cert)]
        return (
            f"{n} valid of {submitted} submitted{failed}; "
            f"{band.required} required for {label} employees"
        )
    parts = [
        f"{c.certification}: {valid[normalize(c.certification)]} valid, {b.required} required"
        for c, (b, _) in zip(columns, bands, strict=True)
    ]
    labels = sorted({label for _, label in bands})
    return f"{'; '.join(parts)} ({submitted} submitted{failed}; {', '.join(labels)} employees)"
