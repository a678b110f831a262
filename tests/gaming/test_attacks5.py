"""A hostile applicant's fifth round: the verdict paths issue 9 restructured.

Issue 9 moved the page-reading rules into ``verifier.toolkit`` (one soft-404 rule, one
JavaScript-shell threshold, one whole-word matcher) and split the hardest checks into
gather + pure decide; behaviour was to stay as it was at 967af0f. Each attempt below was run
against both 967af0f and main. Where main judged a page differently from 967af0f, the test
asserts the 967af0f verdict (it was a strict xfail until the rules were fixed: read_page
is gone only on a title only a "not found" page has, the broader phrases are a note; a
page that runs scripts is a shell by its whole text or, apart, by the text a visitor
sees, as before); beside it stands a control that holds on both. A pre-existing false
pass (a member named "Icon Protoco" listing Protoco) is fixed too: only a logo's alt text
loses the words "logo" and "icon". Attempts that fool neither are ordinary tests.

Pages are ``fixtures/gaming/atk5-*.example`` (served by the ``gaming_settings`` fixture).
"""

from __future__ import annotations

import pytest

from plugins.case_studies import CaseStudiesCheck
from plugins.community import CommunityCheck
from plugins.membership import MembershipCheck, combine
from tests.gaming.c1_support import judge, policy_params, protoco_offering
from verifier import Outcome, Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult
from verifier.names import says, whole_words
from verifier.testing import make_submission, run_check

OWN = "http://atk5-own.example"
CASES = "http://atk5-cases.example"
FOUNDATION = "http://atk5-foundation.example"
WG = "http://atk5-wg.example"
_GROUP = "FinOps for Containers Working Group"


def offering(settings: FetchSettings, variant: str) -> RequirementResult:
    """The 2022 platform offering requirement on Protoco's "Proto Lens" page ``variant``."""
    return protoco_offering(settings, OWN, variant)


# --- the one soft-404 rule: a real page whose title says "not found" -----------------------

_SOFT_404_FOUND = (
    "issue 9 gave read_page the fetch layer's broad 'not found' phrases "
    "(verifier/fetch/content.py:180 NOT_FOUND_PHRASES: 'not found', 'page does not exist', "
    "'no longer available'), meant for a reviewer's note, as a verdict "
    "(verifier/toolkit/pages.py:83 `if soft_404(title)` -> state 'gone'): a real page "
    "whose title says so is reported as not existing and fails; at 967af0f read_page knew "
    "only '404', 'page not found', 'page cannot be found'"
)


def test_control_a_priced_landing_page_passes(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, "priced")
    assert result.status == Status.PASS, result.summary
    assert "is purchasable" in result.summary


@pytest.mark.parametrize(
    "variant",
    [
        # <title>Proto Lens: the savings others have not found</title>
        pytest.param("title-not-found", id="not-found"),
        # <title>Proto Lens: idle spend, no longer available to waste</title>
        pytest.param("title-no-longer-available", id="no-longer-available"),
        # <title>Proto Lens: the waste your finance page does not exist to see</title>
        pytest.param("title-page-does-not-exist", id="page-does-not-exist"),
    ],
)
def test_a_real_landing_page_whose_title_says_not_found_is_not_gone(
    gaming_settings: FetchSettings, variant: str
) -> None:
    # The same page as the control, pricing and all; only the title differs. Main fails
    # it: "answered 200 with the title 'Proto Lens: the savings others have not found'",
    # as if the page did not exist: staff are told something false about the applicant.
    result = offering(gaming_settings, variant)
    assert result.status == Status.PASS, result.summary
    assert "is purchasable" in result.summary


def test_a_page_titled_error_404_is_still_gone(gaming_settings: FetchSettings) -> None:
    # A real soft 404 (200 with <title>Error 404 — Protoco</title>): an absence on both.
    result = offering(gaming_settings, "title-error-404")
    assert result.status == Status.FAIL, result.summary
    assert "answered 200 with the title 'Error 404 — Protoco'" in result.summary


def test_a_number_holding_404_is_no_soft_404(gaming_settings: FetchSettings) -> None:
    # <title>Proto Lens 14045 — Protoco</title>: "404" only inside a longer number.
    result = offering(gaming_settings, "title-build-14045")
    assert result.status == Status.PASS, result.summary
    assert "is purchasable" in result.summary


