"""A hostile applicant's attempts after the issue-8 hardening, each as the behaviour a
careful reviewer expects (never ``pass``, with a reason).

Attempts that still get a false ``pass`` are marked ``xfail(strict=True, reason="attack:
...")``: the suite stays green while they stand, and turns red the day one is fixed, so
the mark is removed with the fix. Attempts the checks already hold are plain tests: they
keep holding.

Sites: ``fixtures/gaming/atk-*`` (served with the other gaming sites) and
``fixtures/gaming-hosts/`` (real host names such as ``github.com``, served only here so
that no other gaming test resolves them to 127.0.0.1).
"""

from __future__ import annotations

import pytest

from plugins.case_studies import CaseStudiesCheck
from plugins.community import CommunityCheck
from plugins.framework_alignment import FrameworkAlignmentCheck
from plugins.membership import MembershipCheck
from plugins.offering import OfferingCheck
from tests.gaming.c1_support import HOST_SOURCES, judge, kinds, policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.testing import make_submission, run_check

CSS = "http://atk-css.example"
HIDECORP = {"name": "Hidecorp", "website": f"{CSS}/"}


def offering(settings: FetchSettings, path: str) -> RequirementResult:
    """The 2022 platform offering requirement on Hidecorp's landing page ``path``: the
    page says 'internal prototype, not for sale' and hides 'Pricing and plans, free
    trial, buy now' by the technique the path names."""
    fields = {
        "applicant": HIDECORP,
        "offering": {"name": "Proto Lens", "landing_page": f"{CSS}/{path}/"},
    }
    return judge(OfferingCheck(), settings, policy_params("2022", "platform", "offering"), **fields)


def assert_set_aside(result: RequirementResult) -> None:
    """Not ``pass``: a person judges, told that the deciding content is hidden."""
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "hidden from visitors" in result.summary or "stylesheet" in result.summary
    assert kinds(result, "hidden") or "stylesheet" in result.summary


def test_control_the_same_pricing_in_plain_sight_passes(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, "visible")
    assert result.status == Status.PASS, result.summary


# What a browser hides from every visitor: each is set aside, but those in _FALSE_PASSES,
# which the verifier still reads as visible text.
_HIDING = {
    # inline style the declaration parser does not read as CSS does
    "comment-in-inline": "display:/**/none (a CSS comment inside an inline declaration)",
    "escape-in-inline-prop": "\\64isplay:none (a CSS escape in an inline property name)",
    "escape-in-inline-value": "display:n\\one (a CSS escape in an inline value)",
    # properties and values that hide and are not modelled
    "content-visibility": "content-visibility:hidden",
    "translate-off-screen": "transform:translateX(-9999px)",
    "scale-tiny": "transform:scale(0.001)",
    "zoom0": "zoom:0.001",
    "left-vw": "position:absolute;left:-100vw (an off-screen offset in vw)",
    "margin-off": "margin-left:-99999px",
    "fixed-bottom": "position:fixed;bottom:-10000px (bottom is not read; top/left/right are)",
    "rgba-transparent": "color:rgba(0,0,0,0)",
    "hex-alpha-transparent": "color:#0000",
    "text-clip-mask": "-webkit-text-fill-color:transparent",
    "white-on-white": "color:#fff;background:#fff",
    "z-index-behind": "text covered by a white box stacked above it",
    "opacity-calc": "opacity:calc(0)",
    "filter-opacity": "filter:opacity(0)",
    "font-size-vw": "font-size:0.01vw",
    "font-size-calc": "font-size:calc(0px)",
    "height0-overflow-y": "height:0;overflow-y:hidden (overflow-y, not overflow)",
    "height0-overflow-auto": "height:0;overflow:auto",
    "clip-path-polygon": "clip-path:polygon(0 0,0 0,0 0)",
    # elements whose content a browser does not render
    "canvas-fallback": "fallback text of a <canvas>",
    "video-fallback": "fallback text of a <video>",
    "object-fallback": "fallback text of an <object> whose data loads",
    "iframe-content": "text inside <iframe></iframe>",
    "noembed": "<noembed>",
    "noframes": "<noframes>",
    "datalist": "<option> of a <datalist>",
    "svg-defs": "<text> inside an SVG <defs>",
    "svg-desc": "an SVG <desc>",
    "popover": "a <div popover> never opened",
    # page <style> rules whose selector or declaration is not parsed as CSS does
    "class-escape": ".\\70 romo (an escaped class selector)",
    "class-nonascii": ".ñpromo (a non-ASCII class name)",
    "class-digit-escape": ".\\31 x (a class starting with a digit, escaped)",
    "style-attr-selector-ci": '[data-x="PROMO" i] (a case-insensitive attribute selector)',
    "style-escaped-decl": "\\64isplay:none in a <style> rule",
    # stylesheets not read
    "external-css": '<link rel="stylesheet" href="/site.css"> (the documented limit)',
    "data-css": '<link rel="stylesheet" href="data:text/css,...">',
    "import-css": '@import url("data:text/css,...") in a <style>',
}

