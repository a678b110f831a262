"""Exit codes of ``finops-verify`` (CONTRACT.md): what a script or scheduler reads."""

from __future__ import annotations

import enum

from verifier.models import Status


class ExitCode(enum.IntEnum):
    """The process exit code."""

    PASS = 0
    """Every applicable requirement passed."""
    FAIL = 1
    """At least one requirement failed (or, for ``bundle check``, a file changed)."""
    USAGE = 2
    """Bad input or usage: a file or an argument is wrong; nothing was verified."""
    REVIEW_OR_ERROR = 3
    """Nothing failed, but something needs review or could not be checked."""
    INTERNAL_ERROR = 4
    """The tool hit a bug (its traceback is shown): nothing was judged, whatever the
    applicant; never mistaken for a fail or a needs-review."""

    @classmethod
    def for_outcome(cls, outcome: str) -> ExitCode:
        """The exit code of a report's overall outcome."""
        if outcome == Status.PASS:
            return cls.PASS
        if outcome == Status.FAIL:
            return cls.FAIL
        return cls.REVIEW_OR_ERROR
