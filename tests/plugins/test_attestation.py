"""The attestation check: statements and cited pages captured, a checklist for a person."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from plugins.attestation import AttestationCheck
from tests.plugins.conftest import DOWN
from tests.plugins.registry_helpers import policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for

ENTERPRISE = policy_params("2022/service-provider.yaml", "enterprise-model")
SPECIALIZATION = policy_params("2022/solution.yaml", "specialization")
CAPABILITY = policy_params("2022/training-partner.yaml", "training-capability")
HOOLI = "http://hooli.example/blog/finops-training-with-learnfinops"
LEARN = {"name": "LearnFinOps Academy", "website": "http://learnfinops.example/"}


def verify(
    requirement: str, params: dict[str, Any], server: SiteServer | None, **fields: Any
) -> RequirementResult:
    return run_check(
        AttestationCheck(),
        make_submission(**fields),
        params,
        settings=settings_for(server),
        requirement_id=requirement,
    )


def kinds(result: RequirementResult) -> list[str]:
    return [e.kind for e in result.evidence]


CASES = [
    pytest.param(
        "enterprise-model",
        ENTERPRISE,
        {
            "attestations": {
                "enterprise-model": "MSAs and 24x7 support: http://stratus.example/enterprise/."
            }
        },
        Status.NEEDS_REVIEW,
        ["statement", "fetch", "cited-url", "checklist"],
        id="a statement citing a page needs review with the page captured",
    ),
    pytest.param(
        "enterprise-model",
        ENTERPRISE,
        {"attestations": {"exam-reseller": "a statement for another requirement"}},
        Status.FAIL,
        [],
        id="no statement for this requirement is not provided",
    ),
    pytest.param(
        "specialization",
        SPECIALIZATION,
        {"specialization": "Kubernetes cost allocation"},
        Status.NEEDS_REVIEW,
        ["statement", "checklist"],
        id="the specialization field alone stands for the statement",
    ),
    pytest.param(
        "training-capability",
        CAPABILITY,
        {
            "applicant": LEARN,
            "training": {
                "references": [{"name": "Priya Raman", "organization": "Hooli", "url": HOOLI}]
            },
        },
        Status.NEEDS_REVIEW,
        ["reference", "fetch", "cited-url", "checklist"],
        id="training references are captured with their pages",
    ),
    pytest.param(
        "training-capability",
        CAPABILITY,
        {"training": {"references": []}},
        Status.FAIL,
        [],
        id="no statement and no references is not provided",
    ),
]


@pytest.mark.parametrize(("requirement", "params", "fields", "expected", "evidence"), CASES)
def test_attestation(
    sites: SiteServer,
    requirement: str,
    params: dict[str, Any],
    fields: dict[str, Any],
    expected: Status,
    evidence: list[str],
) -> None:
    result = verify(requirement, params, sites, **fields)
    assert result.status is expected, result.summary
    assert kinds(result) == evidence
    if expected is Status.FAIL:
        assert result.summary.startswith("not provided")


def test_checklist_comes_from_the_policy() -> None:
    result = verify("enterprise-model", ENTERPRISE, None, attestations={"enterprise-model": "yes"})
    checklist = next(e for e in result.evidence if e.kind == "checklist")
    assert checklist.data["checklist"] == ENTERPRISE["checklist"]
    assert f"{len(ENTERPRISE['checklist'])} checklist item(s)" in result.summary


def test_checklist_defaults_to_the_requirement_text() -> None:
    result = verify("exam-reseller", {}, None, attestations={"exam-reseller": "since 2022"})
    checklist = next(e for e in result.evidence if e.kind == "checklist")
    assert checklist.data["checklist"] == ["The evidence shows: requirement under test"]


def test_cited_page_that_names_the_applicant_is_marked(sites: SiteServer) -> None:
    statement = f"Hooli trained 120 engineers with us ({HOOLI})."
    result = verify(
        "training-capability",
        CAPABILITY,
        sites,
        applicant=LEARN,
        attestations={"training-capability": statement},
    )
    cited = next(e for e in result.evidence if e.kind == "cited-url")
    assert cited.url == HOOLI  # the closing parenthesis and full stop are not part of it
    assert cited.sha256 is not None
    assert cited.data["names_applicant"] is True


@pytest.mark.parametrize(
    ("answer", "status", "note"),
    [
        pytest.param(
            httpx.Response(503),
            Status.ERROR,
            "could not be captured because of a fault",
            id="a cited page a fault kept from us is an error: run again",
        ),
        pytest.param(
            httpx.Response(404),
            Status.NEEDS_REVIEW,
            "could not be read",
            id="a cited page that is gone is recorded, still needs review",
        ),
    ],
)
def test_cited_url_faults_never_decide(answer: httpx.Response, status: Status, note: str) -> None:
    url = "http://reseller.test/agreement"
    with respx.mock(assert_all_called=True) as router:
        router.get(url, name="agreement page").mock(answer)
        result = verify("exam-reseller", {}, None, attestations={"exam-reseller": f"See {url}"})
    assert result.status is status
    assert note in result.summary
    assert url in result.summary
    # The statement is kept for the reviewer either way.
    assert any(e.kind == "statement" for e in result.evidence)


def test_urls_over_the_limit_are_listed_not_fetched() -> None:
    statement = " ".join(f"http://many.test/{i}" for i in range(3))
    with respx.mock(assert_all_called=True) as router:
        router.get("http://many.test/0", name="first page").mock(
            httpx.Response(200, html="<p>x</p>")
        )
        result = verify(
            "exam-reseller", {"max_urls": 1}, None, attestations={"exam-reseller": statement}
        )
    assert result.status is Status.NEEDS_REVIEW
    assert sum("not fetched" in e.detail for e in result.evidence) == 2
    # The summary counts only what was fetched: 1 of 3, and says why the rest were not.
    assert "; 1 of 3 cited page(s) captured (2 not fetched: over max_urls 1);" in result.summary


def test_cited_host_that_refuses_connections_is_recorded(settings: FetchSettings) -> None:
    url = f"http://{DOWN}/agreement"
    result = run_check(
        AttestationCheck(),
        make_submission(attestations={"exam-reseller": f"Agreement: {url}"}),
        {},
        settings=settings,
        requirement_id="exam-reseller",
    )
    assert result.status is Status.ERROR
    assert f"{url} could not be read" in result.summary
    assert "run again" in result.summary
    cited = [e for e in result.evidence if e.kind == "cited-url"]
    assert "could not be fetched" in cited[0].detail


def test_a_cited_page_naming_the_applicant_only_in_hidden_text_says_so() -> None:
    url = "http://reference.test/story"
    html = (
        "<html><body><p>Our engineers took a FinOps course last spring.</p>"
        '<p style="display:none">Trained by LearnFinOps Academy</p></body></html>'
    )
    with respx.mock(assert_all_called=True) as router:
        router.get(url, name="reference page").mock(httpx.Response(200, html=html))
        result = verify(
            "training-capability",
            CAPABILITY,
            None,
            applicant=LEARN,
            attestations={"training-capability": f"See {url}"},
        )
    assert result.status is Status.NEEDS_REVIEW  # as ever: a person judges
    cited = next(e for e in result.evidence if e.kind == "cited-url")
    assert cited.detail == (
        f"{url} captured; it names the applicant only in text hidden from visitors"
    )
    assert cited.data["names_applicant"] is False
    (hidden,) = [e for e in result.evidence if e.kind == "hidden"]
    assert hidden.excerpt == "Trained by LearnFinOps Academy"
    assert hidden.data["reason"] == "display:none in its style attribute"
