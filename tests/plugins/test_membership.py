"""membership over directory pages of three structures: logo grid, table, plain link list."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest
import respx

from plugins.membership import MembershipCheck
from tests.helpers import html_page
from tests.plugins.conftest import DOWN
from verifier import Status, site_of
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for
from verifier.toolkit import entries_of

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
        Status.NEEDS_REVIEW,
        "listed in finops-members as 'Northwind Traders'; lf-members: listed only through the "
        "alias 'Northwind Traders' (as 'Northwind Traders S.A.'), which the directory does not "
        "tie to northwind.example; a person must confirm the alias is the applicant",
        id="an alias counts where its entry links to the applicant's domain, else needs review",
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
    sites: SiteServer | None,
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
    assert (result.status, result.summary) == (
        Status.FAIL,
        "not listed in finops-members (11 entries searched)",
    )


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
        "finops-members: could not read the directory: http://www.finops.example/no-such-list/ "
        "answered 404: the page does not exist"
    )


def test_a_source_the_run_does_not_define_is_an_error_naming_it(sites: SiteServer) -> None:
    result = check(sites, make_submission().applicant.model_dump(), ["finops-members"], {})
    assert result.status == Status.ERROR
    assert "no source named 'finops-members' is configured" in result.summary


DIRECTORY = "http://members.test/"
LISTED = "".join(f"<li><a href='https://org{i}.test/'>Org Number {i}</a></li>" for i in range(9))
SCRIPTS = "<script src='/app.js'></script>"


def directory_page(body: str, *, head: str = "") -> httpx.Response:
    return httpx.Response(200, html=f"<html><head>{head}</head><body>{body}</body></html>")


def mocked(pages: dict[str, httpx.Response], params: dict[str, Any]) -> RequirementResult:
    with respx.mock(assert_all_called=True) as router:
        for url, answer in pages.items():
            router.get(url).mock(answer)
        return run_check(
            MembershipCheck(),
            make_submission(applicant=applicant("Umbrella Analytics", "https://umbrella.test/")),
            {"sources": ["finops-members"], **params},
            settings=settings_for(None),
            sources={"finops-members": DIRECTORY},
        )


@pytest.mark.parametrize(
    ("pages", "params", "reason"),
    [
        pytest.param(
            {DIRECTORY: directory_page(f"<div id='app'></div>{SCRIPTS}")},
            {},
            "could not read the directory: http://members.test/ has almost no text and runs "
            "scripts (a page built by JavaScript?); a person must read it",
            id="a directory built by JavaScript is an error, not an absence",
        ),
        pytest.param(
            {DIRECTORY: directory_page("<p>" + "Our members are shown below. " * 9 + "</p>")},
            {},
            "could not read the directory: http://members.test/ could not be read: it lists "
            "no organisation (a page built by JavaScript?)",
            id="a directory page holding no entries is an error, not an absence",
        ),
        pytest.param(
            {DIRECTORY: directory_page("<p>" + "Members listed below. " * 5 + f"</p>{SCRIPTS}")},
            {},
            "could not read the directory: http://members.test/ has almost no text and runs "
            "scripts",
            id="a directory the fetch layer flags as needing JavaScript is an error",
        ),
        pytest.param(
            {DIRECTORY: httpx.Response(200, json={"members": []})},
            {},
            "could not read the directory: http://members.test/ is application/json, not HTML",
            id="a directory that is not HTML is an error",
        ),
        pytest.param(
            {
                DIRECTORY: directory_page(f"<ul>{LISTED}</ul><a href='/page/2/'>Next</a>"),
                f"{DIRECTORY}page/2/": directory_page(
                    f"<ul>{LISTED}</ul><a href='/page/3/'>Next</a>"
                ),
            },
            {"max_pages": 2},
            "finops-members: the directory is longer than the 2 page(s) searched and does not "
            "list the applicant on them; raise max_pages",
            id="stopping at max_pages with a next page left is an error, not an absence",
        ),
    ],
)
def test_a_directory_that_could_not_be_read_in_full_is_an_error(
    pages: dict[str, httpx.Response], params: dict[str, Any], reason: str
) -> None:
    result = mocked(pages, params)
    assert result.status == Status.ERROR
    assert reason in result.summary


def test_the_last_page_of_a_directory_read_in_full_is_an_absence() -> None:
    result = mocked({DIRECTORY: directory_page(f"<ul>{LISTED}</ul>")}, {"max_pages": 1})
    assert (result.status, result.summary) == (
        Status.FAIL,
        "not listed in finops-members (9 entries searched)",
    )


def test_a_directory_whose_host_is_down_is_an_error_naming_the_source(
    sites: SiteServer, settings: FetchSettings
) -> None:
    who = applicant("Acme Cloud Economics, Inc.", "https://acme.example/")
    result = run_check(
        MembershipCheck(),
        make_submission(applicant=who),
        {"sources": ["finops-members"]},
        settings=settings,
        sources={"finops-members": f"http://{DOWN}/members/"},
    )
    assert result.status == Status.ERROR
    assert result.summary.startswith(
        f"finops-members: could not read the directory: http://{DOWN}/members/ could not be fetched"
    )
    (fetch,) = [e for e in result.evidence if e.kind == "fetch"]
    assert fetch.data["error_type"] == "FetchFailed"


def test_an_absence_from_one_directory_fails_although_another_is_down(
    sites: SiteServer, settings: FetchSettings
) -> None:
    who = applicant("Umbrella Analytics GmbH", "https://umbrella.example/")
    result = run_check(
        MembershipCheck(),
        make_submission(applicant=who),
        {"sources": ["finops-members", "lf-members"]},
        settings=settings,
        sources={**SOURCES, "lf-members": f"http://{DOWN}/about/members"},
    )
    assert result.status == Status.FAIL
    assert result.summary.startswith(
        "not listed in finops-members (11 entries searched); lf-members: could not read"
    )


@pytest.mark.parametrize(
    "pagination",
    [
        pytest.param("<a href='/p/2'>Next</a>", id="a Next link is not a member"),
        pytest.param("<a href='/p/0'>« Previous</a>", id="a Previous link is not a member"),
        pytest.param(
            "<a href='/p/11'>11</a> <a href='/p/12'>12</a>", id="page numbers are not members"
        ),
        pytest.param("<a href='/p/2'>Next page ›</a>", id="a Next page link is not a member"),
    ],
)
def test_pagination_outside_nav_is_not_taken_for_members(pagination: str) -> None:
    html = f"<html><body><ul><li>Acme Cloud</li></ul><p>{pagination}</p></body></html>"
    page = html_page(html, DIRECTORY)
    assert [e.name for e in entries_of(page)] == ["Acme Cloud"]


def test_a_search_cut_at_max_pages_records_the_pages_read_and_the_first_unread() -> None:
    first = directory_page(f"<ul>{LISTED}</ul><a href='/page/2/'>Next</a>")
    result = mocked({DIRECTORY: first}, {"max_pages": 1})
    (search,) = [e for e in result.evidence if e.kind == "search"]
    assert search.data["pages"] == [DIRECTORY]
    assert search.data["unread"] == f"{DIRECTORY}page/2/"
    assert "max_pages 1" in search.detail


def test_found_on_a_page_read_before_a_later_one_failed_still_passes() -> None:
    first = (
        "<html><body><ul><li><a href='https://acme.example/'>Acme Cloud Economics</a></li>"
        "<li>Globex</li></ul><a rel='next' href='/members/2/'>Next</a></body></html>"
    )
    with respx.mock(assert_all_called=True) as router:
        router.get("http://dir.test/members/", name="page 1").mock(httpx.Response(200, html=first))
        router.get("http://dir.test/members/2/", name="page 2, down").mock(httpx.Response(503))
        found = check(
            None,
            applicant("Acme Cloud Economics, Inc.", "https://acme.example/"),
            ["finops-members"],
            {"finops-members": "http://dir.test/members/"},
        )
        missing = check(
            None,
            applicant("Umbrella Analytics", "https://umbrella.example/"),
            ["finops-members"],
            {"finops-members": "http://dir.test/members/"},
        )
    assert (found.status, found.summary) == (
        Status.PASS,
        "listed in finops-members as 'Acme Cloud Economics'",
    )
    # Not on the pages read, and a page could not be read: that is no proof of absence.
    assert missing.status == Status.ERROR
    assert "could not read the directory" in missing.summary


def test_ten_thousand_near_misses_give_a_one_sentence_summary_that_states_the_count() -> None:
    near = "".join(f"<li>Umbrella Analytics {i} Group</li>" for i in range(10_000))
    result = mocked({DIRECTORY: directory_page(f"<ul>{near}</ul>")}, {})
    assert result.status == Status.NEEDS_REVIEW
    assert result.summary.startswith("finops-members: only similar names listed ('Umbrella")
    assert result.summary.endswith(" and 9,997 more)")
    assert len(result.summary) < 200
    assert sum(e.kind == "directory-candidate" for e in result.evidence) == 5


@pytest.mark.parametrize(
    ("entry", "status"),
    [
        pytest.param("<li>Globex GmbH</li>", Status.PASS, id="an entry without a link"),
        pytest.param(
            "<li><a href='/members/globex/'>Globex GmbH</a></li>",
            Status.PASS,
            id="an entry linking to its profile on the directory's site",
        ),
        pytest.param(
            "<li><a href='https://www.globex-cloud.test/about'>Globex GmbH</a></li>",
            Status.PASS,
            id="an entry linking to the applicant's website",
        ),
        pytest.param(
            "<li><a href='https://lens.globex-products.test/'>Globex GmbH</a></li>",
            Status.NEEDS_REVIEW,
            id="an entry linking to the site of the applicant's offering: anyone's site",
        ),
        pytest.param(
            "<li><a href='https://globex-real.test/'>Globex GmbH</a></li>",
            Status.NEEDS_REVIEW,
            id="an entry with the applicant's name linking to another organisation's site",
        ),
    ],
)
def test_an_entry_by_name_that_links_to_another_site_needs_review(
    entry: str, status: Status
) -> None:
    with respx.mock(assert_all_called=True) as router:
        router.get(DIRECTORY, name="directory").mock(directory_page(f"<ul>{LISTED}{entry}</ul>"))
        result = run_check(
            MembershipCheck(),
            make_submission(
                applicant=applicant("Globex Inc.", "https://globex-cloud.test/"),
                offering={"name": "Globex Lens", "landing_page": "https://globex-products.test/"},
            ),
            {"sources": ["finops-members"]},
            settings=settings_for(None),
            sources={"finops-members": DIRECTORY},
        )
    assert result.status == status, result.summary
    if status == Status.NEEDS_REVIEW:
        (shown,) = [e for e in result.evidence if e.kind == "directory-elsewhere"]
        link = shown.data["link"]
        assert link in entry
        assert result.summary == (
            f"finops-members: listed as 'Globex GmbH', but the entry links to {site_of(link)}, "
            "not globex-cloud.test; a person must confirm it is the applicant"
        )


def globex_in(body: str, website: str = "https://globex.example/") -> RequirementResult:
    """The membership of an applicant named "Globex Corporation" with ``website``, in a
    directory page of ``body``."""
    with respx.mock(assert_all_called=True) as router:
        router.get(DIRECTORY, name="directory").mock(directory_page(body))
        return run_check(
            MembershipCheck(),
            make_submission(applicant=applicant("Globex Corporation", website)),
            {"sources": ["finops-members"]},
            settings=settings_for(None),
            sources={"finops-members": DIRECTORY},
        )


@pytest.mark.parametrize(
    ("link", "status"),
    [
        pytest.param("https://globex.pages-host.test/about", Status.PASS, id="its own tenant"),
        pytest.param(
            "https://globexcorp.pages-host.test/",
            Status.NEEDS_REVIEW,
            id="another tenant of the platform its website is on",
        ),
    ],
)
def test_an_entry_by_name_linking_to_another_tenant_of_the_applicants_platform_needs_review(
    link: str, status: Status
) -> None:
    """r26's attacks: an impostor named like a member, whose website is a tenant of a
    platform no list knows (``globex.pages-host.test``), was confirmed by the member's
    entry linking to another tenant: the guard compared sites, not whose page it is."""
    entry = f"<li><a href='{link}'>Globex Corporation</a></li>"
    result = globex_in(f"<ul>{LISTED}{entry}</ul>", "https://globex.pages-host.test/")
    assert result.status == status, result.summary


@pytest.mark.parametrize(
    ("entries", "status"),
    [
        pytest.param(
            "<li><a href='https://globexcorp.example/'>Globex Corporation</a></li>"
            "<li>Globex Corporation</li>",
            Status.NEEDS_REVIEW,
            id="a linked logo of another company and a bare mention of its name",
        ),
        pytest.param(
            "<li><a href='https://globexcorp.example/'>Globex Corporation</a></li>"
            "<li><a href='https://globex.example/'>Globex Corporation</a></li>",
            Status.PASS,
            id="one entry links elsewhere, another to the applicant's own website",
        ),
        pytest.param(
            "<li><a href='https:///globexcorp.example/'>Globex Corporation</a></li>",
            Status.NEEDS_REVIEW,
            id="a link a browser reads as another company's site (three slashes)",
        ),
    ],
)
def test_a_name_alone_does_not_outweigh_its_link_to_another_company(
    entries: str, status: Status
) -> None:
    """r26's second attack round: an impostor named like a member passed when the member
    was also mentioned without a link, or linked by a spelling httpx reads otherwise."""
    result = globex_in(f"<ul>{LISTED}{entries}</ul>")
    assert result.status == status, result.summary


_TABLE = (
    "<table><tr><th>Member</th><th>Website</th></tr>"
    "<tr><td>Initech</td><td><a href='https://initech.example/'>initech.example</a></td></tr>"
    "<tr><td>Globex Corporation</td><td><a href='{link}'>visit</a></td></tr></table>"
)
_CARDS = (
    "<div class='member-card'><h3>Initech</h3><a href='https://initech.example/'>Visit</a></div>"
    "<div class='member-card'><h3>Globex Corporation</h3><a href='{link}'>Visit</a></div>"
)


_TWO_LINK_TABLE = (
    "<table><tr><td>Initech</td><td><a href='https://initech.example/'>site</a></td></tr>"
    "<tr><td>Globex Corporation</td><td><a href='{link}'>site</a></td>"
    "<td><a href='https://www.linkedin.com/company/globex-x/'>in</a></td></tr></table>"
)
_LOGO_TABLE = (
    "<table><tr><td><img src='i.png' alt='Initech'></td>"
    "<td><a href='https://initech.example/'>initech.example</a></td></tr>"
    "<tr><td><img src='g.png' alt='Globex Corporation'></td><td><a href='{link}'>visit</a></td>"
    "</tr></table>"
)


@pytest.mark.parametrize(
    "layout",
    [_TABLE, _CARDS, _LOGO_TABLE, _TWO_LINK_TABLE],
    ids=["table row", "card", "logo in a table row", "a row with a website and a LinkedIn"],
)
@pytest.mark.parametrize(
    ("link", "status"),
    [
        ("https://www.globex.example/", Status.PASS),
        ("https://globexcorp.example/", Status.NEEDS_REVIEW),
    ],
    ids=["its own website", "another company's"],
)
def test_a_row_or_cards_one_link_is_its_entrys_link(layout: str, link: str, status: Status) -> None:
    """r26's second attack round: a table whose website is in the second cell, or a card
    whose "Visit" link is beside its title, gave the entry no link, so an impostor named
    like the member was confirmed by the name alone."""
    result = globex_in(layout.format(link=link))
    assert result.status == status, result.summary


DIR_A = "http://dir-a.test/members/"
DIR_A2 = "http://dir-a.test/members/2"
DIR_A3 = "http://dir-a.test/members/3"
DIR_B = "http://dir-b.test/members/"
DIR_B2 = "http://dir-b.test/members/2"


def listing(names: list[str], nxt: str | None = None) -> httpx.Response:
    items = "".join(f"<li>{n}</li>" for n in names)
    more = f"<a rel='next' href='{nxt}'>Next</a>" if nxt else ""
    return directory_page(f"<ul>{items}</ul>{more}")


UMBRELLA = applicant("Umbrella Analytics", "https://umbrella.test/")


def test_fetch_evidence_keeps_the_order_of_reading_one_directory_after_the_other() -> None:
    """The directories are read one after the other, in the policy's order: the fetch
    evidence lists A's pages, then B's, in every run of the same inputs. (A's first page
    answers late, as a slow site would, and later still if B's second page were asked
    before it: read at once, the evidence came out A, B, B/2, A/2.)"""
    asked_b2 = asyncio.Event()

    async def a1(request: httpx.Request) -> httpx.Response:
        with contextlib.suppress(TimeoutError):  # read in order, B/2 is never asked first
            await asyncio.wait_for(asked_b2.wait(), 0.5)
        return listing(["Org One", "Org Two"], DIR_A2)

    def b2(request: httpx.Request) -> httpx.Response:
        asked_b2.set()
        return listing(["Umbrella Analytics"])

    with respx.mock(assert_all_called=True) as router:
        router.get(DIR_A).mock(side_effect=a1)
        router.get(DIR_A2).mock(return_value=listing(["Umbrella Analytics"]))
        router.get(DIR_B).mock(return_value=listing(["Org Three"], DIR_B2))
        router.get(DIR_B2).mock(side_effect=b2)
        result = run_check(
            MembershipCheck(),
            make_submission(applicant=UMBRELLA),
            {"sources": ["a", "b"]},
            settings=settings_for(None),
            sources={"a": DIR_A, "b": DIR_B},
        )
    assert result.status == Status.PASS, result.summary
    fetched = [e.url for e in result.evidence if e.kind == "fetch"]
    assert fetched == [DIR_A, DIR_A2, DIR_B, DIR_B2], fetched


def test_the_fetch_budget_does_not_depend_on_which_directory_answers_first() -> None:
    """A fetch budget of 4, short of two directories of up to 20 pages: A has 3 pages,
    the applicant on the third; B has 2, the applicant on the first. Read in the policy's
    order: A, A/2, A/3 (listed), B (listed), a pass that does not depend on which site
    answers first (read at once, the budget ran out inside A: an error)."""
    with respx.mock(assert_all_called=False) as router:
        router.get(DIR_A).mock(return_value=listing(["Org One"], DIR_A2))
        router.get(DIR_A2).mock(return_value=listing(["Org Two"], DIR_A3))
        router.get(DIR_A3).mock(return_value=listing(["Umbrella Analytics"]))
        router.get(DIR_B).mock(return_value=listing(["Umbrella Analytics"], DIR_B2))
        router.get(DIR_B2).mock(return_value=listing(["Org Four"]))
        result = run_check(
            MembershipCheck(),
            make_submission(applicant=UMBRELLA),
            {"sources": ["a", "b"]},
            settings=settings_for(None, max_fetches_per_check=4),
            sources={"a": DIR_A, "b": DIR_B},
        )
    assert result.status == Status.PASS, (result.summary, [e.url for e in result.evidence])


def test_directories_are_read_at_once_when_the_budget_covers_them_and_listed_in_order() -> None:
    """A's first page is answered only once B's has been asked (it hangs otherwise, and the
    check's time limit ends it as an error): read one after the other, this is no pass."""
    b_asked = asyncio.Event()

    async def a_first(request: httpx.Request) -> httpx.Response:
        await asyncio.wait_for(b_asked.wait(), 5)
        return listing(["Org One"], DIR_A2)

    def b_first(request: httpx.Request) -> httpx.Response:
        b_asked.set()
        return listing(["Umbrella Analytics"], DIR_B2)

    with respx.mock(assert_all_called=True) as router:
        router.get(DIR_A).mock(side_effect=a_first)
        router.get(DIR_A2).mock(return_value=listing(["Umbrella Analytics"]))
        router.get(DIR_B).mock(side_effect=b_first)
        router.get(DIR_B2).mock(return_value=listing(["Org Four"]))
        result = run_check(
            MembershipCheck(),
            make_submission(applicant=UMBRELLA),
            {"sources": ["a", "b"], "max_pages": 5},
            settings=settings_for(None, max_fetches_per_check=10),
            sources={"a": DIR_A, "b": DIR_B},
        )
    assert result.status == Status.PASS, result.summary
    fetched = [e.url for e in result.evidence if e.kind == "fetch"]
    assert fetched == [DIR_A, DIR_A2, DIR_B, DIR_B2]  # B was done first; A is listed first
    sources = [e.data["source"] for e in result.evidence if e.kind == "directory-entry"]
    assert sources == ["a", "b"]


def test_two_sources_naming_one_url_are_each_judged() -> None:
    with respx.mock(assert_all_called=True) as router:
        route = router.get(DIR_A).mock(return_value=listing(["Org One", "Org Two"]))
        router.get(DIR_B).mock(return_value=listing(["Umbrella Analytics"]))
        result = run_check(
            MembershipCheck(),
            make_submission(applicant=UMBRELLA),
            {"sources": ["b", "a", "a2"]},
            settings=settings_for(None),
            sources={"a": DIR_A, "a2": DIR_A, "b": DIR_B},
        )
    assert route.call_count == 1
    assert result.status == Status.FAIL
    assert result.summary.startswith("listed in b as 'Umbrella Analytics'; not listed in a ")
    assert "; not listed in a2 " in result.summary
    kinds = [(e.kind, e.data.get("source")) for e in result.evidence if e.data.get("source")]
    assert kinds == [("directory-entry", "b"), ("search", "a"), ("search", "a2")], kinds


@pytest.mark.parametrize(
    ("website", "href"),
    [
        ("https://acme.docs-platform.example/wiki", "https://globex.docs-platform.example/"),
        ("https://www.facebook.com/groups/acmefinops", "https://www.facebook.com/groups/globex"),
        (
            "https://github.com/marketplace/actions/acme-report",
            "https://github.com/marketplace/actions/globex-deploy",
        ),
    ],
)
def test_an_entry_linking_to_another_tenant_does_not_list_the_applicant(
    website: str, href: str
) -> None:
    """Another member's entry links to a page on the domain the applicant's website is a
    subdomain of, or under a route naming no owner: that is not a link to the applicant
    (attack r25: "listed as 'Globex Corporation'" was a pass)."""
    entry = f"<li><a href='{href}'>Globex Corporation</a></li>"
    with respx.mock(assert_all_called=True) as router:
        router.get(DIRECTORY).mock(directory_page(f"<ul>{LISTED}{entry}</ul>"))
        result = run_check(
            MembershipCheck(),
            make_submission(applicant=applicant("Acme Cloud Economics", website)),
            {"sources": ["finops-members"]},
            settings=settings_for(None),
            sources={"finops-members": DIRECTORY},
        )
    assert result.status is Status.FAIL, result.summary
