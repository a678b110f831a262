"""Helpers of the gaming tests of offering, framework-alignment and case-studies: the
bundled policies' own params (so a test judges with what staff run), and one check run
against the gaming sites."""

from __future__ import annotations

from typing import Any

from plugins.offering import OfferingCheck
from tests.plugins.registry_helpers import policy_params as _params
from verifier import Check, Evidence, Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check

FOUNDATION = {"finops-members": "http://c1-foundation.example/members/"}
"""The gaming Foundation: its member directory, like finops.org's, makes its site the
Foundation's own."""
HOST_SOURCES = {
    "finops-members": "http://atk-foundation.example/members/",
    "lf-members": "http://atk-foundation.example/members/",
}
"""The attack rounds' Foundation directories, for the attacks served on real host names
(``fixtures/gaming-hosts``)."""


def policy_params(program: str, tier: str, requirement: str) -> dict[str, Any]:
    """The params the bundled policy ``<program>/<tier>.yaml`` gives ``requirement``."""
    return _params(f"{program}/{tier}.yaml", requirement)


def judge(
    check: Check[Any], settings: FetchSettings, params: dict[str, Any], **fields: Any
) -> RequirementResult:
    """Run ``check`` on a submission of ``fields``, with the gaming Foundation's sources."""
    return run_check(
        check, make_submission(**fields), params, settings=settings, sources=FOUNDATION
    )


def protoco_offering(settings: FetchSettings, site: str, variant: str) -> RequirementResult:
    """The 2022 platform offering requirement on Protoco's "Proto Lens" page ``variant`` of
    ``site`` (the attack rounds' own-site applicant)."""
    fields = {
        "applicant": {"name": "Protoco", "website": f"{site}/"},
        "offering": {"name": "Proto Lens", "landing_page": f"{site}/{variant}/"},
    }
    return judge(OfferingCheck(), settings, policy_params("2022", "platform", "offering"), **fields)


def assert_protoco_page_gone(result: RequirementResult) -> None:
    """The offering fails because its landing page is a "not found" page answering 200."""
    assert result.status == Status.FAIL, result.summary
    assert "answered 200 with the title 'Page not found — Protoco'" in result.summary


def kinds(result: RequirementResult, kind: str) -> list[Evidence]:
    """The evidence of one kind, in order."""
    return [e for e in result.evidence if e.kind == kind]
