"""Issue 8, class 5 (and class 4 for community): any page on the Foundation's site is not
participation.

The cited page must be the claimed group's own page (its title or top heading names the
group, or it sits under the group's page, which links to it), and the applicant must be in
its contributor or member listing: an author byline, another group's listing or a passing
mention in the body is not participation. The site is
``fixtures/gaming/c2-finops.example/``, trusted as the Foundation's (the policy's params).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plugins.community import CommunityCheck
from tests.gaming.c1_support import kinds
from tests.plugins.registry_helpers import policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check, settings_for

SITE = "http://c2-finops.example"
PARAMS = policy_params("2022/platform.yaml", "community")
SOURCES = {"finops-members": f"{SITE}/members/"}
CONTAINERS = "FinOps for Containers Working Group"
MARLOW = {"name": "Marlow Metrics", "website": "https://c2-marlow.example/"}
QUILL = {"name": "Quill Cost Labs", "website": "https://c2-quill.example/"}


def community(
    settings: FetchSettings,
    applicant: dict[str, Any],
    url: str,
    group: str = CONTAINERS,
    params: dict[str, Any] = PARAMS,
) -> RequirementResult:
    sub = make_submission(applicant=applicant, community=[{"group": group, "url": url}])
    return run_check(CommunityCheck(), sub, params, settings=settings, sources=SOURCES)


def why_not(result: RequirementResult) -> str:
    (claim,) = kinds(result, "community-claim")
    return claim.detail


@pytest.mark.parametrize(
    ("url", "group", "reasons"),
    [
        pytest.param(
            f"{SITE}/blog/container-costs/",
            CONTAINERS,
            [
                "is not the page of FinOps for Containers Working Group: neither its title nor "
                "its top heading ('What we learned allocating container costs - FinOps "
                "Foundation', 'What we learned allocating container costs') names the group",
                "the page names the applicant only as an author (a byline is not participation)",
            ],
            id="a guest blog post on the Foundation's site whose byline names the applicant",
        ),
        pytest.param(
            f"{SITE}/wg/sustainability/",
            CONTAINERS,
            ["is not the page of FinOps for Containers Working Group"],
            id="another group's page listing the applicant among its contributors",
        ),
        pytest.param(
            f"{SITE}/wg/containers/",
            CONTAINERS,
            ["the page names the applicant, but not among its contributors"],
            id="a passing mention in the body of the right group's page",
        ),
        pytest.param(
            f"{SITE}/wg/ai/",
            "FinOps for AI Working Group",
            ["the page names the applicant only as an author (a byline is not participation)"],
            id="a group page where the applicant appears only as the page's author",
        ),
        pytest.param(
            f"{SITE}/blog/containers-working-group/",
            CONTAINERS,
            ["the page's byline names the applicant: a page it wrote is its own word"],
            id="a guest post titled as the group whose author lists itself as contributor",
        ),
    ],
)
def test_a_page_that_is_not_the_group_listing_the_applicant_is_no_participation(
    gaming_settings: FetchSettings, url: str, group: str, reasons: list[str]
) -> None:
    result = community(gaming_settings, MARLOW, url, group)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        f"participation claimed but not confirmed by a contributors page: {group}"
    )
    for reason in reasons:
        assert reason in why_not(result)


def test_another_group_listing_the_applicant_is_shown_as_such(
    gaming_settings: FetchSettings,
) -> None:
    result = community(gaming_settings, MARLOW, f"{SITE}/wg/sustainability/")
    # The listing is real, and shown; it is the wrong group's.
    (listed,) = kinds(result, "contributor")
    assert "Marlow Metrics" in (listed.excerpt or "")
    assert "('Cloud Sustainability - FinOps Foundation', 'Cloud Sustainability')" in why_not(result)


def test_an_alias_that_is_another_contributor_needs_review(gaming_settings: FetchSettings) -> None:
    result = community(
        gaming_settings, QUILL | {"aliases": ["CloudZero"]}, f"{SITE}/wg/containers/"
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert (
        "the page lists only the alias 'CloudZero', which it does not tie to c2-quill.example"
        in (why_not(result))
    )
    (alias,) = kinds(result, "contributor-alias")
    assert alias.excerpt == "Ben Ortiz CloudZero"
    assert "a person must confirm it is the applicant" in alias.detail


@pytest.mark.parametrize(
    ("applicant", "url", "group", "shown", "excerpt"),
    [
        pytest.param(
            {"name": "Tallyworks, Inc.", "website": "https://c2-tallyworks.example/"},
            f"{SITE}/wg/containers/",
            CONTAINERS,
            "its title names it",
            "Ada Brooks Tallyworks",
            id="control: a contributor card on the right group's page passes",
        ),
        pytest.param(
            {"name": "Tallyworks, Inc.", "website": "https://c2-tallyworks.example/"},
            f"{SITE}/wg/containers/",
            "Containers WG",
            "its title names it",
            "Ada Brooks Tallyworks",
            id="control: the group claimed by its short name passes",
        ),
        pytest.param(
            {"name": "Osprey Data", "website": "https://c2-osprey.example/"},
            f"{SITE}/wg/containers/contributors/",
            CONTAINERS,
            "sits under http://c2-finops.example/wg/containers/, the group's page (its title "
            "names it), which links to it",
            "Grace Lin, Osprey Data",
            id="control: a contributors page under the group's page, linked from it, passes",
        ),
        pytest.param(
            {
                "name": "BL Holdings Ltd",
                "website": "https://c2-brightledger.example/",
                "aliases": ["Bright Ledger"],
            },
            f"{SITE}/wg/containers/",
            CONTAINERS,
            "its title names it",
            "Chloe Park Bright Ledger",
            id="control: an alias whose card links to the applicant's domain passes",
        ),
    ],
)
def test_control_a_real_contributor_listing_of_the_group_passes(
    gaming_settings: FetchSettings,
    applicant: dict[str, Any],
    url: str,
    group: str,
    shown: str,
    excerpt: str,
) -> None:
    result = community(gaming_settings, applicant, url, group)
    assert (result.status, result.summary) == (
        Status.PASS,
        f"listed as a contributor of {group}",
    )
    (page,) = kinds(result, "group-page")
    assert shown in page.detail
    (listed,) = kinds(result, "contributor")
    assert listed.excerpt == excerpt


def test_without_trusted_sources_a_group_page_on_any_site_still_confirms(
    gaming_settings: FetchSettings,
) -> None:
    # The policy trusts any site when trusted_sources is empty: the page must still be the
    # group's and list the applicant.
    params = PARAMS | {"trusted_sources": []}
    url = "http://c2-k8s-community.example/containers-wg/"
    tally = {"name": "Tallyworks, Inc.", "website": "https://c2-tallyworks.example/"}
    assert community(gaming_settings, tally, url, params=params).status == Status.PASS
    blog = f"{SITE}/blog/container-costs/"
    assert community(gaming_settings, MARLOW, blog, params=params).status == Status.NEEDS_REVIEW


def test_a_policy_that_names_no_trusted_sources_trusts_only_the_foundations_directory_site(
    gaming_settings: FetchSettings,
) -> None:
    # The same group page on another site as above: a policy that says nothing of
    # trusted_sources must not take a page anyone (the applicant) wrote as the listing.
    params = {k: v for k, v in PARAMS.items() if k != "trusted_sources"}
    url = "http://c2-k8s-community.example/containers-wg/"
    tally = {"name": "Tallyworks, Inc.", "website": "https://c2-tallyworks.example/"}
    result = community(gaming_settings, tally, url, params=params)
    assert result.status == Status.NEEDS_REVIEW
    assert f"{url} is not on " in why_not(result)


def test_an_alias_on_an_unlinked_card_is_not_tied_by_another_cards_link(
    fake_sites: Any, tmp_path: Path
) -> None:
    # The card naming the alias decides; the list around it holds another card's link to
    # the applicant's site, which ties nothing to the alias.
    page = tmp_path / "wg.example" / "containers" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        "<html><head><title>FinOps for Containers Working Group</title></head><body>"
        "<h1>FinOps for Containers Working Group</h1><h2>Contributors</h2>"
        "<ul><li>CloudZero</li><li><a href='https://acme.example/team'>Pat Quinn</a></li></ul>"
        "</body></html>"
    )
    server = fake_sites(tmp_path)
    sub = make_submission(
        applicant={
            "name": "Acme Cloud",
            "aliases": ["CloudZero"],
            "website": "https://acme.example/",
        },
        community=[
            {"group": "FinOps for Containers Working Group", "url": "http://wg.example/containers/"}
        ],
    )
    result = run_check(
        CommunityCheck(), sub, PARAMS | {"trusted_sources": []}, settings=settings_for(server)
    )
    assert result.status == Status.NEEDS_REVIEW
    assert "only the alias 'CloudZero'" in why_not(result)
