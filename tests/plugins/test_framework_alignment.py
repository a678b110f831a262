"""framework-alignment over the fixture sites: links in every spelling, names, faults."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.framework_alignment import FrameworkAlignmentCheck, FrameworkAlignmentParams
from verifier.fetch import FetchSettings
from verifier.testing import make_submission, run_check

ACME = "http://acme.example"
DOWN = "down.example"  # refuses connections (tests/plugins/conftest.py)
PLATFORM = {"min_domains": 3, "min_capabilities": 6}
SOLUTION = {"min_domains": 1, "min_capabilities": 2}


def _run(settings: FetchSettings, pages: list[str], params: dict[str, Any]) -> Any:
    sub = make_submission(alignment_pages=pages)
    return run_check(FrameworkAlignmentCheck(), sub, params, settings=settings)


@pytest.mark.parametrize(
    ("pages", "params", "status", "says"),
    [
        pytest.param(
            [f"{ACME}/docs/finops-framework"],
            PLATFORM,
            "pass",
            [
                "4 FinOps Framework domain(s)",
                "10 capability(ies)",
                "Allocation",
                "Usage Optimization",
            ],
            id="a mapping page linking four domains and ten capabilities passes the platform bar",
        ),
        pytest.param(
            ["http://www.finops.org/landscape/acme-lens/"],
            SOLUTION,
            "fail",
            [
                "set aside, never the applicant's documentation: http://www.finops.org/landscape/"
                "acme-lens/ is on the Foundation's own site finops.org",
                "only links to 0",
            ],
            # Issue 8: the Foundation's pages are never the applicant's documentation (it
            # passed before, its relative links counted as Framework links).
            id="a page on the Foundation's own site is set aside and does not count",
        ),
        pytest.param(
            [f"{ACME}/blog/why-finops/"],
            SOLUTION,
            "fail",
            ["only links to 0", "1 domain(s) and 2 capability(ies) required"],
            id="links to the framework home and index pages alone fail",
        ),
        pytest.param(
            [f"{ACME}/docs/no-such-page"],
            SOLUTION,
            "fail",
            ["only links to 0"],
            id="an alignment page that answers 404 is an absence and fails",
        ),
        pytest.param(
            [],
            SOLUTION,
            "fail",
            ["not provided"],
            id="a submission without alignment pages fails as not provided",
        ),
        pytest.param(
            [f"{ACME}/docs/capabilities-overview/"],
            SOLUTION,
            "needs_review",
            [
                "only with titles named without a link",
                "Allocation, Anomaly Management, Optimize Usage & Cost, Rate Optimization",
            ],
            id="capability names in text without links need review",
        ),
        pytest.param(
            [f"http://{DOWN}/docs/framework"],
            SOLUTION,
            "error",
            ["could not be fetched"],
            id="an alignment page on a host that is down is an error",
        ),
        pytest.param(
            [f"{ACME}/docs/finops-framework", f"http://{DOWN}/docs/framework"],
            PLATFORM,
            "pass",
            ["10 capability(ies)"],
            id="a fault on one page does not matter when another page already passes",
        ),
    ],
)
def test_framework_alignment(
    settings: FetchSettings, pages: list[str], params: dict[str, Any], status: str, says: list[str]
) -> None:
    result = _run(settings, pages, params)
    assert result.status == status, result.summary
    for text in says:
        assert text in result.summary


def test_each_covered_capability_names_the_page_and_link_text(settings: FetchSettings) -> None:
    result = _run(settings, [f"{ACME}/docs/finops-framework"], PLATFORM)
    links = {e.data["slug"]: e for e in result.evidence if e.kind == "framework-link"}
    legacy = links["cost-allocation"]
    assert legacy.excerpt == "Cost Allocation (Metadata & Hierarchy)"
    assert "'Allocation'" in legacy.detail
    assert "earlier version" in legacy.detail
    assert legacy.url == f"{ACME}/docs/finops-framework"
    assert legacy.sha256
    ignored = [e for e in result.evidence if e.kind == "search"]
    assert "https://www.finops.org/framework/ (home)" in ignored[0].data["links"]


@pytest.mark.parametrize(
    ("slug", "title"),
    [
        pytest.param(
            "manage-commitment-based-discounts", "Rate Optimization", id="a legacy slug counts"
        ),
        pytest.param("forecasting", "Forecasting", id="a link without trailing slash counts"),
        pytest.param("budgeting", "Budgeting", id="an http link counts"),
        pytest.param("allocation", "Allocation", id="a link with a fragment counts"),
        pytest.param(
            "unit-economics", "Unit Economics", id="a link without www and with a query counts"
        ),
        pytest.param(
            "manage-anomalies", "Anomaly Management", id="a previous-capabilities link counts"
        ),
    ],
)
def test_every_spelling_of_a_framework_link_counts(
    settings: FetchSettings, slug: str, title: str
) -> None:
    result = _run(settings, [f"{ACME}/docs/link-spellings/"], {"min_capabilities": 6})
    assert result.status == "pass", result.summary
    found = {e.data["slug"]: e.detail for e in result.evidence if e.kind == "framework-link"}
    assert f"'{title}'" in found[slug]


def test_a_missing_taxonomy_file_is_rejected_with_the_params() -> None:
    with pytest.raises(ValueError, match=r"taxonomy file .framework/nope\.yaml. not found"):
        FrameworkAlignmentParams(taxonomy="framework/nope.yaml")


def test_titles_without_links_are_shown_only_when_the_verdict_rests_on_them(
    settings: FetchSettings,
) -> None:
    weak = _run(settings, [f"{ACME}/docs/capabilities-overview/"], SOLUTION)
    mentions = [e for e in weak.evidence if e.kind == "framework-mention"]
    assert {e.excerpt for e in mentions} >= {"Allocation", "Anomaly Management"}
    assert all(e.sha256 for e in mentions)
    strong = _run(settings, [f"{ACME}/docs/finops-framework"], PLATFORM)
    assert not [e for e in strong.evidence if e.kind == "framework-mention"]


def test_a_relative_link_on_another_site_is_not_a_framework_link(settings: FetchSettings) -> None:
    result = _run(settings, [f"{ACME}/docs/link-spellings/"], {"min_capabilities": 6})
    slugs = {e.data["slug"] for e in result.evidence if e.kind == "framework-link"}
    assert "sustainability" not in slugs
    assert "Sustainability" not in result.summary
