"""Issue 8, class 2: one page does not count as several case studies.

Each case study is its own page. Pages are compared after redirects and after normalising
the URL (fragment, trailing slash, ``utm_*``), by the text a visitor sees, and by how alike
their body texts are (``plugins.case_studies.similarity``): a page given twice counts once,
for the first case study that gives it, and the summary names the repeated URL. The
applicant's site is ``fixtures/gaming/c1-cases.example``; its "highlights" page names two
customers; its ``stories/`` are two real case studies in one long page template.
"""

from __future__ import annotations

from typing import Any

import pytest

from plugins.case_studies import CaseStudiesCheck
from tests.gaming.c1_support import judge, kinds, policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.inputs.submission import MAX_ITEMS
from verifier.models import RequirementResult

APPLICANT = {"name": "Casewise Cloud Ltd", "website": "http://c1-cases.example/"}
SITE = "http://c1-cases.example/customers"
HIGHLIGHTS = f"{SITE}/highlights/"


def studies(settings: FetchSettings, *pairs: tuple[str, str]) -> RequirementResult:
    """The solution policy's case-studies requirement ("multiple customers", any size)."""
    given: list[dict[str, Any]] = [{"url": url, "customer": who} for url, who in pairs]
    params = policy_params("2022", "solution", "case-studies")
    return judge(CaseStudiesCheck(), settings, params, applicant=APPLICANT, case_studies=given)


def test_control_two_pages_each_naming_its_customer_pass(gaming_settings: FetchSettings) -> None:
    result = studies(
        gaming_settings,
        (f"{SITE}/globex/", "Globex Corporation"),
        (f"{SITE}/initech/", "Initech"),
    )
    assert result.status == Status.PASS, result.summary
    assert result.summary == (
        "2 distinct customer(s) confirmed (Globex Corporation, Initech); 2 required"
    )


@pytest.mark.parametrize(
    "again",
    [
        pytest.param(HIGHLIGHTS, id="the same URL twice"),
        pytest.param(f"{HIGHLIGHTS}#initech", id="the same URL with a fragment"),
        pytest.param(HIGHLIGHTS.rstrip("/"), id="the same URL without its trailing slash"),
        pytest.param(
            f"{HIGHLIGHTS}?utm_source=newsletter&utm_medium=email", id="the same URL with utm_*"
        ),
        pytest.param(
            "HTTP://C1-CASES.EXAMPLE:80/customers/highlights/?gclid=abc",
            id="the same URL in capitals, with the default port and a click id",
        ),
        pytest.param(f"{SITE}/initech-story", id="another URL that redirects to the page"),
        pytest.param(
            f"{HIGHLIGHTS}?story=initech", id="the same page under a query its server ignores"
        ),
    ],
)
def test_one_page_naming_two_customers_counts_once(
    gaming_settings: FetchSettings, again: str
) -> None:
    result = studies(gaming_settings, (HIGHLIGHTS, "Globex Corporation"), (again, "Initech"))
    assert result.status == Status.FAIL, result.summary
    assert result.summary == (
        "1 distinct customer(s) confirmed (Globex Corporation); a page given again counts "
        f"once ({again}); 2 required"
    )
    first, second = kinds(result, "case-study")
    assert first.data["verdict"] == "counted"
    assert second.data["verdict"] == "duplicate"
    assert f"the same page as case study #1 ({HIGHLIGHTS}), counted once" in second.detail


def test_two_urls_redirecting_to_one_page_count_once(gaming_settings: FetchSettings) -> None:
    result = studies(
        gaming_settings,
        (f"{SITE}/globex-story", "Globex Corporation"),
        (f"{SITE}/initech-story", "Initech"),
    )
    assert result.status == Status.FAIL, result.summary
    assert f"a page given again counts once ({SITE}/initech-story)" in result.summary
    second = kinds(result, "case-study")[1]
    assert f"the same page as case study #1 ({SITE}/globex-story)" in second.detail


def test_a_repeated_page_is_named_even_when_enough_customers_pass(
    gaming_settings: FetchSettings,
) -> None:
    result = studies(
        gaming_settings,
        (f"{SITE}/globex/", "Globex Corporation"),
        (f"{SITE}/initech/", "Initech"),
        (f"{SITE}/initech/?utm_campaign=renewal", "Initech"),
    )
    assert result.status == Status.PASS, result.summary
    assert "a page given again counts once" in result.summary
    assert f"{SITE}/initech/?utm_campaign=renewal" in result.summary


def test_control_two_stories_in_one_long_template_both_count(
    gaming_settings: FetchSettings,
) -> None:
    # ~190 words of menu, banner and footer on both pages, ~170 words of each story's own.
    result = studies(
        gaming_settings,
        ("http://c1-cases.example/stories/globex/", "Globex Corporation"),
        ("http://c1-cases.example/stories/initech/", "Initech"),
    )
    assert result.status == Status.PASS, result.summary
    assert result.summary == (
        "2 distinct customer(s) confirmed (Globex Corporation, Initech); 2 required"
    )
    assert [e.data["verdict"] for e in kinds(result, "case-study")] == ["counted", "counted"]


@pytest.mark.parametrize("variant", ["title", "nonce"])
def test_a_page_nearly_the_same_as_an_earlier_one_says_how_alike(
    gaming_settings: FetchSettings, variant: str
) -> None:
    # fixtures/gaming/atk2-dup.example: one logo wall under two titles, or a nonce apart.
    base = f"http://atk2-dup.example/{variant}"
    result = judge(
        CaseStudiesCheck(),
        gaming_settings,
        policy_params("2022", "solution", "case-studies"),
        applicant={"name": "Dupco", "website": "http://atk2-dup.example/"},
        case_studies=[
            {"url": f"{base}/globex/", "customer": "Globex Corporation"},
            {"url": f"{base}/initech/", "customer": "Initech"},
        ],
    )
    # Never a pass; and not a fail either: text this alike may be two real stories in a
    # large shared template, so the customer it would have counted goes to a person.
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        "1 distinct customer(s) confirmed (Globex Corporation); a page nearly the same as an "
        f"earlier one counts once ({base}/initech/, the same page as {base}/globex/); "
        "the pages about Initech are nearly the same as an earlier one (one page twice, or "
        "two stories in a large shared template?); 2 required"
    )
    first, second = kinds(result, "case-study")
    assert (first.data["verdict"], second.data["verdict"]) == ("counted", "near-duplicate")
    assert f"the same page as case study #1 ({base}/globex/): their text is" in second.detail
    assert "% alike (from 80% two pages are one), counted once" in second.detail


def test_the_longest_list_gives_a_one_sentence_summary(gaming_settings: FetchSettings) -> None:
    # One page given as often as a submission may list case studies, under as many
    # tracking links (issue 8, class 13).
    pairs = [(f"{HIGHLIGHTS}?utm_content={n}", f"Customer {n}") for n in range(MAX_ITEMS)]
    result = studies(gaming_settings, *pairs)
    assert result.status == Status.FAIL, result.summary[:300]
    assert len(result.summary) < 500
    assert result.summary.endswith(f"and {MAX_ITEMS - 4:,} more); 2 required")
    assert len(kinds(result, "case-study")) == MAX_ITEMS  # the evidence keeps every entry
