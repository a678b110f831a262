"""landing-page over the fixture sites: a training page on the applicant's own site."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.landing_page import LandingPageCheck
from verifier.fetch import FetchSettings
from verifier.testing import make_submission, run_check

LEARN = "http://learnfinops.example"
DOWN = "down.example"  # refuses connections (tests/plugins/conftest.py)
APPLICANT = {"name": "LearnFinOps Academy Ltd.", "website": f"{LEARN}/", "employees": 40}
POLICY = {
    "offering_terms": ["FinOps", "cloud financial management", "CFM"],
    "training_terms": [
        "course",
        "courses",
        "exam prep",
        "certification",
        "instructor-led",
        "self-paced",
        "on-demand",
        "workshop",
    ],
    "min_training_terms": 2,
}


def _run(settings: FetchSettings, training: dict[str, Any] | None) -> Any:
    sub = make_submission(tier="training-partner", applicant=APPLICANT, training=training)
    return run_check(LandingPageCheck(), sub, POLICY, settings=settings)


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        pytest.param(
            f"{LEARN}/training/",
            "pass",
            ["FinOps", "instructor-led", "self-paced", "exam prep"],
            id="a training page on the applicant's site describing finops courses passes",
        ),
        pytest.param(
            f"{LEARN}/blog/what-is-finops/",
            "fail",
            ["describes no training"],
            id="a page about finops that offers no course fails",
        ),
        pytest.param(
            "http://acme.example/lens",
            "fail",
            ["describes no training"],
            id="a product page is not a training page",
        ),
        pytest.param(
            f"{LEARN}/training/old-courses/",
            "fail",
            ["answered 404"],
            id="a training page answering 404 fails",
        ),
        pytest.param(
            "http://www.coursehub.example/providers/learnfinops/",
            "needs_review",
            ["not on the applicant's domain learnfinops.example"],
            id="courses listed on another company's site need review",
        ),
        pytest.param(
            f"http://{DOWN}/training/",
            "error",
            ["could not be fetched"],
            id="a training page on a host that is down is an error",
        ),
        pytest.param(
            None,
            "fail",
            ["not provided"],
            id="a submission without a training page fails as not provided",
        ),
    ],
)
def test_landing_page(
    settings: FetchSettings, url: str | None, status: str, says: list[str]
) -> None:
    result = _run(settings, {"landing_page": url} if url else None)
    assert result.status == status, result.summary
    for text in says:
        assert text in result.summary


def test_a_page_with_a_single_training_phrase_needs_review(settings: FetchSettings) -> None:
    sub = make_submission(
        tier="training-partner",
        applicant=APPLICANT,
        training={"landing_page": f"{LEARN}/blog/what-is-finops/"},
    )
    params = {**POLICY, "training_terms": ["training", "course"]}
    result = run_check(LandingPageCheck(), sub, params, settings=settings)
    assert result.status == "needs_review", result.summary
    assert "only 1 training phrase(s)" in result.summary


def test_each_phrase_found_is_shown_in_context(settings: FetchSettings) -> None:
    result = _run(settings, {"landing_page": f"{LEARN}/training/"})
    said = {e.detail: e for e in result.evidence if e.kind == "text"}
    led = said["training: the page says 'instructor-led'"]
    assert "exam prep (instructor-led)" in (led.excerpt or "")
    assert led.sha256
