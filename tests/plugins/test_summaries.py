"""Every summary names what was not confirmed (the verdict is unchanged: summaries only)."""

from __future__ import annotations

from typing import Any

from plugins.case_studies import CaseStudiesCheck
from verifier.fetch import FetchSettings
from verifier.testing import make_submission, run_check

ACME = "http://acme.example/customers"
PLATFORM = {"min_customers": 2, "min_customer_employees": 500}


def study(path: str, customer: str, employees: int | None) -> dict[str, Any]:
    return {"url": f"{ACME}/{path}/", "customer": customer, "customer_employees": employees}


GLOBEX = study("globex", "Globex Corporation", 20000)
INITECH = study("initech", "Initech", 6500)


def test_a_case_studies_pass_names_the_customer_not_confirmed(settings: FetchSettings) -> None:
    # The anonymised page does not name Walmart: two others pass, and the summary must
    # still say that Walmart was not confirmed, and why.
    walmart = study("retail-leader", "Walmart Inc.", 2100000)
    sub = make_submission(case_studies=[GLOBEX, walmart, INITECH], offering=None)
    result = run_check(CaseStudiesCheck(), sub, PLATFORM, settings=settings)
    assert result.status == "pass", result.summary
    assert "2 distinct customer(s) confirmed (Globex Corporation, Initech)" in result.summary
    assert "not confirmed: Walmart Inc. (not named on its page)" in result.summary


def test_a_case_studies_pass_with_every_customer_confirmed_names_none(
    settings: FetchSettings,
) -> None:
    sub = make_submission(case_studies=[GLOBEX, INITECH], offering=None)
    result = run_check(CaseStudiesCheck(), sub, PLATFORM, settings=settings)
    assert result.status == "pass"
    assert "not confirmed" not in result.summary
