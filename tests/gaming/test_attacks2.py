"""A hostile applicant's second round, against the fixes of the first
(``tests/gaming/test_attacks.py``): each attempt asserts what a careful reviewer expects
(never ``pass``, with the reason).

Attempts that still get a false ``pass`` are marked ``xfail(strict=True, reason="attack2:
...")``: the suite stays green while they stand and turns red the day one is fixed, so the
mark is removed with the fix. Attempts the checks already hold are plain tests.

Sites: ``fixtures/gaming/atk2-*`` (served with the other gaming sites) and
``fixtures/gaming-hosts/`` (real host names: ``aws.amazon.com``, ``cloud.google.com``, an
S3 regional endpoint; served only by the gaming-host tests).
"""

from __future__ import annotations

from typing import Any

import pytest

from plugins.case_studies import CaseStudiesCheck
from plugins.community import CommunityCheck
from plugins.framework_alignment import FrameworkAlignmentCheck
from plugins.offering import OfferingCheck
from tests.gaming.c1_support import HOST_SOURCES, judge, kinds, policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check

OWN = "http://atk2-own.example"
PROTOCO = {"name": "Protoco", "website": f"{OWN}/"}


def offering(
    settings: FetchSettings, path: str, tier: str = "platform", **extra: Any
) -> RequirementResult:
    """The 2022 ``tier`` offering requirement on Protoco's landing page ``path``."""
    fields = {
        "applicant": PROTOCO,
        "offering": {"name": "Proto Lens", "landing_page": f"{OWN}/{path}/", **extra},
    }
    return judge(OfferingCheck(), settings, policy_params("2022", tier, "offering"), **fields)


# --- offering: signs of sale or open source that show neither ------------------------------


def test_a_link_to_a_marketplace_home_page_is_no_listing(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, "marketplace-home")
    assert result.status in (Status.FAIL, Status.NEEDS_REVIEW), result.summary
    assert "purchasable" not in result.summary
    assert result.status == Status.FAIL, result.summary
    assert "the page shows no pricing, trial, marketplace listing" in result.summary
    assert not kinds(result, "purchase")


def test_a_github_topic_page_is_not_the_offerings_repository(
    gaming_settings: FetchSettings,
) -> None:
    result = offering(gaming_settings, "topic-link")
    assert result.status in (Status.FAIL, Status.NEEDS_REVIEW), result.summary
    assert "open source" not in result.summary
    assert result.status == Status.FAIL, result.summary
    assert "the page shows no pricing, trial, marketplace listing" in result.summary
    assert not kinds(result, "open-source")


def test_a_declared_repository_on_the_applicants_own_site_is_no_open_source_sign(
    gaming_settings: FetchSettings,
) -> None:
    result = offering(
        gaming_settings, "declared-repo", open_source_repository=f"{OWN}/declared-repo/"
    )
    assert result.status in (Status.FAIL, Status.NEEDS_REVIEW), result.summary
    assert "open source" not in result.summary
    # A person judges the link to a repository on no code host; it is no open-source sign.
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "the declared repository is not on a code host" in result.summary
    assert not kinds(result, "open-source")
    (weak,) = kinds(result, "weak-sign")
    assert weak.detail.endswith(f"not on a code host: {OWN}/declared-repo/")


def test_a_marketplace_link_on_a_one_pixel_image_is_set_aside(
    gaming_settings: FetchSettings,
) -> None:
    result = offering(gaming_settings, "pixel-link")
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "hidden from visitors" in result.summary


def test_control_a_finops_practice_page_passes_the_service_provider_offering(
    gaming_settings: FetchSettings,
) -> None:
    fields = {
        "applicant": PROTOCO,
        "offering": {"name": "Kube Advisory", "landing_page": f"{OWN}/heading-visible/"},
    }
    params = policy_params("2022", "service-provider", "offering")
    result = judge(OfferingCheck(), gaming_settings, params, **fields)
    assert result.status == Status.PASS, result.summary


def test_a_topic_hidden_inside_a_visible_heading_is_set_aside(
    gaming_settings: FetchSettings,
) -> None:
    fields = {
        "applicant": PROTOCO,
        "offering": {"name": "Kube Advisory", "landing_page": f"{OWN}/heading-span/"},
    }
    params = policy_params("2022", "service-provider", "offering")
    result = judge(OfferingCheck(), gaming_settings, params, **fields)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "hidden from visitors" in result.summary


# --- case studies: one logo wall under two addresses, its text one word apart -------------

DUPCO = {"name": "Dupco", "website": "http://atk2-dup.example/"}


