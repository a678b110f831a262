"""A hostile applicant's fourth round: the text of one element (``Page.shown_text``).

Each attempt got a false ``pass`` when it was written (a strict xfail then); each is fixed,
and stands beside a control that still holds.
Pages are written into ``tmp_path`` and served by the ``fake_sites`` fixture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plugins.case_studies import CaseStudiesCheck
from plugins.community import CommunityCheck
from plugins.membership import MembershipCheck
from plugins.offering import OfferingCheck
from tests.gaming.c1_support import judge, kinds, policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check, settings_for


def _site(root: Path, host: str, path: str, body: str, title: str = "Members") -> str:
    page = root / host / path / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"<html><head><title>{title}</title></head><body>{body}</body></html>")
    return f"http://{host}/{path}/"


# --- membership: a directory entry naming the applicant only in text nobody sees -----------

_ENTRIES = "<li>Globex Corporation</li><li>Initech</li>"


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param("<li><noscript><title>Protoco</title></noscript></li>", id="noscript-title"),
        pytest.param("<li><title>Protoco</title></li>", id="body-title"),
        pytest.param("<li><head><title>Protoco</title></head></li>", id="head-in-body-title"),
        pytest.param(
            '<li><svg width="0" height="0"><defs><text id="p">Protoco</text></defs></svg>'
            '<div hidden><svg><use href="#p"/></svg></div></li>',
            id="svg-defs-used-only-by-a-hidden-use",
        ),
        pytest.param("<li><ruby><rp>Protoco</rp></ruby></li>", id="ruby-rp"),
    ],
)
def test_a_directory_entry_naming_the_applicant_only_in_unseen_text_lists_nobody(
    fake_sites: Any, tmp_path: Path, entry: str
) -> None:
    url = _site(
        tmp_path, "members.example", "members", f"<h1>Members</h1><ul>{_ENTRIES}{entry}</ul>"
    )
    server = fake_sites(tmp_path)
    result = run_check(
        MembershipCheck(),
        make_submission(applicant={"name": "Protoco", "website": "https://protoco.example/"}),
        {"sources": ["finops-members"]},
        settings=settings_for(server),
        sources={"finops-members": url},
    )
    assert result.status in (Status.FAIL, Status.NEEDS_REVIEW), result.summary
    assert "listed in finops-members as 'Protoco'" not in result.summary
    # Either the unseen name is no entry at all (the two visible ones were searched), or it
    # is set aside for a person, quoted with why: never a listing, never without a reason.
    if result.status == Status.FAIL:
        assert result.summary == "not listed in finops-members (2 entries searched)"
    else:
        assert result.summary.startswith(
            "finops-members: lists the applicant only in content hidden from visitors ('Protoco': "
        ), result.summary
        (hidden,) = kinds(result, "hidden")
        assert hidden.excerpt == "Protoco"
        assert hidden.data["reason"]


# --- offering: a main heading naming the topic only in text nobody sees --------------------


def _kube_advisory(settings: FetchSettings, variant: str) -> RequirementResult:
    fields = {
        "applicant": {"name": "Protoco", "website": "http://atk4-own.example/"},
        "offering": {
            "name": "Kube Advisory",
            "landing_page": f"http://atk4-own.example/{variant}/",
        },
    }
    params = policy_params("2022", "service-provider", "offering")
    return judge(OfferingCheck(), settings, params, **fields)


def test_control_a_heading_naming_no_topic_needs_a_person(gaming_settings: FetchSettings) -> None:
    result = _kube_advisory(gaming_settings, "no-topic")
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "headings name none of" in result.summary


@pytest.mark.parametrize(
    ("variant", "says"),
    [
        # A <noscript> is no text at all: the headings name no topic.
        pytest.param("noscript-title", "headings name none of", id="noscript-title"),
        # A <title> in the body is text a browser never draws: hidden, quoted, set aside.
        pytest.param("body-title", "only content hidden from visitors shows", id="body-title"),
    ],
)
def test_a_topic_only_in_an_unseen_title_inside_a_heading_is_no_topic(
    gaming_settings: FetchSettings, variant: str, says: str
) -> None:
    # fixtures/gaming/atk4-own.example/<variant>/: "<h1>Kube Advisory: Kubernetes
    # <noscript><title>FinOps</title></noscript>reliability</h1>" (or the <title> bare in
    # the body, which a browser never renders: `title {display: none}`).
    result = _kube_advisory(gaming_settings, variant)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert says in result.summary


# --- case studies: one logo wall under two titles, one title kept out of the split --------


def test_a_title_with_a_soft_hyphen_does_not_make_one_logo_wall_two_pages(
    gaming_settings: FetchSettings,
) -> None:
    _one_logo_wall(gaming_settings, "initech")


def test_control_the_same_long_title_without_it_is_one_page(
    gaming_settings: FetchSettings,
) -> None:
    _one_logo_wall(gaming_settings, "initech-plain")


def _one_logo_wall(gaming_settings: FetchSettings, second: str) -> None:
    # fixtures/gaming/atk4-dup.example: the same body under two titles; the second title
    # holds "&shy;", which Page.visible_text drops and title_and_body keeps, so the title
    # is no prefix of the text and stays in the "body" compared: ten words apart.
    result = judge(
        CaseStudiesCheck(),
        gaming_settings,
        policy_params("2022", "solution", "case-studies"),
        applicant={"name": "Dupco", "website": "http://atk4-dup.example/"},
        case_studies=[
            {"url": "http://atk4-dup.example/globex/", "customer": "Globex Corporation"},
            {"url": f"http://atk4-dup.example/{second}/", "customer": "Initech"},
        ],
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "a page nearly the same as an earlier one counts once" in result.summary


# --- community: a contributor card naming the applicant only in text nobody sees ----------

_WG = "FinOps for Containers Working Group"


@pytest.mark.parametrize(
    "card",
    [
        pytest.param(
            "<li>Pat Quinn<noscript><title> (Acme Cloud)</title></noscript></li>",
            id="noscript-title",
        ),
        pytest.param("<li>Pat Quinn<title> (Acme Cloud)</title></li>", id="body-title"),
        pytest.param("<li>Pat Quinn<span hidden> (Acme Cloud)</span></li>", id="control"),
    ],
)
def test_a_contributor_card_naming_the_applicant_only_in_unseen_text_is_no_contributor(
    fake_sites: Any, tmp_path: Path, card: str
) -> None:
    url = _site(
        tmp_path,
        "wg.example",
        "containers",
        f"<h1>{_WG}</h1><h2>Contributors</h2><ul><li>Jo Lee (CloudZero)</li>{card}</ul>",
        title=_WG,
    )
    server = fake_sites(tmp_path)
    sub = make_submission(
        applicant={"name": "Acme Cloud", "website": "https://acme.example/"},
        community=[{"group": _WG, "url": url}],
    )
    params = policy_params("2022", "platform", "community") | {"trusted_sources": []}
    result = run_check(CommunityCheck(), sub, params, settings=settings_for(server))
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        f"participation claimed but not confirmed by a contributors page: {_WG}"
    )