_FALSE_PASSES = {"white-on-white", "z-index-behind", "external-css"}
"""Not modelled (README, "Known limits"): colours against what lies behind, boxes stacked
over others, stylesheets fetched from another file."""


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            path,
            id=path,
            marks=[
                pytest.mark.xfail(
                    strict=True, reason=f"attack: pricing hidden by {how} passes the offering"
                )
            ]
            if path in _FALSE_PASSES
            else [],
        )
        for path, how in _HIDING.items()
    ],
)
def test_pricing_a_browser_hides_is_set_aside(gaming_settings: FetchSettings, path: str) -> None:
    assert_set_aside(offering(gaming_settings, path))


def test_pricing_only_in_the_title_is_not_a_sign_of_sale(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, "title-only")
    assert result.status != Status.PASS, result.summary
    assert "the page shows no pricing" in result.summary


@pytest.mark.parametrize(
    "path",
    [
        "duplicate-style-attr",  # lxml keeps the first attribute, as browsers do
        "duplicate-class-attr",
        "font-font0",
        "inert-offscreen-sticky",  # position:fixed;top:-10000px
        "line-height0-overflow",
        "style-after-important",
        "style-comment-decl",  # comments are stripped from <style>, not from style=""
        "style-has",
        "style-id-case",
        "style-media-print-screen",
        "style-nth-child",
        "style-sibling-p",
        "text-shadow-only",  # color:transparent !important
        "width0-overflow-clip-margin",
    ],
)
def test_hiding_the_checks_already_read_holds(gaming_settings: FetchSettings, path: str) -> None:
    assert_set_aside(offering(gaming_settings, path))


