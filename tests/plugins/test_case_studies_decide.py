"""case-studies' pure decision, table-tested: facts in, status and summary out."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.case_studies import CaseStudiesParams, CaseStudyFacts, decide
from verifier import Status

TWO = "2 required"


def _facts(**given: Any) -> CaseStudyFacts:
    """Facts with the customers found by verdict (``counted=["Globex"]``...), the rest empty."""
    lists = {
        k: tuple(given.pop(k)) for k in ("faults", "repeated", "near", "off_site") if k in given
    }
    found = {verdict: {c.casefold(): c for c in names} for verdict, names in given.items()}
    return CaseStudyFacts(found, **lists)


def _params(**given: Any) -> CaseStudiesParams:
    return CaseStudiesParams(**given)


@pytest.mark.parametrize(
    ("facts", "params", "status", "summary"),
    [
        pytest.param(
            _facts(counted=["Globex", "Initech"]),
            _params(),
            Status.PASS,
            f"2 distinct customer(s) confirmed (Globex, Initech); {TWO}",
            id="two distinct customers counted pass",
        ),
        pytest.param(
            _facts(counted=["Globex", "Initech"], faults=["http://a/x answered 503"]),
            _params(),
            Status.PASS,
            f"2 distinct customer(s) confirmed (Globex, Initech); {TWO}",
            id="enough customers pass whatever page failed",
        ),
        pytest.param(
            _facts(counted=["Globex", "Initech"]),
            _params(min_customer_employees=1000),
            Status.PASS,
            "2 distinct customer(s) confirmed (Globex, Initech); 2 required, each of 1000+ "
            "employees",
            id="a size bar is named in the summary",
        ),
        pytest.param(
            _facts(counted=["Globex"], faults=["http://a/x could not be fetched (refused)"]),
            _params(),
            Status.ERROR,
            "1 distinct customer(s) confirmed (Globex), but http://a/x could not be fetched "
            f"(refused); {TWO}",
            id="too few and a page that could not be read is an error",
        ),
        pytest.param(
            _facts(counted=["Globex"], unsized=["Initech"]),
            _params(min_customer_employees=1000),
            Status.NEEDS_REVIEW,
            "1 distinct customer(s) confirmed (Globex); the size of Initech is not declared; "
            "2 required, each of 1000+ employees",
            id="enough only with a customer of undeclared size needs review",
        ),
        pytest.param(
            _facts(alias=["Initech"], hidden=["Globex"], elsewhere=["Hooli"]),
            _params(min_customers=3),
            Status.NEEDS_REVIEW,
            "0 distinct customer(s) confirmed (none); Initech named only through an alias a "
            "person must confirm; Globex named only in text hidden from visitors; the pages "
            "about Hooli are not on the applicant's site; 3 required",
            id="doubts of every kind add up in the order a summary says them",
        ),
        pytest.param(
            _facts(counted=["Globex"], alias=["Globex"], unreadable=["Initech"]),
            _params(),
            Status.NEEDS_REVIEW,
            "1 distinct customer(s) confirmed (Globex); a person must read the pages about "
            f"Initech; {TWO}",
            id="a customer already counted is no doubt; an unreadable page is",
        ),
        pytest.param(
            _facts(
                counted=["Globex"],
                **{"near-duplicate": ["Initech"]},
                near=["http://a/2, the same page as http://a/1"],
            ),
            _params(),
            Status.NEEDS_REVIEW,
            "1 distinct customer(s) confirmed (Globex); a page nearly the same as an earlier "
            "one counts once (http://a/2, the same page as http://a/1); the pages about "
            "Initech are nearly the same as an earlier one (one page twice, or two stories "
            f"in a large shared template?); {TWO}",
            id="a near duplicate that would have counted needs a person",
        ),
        pytest.param(
            _facts(counted=["Globex"], repeated=["http://a/1"]),
            _params(),
            Status.FAIL,
            "1 distinct customer(s) confirmed (Globex); a page given again counts once "
            f"(http://a/1); {TWO}",
            id="a page given twice counts once and too few fail",
        ),
        pytest.param(
            _facts(counted=["Globex"], off_site=["http://other.example/story"]),
            _params(),
            Status.FAIL,
            "1 distinct customer(s) confirmed (Globex); not on the applicant's site, not "
            f"counted: http://other.example/story; {TWO}",
            id="pages on someone else's site are named in the fail summary",
        ),
        pytest.param(
            _facts(),
            _params(),
            Status.FAIL,
            f"0 distinct customer(s) confirmed (none); {TWO}",
            id="no customer at all fails",
        ),
    ],
)
def test_decide(
    facts: CaseStudyFacts, params: CaseStudiesParams, status: Status, summary: str
) -> None:
    outcome = decide(facts, params)
    assert (outcome.status, outcome.summary) == (status, summary)
