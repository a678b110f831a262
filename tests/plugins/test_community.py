"""community over the fixture sites: contributors pages confirm, claims need review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from plugins._groups import GroupNames, article_sign, bylines, listing
from plugins.community import CommunityCheck, CommunityParams
from tests.helpers import html_page
from verifier.fetch import FetchSettings
from verifier.inputs.submission import MAX_ITEMS
from verifier.names import normalize
from verifier.testing import make_submission, run_check
from verifier.urls import site_of

ROOT = Path(__file__).resolve().parents[2]

WG = "http://www.finops.example/wg"
DOWN = "down.example"  # refuses connections (tests/plugins/conftest.py)
SOURCES = {"finops-members": "http://www.finops.example/members/"}
TRUSTED = {"trusted_sources": ["finops-members"]}
ACME = {
    "name": "Acme Cloud Economics, Inc.",
    "aliases": ["Acme"],
    "website": "http://acme.example/",
}
CONTAINERS = {"group": "FinOps for Containers Working Group", "url": f"{WG}/containers/"}


@pytest.mark.parametrize(
    ("claims", "params", "status", "says"),
    [
        pytest.param(
            [CONTAINERS],
            TRUSTED,
            "pass",
            ["listed as a contributor of FinOps for Containers Working Group"],
            id="a working group page listing the applicant's company among contributors passes",
        ),
        pytest.param(
            [{"group": "Sustainability WG", "url": f"{WG}/sustainability/"}, CONTAINERS],
            TRUSTED,
            "pass",
            ["only claimed: Sustainability WG"],
            id="one confirmed group is enough and the others are reported as claimed",
        ),
        pytest.param(
            [{"group": "FOCUS Working Group", "url": f"{WG}/focus/"}],
            TRUSTED,
            "pass",
            ["listed as a contributor of FOCUS Working Group"],
            id="a contributors heading in a box of its own still finds the list after it",
        ),
        pytest.param(
            [],
            TRUSTED,
            "fail",
            ["not provided"],
            id="no group claimed fails",
        ),
        pytest.param(
            [{"group": "FOCUS Working Group"}],
            TRUSTED,
            "needs_review",
            ["not confirmed by a contributors page: FOCUS Working Group"],
            id="a claim without a page needs review",
        ),
        pytest.param(
            [{"group": "Sustainability WG", "url": f"{WG}/sustainability/"}],
            TRUSTED,
            "needs_review",
            ["Sustainability WG"],
            id="a page naming the applicant outside its contributors needs review",
        ),
        pytest.param(
            [{"group": "FOCUS Working Group", "url": "http://acme.example/community/"}],
            TRUSTED,
            "needs_review",
            ["FOCUS Working Group"],
            id="the applicant's own page listing itself needs review",
        ),
        pytest.param(
            [{"group": "FOCUS Working Group", "url": "http://acme.example/community/"}],
            {},
            "needs_review",
            ["FOCUS Working Group"],
            # Issue 8: the applicant's page about the group is not the group's page (any
            # site confirms only a page that is the group's: tests/gaming).
            id="without trusted sources a page must still be the group's own",
        ),
        pytest.param(
            [{"group": "Old WG", "url": f"{WG}/retired-group/"}],
            TRUSTED,
            "needs_review",
            ["Old WG"],
            id="a group page answering 404 leaves only the claim",
        ),
        pytest.param(
            [{"group": "FOCUS Working Group", "url": f"http://{DOWN}/wg/focus/"}],
            TRUSTED,
            "error",
            ["could not be fetched"],
            id="a group page on a host that is down is an error",
        ),
        pytest.param(
            [CONTAINERS, {"group": "FOCUS Working Group", "url": f"http://{DOWN}/wg/focus/"}],
            TRUSTED,
            "pass",
            ["FinOps for Containers Working Group"],
            id="a fault does not matter once another group confirms",
        ),
    ],
)
def test_community(
    settings: FetchSettings,
    claims: list[dict[str, Any]],
    params: dict[str, Any],
    status: str,
    says: list[str],
) -> None:
    sub = make_submission(applicant=ACME, community=claims)
    result = run_check(CommunityCheck(), sub, params, settings=settings, sources=SOURCES)
    assert result.status == status, result.summary
    for text in says:
        assert text in result.summary


@pytest.mark.parametrize(
    ("url", "why"),
    [
        pytest.param(f"{WG}/containers/", None, id="the contributor card is the evidence"),
        pytest.param(
            f"{WG}/sustainability/",
            "names the applicant, but not among its contributors",
            id="a mention outside the contributors is said so",
        ),
        pytest.param(
            "http://acme.example/community/",
            "is not on finops.example",
            id="an untrusted site is said so",
        ),
        pytest.param(f"{WG}/retired-group/", "answered 404", id="a gone page is said so"),
    ],
)
def test_evidence_says_what_confirmed_or_why_not(
    settings: FetchSettings, url: str, why: str | None
) -> None:
    sub = make_submission(applicant=ACME, community=[{"group": "WG", "url": url}])
    result = run_check(CommunityCheck(), sub, TRUSTED, settings=settings, sources=SOURCES)
    if why is None:
        found = next(e for e in result.evidence if e.kind == "contributor")
        assert "Jane Doe ACME Cloud Economics" in (found.excerpt or "")
        assert found.sha256
    else:
        claim = next(e for e in result.evidence if e.kind == "community-claim")
        assert why in claim.detail


def test_a_sponsor_after_the_contributors_section_is_not_a_contributor(
    settings: FetchSettings,
) -> None:
    hooli = {"name": "Hooli, Inc.", "website": "http://www.hooli.example/"}
    claim = {"group": "FOCUS Working Group", "url": f"{WG}/focus/"}
    sub = make_submission(applicant=hooli, community=[claim])
    result = run_check(CommunityCheck(), sub, TRUSTED, settings=settings, sources=SOURCES)
    assert result.status == "needs_review", result.summary
    claimed = next(e for e in result.evidence if e.kind == "community-claim")
    assert "names the applicant, but not among its contributors" in claimed.detail


def _community_requirements() -> list[Any]:
    root = Path(__file__).resolve().parents[2] / "policies"
    found = []
    for path in sorted(root.glob("*/*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for req in doc.get("requirements", []):
            if req.get("check") == "community":
                found.append(pytest.param(req, id=f"{path.parent.name}/{path.name}"))
    return found


@pytest.mark.parametrize("requirement", _community_requirements())
def test_every_shipped_policy_trusts_only_the_foundation_site_for_group_pages(
    requirement: dict[str, Any],
) -> None:
    assert requirement.get("params", {}).get("trusted_sources") == ["finops-members"]


NAMES = GroupNames(
    {"WG": "Working Group", "SIG": "Special Interest Group"},
    ["Working Group", "Special Interest Group"],
    ["FinOps for", "FinOps"],
)


@pytest.mark.parametrize(
    ("claimed", "page", "same"),
    [
        pytest.param(
            "FinOps for Containers Working Group",
            "FinOps for Containers",
            True,
            id="the kind may be left out",
        ),
        pytest.param(
            "Containers WG",
            "FinOps for Containers Working Group",
            True,
            id="an abbreviated kind and no prefix name the same group",
        ),
        pytest.param(
            "FinOps for AI SIG",
            "finops-for-ai special interest group",
            True,
            id="case and punctuation do not count",
        ),
        pytest.param(
            "Containers SIG", "Containers Working Group", False, id="two kinds named must agree"
        ),
        pytest.param(
            "FinOps for Containers Working Group",
            "Cloud Sustainability",
            False,
            id="another group's name is not the group's",
        ),
        pytest.param(
            "WG", "FinOps for Containers Working Group", False, id="a kind alone names no group"
        ),
        pytest.param(
            "FinOps", "FinOps Foundation", False, id="a prefix is never dropped to nothing"
        ),
    ],
)
def test_group_names_compare_as_the_policy_says(claimed: str, page: str, same: bool) -> None:
    assert NAMES.same(claimed, page) is same


_GROUP = "<title>FinOps for AI</title><h1>FinOps for AI</h1><h2>Contributors</h2>"
_LIST = "<ul><li>Lee, Globex</li></ul>"


@pytest.mark.parametrize(
    ("url", "html", "sign"),
    [
        pytest.param(
            "http://wg.test/wg/ai/",
            f"<meta property='og:type' content='article'>{_GROUP}{_LIST}",
            "og:type",
            id="a page that declares itself an article",
        ),
        pytest.param(
            "http://wg.test/wg/ai/",
            f"<article>{_GROUP}{_LIST}</article>",
            "inside an <article>",
            id="a listing inside an article element",
        ),
        pytest.param(
            "http://wg.test/insights/ai/", f"{_GROUP}{_LIST}", "/insights/", id="a blog section"
        ),
        pytest.param(
            "http://wg.test/2024/05/ai/", f"{_GROUP}{_LIST}", "dated", id="a dated address"
        ),
        pytest.param(
            "http://wg.test/wg/ai/",
            f"{_GROUP}<a rel='author' href='/u/pat'>Pat</a>{_LIST}",
            "rel=",
            id="an author link",
        ),
        pytest.param(
            "http://wg.test/wg/ai/",
            f"{_GROUP}<div class='entry-meta'>May 2024</div>{_LIST}",
            "byline",
            id="a post's metadata class",
        ),
        pytest.param(
            "http://wg.test/wg/ai/",
            f"{_GROUP}<p>Guest post by Pat Quinn</p>{_LIST}",
            "Guest post by Pat Quinn",
            id="a byline in words",
        ),
        *(
            pytest.param(
                "http://wg.test/wg/ai/",
                f"{_GROUP}<p>{line}</p>{_LIST}",
                line,
                id=f"a byline {line.split(' Pat')[0]!r}",
            )
            for line in (
                "Author: Pat Quinn, Marlow Metrics",
                "By: Pat Quinn",
                "By:Pat Quinn",
                "Contributed by Pat Quinn of Marlow Metrics, 12 May 2024",
                "Written by Pat Quinn",
                "Posted by: Pat Quinn",
                "Guest author Pat Quinn",
                "Guest author: Pat Quinn",
                "Authors: Pat Quinn and Lee Park",
            )
        ),
        *(
            pytest.param(
                f"http://wg.test/{section}/ai/",
                f"{_GROUP}{_LIST}",
                f"/{section}/",
                id=f"a /{section}/ section",
            )
            for section in ("resources", "guest", "guest-posts", "stories", "library")
        ),
    ],
)
def test_an_article_is_told_from_a_group_page(url: str, html: str, sign: str) -> None:
    p = CommunityParams()
    signs = p.article_signs()
    page = html_page(f"<html><body>{html}</body></html>", url)
    items = listing(page, p.section_terms, p.listing_classes, [])
    assert sign in (article_sign(page, signs, [i.tag for i in items]) or "")


@pytest.mark.parametrize(
    "html",
    [
        pytest.param(f"{_GROUP}{_LIST}", id="a group page"),
        pytest.param(f"{_GROUP}<p>By invitation only.</p>{_LIST}", id="'By' without a name"),
        pytest.param(f"{_GROUP}<p>Author Guidelines</p>{_LIST}", id="'Author' without a colon"),
        pytest.param(f"{_GROUP}<p>BYOD Policy and Lee</p>{_LIST}", id="'BY' opening a word"),
        pytest.param(
            f"{_GROUP}<p>Contributors: Lee Park, Globex</p>{_LIST}",
            id="a contributors line is no byline",
        ),
    ],
)
def test_a_group_page_is_no_article(html: str) -> None:
    p = CommunityParams()
    signs = p.article_signs()
    page = html_page(f"<html><body>{html}</body></html>", "http://wg.test/wg/ai/")
    assert article_sign(page, signs) is None


def test_a_byline_is_no_listing_even_under_a_contributors_heading() -> None:
    html = (
        "<html><head><title>FinOps for AI</title></head><body><h1>FinOps for AI</h1>"
        "<h2>Contributors</h2><p class='post-author'>By Kim, Acme</p>"
        "<div class='contributor-card'><h4>Lee</h4><p>Globex</p></div></body></html>"
    )
    page = html_page(html, "http://wg.test/ai/")
    authored = bylines(page, ["author", "byline"])
    items = listing(page, ["contributors"], ["contributor"], authored)
    texts = [i.tag.get_text(" ", strip=True) for i in items]
    assert [t.get_text(" ", strip=True) for t in authored] == ["By Kim, Acme"]
    assert not any("Acme" in t for t in texts)
    assert "Lee Globex" in texts


def test_the_most_claimed_groups_a_submission_holds_give_a_one_sentence_summary(
    settings: FetchSettings,
) -> None:
    claims = [{"group": f"Group {i}"} for i in range(MAX_ITEMS)]  # 1,000: the list limit
    sub = make_submission(applicant=ACME, community=claims)
    result = run_check(CommunityCheck(), sub, TRUSTED, settings=settings, sources=SOURCES)
    assert (result.status, result.summary) == (
        "needs_review",
        "participation claimed but not confirmed by a contributors page: Group 0, Group 1, "
        "Group 2, Group 3, Group 4 and 995 more",
    )
    assert sum(e.kind == "community-claim" for e in result.evidence) == MAX_ITEMS


def test_a_group_page_many_applicants_read_is_walked_once_and_decided_for_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A re-check reads one group page (one Page, from the shared cache) for every
    # partner: its listing is walked once, and each applicant still gets its own
    # decision, the one a page read for it alone gives.
    from plugins import community

    html = (ROOT / "fixtures/sites/www.finops.example/wg/containers/index.html").read_text()
    walks: list[int] = []
    walk = community.listing

    def counting(*args: Any) -> Any:
        walks.append(1)
        return walk(*args)

    monkeypatch.setattr(community, "listing", counting)
    params = CommunityParams()
    shared = html_page(html, f"{WG}/containers/")
    seen = {}
    for name, site in [("Acme Cloud Economics", "acme"), ("Hooli", "hooli"), ("Umbrella", "u")]:
        who = community._Applicant(
            name, [normalize(name)], {}, f"{site}.example", f"https://{site}.example/"
        )
        alone = community.gather(html_page(html, f"{WG}/containers/"), params, who)
        together = community.gather(shared, params, who)
        decided = community.decide(together, who.own, who.aliases)
        apart = community.decide(alone, who.own, who.aliases)
        seen[name] = decided.finding
        assert (decided.finding, decided.form) == (apart.finding, apart.form)
        assert [(f.text, f.form, f.full) for f in alone.items] == [
            (f.text, f.form, f.full) for f in together.items
        ]
    assert seen == {"Acme Cloud Economics": "listed", "Hooli": "listed", "Umbrella": "absent"}
    assert len(walks) == 3 + 1  # once per page read alone, once for the shared page


def _on_page(url: str, html: str, applicant: dict[str, Any], params: dict[str, Any]) -> Any:
    """community for ``applicant`` claiming the Containers group at ``url``, served
    ``html`` there (every other URL answers 404)."""
    import httpx
    import respx

    from verifier.testing import settings_for

    with respx.mock(assert_all_called=False) as router:
        router.get(url).mock(httpx.Response(200, html=html))
        router.route().mock(httpx.Response(404, html="<html><body>nothing</body></html>"))
        return run_check(
            CommunityCheck(),
            make_submission(applicant=applicant, community=[{**CONTAINERS, "url": url}]),
            params,
            settings=settings_for(None),
            sources=SOURCES,
        )


@pytest.mark.parametrize("segment", ["%00", "%0a", "%7f"])
def test_a_control_character_in_the_claimed_page_path_is_no_crash(segment: str) -> None:
    """A claimed contributors page whose path holds an escaped control character is looked
    up the path as written: the pages above it are asked, and a page that does not name
    the group leaves the claim for a person, never a crashed check."""
    url = f"{WG}/containers/{segment}/contributors/"
    page = (
        "<html><head><title>Contributors</title></head><body><h1>Contributors</h1>"
        "<ul class='contributors'><li>Acme Cloud</li></ul></body></html>"
    )
    result = _on_page(url, page, ACME, {"trusted_sources": []})
    assert result.status.value == "needs_review", result.summary
    assert "not confirmed by a contributors page" in result.summary


@pytest.mark.parametrize(
    ("website", "link", "status"),
    [
        pytest.param(
            "https://globex-impostor.example/",
            "https://www.globex.example/",
            "needs_review",
            id="the name linking to another organisation's site: another of that name",
        ),
        pytest.param(
            "https://globex.example/", "https://www.globex.example/", "pass", id="its own site"
        ),
        pytest.param(
            "https://globex-impostor.example/",
            "https://www.linkedin.com/in/bala-kumar/",
            "pass",
            id="a person's profile on a shared platform says nothing of the company",
        ),
        pytest.param(
            "https://globex-impostor.example/",
            "https://www.linkedin.com/company/globex/",
            "needs_review",
            id="another organisation's LinkedIn page",
        ),
        pytest.param(
            "https://www.globex.example/en-us/",
            "https://www.globex.example/",
            "pass",
            id="the applicant's own domain, its website given as a locale path",
        ),
    ],
)
def test_a_contributor_card_linking_the_name_to_another_site_needs_review(
    website: str, link: str, status: str
) -> None:
    """r26's second attack round: an impostor named like a contributing company passed on
    the card of that company, which links to the company's own site, not the impostor's."""
    url = f"{WG}/containers/"
    cards = "".join(
        f"<div class='contributor-card'><h4>{person}</h4><p>{company}</p>{extra}</div>"
        for person, company, extra in [
            ("Bala Kumar", "Globex Corporation", f"<a href='{link}'>site</a>"),
            ("Mei Tanaka", "Initech Softworks", ""),
        ]
    )
    html = (
        "<html><head><title>FinOps for Containers</title></head><body>"
        "<h1>FinOps for Containers</h1><h2>Contributors</h2>"
        f"<div class='wg-contributors'>{cards}</div></body></html>"
    )
    applicant = {"name": "Globex Corporation", "website": website}
    result = _on_page(url, html, applicant, TRUSTED)
    assert result.status.value == status, result.summary
    if status == "needs_review":
        claim = next(e for e in result.evidence if e.kind == "community-claim")
        assert f"linking to {site_of(link)}, not globex-impostor.example" in claim.detail
        (shown,) = [e for e in result.evidence if e.kind == "contributor-elsewhere"]
        assert shown.data["link"] == link
