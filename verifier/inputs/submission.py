"""The submission file (CONTRACT.md, "Submission file"), validated at the edge.

Unknown fields are errors: a typo must not silently drop evidence. Fields a tier needs but
the submission lacks are *not* errors here: the requirement that needs them fails with
"not provided", so a partial application still gets a full report.

Every value is bounded (README, "Limits of input files"): a name, a free text, a list and
a headcount each have a largest size, so that a submission cannot make a run slow, its
bundle huge or its messages unreadable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
)

from verifier.errors import Problem, SubmissionError
from verifier.inputs import yamlfile
from verifier.names import company_name_problem, person_name_problem
from verifier.urls import HttpUrl

PLACEHOLDER = "<FILL IN: {kind}>"
"""How ``init``'s template marks a value the applicant must give. A submission still
holding one anywhere is refused, the field named, before anything else is checked."""
_PLACEHOLDER_START = PLACEHOLDER.split("{", 1)[0]

MAX_NAME_CHARS = 200
"""Longest name, label or id (company, product, person, group, certificate id, tier)."""
MAX_TEXT_CHARS = 10_000
"""Longest free text (an attestation, the specialization): a few pages."""
MAX_ITEMS = 1_000
"""Most items in a list (practitioners, case studies...) or statements in ``attestations``."""
MAX_ALIASES = 20
"""Most other names of one company (``aliases``, ``customer_aliases``)."""
MAX_HEADCOUNT = 10_000_000
"""Largest headcount (``employees``, ``customer_employees``); the largest employer has
about 2.1 million."""

Label = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
"""A name, label or id: not empty, at most :data:`MAX_NAME_CHARS`."""
FreeText = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
"""Free text, at most :data:`MAX_TEXT_CHARS`."""
Headcount = Annotated[StrictInt, Field(ge=0, le=MAX_HEADCOUNT)]
"""A number of employees."""


def _company_name(value: str) -> str:
    problem = company_name_problem(value)
    if problem:
        raise ValueError(f"{yamlfile.shown(value)} {problem}; give the name the pages use")
    return value


def _person_name(value: str) -> str:
    problem = person_name_problem(value)
    if problem:
        raise ValueError(f"{yamlfile.shown(value)} {problem}; give the name on the certificate")
    return value


# The names the checks look for in fetched text or compare with a registry's records. One
# that normalises to nothing, or to common words only, would be found anywhere: refused
# here, naming the field, rather than turned into a pass.
CompanyName = Annotated[Label, AfterValidator(_company_name)]
"""A company's or a product's name, as checks look for it in pages."""
PersonName = Annotated[Label, AfterValidator(_person_name)]
"""A person's name, as checks compare it with a certificate holder's."""


# Counts and flags are strict: YAML reads `employees: true` as a boolean and pydantic would
# take it for 1, so a slip would silently change the required practitioner band.
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Applicant(_Model):
    """The company applying."""

    name: CompanyName
    """Legal or trading name."""
    aliases: tuple[CompanyName, ...] = Field(default=(), max_length=MAX_ALIASES)
    """Other names it is listed under."""
    website: HttpUrl
    """Its main website; its registrable domain is the applicant's domain."""
    employees: Headcount | None = None
    """Parent-organisation headcount."""


class Offering(_Model):
    """The product or service offering."""

    name: CompanyName
    """Product or service name."""
    landing_page: HttpUrl
    """Its public landing page."""
    open_source_repository: HttpUrl | None = None
    """Public repository, for an open-source offering."""


class CaseStudy(_Model):
    """One public case study or reference."""

    url: HttpUrl
    """The page."""
    customer: CompanyName
    """The customer it is about."""
    customer_aliases: tuple[CompanyName, ...] = Field(default=(), max_length=MAX_ALIASES)
    """Other names the page may use for the customer (a brand, a former name)."""
    customer_employees: Headcount | None = None
    """The customer's headcount, as the applicant claims it."""


class Person(_Model):
    """A person holding a certificate."""

    name: PersonName
    """Name as on the certificate."""
    certificate_id: Label
    """Certificate id in the credential registry."""


class CommunityClaim(_Model):
    """Participation claimed in a SIG or Working Group."""

    group: Label
    """The group's name."""
    url: HttpUrl | None = None
    """A page that lists its contributors."""


class TrainingReference(_Model):
    """A reference from a student or organisation that used the training."""

    name: Label
    """Who gives the reference."""
    organization: Label | None = None
    """Their organisation."""
    url: HttpUrl | None = None
    """Where the reference can be read."""


