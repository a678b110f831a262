"""membership over directory pages of three structures: logo grid, table, plain link list."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.membership import MembershipCheck
from verifier import Status
from verifier.models import RequirementResult
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for

SOURCES = {
    "finops-members": "http://www.finops.example/members/",
    "lf-members": "http://www.linuxfoundation.example/about/members",
    "certified-service-providers": "http://www.finops.example/members/finops-certified-service-provider/",
}


def applicant(name: str, website: str, aliases: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"name": name, "website": website, "aliases": list(aliases), "employees": 300}


CASES = [
    pytest.param(
        applicant("Acme Cloud Economics, Inc.", "https://acme.example/"),
        ["finops-members"],
        Status.PASS,
        "listed in finops-members as 'ACME Cloud Economics Inc.'",
        id="logo grid: found by alt text on the second page, legal suffix and case ignored",
    ),
    pytest.param(
        applicant("Acme Cloud Economics, Inc.", "https://acme.example/"),
        ["lf-members"],
        Status.PASS,
        "listed in lf-members as 'Acme Cloud Economics, Inc.'",
        id="table: found in a plain table cell",
    ),
    pytest.param(
        applicant("Stratus Consulting Group, LLC", "https://stratus.example/"),
        ["certified-service-providers"],
        Status.PASS,
        "listed in certified-service-providers as 'Stratus Consulting Group'",
        id="plain link list: found as link text without the LLC",
    ),
    pytest.param(
        applicant("Northwind", "https://northwind.example/", ("Northwind Traders",)),
        ["finops-members", "lf-members"],
        Status.PASS,
        "listed in finops-members as 'Northwind Traders'; listed in lf-members as "
        "'Northwind Traders S.A.'",
        id="an alias matches in both directories",
    ),
    pytest.param(
        applicant("Hyperscale", "https://hyperscale.example/"),
        ["finops-members"],
        Status.PASS,
        "listed in finops-members as 'Hyperscale Systems, Inc.'",
        id="a listing linking to the applicant's domain counts although the name differs",
    ),
    pytest.param(
        applicant("Initech Software", "https://initech.example/"),
        ["finops-members"],
        Status.NEEDS_REVIEW,
        "finops-members: only similar names listed ('Initech Softworks')",
        id="a similar name is a weak match for a person to judge",
    ),
    pytest.param(
        applicant("Umbrella Analytics GmbH", "https://umbrella.example/"),
        ["finops-members"],
        Status.FAIL,
        "not listed in finops-members (11 entries searched)",
        id="an applicant not listed fails and says how much was searched",
    ),
    pytest.param(
        applicant("Acme Cloud Economics, Inc.", "https://acme.example/"),
        ["finops-members", "certified-service-providers"],
        Status.FAIL,
        "listed in finops-members as 'ACME Cloud Economics Inc.'; not listed in "
        "certified-service-providers (4 entries searched)",
        id="listed in one directory but not the other fails",
    ),
]


def check(
    sites: SiteServer,
    who: dict[str, Any],
    sources: list[str],
    where: dict[str, str] = SOURCES,
) -> RequirementResult:
    return run_check(
        MembershipCheck(),
        make_submission(applicant=who),
        {"sources": sources},
        settings=settings_for(sites),
        sources=dict(where),
    )


@pytest.mark.parametrize(("who", "sources", "status", "summary"), CASES)
def test_membership(
    sites: SiteServer, who: dict[str, Any], sources: list[str], status: Status, summary: str
) -> None:
    result = check(sites, who, sources)
    assert (result.status, result.summary) == (status, summary)


def test_a_miss_records_the_pages_read_the_entries_and_the_name_forms_tried(
    sites: SiteServer,
) -> None:
    who = applicant("Umbrella Analytics GmbH", "https://umbrella.example/", ("Umbrella",))
    result = check(sites, who, ["finops-members"])
    (search,) = [e for e in result.evidence if e.kind == "search"]
    assert search.data["pages"] == [
        "http://www.finops.example/members/",
        "http://www.finops.example/members/page/2/",
    ]
    assert search.data["entries"] == 11
    assert search.data["forms"] == ["umbrella analytics", "umbrella"]
    assert search.data["domain"] == "umbrella.example"
    fetched = [e for e in result.evidence if e.kind == "fetch"]
    assert [e.data["status"] for e in fetched] == [200, 200]
    assert all(e.sha256 and len(e.sha256) == 64 for e in fetched)


def test_navigation_and_footer_links_are_not_taken_for_members(sites: SiteServer) -> None:
    who = applicant("Join the FinOps Foundation", "https://join.example/")
    result = check(sites, who, ["finops-members"])
    assert result.status == Status.FAIL


def test_a_weak_match_shows_the_candidates_with_their_similarity(sites: SiteServer) -> None:
    who = applicant("Initech Software", "https://initech.example/")
    result = check(sites, who, ["finops-members"])
    (candidate,) = [e for e in result.evidence if e.kind == "directory-candidate"]
    assert candidate.excerpt == "Initech Softworks"
    assert 0.8 <= candidate.data["score"] < 1
    assert candidate.sha256 is not None


def test_a_directory_that_answers_404_is_an_error_not_a_fail(sites: SiteServer) -> None:
    who = applicant("Acme Cloud Economics, Inc.", "https://acme.example/")
    result = check(
        sites,
        who,
        ["finops-members"],
        {"finops-members": "http://www.finops.example/no-such-list/"},
    )
    assert result.status == Status.ERROR
    assert result.summary == (
        "finops-members: http://www.finops.example/no-such-list/ "
        "answered 404 (text/html), not a directory page"
    )


def test_a_source_the_run_does_not_define_is_an_error_naming_it(sites: SiteServer) -> None:
    result = check(sites, make_submission().applicant.model_dump(), ["finops-members"], {})
    assert result.status == Status.ERROR
    assert "no source named 'finops-members' is configured" in result.summary
