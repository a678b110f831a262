"""instructors: every instructor of instructor-led courses holds the train-the-trainer
certification named in the policy, verified in the credential registry.

Each instructor's certificate is looked up and judged as the practitioners check does
(:mod:`plugins._credentials`): known to the registry, the holder's name matches, the
certification is the one required, not expired on the as-of date.

- ``not_applicable``: the submission says it teaches no instructor-led courses
  (``training.instructor_led: false``);
- ``pass``: every listed instructor holds a valid certificate;
- ``fail``: no ``training`` section or no instructors listed ("not provided"), or the
  registry shows an instructor's certificate does not count (even if other look-ups
  failed: that absence is real);
- ``error``: no instructor fails but some look-up failed, or the registry is unusable;
- ``needs_review``: never; each certificate's verdict and reason are in the evidence.

Params: ``certification`` (required), ``source`` (default ``credential-registry``).
"""

from __future__ import annotations

from pydantic import Field

from plugins._credentials import RegistryError, judge, open_registry, record_verdict
from verifier import Check, CheckContext, CheckExample, Outcome, Params
from verifier.toolkit import some


class InstructorsParams(Params):
    """Params of the ``instructors`` check."""

    certification: str = Field(min_length=1)
    """The train-the-trainer certification as the registry names it."""
    source: str = "credential-registry"
    """The credential registry source."""


class InstructorsCheck(Check[InstructorsParams]):
    """Verifies the instructors' train-the-trainer certificates."""

    name = "instructors"
    version = "1.0"
    Params = InstructorsParams
    description = "Every instructor holds the train-the-trainer certification"
    example = CheckExample(
        submission={"training": {"instructors": [{"name": "Jane Doe", "certificate_id": "LF-1"}]}},
        params={"certification": "FinOps Certified Instructor"},
        sources={"credential-registry": "http://registry.example/{certificate_id}.json"},
        pages={"http://registry.example/LF-1.json": 404},  # no such certificate
    )

    async def verify(self, ctx: CheckContext[InstructorsParams]) -> Outcome:
        """See the module docstring."""
        training = ctx.submission.training
        cert = ctx.params.certification
        if training is None:
            return Outcome.failed("not provided: the submission has no 'training' section")
        if not training.instructor_led:
            return Outcome.not_applicable(
                "the applicant teaches no instructor-led courses (training.instructor_led: false)"
            )
        if not training.instructors:
            return Outcome.failed(
                "not provided: instructor-led courses are taught but no instructors are listed"
            )
        try:
            registry = await open_registry(ctx, ctx.params.source)
        except RegistryError as exc:
            return Outcome.error(str(exc))
        people = training.instructors
        lookups = await registry.lookup_all(ctx, (p.certificate_id for p in people))
        invalid: list[str] = []
        faults: list[str] = []
        doubtful: list[str] = []
        for i, person in enumerate(people, 1):
            lookup = lookups[person.certificate_id.strip()]
            verdict = judge(person.name, lookup, [cert], ctx.as_of)
            record_verdict(ctx, i, person.name, lookup.certificate_id, verdict, lookup.page)
            if verdict.status == "invalid":
                invalid.append(f"{person.name} ({verdict.reason})")
            elif verdict.status == "fault":
                faults.append(person.name)
            elif verdict.status == "review":
                doubtful.append(person.name)
        total = len(people)
        if invalid:
            return Outcome.failed(
                f"{len(invalid):,} of {total:,} instructor(s) do not hold a valid {cert}: "
                + some(invalid, 3)  # each with its reason: three make a sentence
            )
        if faults:
            return Outcome.error(
                f"the registry could not be read for {len(faults):,} of {total:,} instructor(s) "
                f"({some(faults)}); the others hold a valid {cert}"
            )
        if doubtful:
            return Outcome.needs_review(
                f"{len(doubtful):,} of {total:,} instructor(s) ({some(doubtful)}) hold a valid "
                f"{cert} under a name with added words: a person must confirm who they are"
            )
        return Outcome.passed(f"all {total:,} instructor(s) hold a valid {cert}")
