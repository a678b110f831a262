"""Issue 8, class 4 (customers): an alias the applicant writes must not decide a case study.

``customer_aliases`` are the applicant's words. A page that names its customer only through
one of them ("enterprise", "retail", a brand) needs a person, who sees the alias and the entry
and confirms the alias is really the customer. The pages are on the applicant's own site,
``fixtures/gaming/c1-cases.example``.
"""

from __future__ import annotations

from typing import Any

import pytest

from plugins.case_studies import CaseStudiesCheck
from tests.gaming.c1_support import judge, kinds, policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult

APPLICANT = {"name": "Casewise Cloud Ltd", "website": "http://c1-cases.example/"}
SITE = "http://c1-cases.example/customers"
GLOBEX = {"url": f"{SITE}/globex/", "customer": "Globex Corporation"}


def with_globex(settings: FetchSettings, study: dict[str, Any]) -> RequirementResult:
    """The solution policy's case-studies requirement on Globex (named) and ``study``."""
    params = policy_params("2022", "solution", "case-studies")
    fields = {"applicant": APPLICANT, "case_studies": [GLOBEX, study]}
    return judge(CaseStudiesCheck(), settings, params, **fields)


@pytest.mark.parametrize(
    ("page", "customer", "alias"),
    [
        # "we" itself is refused when the submission is read (verifier/names.py); words a
        # little less common pass that check and still name anyone.
        pytest.param(
            "anonymous", "Walmart Inc.", "Enterprise", id="the alias 'Enterprise' names anyone"
        ),
        pytest.param("anonymous", "Walmart Inc.", "Retail", id="the alias 'Retail' names anyone"),
        pytest.param(
            "umbrella-health",
            "Tricell Holdings",
            "Umbrella Health",
            id="a customer named only through a declared brand (another company's name)",
        ),
    ],
)
def test_a_customer_named_only_through_an_alias_needs_review(
    gaming_settings: FetchSettings, page: str, customer: str, alias: str
) -> None:
    study = {"url": f"{SITE}/{page}/", "customer": customer, "customer_aliases": [alias]}
    result = with_globex(gaming_settings, study)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        f"1 distinct customer(s) confirmed (Globex Corporation); {customer} named only "
        "through an alias a person must confirm; 2 required"
    )
    (shown,) = kinds(result, "alias")
    assert shown.data["alias"] == alias.lower()
    assert shown.data["entry"] == {"customer": customer, "customer_aliases": [alias]}
    assert alias.lower() in (shown.excerpt or "").lower()
    assert shown.sha256  # the capture it was read in


def test_control_the_customer_named_by_its_own_name_passes(gaming_settings: FetchSettings) -> None:
    brand = {
        "url": f"{SITE}/umbrella-health/",
        "customer": "Umbrella Health",
        "customer_aliases": ["Umbrella"],
    }
    result = with_globex(gaming_settings, brand)
    assert result.status == Status.PASS, result.summary
    assert not kinds(result, "alias")
