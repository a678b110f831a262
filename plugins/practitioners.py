"""practitioners: enough valid certificates for the applicant's company size.

The policy gives one or more *columns*, each a certification with its table of company-size
bands (program 2022: one column, FinOps Certified Practitioner; program 2025: three that do
not substitute for each other). Each submitted certificate is looked up in the credential
registry (:mod:`plugins._credentials`) and counts toward the column of its certification
only if the registry knows it, the holder's name matches, and it is not expired on the
as-of date. A certificate id counts once, and a holder counts once per certification.

- ``pass``: every column reaches its required count (even if some look-ups failed);
- ``fail``: ``applicant.employees`` not provided (it decides the band, so nothing can be
  judged without it); or the shortfall is more than the failed look-ups could make up
  (a fail is then not caused by the fault);
- ``error``: short, but failed look-ups (registry down) could still close the gap; or the
  registry is unusable (malformed CSV, template without ``{certificate_id}``, no source);
- ``needs_review``: never; a holder's name that only resembles the submitted one does not
  count (its similarity is shown in the reason);
- the evidence lists every certificate with its verdict and reason.

Params: ``columns``, a list of ``{certification, table: [{min_employees, required,
label?}]}`` (one band must start at 0); ``source`` (default ``credential-registry``).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from plugins._credentials import (
    Lookup,
    RegistryError,
    Verdict,
    judge,
    open_registry,
    record_verdict,
)
from plugins._sizes import Band, Column
from verifier import Check, CheckContext, CheckExample, Outcome, Params
from verifier.toolkit import normalize, person_key, some


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
    example = CheckExample(
        submission={
            "applicant": {"name": "Acme", "website": "http://acme.example/", "employees": 50},
            "practitioners": [{"name": "Jane Doe", "certificate_id": "LF-1"}],
        },
        params={
            "columns": [
                {
                    "certification": "FinOps Certified Practitioner",
                    "table": [{"min_employees": 0, "required": 1}],
                }
            ]
        },
        sources={"credential-registry": "http://registry.example/{certificate_id}.json"},
        pages={"http://registry.example/LF-1.json": 404},  # no such certificate
    )

    async def verify(self, ctx: CheckContext[PractitionersParams]) -> Outcome:
        """See the module docstring."""
        employees = ctx.submission.applicant.employees
        if employees is None:
            return Outcome.failed(
                "not provided: applicant.employees (the parent organisation's headcount) "
                "decides how many certificates are required"
            )
        need = {c.certification: c.band(employees) for c in ctx.params.columns}
        people = ctx.submission.practitioners
        if not people and any(band.required for band, _ in need.values()):
            empty = dict.fromkeys(need, 0)
            return Outcome.failed(f"not provided: {_summary(need, empty, 0, 0)}")
        try:
            registry = await open_registry(ctx, ctx.params.source)
        except RegistryError as exc:
            return Outcome.error(str(exc))
        lookups = await registry.lookup_all(ctx, (p.certificate_id for p in people))
        valid, faults, doubtful, unconfirmed = _count(ctx, lookups, list(need))
        summary = _summary(need, valid, len(people), faults)
        if unconfirmed:  # whatever the verdict, the summary names who did not count
            summary += f"; not confirmed: {some(unconfirmed, 3)} (the evidence says why)"
        gaps = [band.required - valid[c] for c, (band, _) in need.items()]
        if all(gap <= 0 for gap in gaps):
            return Outcome.passed(summary)
        # Certificates under a name with added words count if a person confirms them.
        left = [band.required - valid[c] - doubtful[c] for c, (band, _) in need.items()]
        if all(gap <= 0 for gap in left):
            n = sum(doubtful.values())
            return Outcome.needs_review(
                f"{summary}; {n} more certificate(s) name their holder with added words (a "
                "middle name or initial): met if a person confirms them"
            )
        if faults and sum(max(gap, 0) for gap in left) <= faults:
            return Outcome.error(
                f"{summary}; {faults} look-up(s) failed and could close the gap, so the "
                "count cannot be decided"
            )
        return Outcome.failed(summary)


def _count(
    ctx: CheckContext[PractitionersParams], lookups: dict[str, Lookup], accepted: list[str]
) -> tuple[dict[str, int], int, dict[str, int], list[str]]:
    """Judge every submitted certificate (recording each); valid ones per certification,
    how many could not be looked up, per certification those whose holder is named with
    added words (for a person to confirm), and every entry that did not count
    ("Jane Doe (LF-1)")."""
    valid = dict.fromkeys(accepted, 0)
    unconfirmed: list[str] = []
    doubtful = dict.fromkeys(accepted, 0)
    faults = 0
    # certificate id, compared as the registry compares it (case aside) -> first entry
    first_entry: dict[str, int] = {}
    counted: dict[tuple[str, str], str] = {}  # (holder, certification) -> certificate id
    weighed: dict[tuple[str, str], str] = {}  # the same, of those a person must confirm
    for i, person in enumerate(ctx.submission.practitioners, 1):
        cid = person.certificate_id.strip()
        key = cid.casefold()
        if key in first_entry:
            reason = f"duplicate of entry {first_entry[key]}: a certificate counts once"
            verdict = Verdict("invalid", reason, None)
        else:
            first_entry[key] = i
            verdict = judge(person.name, lookups[cid], accepted, ctx.as_of)
        rec, cert = verdict.credential, verdict.counts_as
        if verdict.status == "review" and rec is not None and cert is not None:
            # One holder counts once per certification, whether counted or for a person
            # to confirm: "Jane A Doe" and "Jane B Doe" on one certificate are one.
            holder = (person_key(rec.name), cert)
            earlier = counted.get(holder) or weighed.get(holder)
            if earlier is not None:
                reason = f"{rec.name} is already weighed for {cert} with {earlier}"
                verdict = Verdict("invalid", reason, rec)
            else:
                weighed[holder] = cid
                doubtful[cert] += 1
        elif verdict.status == "review" and cert is not None:
            doubtful[cert] += 1
        elif rec is not None and cert is not None:
            # One person counts once per certification, even with two certificates of it.
            holder = (person_key(rec.name), cert)
            if holder in counted:
                reason = f"{rec.name} is already counted for {cert} with {counted[holder]}"
                verdict = Verdict("invalid", reason, rec)
            else:
                counted[holder] = cid
                valid[cert] += 1
        if verdict.status != "valid" or rec is None or cert is None:
            unconfirmed.append(f"{person.name} ({cid})")
        faults += verdict.status == "fault"
        page = lookups[cid].page if first_entry[key] == i else None
        record_verdict(ctx, i, person.name, cid, verdict, page)
    return valid, faults, doubtful, unconfirmed


def _summary(
    need: dict[str, tuple[Band, str]], valid: dict[str, int], submitted: int, faults: int
) -> str:
    """ "37 valid of 40 submitted; 35 required for 500-4999 employees" (one column), or
    one clause per column."""
    failed = f" ({faults:,} could not be looked up)" if faults else ""
    if len(need) == 1:
        ((cert, (band, label)),) = need.items()
        return (
            f"{valid[cert]:,} valid of {submitted:,} submitted{failed}; "
            f"{band.required:,} required for {label} employees"
        )
    parts = [f"{c}: {valid[c]:,} valid, {b.required:,} required" for c, (b, _) in need.items()]
    labels = ", ".join(sorted({label for _, label in need.values()}))
    return f"{'; '.join(parts)} ({submitted:,} submitted{failed}; {labels} employees)"
