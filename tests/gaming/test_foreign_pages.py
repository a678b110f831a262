"""Issue 8, class 3: pages that are not the applicant's.

Alignment pages and case studies are the applicant's own documentation: on the registrable
domain of ``applicant.website`` (or ``offering.landing_page``). A page elsewhere needs a
person at best; a page on the Foundation's own sites never counts. In these tests the
Foundation's site is ``c1-foundation.example``, made so the way finops.org is in a real
run: it is the site of the ``finops-members`` directory source.
"""

from __future__ import annotations

from typing import Any

from plugins.case_studies import CaseStudiesCheck
from plugins.framework_alignment import FrameworkAlignmentCheck
from tests.gaming.c1_support import judge, kinds, policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check

ALIGNLYTICS = {"name": "Alignlytics", "website": "http://c1-align.example/"}
FOUNDATION_PAGE = "http://c1-foundation.example/framework/"


def alignment(settings: FetchSettings, tier: str, page: str, **fields: Any) -> RequirementResult:
    """The bundled 2022 ``tier`` policy's framework-alignment requirement on ``page``."""
    fields.setdefault("applicant", ALIGNLYTICS)
    params = policy_params("2022", tier, "framework-alignment")
    return judge(FrameworkAlignmentCheck(), settings, params, alignment_pages=[page], **fields)


def test_the_foundations_framework_page_is_set_aside(gaming_settings: FetchSettings) -> None:
    result = alignment(gaming_settings, "platform", FOUNDATION_PAGE)
    assert result.status == Status.FAIL, result.summary
    assert result.summary.startswith(
        "only links to 0 FinOps Framework domain(s) (none) and 0 capability(ies) (none) "
        "(set aside, never the applicant's documentation: http://c1-foundation.example/"
        "framework/ is on the Foundation's own site c1-foundation.example, not the "
        "applicant's)"
    )
    assert not kinds(result, "framework-link")  # its 4 domains and 8 capabilities: none count
    (aside,) = [e for e in kinds(result, "page") if e.detail.startswith("set aside")]
    assert aside.sha256


def test_an_own_address_redirecting_to_the_foundations_page_is_set_aside(
    gaming_settings: FetchSettings,
) -> None:
    result = alignment(gaming_settings, "platform", "http://c1-align.example/docs/framework-map")
    assert result.status == Status.FAIL, result.summary
    assert f"{FOUNDATION_PAGE} is on the Foundation's own site" in result.summary


def test_the_foundations_site_is_refused_through_the_policys_domains_too(
    gaming_settings: FetchSettings,
) -> None:
    # Without the directory source, the policy's foundation_domains still name the site.
    params = {**policy_params("2022", "platform", "framework-alignment")}
    params["foundation_domains"] = [*params["foundation_domains"], "c1-foundation.example"]
    result = run_check(
        FrameworkAlignmentCheck(),
        make_submission(applicant=ALIGNLYTICS, alignment_pages=[FOUNDATION_PAGE]),
        params,
        settings=gaming_settings,
    )
    assert result.status == Status.FAIL, result.summary
    assert "the Foundation's own site c1-foundation.example" in result.summary


def test_control_the_applicants_own_framework_page_passes(gaming_settings: FetchSettings) -> None:
    result = alignment(gaming_settings, "platform", "http://c1-align.example/docs/framework/")
    assert result.status == Status.PASS, result.summary
    assert result.summary.startswith("links to 3 FinOps Framework domain(s)")
    assert "6 capability(ies)" in result.summary


def test_an_alignment_page_on_another_site_of_a_shared_host_needs_review(
    gaming_settings: FetchSettings,
) -> None:
    result = alignment(
        gaming_settings,
        "solution",
        "http://c1-other.github.io/finops/",
        applicant={"name": "Pageslens", "website": "http://c1-applicant.github.io/"},
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        "links to 0 FinOps Framework domain(s) (none) and 0 capability(ies) (none); only with "
        "links on pages not on the applicant's site (http://c1-other.github.io/finops/) do "
        "they reach 1 domain(s) and 2 capability(ies); 1 domain(s) and 1 capability(ies) "
        "required"
    )
    (where,) = kinds(result, "page")
    assert "is on c1-other.github.io, not on the applicant's site (c1-applicant.github.io)" in (
        where.detail
    )


CASEWISE = {"name": "Casewise Cloud Ltd", "website": "http://c1-cases.example/"}
GLOBEX = {"url": "http://c1-cases.example/customers/globex/", "customer": "Globex Corporation"}


def case_studies(settings: FetchSettings, url: str) -> RequirementResult:
    """The solution policy's case-studies requirement: Globex on the applicant's site, and
    Hooli on ``url``."""
    return judge(
        CaseStudiesCheck(),
        settings,
        policy_params("2022", "solution", "case-studies"),
        applicant=CASEWISE,
        case_studies=[GLOBEX, {"url": url, "customer": "Hooli"}],
    )


def test_a_case_study_on_somebody_elses_site_needs_review(gaming_settings: FetchSettings) -> None:
    result = case_studies(gaming_settings, "http://c1-elsewhere.example/blog/casewise-at-hooli/")
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        "1 distinct customer(s) confirmed (Globex Corporation); the pages about Hooli are not "
        "on the applicant's site; 2 required"
    )
    hooli = kinds(result, "case-study")[1]
    assert hooli.data["verdict"] == "elsewhere"
    assert "is on c1-elsewhere.example, not on the applicant's site (c1-cases.example)" in (
        hooli.detail
    )


def test_a_page_elsewhere_that_never_names_the_applicant_does_not_count(
    gaming_settings: FetchSettings,
) -> None:
    result = case_studies(gaming_settings, "http://c1-elsewhere.example/news/hooli-saves/")
    assert result.status == Status.FAIL, result.summary
    hooli = kinds(result, "case-study")[1]
    assert hooli.data["verdict"] == "off-site"
    assert "does not name the applicant" in hooli.detail


def test_a_case_study_on_the_foundations_site_never_counts(gaming_settings: FetchSettings) -> None:
    result = case_studies(gaming_settings, "http://c1-foundation.example/members/")
    assert result.status == Status.FAIL, result.summary
    hooli = kinds(result, "case-study")[1]
    assert hooli.data["verdict"] == "foundation"
    assert "on the Foundation's own site c1-foundation.example" in hooli.detail
