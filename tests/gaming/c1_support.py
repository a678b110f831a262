"""Helpers of the gaming tests of offering, framework-alignment and case-studies: the
bundled policies' own params (so a test judges with what staff run), and one check run
against the gaming sites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from verifier import Check, Evidence
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.policy import load_policy
from verifier.testing import make_submission, run_check

POLICIES = Path(__file__).resolve().parents[2] / "policies"

FOUNDATION = {"finops-members": "http://c1-foundation.example/members/"}
"""The gaming Foundation: its member directory, like finops.org's, makes its site the
Foundation's own."""


def policy_params(program: str, tier: str, requirement: str) -> dict[str, Any]:
    """The params the bundled policy ``<program>/<tier>.yaml`` gives ``requirement``."""
    policy = load_policy(POLICIES / program / f"{tier}.yaml", None)
    (req,) = [r for r in policy.requirements if r.id == requirement]
    return dict(req.params)


def judge(
    check: Check[Any], settings: FetchSettings, params: dict[str, Any], **fields: Any
) -> RequirementResult:
    """Run ``check`` on a submission of ``fields``, with the gaming Foundation's sources."""
    return run_check(
        check, make_submission(**fields), params, settings=settings, sources=FOUNDATION
    )


def kinds(result: RequirementResult, kind: str) -> list[Evidence]:
    """The evidence of one kind, in order."""
    return [e for e in result.evidence if e.kind == kind]