def case_studies(settings: FetchSettings, second: str) -> RequirementResult:
    """The 2022 platform case-studies requirement: Globex's story and ``second`` (Initech)."""
    studies = [
        {"url": f"{CASES}/globex/", "customer": "Globex Corporation", "customer_employees": 20000},
        {"url": f"{CASES}/{second}/", "customer": "Initech", "customer_employees": 20000},
    ]
    fields = {"applicant": {"name": "Storyco", "website": f"{CASES}/"}, "case_studies": studies}
    params = policy_params("2022", "platform", "case-studies")
    return judge(CaseStudiesCheck(), settings, params, **fields)


def test_control_two_customer_stories_pass(gaming_settings: FetchSettings) -> None:
    result = case_studies(gaming_settings, "initech")
    assert result.status == Status.PASS, result.summary
    assert "2 distinct customer(s) confirmed (Globex Corporation, Initech)" in result.summary


def test_a_customer_story_whose_title_says_no_longer_available_counts(
    gaming_settings: FetchSettings,
) -> None:
    # <title>Initech: month-end surprises are no longer available — Storyco</title>, the
    # same story as the control: main counts one customer and fails the requirement.
    result = case_studies(gaming_settings, "initech-surprises")
    assert result.status == Status.PASS, result.summary
    assert "2 distinct customer(s) confirmed (Globex Corporation, Initech)" in result.summary


# --- the one JavaScript-shell threshold: 200 characters where read_page had 80 ------------

_SHELL_FOUND = (
    "issue 9 raised read_page's JavaScript-shell threshold from 80 to 200 characters of "
    "visible text (verifier/toolkit/pages.py:56 built_by_javascript -> "
    "verifier/fetch/content.py:204 script_shell, SHELL_TEXT_CHARS = 200): a short page that "
    "runs one analytics script, whose visible text (80-199 characters) was judged at "
    "967af0f, is now 'unreadable' and goes to a person (its hidden cookie notice keeps the "
    "fetch layer's whole-text note away, so 967af0f judged it)"
)


def test_a_short_page_with_a_script_and_no_sign_of_sale_still_fails(
    gaming_settings: FetchSettings,
) -> None:
    # The applicant's weaker verdict: 103 visible characters, one <script>, a hidden cookie
    # notice; it names the offering and shows no sign of sale. 967af0f: fail; main:
    # needs_review ("has almost no text and runs scripts"): a person is asked to read a
    # page a program read.
    result = offering(gaming_settings, "script-short-unpriced")
    assert result.status == Status.FAIL, result.summary
    assert "shows no pricing, trial, marketplace listing" in result.summary


def test_a_short_priced_page_with_a_script_still_passes(gaming_settings: FetchSettings) -> None:
    # The same page with its price (108 visible characters): 967af0f passed it, main sends
    # a legitimate applicant to a person.
    result = offering(gaming_settings, "script-short-priced")
    assert result.status == Status.PASS, result.summary
    assert "is purchasable" in result.summary


def test_control_a_real_script_shell_needs_a_person(gaming_settings: FetchSettings) -> None:
    # <div id="app"></div><script>...: nothing to judge, on both.
    result = offering(gaming_settings, "script-shell")
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "has almost no text and runs scripts" in result.summary


# --- the one whole-word matcher -----------------------------------------------------------


def test_a_longer_word_does_not_name_the_offering(gaming_settings: FetchSettings) -> None:
    # "Proto Lenses", priced: "Proto Lens" is not in it.
    result = offering(gaming_settings, "title-lenses")
    assert result.status == Status.FAIL, result.summary
    assert "does not name 'Proto Lens'" in result.summary


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_a_blank_term_is_said_nowhere(blank: str) -> None:
    # At 967af0f _signs.says(text, "") matched any text ending in a non-word character;
    # a blank policy term now matches nothing (no pattern at all).
    assert not says("Plans & pricing.", blank)
    assert not says("", blank)
    assert whole_words([blank]) is None


def test_whole_words_takes_regex_characters_literally() -> None:
    assert says("Plans & pricing (monthly)", "plans & pricing")
    assert not says("Plans and pricing", "plans.*pricing")
    assert says("We speak C++ daily.", "C++")


# --- the directory's logo-word filter -----------------------------------------------------


def membership(settings: FetchSettings, variant: str) -> RequirementResult:
    """Protoco looked up in the member directory ``variant`` of the gaming Foundation."""
    return run_check(
        MembershipCheck(),
        make_submission(applicant={"name": "Protoco", "website": "https://protoco.example/"}),
        {"sources": ["finops-members"]},
        settings=settings,
        sources={"finops-members": f"{FOUNDATION}/{variant}/"},
    )


