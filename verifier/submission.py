"""The submission file (CONTRACT.md, "Submission file"), validated at the edge.

Unknown fields are errors: a typo must not silently drop evidence. Fields a tier needs but
the submission lacks are *not* errors here: the requirement that needs them fails with
"not provided", so a partial application still gets a full report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from verifier import yamlfile
from verifier.errors import SubmissionError
from verifier.urls import HttpUrl


# Counts and flags are strict: YAML reads `employees: true` as a boolean and pydantic would
# take it for 1, so a slip would silently change the required practitioner band.
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Applicant(_Model):
    """The company applying."""

    name: str = Field(min_length=1)
    """Legal or trading name."""
    aliases: tuple[str, ...] = ()
    """Other names it is listed under."""
    website: HttpUrl
    """Its main website; its registrable domain is the applicant's domain."""
    employees: StrictInt | None = Field(default=None, ge=0)
    """Parent-organisation headcount."""


class Offering(_Model):
    """The product or service offering."""

    name: str = Field(min_length=1)
    """Product or service name."""
    landing_page: HttpUrl
    """Its public landing page."""
    open_source_repository: HttpUrl | None = None
    """Public repository, for an open-source offering."""


class CaseStudy(_Model):
    """One public case study or reference."""

    url: HttpUrl
    """The page."""
    customer: str = Field(min_length=1)
    """The customer it is about."""
    customer_aliases: tuple[str, ...] = ()
    """Other names the page may use for the customer (a brand, a former name)."""
    customer_employees: StrictInt | None = Field(default=None, ge=0)
    """The customer's headcount, as the applicant claims it."""


class Person(_Model):
    """A person holding a certificate."""

    name: str = Field(min_length=1)
    """Name as on the certificate."""
    certificate_id: str = Field(min_length=1)
    """Certificate id in the credential registry."""


class CommunityClaim(_Model):
    """Participation claimed in a SIG or Working Group."""

    group: str = Field(min_length=1)
    """The group's name."""
    url: HttpUrl | None = None
    """A page that lists its contributors."""


class TrainingReference(_Model):
    """A reference from a student or organisation that used the training."""

    name: str = Field(min_length=1)
    """Who gives the reference."""
    organization: str | None = None
    """Their organisation."""
    url: HttpUrl | None = None
    """Where the reference can be read."""


class Training(_Model):
    """Training-partner details."""

    landing_page: HttpUrl | None = None
    """Public page of the training offering."""
    instructor_led: StrictBool = True
    """False: the instructors requirement does not apply."""
    references: tuple[TrainingReference, ...] = ()
    """References from students and organisations."""
    instructors: tuple[Person, ...] = ()
    """Instructors of instructor-led courses."""


class Submission(_Model):
    """One application for one tier."""

    program: str | None = None
    """Program version of the requirements; ``None``: the run's default."""
    tier: str = Field(min_length=1)
    """The tier applied for; must match a policy."""
    applicant: Applicant
    """Who applies."""
    offering: Offering | None = None
    """The offering (platform, solution, service provider)."""
    alignment_pages: tuple[HttpUrl, ...] = ()
    """Pages highlighting alignment with the Framework."""
    specialization: str | None = None
    """The area a solution specialises in."""
    case_studies: tuple[CaseStudy, ...] = ()
    """Case studies or public references."""
    practitioners: tuple[Person, ...] = ()
    """People holding the practitioner certification."""
    community: tuple[CommunityClaim, ...] = ()
    """SIG / Working Group participation."""
    training: Training | None = None
    """Training-partner details."""
    attestations: dict[str, str] = Field(default_factory=dict)
    """Statements for a person to judge, by requirement id."""

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
    try:
        return Submission.model_validate(data)
    except pydantic.ValidationError as exc:
        probs = yamlfile.problems(exc, name, lines, Submission)
        noun = "problem" if len(probs) == 1 else "problems"
        raise SubmissionError(f"{name} has {len(probs)} {noun}", probs) from exc


def read_submission(path: Path) -> tuple[Submission, yamlfile.LineMap]:
    """Read and validate a submission file, keeping the line of every value (for messages
    about values that are valid alone but wrong with the chosen policy)."""
    data, lines = yamlfile.load(path, SubmissionError, "submission file")
    return parse_submission(data, str(path), lines), lines


def load_submission(path: Path) -> Submission:
    """Read and validate a submission file; raises :class:`SubmissionError`."""
    return read_submission(path)[0]
