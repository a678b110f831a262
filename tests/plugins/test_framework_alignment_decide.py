"""framework-alignment's pure decision, table-tested: facts in, status and summary out."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.framework_alignment import (
    AlignmentFacts,
    Coverage,
    FrameworkAlignmentParams,
    Reach,
    decide,
    reach,
)
from verifier import Status

TAX = "FinOps Framework"
ALLOC = {"Allocation": "Allocation"}
TWO_CAPS = {"Allocation": "Allocation", "Forecasting": "Forecasting"}
VIA = {"Understand Usage & Cost": "Understand Usage & Cost"}
NEED = "1 domain(s) and 2 capability(ies) required"


def _facts(**kinds: Any) -> AlignmentFacts:
    """Facts with the coverage of each kind of evidence given; the rest is empty."""
    extra = {k: kinds.pop(k) for k in ("faults", "unread", "aside", "elsewhere") if k in kinds}
    return AlignmentFacts(TAX, {k: Coverage(*v) for k, v in kinds.items()}, **extra)


def _params(**given: Any) -> FrameworkAlignmentParams:
    return FrameworkAlignmentParams(**{"min_domains": 1, "min_capabilities": 2, **given})


NONE_LINKED = f"links to 0 {TAX} domain(s) (none) and 0 capability(ies) (none)"
CAPS_LINKED = (
    f"links to 1 {TAX} domain(s) (Understand Usage & Cost) and 2 capability(ies) "
    "(Allocation, Forecasting)"
)


@pytest.mark.parametrize(
    ("facts", "params", "status", "summary"),
    [
        pytest.param(
            _facts(linked=({}, TWO_CAPS, VIA)),
            _params(),
            Status.PASS,
            f"{CAPS_LINKED}; {NEED}",
            id="two linked capabilities cover their domain too and pass",
        ),
        pytest.param(
            _facts(
                linked=({}, TWO_CAPS, VIA),
                faults=("http://acme.example/a answered 503",),
                unread=("http://acme.example/b is built by JavaScript",),
            ),
            _params(),
            Status.PASS,
            f"{CAPS_LINKED}; {NEED}; not read: http://acme.example/a answered 503, "
            "http://acme.example/b is built by JavaScript",
            id="a pass on the pages read still names those that were not read",
        ),
        pytest.param(
            _facts(linked=({}, TWO_CAPS, VIA)),
            _params(domains_via_capabilities=False),
            Status.FAIL,
            f"only links to 0 {TAX} domain(s) (none) and 2 capability(ies) (Allocation, "
            f"Forecasting); {NEED}",
            id="without domains through capabilities the same links fail",
        ),
        pytest.param(
            _facts(linked=({}, ALLOC, VIA), faults=("http://a.example/x answered 503",)),
            _params(),
            Status.ERROR,
            f"links to 1 {TAX} domain(s) (Understand Usage & Cost) and 1 capability(ies) "
            f"(Allocation), but http://a.example/x answered 503; {NEED}",
            id="too few links and a page that could not be read is an error",
        ),
        pytest.param(
            _facts(linked=({}, TWO_CAPS, VIA), faults=("http://a.example/x answered 503",)),
            _params(),
            Status.PASS,
            f"{CAPS_LINKED}; {NEED}; not read: http://a.example/x answered 503",
            id="enough links pass whatever page failed, and the summary names it",
        ),
        pytest.param(
            AlignmentFacts(
                TAX,
                {
                    "linked": Coverage({}, ALLOC, VIA),
                    "elsewhere": Coverage({}, {"Forecasting": "Forecasting"}, VIA),
                },
                elsewhere=("http://a/", "http://b/", "http://c/"),
            ),
            _params(),
            Status.NEEDS_REVIEW,
            f"links to 1 {TAX} domain(s) (Understand Usage & Cost) and 1 capability(ies) "
            "(Allocation); only with links on pages not on the applicant's site (http://a/, "
            "http://b/ and 1 more) do they reach 1 domain(s) and 2 capability(ies); " + NEED,
            id="enough only with pages elsewhere needs review and names two of those pages",
        ),
        pytest.param(
            _facts(linked=({}, ALLOC, VIA), hidden=({}, {"Budgeting": "Budgeting"}, {})),
            _params(),
            Status.NEEDS_REVIEW,
            f"links to 1 {TAX} domain(s) (Understand Usage & Cost) and 1 capability(ies) "
            "(Allocation); only with links hidden from visitors (Budgeting) do they reach 1 "
            f"domain(s) and 2 capability(ies); {NEED}",
            id="enough only with hidden links needs review and names what they add",
        ),
        pytest.param(
            _facts(linked=({}, ALLOC, VIA), named=({}, {"Forecasting": "Forecasting"}, VIA)),
            _params(),
            Status.NEEDS_REVIEW,
            f"links to 1 {TAX} domain(s) (Understand Usage & Cost) and 1 capability(ies) "
            "(Allocation); only with titles named without a link (weaker evidence: "
            f"Forecasting) do they reach 1 domain(s) and 2 capability(ies); {NEED}",
            id="enough only with titles named in text needs review",
        ),
        pytest.param(
            _facts(named=({"Quantify Business Value": "Quantify Business Value"}, {}, {})),
            _params(min_capabilities=0),
            Status.NEEDS_REVIEW,
            f"{NONE_LINKED}; only with titles named without a link (weaker evidence: "
            "Quantify Business Value) do they reach 1 domain(s) and 0 capability(ies); "
            "1 domain(s) and 0 capability(ies) required",
            id="a domain named without a link is weaker evidence for a person",
        ),
        pytest.param(
            _facts(linked=({}, ALLOC, VIA), unread=("http://a/app answered JavaScript",)),
            _params(),
            Status.NEEDS_REVIEW,
            f"links to 1 {TAX} domain(s) (Understand Usage & Cost) and 1 capability(ies) "
            f"(Allocation); http://a/app answered JavaScript; {NEED}",
            id="too few links and a page a person must read needs review",
        ),
        pytest.param(
            _facts(aside=("http://finops.org/x is on the Foundation's own site finops.org",)),
            _params(),
            Status.FAIL,
            f"only {NONE_LINKED} (set aside, never the applicant's documentation: "
            f"http://finops.org/x is on the Foundation's own site finops.org); {NEED}",
            id="a page set aside as the Foundation's is named in the fail summary",
        ),
        pytest.param(
            _facts(),
            _params(),
            Status.FAIL,
            f"only {NONE_LINKED}; {NEED}",
            id="no links at all fail",
        ),
    ],
)
def test_decide(
    facts: AlignmentFacts, params: FrameworkAlignmentParams, status: Status, summary: str
) -> None:
    outcome = decide(facts, params)
    assert (outcome.status, outcome.summary) == (status, summary)


def test_reach_names_the_weakest_evidence_needed_and_what_it_adds() -> None:
    facts = _facts(
        linked=({}, ALLOC, VIA),
        elsewhere=({}, {}, {}),
        hidden=({}, {"Budgeting": "Budgeting"}, {}),
        named=({}, {"Forecasting": "Forecasting"}, {}),
    )
    assert reach(facts, _params()) == Reach("hidden", ("Budgeting",), 1, 2)
    assert reach(facts, _params(min_capabilities=4)) is None
