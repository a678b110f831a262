"""offering's pure decision, table-tested: facts in, status and summary out."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.offering import OfferingFacts, OfferingParams, decide
from verifier import Status

PAGE = "https://acme.example/lens"
NAME = "Acme Lens"


def _facts(**given: Any) -> OfferingFacts:
    """Facts of a page on the applicant's site that names the offering, changed by ``given``."""
    on_site = {"final_url": PAGE, "applicant_website": "https://www.acme.example", "named": True}
    return OfferingFacts(NAME, PAGE, **{**on_site, **given})


def _params(**given: Any) -> OfferingParams:
    return OfferingParams(**given)


TOPICS = {"topic_terms": ["FinOps"], "service_terms": ["assessment", "consulting"]}


@pytest.mark.parametrize(
    ("facts", "params", "status", "summary"),
    [
        pytest.param(
            _facts(kinds=("purchase",)),
            _params(),
            Status.PASS,
            f"{NAME} is listed at {PAGE} and is purchasable",
            id="a purchasable offering on the applicant's site passes",
        ),
        pytest.param(
            _facts(kinds=("purchase", "open-source", "purchase")),
            _params(),
            Status.PASS,
            f"{NAME} is listed at {PAGE} and is open source and purchasable",
            id="each kind of sign is said once, in a stable order",
        ),
        pytest.param(
            _facts(state="gone", reason="answered 404: the page does not exist"),
            _params(),
            Status.FAIL,
            f"the landing page {PAGE} answered 404: the page does not exist",
            id="a landing page that is gone fails",
        ),
        pytest.param(
            _facts(state="fault", reason="answered 503"),
            _params(),
            Status.ERROR,
            f"the landing page {PAGE} answered 503",
            id="a landing page that answers 503 is an error",
        ),
        pytest.param(
            _facts(
                state="unreadable", reason="is application/pdf, not HTML; a person must read it"
            ),
            _params(),
            Status.NEEDS_REVIEW,
            f"the landing page {PAGE} is application/pdf, not HTML; a person must read it",
            id="a landing page a program cannot read needs review",
        ),
        pytest.param(
            _facts(named=False, hidden_shows=("the name 'Acme Lens'",), hidden_quote="Acme Lens"),
            _params(),
            Status.NEEDS_REVIEW,
            "only content hidden from visitors shows the name 'Acme Lens' ('Acme Lens', set "
            "aside); a person must judge",
            id="only hidden content passing the page needs review and quotes it",
        ),
        pytest.param(
            _facts(named=False),
            _params(),
            Status.FAIL,
            f"the landing page does not name {NAME!r}",
            id="a page that does not name the offering fails",
        ),
        pytest.param(
            _facts(repository="https://acme.example/src", weak=("a link to the repository",)),
            _params(repository_hosts=["github.com", "gitlab.com"]),
            Status.NEEDS_REVIEW,
            f"{NAME}: the page links to the declared repository https://acme.example/src, but "
            "the declared repository is not on a code host (as host/owner/name on github.com, "
            "gitlab.com); a person must judge",
            id="a declared repository off any code host needs review",
        ),
        pytest.param(
            _facts(weak=("says 'plans'", "says 'license'", "says 'licensing'", "more")),
            _params(),
            Status.NEEDS_REVIEW,
            f"{NAME}: only weak signs that it is sold or open source (says 'plans'; says "
            "'license'; says 'licensing'); a person must judge",
            id="only weak signs need review and three are named",
        ),
        pytest.param(
            _facts(),
            _params(),
            Status.FAIL,
            f"{NAME}: the page shows no pricing, trial, marketplace listing or public repository",
            id="no sign at all fails",
        ),
        pytest.param(
            _facts(),
            _params(**TOPICS),
            Status.FAIL,
            f"{NAME}: the page shows no pricing, trial, marketplace listing or public "
            "repository nor a description of services",
            id="no sign fails and names services when the policy counts them",
        ),
        pytest.param(
            _facts(kinds=("purchase",), final_url="https://lens-shop.example/lens"),
            _params(),
            Status.NEEDS_REVIEW,
            f"{NAME} is on lens-shop.example, not on the applicant's domain acme.example",
            id="a page on another site than the applicant's needs review",
        ),
        pytest.param(
            _facts(kinds=("service",), dedicated=False),
            _params(**TOPICS),
            Status.NEEDS_REVIEW,
            f"{NAME} is listed at {PAGE} and is offered as a service, but its title and "
            "headings name none of FinOps: a person must judge whether it is a dedicated "
            "offering",
            id="a page naming no topic of the policy needs review",
        ),
    ],
)
def test_decide(facts: OfferingFacts, params: OfferingParams, status: Status, summary: str) -> None:
    outcome = decide(facts, params)
    assert (outcome.status, outcome.summary) == (status, summary)
