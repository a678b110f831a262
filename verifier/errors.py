"""Every exception finops-verifier raises on purpose.

The tree::

    VerifierError                   base of all of them
    ├── InputError                  a person's file or argument is wrong (exit code 2)
    │   ├── SubmissionError         submission.yaml
    │   ├── PolicyError             a policy file (may carry several problems)
    │   ├── SourcesError            sources.yaml or --sources
    │   ├── RosterError             the renewal roster, or a --partner naming no partner
    │   └── BundleError             a report bundle that cannot be read or was altered
    ├── SourceMissing               a check asked for a source the run does not define
    └── FetchError                  the fetch layer could not get a usable answer
        ├── FetchRefused            the URL or the address it resolves to is not allowed
        ├── FetchTimeout            connect, read or total deadline reached
        ├── FetchTooLarge           the body passed the size cap
        ├── TooManyRedirects        the redirect cap was reached, or a loop was found
        ├── RobotsDisallowed        robots.txt forbids the URL
        └── FetchFailed             transport failure or retryable status, retries exhausted

Third-party exceptions (httpx, pydantic, yaml) are translated at the module that meets them,
with ``raise ... from exc``, so that the rest of the code sees only these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class VerifierError(Exception):
    """Base class of every error raised on purpose by finops-verifier."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file a person wrote."""

    file: str
    """The file, as the person named it."""
    line: int | None
    """1-based line of the offending value, when known."""
    field: str
    """Dotted path of the field (``applicant.website``, ``requirements[2].params.table``)."""
    message: str
    """What is wrong and, where it helps, what to do."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class InputError(VerifierError):
    """A file or an argument given by a person is wrong; the CLI exits with code 2."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class SubmissionError(InputError):
    """The submission file is not valid."""


class PolicyError(InputError):
    """A policy file is not valid."""


class SourcesError(InputError):
    """The sources file is not valid."""


class RosterError(InputError):
    """The renewal roster is not valid, or ``--partner`` names no partner of it."""


class BundleError(InputError):
    """A report bundle is missing, unreadable or fails its integrity check."""


class SourceMissing(VerifierError):
    """A check asked ``ctx.source(name)`` for a source that the run does not define."""


class FetchError(VerifierError):
    """The fetch layer could not obtain a usable response for ``url``.

    ``reason`` is the sentence a person reads in the report ("refused: 10.0.0.5 is a
    private address"); ``attempts`` is how many requests were made; ``history`` lists
    each of them (``{"attempt", "url", "status"}`` or ``{"attempt", "url", "error"}``)
    and ``hops`` the redirects followed before the fault, for the evidence.
    """

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        attempts: int = 0,
        history: Sequence[Mapping[str, Any]] = (),
        hops: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.attempts = attempts
        self.history: list[Mapping[str, Any]] = list(history)
        self.hops: list[Mapping[str, Any]] = list(hops)

    def evidence_data(self) -> dict[str, Any]:
        """What the evidence records about this fault."""
        return {
            "error": self.reason,
            "error_type": type(self).__name__,
            "attempts": self.attempts,
            "history": [dict(h) for h in self.history],
            "hops": [dict(h) for h in self.hops],
        }


class FetchRefused(FetchError):
    """The URL, or an address it resolved to, is not allowed (scheme, port, SSRF guard)."""


class FetchTimeout(FetchError):
    """A connect, read or total deadline was reached."""


class FetchTooLarge(FetchError):
    """The body (after decoding) passed the size cap."""


class TooManyRedirects(FetchError):
    """The redirect cap was reached or the redirects form a loop."""


class RobotsDisallowed(FetchError):
    """robots.txt of the host forbids fetching the URL."""


class FetchFailed(FetchError):
    """Transport errors or retryable statuses (429, 5xx) until the retries ran out."""
