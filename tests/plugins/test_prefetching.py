"""The built-in checks that read several pages in turn ask for them all at once
(``ctx.prefetch``), and record exactly what they record without it: the same evidence,
in the same order, for the same verdict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from plugins.attestation import AttestationCheck
from plugins.case_studies import CaseStudiesCheck
from plugins.community import CommunityCheck
from plugins.framework_alignment import FrameworkAlignmentCheck
from verifier import Check, CheckContext
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check

from ..helpers import without_clock

ACME = "http://acme.example"
DOWN = "http://down.example"  # refuses connections (tests/plugins/conftest.py)
WG = "http://www.finops.example/wg"

STUDIES = [
    {
        "url": f"{ACME}/customers/globex/",
        "customer": "Globex Corporation",
        "customer_employees": 20000,
    },
    {"url": f"{ACME}/customers/initech/", "customer": "Initech", "customer_employees": 6500},
    {"url": f"{ACME}/customers/globex", "customer": "Globex Corporation"},  # given again
    {"url": f"{ACME}/customers/spendwise/", "customer": "Spendwise Ltd", "customer_employees": 40},
    {"url": f"{DOWN}/customers/hooli/", "customer": "Hooli"},
    {"url": f"{ACME}/customers/umbrella/", "customer": "Umbrella Corporation"},
    {"url": f"{ACME}/customers/no-such-customer/", "customer": "Nobody"},
]
PAGES = [
    f"{ACME}/docs/finops-framework",
    f"{ACME}/docs/capabilities-overview",
    f"{ACME}/docs/link-spellings",
    f"{ACME}/docs/finops-framework",  # given again
    f"{ACME}/docs/no-such-page",
    f"{DOWN}/docs/",
]
CLAIMS = [
    {"group": "FinOps for Containers Working Group", "url": f"{WG}/containers/"},
    {"group": "FinOps for AI", "url": f"{DOWN}/wg/ai/"},
    {"group": "FOCUS Working Group", "url": f"{WG}/focus/"},
    {"group": "FinOps for SaaS"},
]
CITED = [f"{ACME}/about/", f"{DOWN}/letter", f"{ACME}/customers/initech/"]

CASES = [
    pytest.param(
        CaseStudiesCheck(),
        {"case_studies": STUDIES},
        {"min_customers": 2, "min_customer_employees": 500},
        {},
        # A URL given again (normalised) is not read again: nor is it asked ahead.
        [[s["url"] for i, s in enumerate(STUDIES) if i != 2]],
        id="case studies: each distinct page, a fault and a page that is gone among them",
    ),
    pytest.param(
        FrameworkAlignmentCheck(),
        {"alignment_pages": PAGES},
        {"min_domains": 3, "min_capabilities": 6},
        {},
        [[p for i, p in enumerate(PAGES) if i != 3]],
        id="framework alignment: each distinct page, a fault and a page that is gone among them",
    ),
    pytest.param(
        CommunityCheck(),
        {"community": CLAIMS},
        {},
        {"finops-members": "http://www.finops.example/members/"},
        [[c["url"] for c in CLAIMS if "url" in c]],
        id="community: each claim's page, a fault among them",
    ),
    pytest.param(
        AttestationCheck(),
        {"attestations": {"requirement": "We comply, see " + " and ".join(CITED)}},
        {},
        {},
        [CITED],
        id="attestation: each cited page, a fault among them",
    ),
]


def _recorded(result: RequirementResult) -> list[tuple[Any, ...]]:
    """Everything a report shows of the evidence, but the time of each fetch."""
    return [
        (e.kind, e.url, e.detail, e.excerpt, e.sha256, without_clock(e.data))
        for e in result.evidence
    ]


@pytest.mark.parametrize(("check", "fields", "params", "sources", "ahead"), CASES)
def test_pages_read_in_turn_are_asked_ahead_and_recorded_as_without(
    settings: FetchSettings,
    monkeypatch: pytest.MonkeyPatch,
    check: Check[Any],
    fields: dict[str, Any],
    params: dict[str, Any],
    sources: dict[str, str],
    ahead: list[list[str]],
) -> None:
    submission = make_submission(**fields)
    prefetch = CheckContext.prefetch

    def run(passed_on: bool) -> tuple[RequirementResult, list[list[str]]]:
        asked: list[list[str]] = []

        def spy(ctx: CheckContext[Any], urls: Iterable[str]) -> None:
            urls = list(urls)
            asked.append(urls)
            if passed_on:
                prefetch(ctx, urls)

        monkeypatch.setattr(CheckContext, "prefetch", spy)
        result = run_check(check, submission, params, settings=settings, sources=sources)
        return result, asked

    (result, asked), (plain, _) = run(True), run(False)
    assert asked == ahead
    assert (result.status, result.summary) == (plain.status, plain.summary)
    assert _recorded(result) == _recorded(plain)
    # The fault of the page asked ahead is recorded where the check read it, as without.
    faults = [e for e in result.evidence if e.kind == "fetch" and "error" in e.data]
    assert [e.url for e in faults] == [u for u in ahead[0] if u.startswith(DOWN)]