def test_framework_links_moved_off_screen_are_set_aside(gaming_settings: FetchSettings) -> None:
    params = policy_params("2022", "platform", "framework-alignment")
    result = judge(
        FrameworkAlignmentCheck(),
        gaming_settings,
        params,
        applicant=HIDECORP,
        alignment_pages=[f"{CSS}/align-hidden/"],
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "links hidden from visitors" in result.summary


# --- case studies: one page given twice ---------------------------------------------------

DUPCO = {"name": "Dupco", "website": "http://atk-dup.example/"}


def case_studies(
    settings: FetchSettings, applicant: dict[str, str], *studies: tuple[str, str]
) -> RequirementResult:
    """The 2022 platform case-studies requirement, every customer declared large."""
    params = policy_params("2022", "platform", "case-studies")
    entries = [{"url": u, "customer": c, "customer_employees": 20000} for u, c in studies]
    return judge(CaseStudiesCheck(), settings, params, applicant=applicant, case_studies=entries)


@pytest.mark.parametrize(
    "urls",
    [
        pytest.param(
            ("http://atk-dup.example/customers/", "http://www.atk-dup.example/customers/"),
            id="www and apex, bodies one HTML comment apart",
        ),
        pytest.param(
            (
                "http://atk-dup.example/customers/globex/",
                "http://atk-dup.example/customers/initech/",
            ),
            id="two paths, bodies one HTML comment apart",
        ),
    ],
)
def test_one_logo_wall_under_two_addresses_is_one_case_study(
    gaming_settings: FetchSettings, urls: tuple[str, str]
) -> None:
    result = case_studies(
        gaming_settings, DUPCO, (urls[0], "Globex Corporation"), (urls[1], "Initech")
    )
    assert result.status != Status.PASS, result.summary
    assert "counts once" in result.summary


def test_a_customer_name_that_is_a_common_word_is_not_found_in_lower_case(
    gaming_settings: FetchSettings,
) -> None:
    result = case_studies(
        gaming_settings,
        {"name": "Wordco", "website": "http://atk-words.example/"},
        ("http://atk-words.example/blog/shell-tips/", "Shell plc"),
        ("http://atk-words.example/blog/targets/", "Target Corporation"),
    )
    assert result.status != Status.PASS, result.summary
    # Neither page counts, each for not naming its customer (not for a fault or a doubt).
    assert result.status == Status.FAIL, result.summary
    assert [e.data["verdict"] for e in kinds(result, "case-study")] == [
        "no-customer",
        "no-customer",
    ]
    assert [e.detail for e in kinds(result, "search")] == [
        "http://atk-words.example/blog/shell-tips/ does not name 'Shell plc'",
        "http://atk-words.example/blog/targets/ does not name 'Target Corporation'",
    ]


# --- a website on a host many organisations share by path (github.com) -------------------

GH = "http://github.com"
FRAUDCO = {"name": "Fraudco", "website": f"{GH}/fraudco"}
LENS = {
    "name": "Fraud Lens",
    "landing_page": f"{GH}/fraudco/lens",
    "open_source_repository": "https://github.com/fraudco/lens",
}


def test_control_an_open_source_landing_page_on_github_passes(
    hosts_settings: FetchSettings,
) -> None:
    result = run_check(
        OfferingCheck(),
        make_submission(applicant=FRAUDCO, offering=LENS),
        policy_params("2022", "platform", "offering"),
        settings=hosts_settings,
        sources=HOST_SOURCES,
    )
    assert result.status == Status.PASS, result.summary


def test_a_directory_link_to_another_github_account_is_not_the_applicant(
    hosts_settings: FetchSettings,
) -> None:
    result = run_check(
        MembershipCheck(),
        make_submission(applicant=FRAUDCO, offering=LENS),
        policy_params("2022", "platform", "membership"),
        settings=hosts_settings,
        sources=HOST_SOURCES,
    )
    # OpenCost's entry links to github.com/opencost: nothing ties it to Fraudco.
    assert result.status == Status.FAIL, result.summary


def test_other_github_accounts_pages_are_not_the_applicants_case_studies(
    hosts_settings: FetchSettings,
) -> None:
    result = run_check(
        CaseStudiesCheck(),
        make_submission(
            applicant=FRAUDCO,
            offering=LENS,
            case_studies=[
                {
                    "url": f"{GH}/someone-else/awesome-finops",
                    "customer": "Globex Corporation",
                    "customer_employees": 20000,
                },
                {
                    "url": f"{GH}/initech-intern/notes",
                    "customer": "Initech",
                    "customer_employees": 5000,
                },
            ],
        ),
        policy_params("2022", "platform", "case-studies"),
        settings=hosts_settings,
        sources=HOST_SOURCES,
    )
    assert result.status != Status.PASS, result.summary
    assert "not on the applicant's site" in result.summary


def test_another_github_accounts_page_is_not_the_applicants_alignment_page(
    hosts_settings: FetchSettings,
) -> None:
    result = run_check(
        FrameworkAlignmentCheck(),
        make_submission(
            applicant=FRAUDCO,
            offering=LENS,
            alignment_pages=[f"{GH}/unrelated-dev/finops-study-notes"],
        ),
        policy_params("2022", "platform", "framework-alignment"),
        settings=hosts_settings,
        sources=HOST_SOURCES,
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "not on the applicant's site" in result.summary


# --- membership: another member's name ----------------------------------------------------


def test_a_same_named_entry_linking_to_another_domain_needs_review(
    hosts_settings: FetchSettings,
) -> None:
    result = run_check(
        MembershipCheck(),
        make_submission(
            applicant={"name": "Globex Inc.", "website": "https://globex-cloud.example/"}
        ),
        policy_params("2022", "platform", "membership"),
        settings=hosts_settings,
        sources=HOST_SOURCES,
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "globex-real.example" in result.summary


# --- community: a guest post on the Foundation's site, titled as the group -----------------

FINOPS = "http://atk-finops.example"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("containers-recap", id="byline in a class that is not author/byline"),
        pytest.param("containers-year", id="byline names the employee, not the company"),
    ],
)
def test_a_guest_post_titled_as_the_group_is_not_its_contributors_page(
    gaming_settings: FetchSettings, path: str
) -> None:
    sub = make_submission(
        applicant={"name": "Marlow Metrics", "website": "https://marlow.example/"},
        community=[
            {"group": "FinOps for Containers Working Group", "url": f"{FINOPS}/blog/{path}/"}
        ],
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