class Training(_Model):
    """Training-partner details."""

    landing_page: HttpUrl | None = None
    """Public page of the training offering."""
    instructor_led: StrictBool = True
    """False: the instructors requirement does not apply."""
    references: tuple[TrainingReference, ...] = Field(default=(), max_length=MAX_ITEMS)
    """References from students and organisations."""
    instructors: tuple[Person, ...] = Field(default=(), max_length=MAX_ITEMS)
    """Instructors of instructor-led courses."""


class Submission(_Model):
    """One application for one tier."""

    program: Label | None = None
    """Program version of the requirements; ``None``: the run's default."""
    tier: Label
    """The tier applied for; must match a policy."""
    applicant: Applicant
    """Who applies."""
    offering: Offering | None = None
    """The offering (platform, solution, service provider)."""
    alignment_pages: tuple[HttpUrl, ...] = Field(default=(), max_length=MAX_ITEMS)
    """Pages highlighting alignment with the Framework."""
    specialization: FreeText | None = None
    """The area a solution specialises in."""
    case_studies: tuple[CaseStudy, ...] = Field(default=(), max_length=MAX_ITEMS)
    """Case studies or public references."""
    practitioners: tuple[Person, ...] = Field(default=(), max_length=MAX_ITEMS)
    """People holding the practitioner certification."""
    community: tuple[CommunityClaim, ...] = Field(default=(), max_length=MAX_ITEMS)
    """SIG / Working Group participation."""
    training: Training | None = None
    """Training-partner details."""
    attestations: dict[Label, FreeText] = Field(default_factory=dict, max_length=MAX_ITEMS)
    """Statements for a person to judge, by requirement id."""
    # Not a field: no one writes it in the file, it is what the file was.
    _source_bytes: bytes = PrivateAttr(default=b"")

    @property
    def source_bytes(self) -> bytes:
        """The bytes this submission was parsed from (empty when built in code). Read
        once: a copy or a hash of the submission must use these, never read the path
        again (``/dev/stdin`` has no second reading, and a file may change meanwhile)."""
        return self._source_bytes

    @pydantic.field_validator("program", mode="before")
    @classmethod
    def _program_as_text(cls, value: Any) -> Any:
        # `program: 2022` unquoted is an int in YAML; it means the same thing.
        return str(value) if isinstance(value, int) else value


def parse_submission(data: Any, name: str, lines: yamlfile.LineMap) -> Submission:
    """Validate already-parsed YAML ``data`` from file ``name``."""
    if not isinstance(data, dict):
        raise SubmissionError(
            f"{name} must be a YAML mapping with 'tier' and 'applicant' at the top level"
        )
    unfilled = tuple(
        Problem(
            name,
            lines.line(loc),
            yamlfile.field_name(loc),
            f"still the template's {yamlfile.shown(value)}: replace it with your value (the "
            "comment above it says what is asked), or remove the field if it is optional",
        )
        for loc, value in _strings(data, ())
        if _PLACEHOLDER_START in value
    )
    if unfilled:
        noun = "value is" if len(unfilled) == 1 else "values are"
        raise SubmissionError(f"{name}: {len(unfilled)} {noun} not filled in", unfilled)
    try:
        return Submission.model_validate(data)
    except pydantic.ValidationError as exc:
        probs = yamlfile.problems(exc, name, lines, Submission)
        noun = "problem" if len(probs) == 1 else "problems"
        raise SubmissionError(f"{name} has {len(probs)} {noun}", probs) from exc


def _strings(data: Any, loc: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """Every string value of parsed YAML ``data``, with where it is, in file order."""
    if isinstance(data, str):
        return [(loc, data)]
    if isinstance(data, dict):
        return [found for k, v in data.items() for found in _strings(v, (*loc, str(k)))]
    if isinstance(data, list):
        return [found for i, v in enumerate(data) for found in _strings(v, (*loc, i))]
    return []


def read_submission(path: Path) -> tuple[Submission, yamlfile.LineMap]:
    """Read and validate a submission file, keeping the line of every value (for messages
    about values that are valid alone but wrong with the chosen policy) and the bytes
    read (:attr:`Submission.source_bytes`)."""
    raw = yamlfile.read(path, SubmissionError, "submission file")
    data, lines = yamlfile.parse(raw, str(path), SubmissionError, "submission file")
    submission = parse_submission(data, str(path), lines)
    submission._source_bytes = raw
    return submission, lines


def load_submission(path: Path) -> Submission:
    """Read and validate a submission file; raises :class:`SubmissionError`."""
    return read_submission(path)[0]
