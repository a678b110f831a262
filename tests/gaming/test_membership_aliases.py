"""Issue 8, class 4: names the applicant writes must not decide ``membership``.

The applicant writes its own ``aliases`` and ``website``. Writing another member's name as
an alias, or the directory's own site as the website, must not make the applicant "listed":
a match found only through an alias needs a person, unless the directory ties the entry to
the applicant's domain (the entry links to it). The directory is
``fixtures/gaming/c2-finops.example/members/``, a Foundation-like member listing.
"""

from __future__ import annotations

from typing import Any

import pytest

from plugins.membership import MembershipCheck
from tests.gaming.c1_support import kinds
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check

SOURCES = {"finops-members": "http://c2-finops.example/members/"}
QUILL = {"name": "Quill Cost Labs", "website": "https://c2-quill.example/"}


def membership(settings: FetchSettings, **applicant: Any) -> RequirementResult:
    return run_check(
        MembershipCheck(),
        make_submission(applicant=applicant),
        {"sources": ["finops-members"]},
        settings=settings,
        sources=SOURCES,
    )


@pytest.mark.parametrize(
    ("alias", "entry", "tie"),
    [
        pytest.param(
            "CloudZero",
            "CloudZero",
            "links to https://cloudzero.example/, not to c2-quill.example",
            id="an alias that is another member of the directory needs review",
        ),
        pytest.param(
            "Nimbus Analytics",
            "Nimbus Analytics, Inc.",
            "links to https://nimbus-analytics.example/, not to c2-quill.example",
            id="an alias whose entry links to another company's domain needs review",
        ),
        pytest.param(
            "Meterly",
            "Meterly",
            "has no link to c2-quill.example",
            id="an alias whose entry carries no link at all needs review",
        ),
    ],
)
def test_a_match_only_through_an_alias_is_not_a_pass(
    gaming_settings: FetchSettings, alias: str, entry: str, tie: str
) -> None:
    result = membership(gaming_settings, **QUILL, aliases=[alias])
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        f"finops-members: listed only through the alias {alias!r} (as {entry!r}), which the "
        "directory does not tie to c2-quill.example; a person must confirm the alias is the "
        "applicant"
    )
    (shown,) = kinds(result, "directory-alias")
    assert shown.excerpt == entry
    assert shown.data["alias"] == alias
    assert tie in shown.detail
    assert shown.sha256 is not None  # the directory capture it was read in


def test_an_alias_matching_only_part_of_another_entry_is_a_candidate_not_a_listing(
    gaming_settings: FetchSettings,
) -> None:
    result = membership(gaming_settings, **QUILL, aliases=["Quill"])
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == "finops-members: only similar names listed ('Quill Payments')"
    (candidate,) = kinds(result, "directory-candidate")
    assert candidate.excerpt == "Quill Payments"
    assert "a person must judge" in candidate.detail


def test_giving_the_directory_own_site_as_website_matches_no_profile_link(
    gaming_settings: FetchSettings,
) -> None:
    # Every profile entry links to /members/profile/... on the directory's site: a website
    # on that site would otherwise "own" the first of them.
    result = membership(
        gaming_settings, name="Quill Cost Labs", website="https://c2-finops.example/"
    )
    assert result.status == Status.FAIL, result.summary
    assert result.summary == "not listed in finops-members (8 entries searched)"
    (search,) = kinds(result, "search")
    assert "links to c2-finops.example" in search.detail


def test_control_an_alias_the_directory_confirms_by_domain_passes(
    gaming_settings: FetchSettings,
) -> None:
    result = membership(
        gaming_settings,
        name="BL Holdings Ltd",
        website="https://c2-brightledger.example/",
        aliases=["Bright Ledger"],
    )
    assert (result.status, result.summary) == (
        Status.PASS,
        "listed in finops-members as 'Bright Ledger'",
    )
    (entry,) = kinds(result, "directory-entry")
    assert "links to https://www.c2-brightledger.example/, on c2-brightledger.example" in (
        entry.detail
    )


def test_control_the_name_itself_listed_visibly_passes(gaming_settings: FetchSettings) -> None:
    result = membership(
        gaming_settings, name="Tallyworks Inc", website="https://c2-tallyworks.example/"
    )
    assert (result.status, result.summary) == (
        Status.PASS,
        "listed in finops-members as 'Tallyworks, Inc.'",
    )
    (entry,) = kinds(result, "directory-entry")
    assert entry.detail == "finops-members: listed (name 'Tallyworks, Inc.' matches 'tallyworks')"
