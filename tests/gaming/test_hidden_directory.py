"""Issue 8, class 1 (directories and contributor listings): hidden content is no evidence.

A directory source may be any page, and with no ``trusted_sources`` a group page may be the
applicant's own: an entry written into the page but hidden from visitors (``display:none``,
``aria-hidden``, a class the page's own ``<style>`` hides) lists nobody. When only hidden
content would have listed the applicant, the requirement needs a person, and the evidence
quotes the hidden entry and says why it was set aside.
"""

from __future__ import annotations

import pytest

from plugins.community import CommunityCheck
from plugins.membership import MembershipCheck
from tests.gaming.c1_support import kinds
from tests.plugins.registry_helpers import policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check

DIRECTORY = {"finops-members": "http://c2-partners.example/members/"}


def membership(settings: FetchSettings, name: str, website: str) -> RequirementResult:
    return run_check(
        MembershipCheck(),
        make_submission(applicant={"name": name, "website": website}),
        {"sources": ["finops-members"]},
        settings=settings,
        sources=DIRECTORY,
    )


@pytest.mark.parametrize(
    ("name", "website", "quoted", "reason"),
    [
        pytest.param(
            "Dunmore Analytics",
            "https://c2-dunmore.example/",
            "Dunmore Analytics -> https://c2-dunmore.example/",
            "display:none in its style attribute",
            id="an entry hidden by display none lists nobody",
        ),
        pytest.param(
            "Elmstead Cost Partners",
            "https://c2-elmstead.example/",
            "Elmstead Cost Partners",
            'aria-hidden="true"',
            id="an aria-hidden entry lists nobody",
        ),
        pytest.param(
            "Fairlight FinOps",
            "https://c2-fairlight.example/",
            "Fairlight FinOps",
            "the rule .legacy-entry {display:none} of the page's <style>",
            id="an entry of a class the page's own style hides lists nobody",
        ),
        pytest.param(
            "Glenrock Cloud Advisory",
            "https://c2-glenrock.example/",
            "Glenrock Cloud Advisory",
            "the hidden attribute",
            id="a name completed by hidden words is not the name a visitor reads",
        ),
        pytest.param(
            "HL Group",
            "https://c2-hollowell-labs.example/",
            "-> https://c2-hollowell-labs.example/",
            "font-size:0 in its style attribute",
            id="an invisible link to the applicant's domain ties the entry to nobody",
        ),
    ],
)
def test_a_directory_entry_hidden_from_visitors_is_no_listing(
    gaming_settings: FetchSettings, name: str, website: str, quoted: str, reason: str
) -> None:
    result = membership(gaming_settings, name, website)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary.startswith(
        "finops-members: lists the applicant only in content hidden from visitors ("
    )
    assert f": {reason}); a person must judge" in result.summary
    (hidden,) = kinds(result, "hidden")
    assert quoted in (hidden.excerpt or "")
    assert hidden.data["reason"] == reason
    assert "is hidden from visitors" in hidden.detail
    assert "would have shown the applicant listed in finops-members" in hidden.detail
    assert hidden.sha256 is not None  # the directory capture it was read in


def test_an_applicant_neither_shown_nor_hidden_is_simply_not_listed(
    gaming_settings: FetchSettings,
) -> None:
    result = membership(gaming_settings, "Kestrel Spend", "https://c2-kestrel.example/")
    assert (result.status, result.summary) == (
        Status.FAIL,
        "not listed in finops-members (5 entries searched)",
    )
    assert not kinds(result, "hidden")


@pytest.mark.parametrize(
    ("name", "website", "listed"),
    [
        pytest.param(
            "Ivybridge Data Ltd",
            "https://c2-ivybridge.example/",
            "Ivybridge Data",
            id="control: an entry a visitor sees lists the applicant",
        ),
        pytest.param(
            "Corvid",
            "https://c2-corvid.example/",
            "Corvid Cloud",
            id="control: a visible entry linking to the applicant's domain lists it",
        ),
    ],
)
def test_control_a_visible_entry_passes_beside_the_hidden_ones(
    gaming_settings: FetchSettings, name: str, website: str, listed: str
) -> None:
    result = membership(gaming_settings, name, website)
    assert (result.status, result.summary) == (
        Status.PASS,
        f"listed in finops-members as {listed!r}",
    )
    assert not kinds(result, "hidden")


GROUP_PAGE = "http://c2-finops.example/wg/containers/"
COMMUNITY = policy_params("2022/platform.yaml", "community")


def community(settings: FetchSettings, name: str) -> RequirementResult:
    claim = {"group": "FinOps for Containers Working Group", "url": GROUP_PAGE}
    sub = make_submission(
        applicant={"name": name, "website": "https://c2-hidden.example/"}, community=[claim]
    )
    sources = {"finops-members": "http://c2-finops.example/members/"}
    return run_check(CommunityCheck(), sub, COMMUNITY, settings=settings, sources=sources)


@pytest.mark.parametrize(
    ("name", "card", "reason"),
    [
        pytest.param(
            "Dunmore Analytics",
            "Dev Rao Dunmore Analytics",
            "display:none in its style attribute",
            id="a contributor card hidden by display none is no participation",
        ),
        pytest.param(
            "Elmstead Cost Partners",
            "Eve Stone Elmstead Cost Partners",
            'aria-hidden="true"',
            id="an aria-hidden contributor card is no participation",
        ),
        pytest.param(
            "Fairlight FinOps",
            "Finn Hale Fairlight FinOps",
            "the rule .alumni {display:none} of the page's <style>",
            id="a contributor card of a class the page's own style hides is no participation",
        ),
    ],
)
def test_a_contributor_hidden_from_visitors_is_no_participation(
    gaming_settings: FetchSettings, name: str, card: str, reason: str
) -> None:
    result = community(gaming_settings, name)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    (claim,) = kinds(result, "community-claim")
    assert claim.detail.endswith(
        "not confirmed (the page lists the applicant among its contributors only in hidden content)"
    )
    (hidden,) = kinds(result, "hidden")
    assert hidden.excerpt == card
    assert hidden.data["reason"] == reason
    assert "would have shown the applicant among the contributors of FinOps for " in (hidden.detail)
    assert not kinds(result, "contributor")


def test_control_a_contributor_card_a_visitor_sees_passes(gaming_settings: FetchSettings) -> None:
    result = community(gaming_settings, "Tallyworks")
    assert (result.status, result.summary) == (
        Status.PASS,
        "listed as a contributor of FinOps for Containers Working Group",
    )
    assert not kinds(result, "hidden")


def test_a_group_heading_hidden_from_visitors_names_no_group(
    gaming_settings: FetchSettings,
) -> None:
    claim = {"group": "FinOps for Data Working Group", "url": "http://c2-finops.example/wg/data/"}
    tally = {"name": "Tallyworks", "website": "https://c2-tallyworks.example/"}
    sub = make_submission(applicant=tally, community=[claim])
    sources = {"finops-members": "http://c2-finops.example/members/"}
    result = run_check(CommunityCheck(), sub, COMMUNITY, settings=gaming_settings, sources=sources)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    (claimed,) = kinds(result, "community-claim")
    assert "the page names FinOps for Data Working Group only in a heading hidden from " in (
        claimed.detail
    )
    (hidden,) = kinds(result, "hidden")
    assert hidden.excerpt == "FinOps for Data"
    assert hidden.data["reason"] == "display:none in its style attribute"