def test_control_a_logo_whose_alt_says_logo_lists_its_organisation(
    gaming_settings: FetchSettings,
) -> None:
    # <img alt="Protoco logo">
    result = membership(gaming_settings, "logo-alt")
    assert result.status == Status.PASS, result.summary
    assert result.summary == "listed in finops-members as 'Protoco'"


def test_logo_glued_to_a_name_is_no_logo_word(gaming_settings: FetchSettings) -> None:
    # <img alt="Protocologo">: "logo" inside a longer word is not stripped.
    result = membership(gaming_settings, "logo-glued")
    assert result.status == Status.FAIL, result.summary
    assert "not listed in finops-members (3 entries searched)" in result.summary


def test_another_member_named_icon_something_does_not_list_the_applicant(
    gaming_settings: FetchSettings,
) -> None:
    # <li>Icon Protoco</li>: a different organisation, listed as text.
    result = membership(gaming_settings, "icon-company")
    assert result.status != Status.PASS, result.summary
    assert result.status == Status.FAIL, result.summary
    assert result.summary == "not listed in finops-members (3 entries searched)"


# --- community: gather, then a pure decide --------------------------------------------------


def community(settings: FetchSettings, variant: str) -> RequirementResult:
    """Acme Cloud (alias "ACX") claims the group, whose page is ``variant``."""
    sub = make_submission(
        applicant={"name": "Acme Cloud", "website": "https://acme.example/", "aliases": ["ACX"]},
        community=[{"group": _GROUP, "url": f"{WG}/{variant}/"}],
    )
    params = policy_params("2022", "platform", "community") | {"trusted_sources": []}
    return run_check(CommunityCheck(), sub, params, settings=settings)


def test_control_a_contributor_listing_naming_the_applicant_passes(
    gaming_settings: FetchSettings,
) -> None:
    result = community(gaming_settings, "listed")
    assert result.status == Status.PASS, result.summary
    assert result.summary == f"listed as a contributor of {_GROUP}"


@pytest.mark.parametrize(
    ("variant", "why"),
    [
        # Card "Sam Roe / ACX" beside a card linking to acme.example, in one grid: the card
        # naming the alias decides, the grid around it does not tie the alias.
        pytest.param(
            "alias-card-in-linked-grid",
            "the page lists only the alias 'ACX', which it does not tie to acme.example",
            id="alias-card-in-a-linked-grid",
        ),
        # A listing naming the applicant on a page whose byline names it too.
        pytest.param(
            "listed-with-byline",
            "the page's byline names the applicant: a page it wrote is its own word",
            id="byline",
        ),
        # The listing inside an <article>.
        pytest.param(
            "listed-in-article",
            "the page is an article, not the group's page: its listing is inside an <article>",
            id="article",
        ),
        # A hidden item naming the applicant before a seen item naming its untied alias.
        pytest.param(
            "hidden-own-then-alias",
            "the page lists the applicant among its contributors only in hidden content",
            id="hidden-own-name-then-alias",
        ),
        # An alias tied to the applicant's domain only by a hidden link.
        pytest.param(
            "alias-tied-hidden-link",
            "the page lists the applicant among its contributors only in hidden content",
            id="alias-tied-by-a-hidden-link",
        ),
    ],
)
def test_the_split_community_decision_confirms_no_listing_it_did_not_before(
    gaming_settings: FetchSettings, variant: str, why: str
) -> None:
    # Run against 967af0f and main: the same status, summary and reason on each.
    result = community(gaming_settings, variant)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    claims = [e.detail for e in result.evidence if e.kind == "community-claim"]
    assert claims == [f"{_GROUP}: not confirmed ({why})"]


# --- membership.combine through overall_status --------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "worst"),
    [
        pytest.param(("passed", "needs_review"), Status.NEEDS_REVIEW, id="review-over-pass"),
        pytest.param(("error", "failed"), Status.FAIL, id="absence-over-fault"),
        pytest.param(("needs_review", "error"), Status.ERROR, id="fault-over-review"),
        pytest.param(("passed", "passed"), Status.PASS, id="all-pass"),
    ],
)
def test_sources_combine_to_the_worst_status(statuses: tuple[str, ...], worst: Status) -> None:
    # The same as 967af0f's own loop: a pass never hides another source's doubt.
    outcome = combine([getattr(Outcome, s)(f"source {i}") for i, s in enumerate(statuses)])
    assert outcome.status == worst
    assert outcome.summary == "; ".join(f"source {i}" for i in range(len(statuses)))