def case_studies(
    settings: FetchSettings,
    applicant: dict[str, str],
    *studies: tuple[str, str],
    offering: dict[str, str] | None = None,
    sources: dict[str, str] | None = None,
) -> RequirementResult:
    """The 2022 platform case-studies requirement, every customer declared large."""
    params = policy_params("2022", "platform", "case-studies")
    entries = [{"url": u, "customer": c, "customer_employees": 20000} for u, c in studies]
    fields: dict[str, Any] = {"applicant": applicant, "case_studies": entries}
    if offering:
        fields["offering"] = offering
    if sources is None:
        return judge(CaseStudiesCheck(), settings, params, **fields)
    return run_check(
        CaseStudiesCheck(), make_submission(**fields), params, settings=settings, sources=sources
    )


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param("title", id="bodies identical, titles differ"),
        pytest.param("nonce", id="bodies one visible nonce word apart"),
    ],
)
def test_one_logo_wall_a_word_apart_is_one_case_study(
    gaming_settings: FetchSettings, variant: str
) -> None:
    base = f"http://atk2-dup.example/{variant}"
    result = case_studies(
        gaming_settings,
        DUPCO,
        (f"{base}/globex/", "Globex Corporation"),
        (f"{base}/initech/", "Initech"),
    )
    assert result.status != Status.PASS, result.summary
    assert "counts once" in result.summary
    assert f"{base}/initech/, the same page as {base}/globex/" in result.summary


@pytest.mark.xfail(
    strict=True,
    reason="attack2: a one-word customer name at the start of a sentence has its capital "
    "('Target idle resources', 'Shell scripts'): common words count as the customers",
)
def test_a_common_word_opening_a_sentence_is_not_the_customer(
    gaming_settings: FetchSettings,
) -> None:
    result = case_studies(
        gaming_settings,
        {"name": "Wordco", "website": "http://atk2-words.example/"},
        ("http://atk2-words.example/blog/tips/", "Target Corporation"),
        ("http://atk2-words.example/blog/tips2/", "Shell plc"),
    )
    assert result.status == Status.FAIL, result.summary
    assert "does not name the customer" in " ".join(e.detail for e in result.evidence)


# --- case studies: whose site is a shared host the lists do not know ----------------------


@pytest.mark.parametrize(
    ("applicant", "landing", "pages"),
    [
        pytest.param(
            {"name": "Fraudco", "website": "https://sites.google.com/view/fraudco"},
            None,
            "http://cloud.google.com/customers",
            id="website on sites.google.com: Google's own customer stories",
        ),
        pytest.param(
            {"name": "Fraudco", "website": "https://fraudco.example/"},
            "https://aws.amazon.com/marketplace/pp/prodview-fraudlens",
            "http://aws.amazon.com/solutions/case-studies",
            id="landing page on AWS Marketplace: AWS's own case studies",
        ),
        pytest.param(
            {"name": "Fraudco", "website": "https://fraudco.s3.us-east-1.amazonaws.com/"},
            None,
            "http://otherco.s3.us-east-1.amazonaws.com",
            id="website on a regional S3 endpoint: another bucket's case studies",
        ),
    ],
)
def test_another_organisations_pages_on_a_shared_host_are_not_the_applicants_case_studies(
    hosts_settings: FetchSettings,
    applicant: dict[str, str],
    landing: str | None,
    pages: str,
) -> None:
    offer = {"name": "Fraud Lens", "landing_page": landing} if landing else None
    result = case_studies(
        hosts_settings,
        applicant,
        (f"{pages}/globex/", "Globex Corporation"),
        (f"{pages}/initech/", "Initech"),
        offering=offer,
        sources=HOST_SOURCES,
    )
    assert result.status != Status.PASS, result.summary
    assert "not on the applicant's site" in result.summary


# --- community: a guest post on the Foundation's site without the listed signs -------------

FINOPS = "http://atk2-finops.example"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("resources/containers-recap", id="'Author: <name>' outside a blog path"),
        pytest.param("community/guest/containers-recap", id="'By: <name>' (a colon)"),
        pytest.param("resources/containers-notes", id="'Contributed by <name>'"),
    ],
)
def test_a_guest_post_without_the_listed_signs_is_not_the_groups_page(
    gaming_settings: FetchSettings, path: str
) -> None:
    sub = make_submission(
        applicant={"name": "Marlow Metrics", "website": "https://marlow.example/"},
        community=[{"group": "FinOps for Containers Working Group", "url": f"{FINOPS}/{path}/"}],
    )
    result = run_check(
        CommunityCheck(),
        sub,
        policy_params("2022", "platform", "community"),
        settings=gaming_settings,
        sources={"finops-members": f"{FINOPS}/members/"},
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    (claim,) = kinds(result, "community-claim")
    assert "the page is an article, not the group's page" in claim.detail


# --- framework alignment: links a visitor cannot see ---------------------------------------


def test_framework_links_on_one_pixel_images_are_set_aside(gaming_settings: FetchSettings) -> None:
    result = judge(
        FrameworkAlignmentCheck(),
        gaming_settings,
        policy_params("2022", "platform", "framework-alignment"),
        applicant=PROTOCO,
        alignment_pages=[f"{OWN}/align-pixels/"],
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "links hidden from visitors" in result.summary
