"""Issue 8, class 1: hidden content is not evidence.

What counts is what a visitor sees. Where the deciding evidence exists only in content
hidden from visitors (``display:none``, the ``hidden`` attribute, ``aria-hidden``, a
``<template>``, a rule of the page's own ``<style>``, ``font-size:0``, ``opacity:0``), the
requirement is ``needs_review``, never ``pass``, and evidence of kind ``hidden`` quotes the
passage (or link) and says why it was set aside. Beside each attempt, a control with the
same evidence in plain sight passes. Sites: ``fixtures/gaming/c1-hidden-*``.
"""

from __future__ import annotations

import pytest

from plugins.case_studies import CaseStudiesCheck
from plugins.framework_alignment import FrameworkAlignmentCheck
from plugins.landing_page import LandingPageCheck
from plugins.offering import OfferingCheck
from tests.gaming.c1_support import judge, kinds, policy_params
from verifier import Evidence, Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult

PRICING = "http://c1-hidden-pricing.example"
HIDECORP = {"name": "Hidecorp", "website": f"{PRICING}/"}


def hidden_evidence(result: RequirementResult) -> list[Evidence]:
    """The ``hidden`` evidence that quotes a passage, each checked to carry its capture,
    the quote and the reason (a last item may count the passages not quoted)."""
    found = kinds(result, "hidden")
    assert all(item.sha256 for item in found)
    quoting = [item for item in found if item.excerpt]
    assert quoting, f"no hidden passage quoted: {result.summary}"
    for item in quoting:
        assert item.data["reason"]
        assert "is hidden from visitors" in item.detail
    return quoting


def offering(settings: FetchSettings, path: str) -> RequirementResult:
    """The 2022 platform policy's offering requirement on Hidecorp's page ``path``."""
    fields = {"applicant": HIDECORP, "offering": {"name": "Proto Lens", "landing_page": path}}
    return judge(OfferingCheck(), settings, policy_params("2022", "platform", "offering"), **fields)


@pytest.mark.parametrize(
    ("path", "quote", "reason", "shows"),
    [
        pytest.param(
            "proto/",
            "Pricing and plans, free trial, buy now",
            "display:none in its style attribute",
            "that Proto Lens is purchasable",
            id="pricing in a display:none div beside 'not for sale'",
        ),
        pytest.param(
            "opacity/",
            "Subscribe from $49 per month.",
            "opacity:0 in its style attribute",
            "that Proto Lens is purchasable",
            id="a price at opacity 0",
        ),
        pytest.param(
            "template/",
            "Proto Lens on AWS Marketplace -> https://aws.amazon.com/marketplace/pp/"
            "prodview-protolens",
            "a <template>",
            "that Proto Lens is purchasable",
            id="a marketplace link inside a template",
        ),
        pytest.param(
            "style-class/",
            "Start trial Talk to sales for a quote.",
            "the rule .promo {display:none} of the page's <style>",
            "that Proto Lens is purchasable",
            id="a trial offer in a class the page's own style hides",
        ),
        pytest.param(
            "unnamed/",
            "Proto Lens",
            "font-size:0 in its style attribute",
            "the name 'Proto Lens'",
            id="the offering's name only at font size 0",
        ),
    ],
)
def test_offering_shown_only_in_hidden_content_needs_review(
    gaming_settings: FetchSettings, path: str, quote: str, reason: str, shows: str
) -> None:
    result = offering(gaming_settings, f"{PRICING}/{path}")
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary.startswith(f"only content hidden from visitors shows {shows} (")
    assert result.summary.endswith("set aside); a person must judge")
    first = hidden_evidence(result)[0]
    assert first.excerpt == quote
    assert first.data["reason"] == reason
    assert reason in first.detail


def test_control_visible_pricing_passes(gaming_settings: FetchSettings) -> None:
    result = offering(gaming_settings, f"{PRICING}/lens/")
    assert result.status == Status.PASS, result.summary
    assert not kinds(result, "hidden")  # a hidden div that would not decide is not quoted


FRAMEWORK = "http://c1-hidden-framework.example/docs"
HIDELYTICS = {"name": "Hidelytics", "website": "http://c1-hidden-framework.example/"}


def alignment(settings: FetchSettings, path: str) -> RequirementResult:
    """The 2022 platform policy's framework-alignment requirement on one page."""
    params = policy_params("2022", "platform", "framework-alignment")
    fields = {"applicant": HIDELYTICS, "alignment_pages": [f"{FRAMEWORK}/{path}/"]}
    return judge(FrameworkAlignmentCheck(), settings, params, **fields)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        pytest.param("display-none", "display:none in its style attribute", id="display:none"),
        pytest.param("hidden-attribute", "the hidden attribute", id="the hidden attribute"),
        pytest.param("aria-hidden", 'aria-hidden="true"', id="aria-hidden"),
        pytest.param("template", "a <template>", id="a template"),
        pytest.param("font-size", "font-size:0px in its style attribute", id="font size 0"),
        pytest.param(
            "style-class",
            "the rule .seo-links {opacity:0} of the page's <style>",
            id="a class the page's own style makes transparent",
        ),
    ],
)
def test_framework_links_hidden_from_visitors_need_review(
    gaming_settings: FetchSettings, path: str, reason: str
) -> None:
    result = alignment(gaming_settings, path)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary.startswith(
        "links to 0 FinOps Framework domain(s) (none) and 0 capability(ies) (none); only with "
        "links hidden from visitors ("
    )
    assert "do they reach 3 domain(s) and 6 capability(ies)" in result.summary
    quoted = hidden_evidence(result)
    assert len(quoted) == 5  # and one item counting the sixth
    assert "1 more hidden passage(s) or link(s)" in kinds(result, "hidden")[-1].detail
    assert quoted[0].excerpt == (
        "Allocation -> https://www.finops.org/framework/capabilities/allocation/"
    )
    assert {q.data["reason"] for q in quoted} == {reason}
    assert not kinds(result, "framework-link")  # none counted


def test_visible_links_count_and_only_the_hidden_ones_are_quoted(
    gaming_settings: FetchSettings,
) -> None:
    result = alignment(gaming_settings, "partly-hidden")
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary.startswith(
        "links to 2 FinOps Framework domain(s) (Understand Usage & Cost, Quantify Business "
        "Value) and 2 capability(ies) (Allocation, Forecasting); only with links hidden from "
        "visitors (Budgeting, Optimize Usage & Cost, Rate Optimization, Reporting & Analytics, "
        "Usage Optimization)"
    )
    quoted = {q.excerpt for q in hidden_evidence(result)}
    assert "Budgeting -> https://www.finops.org/framework/capabilities/budgeting/" in quoted
    assert not any("allocation" in q for q in quoted if q)


def test_control_visible_framework_links_pass(gaming_settings: FetchSettings) -> None:
    result = alignment(gaming_settings, "visible")
    assert result.status == Status.PASS, result.summary
    assert "3 FinOps Framework domain(s)" in result.summary
    assert not kinds(result, "hidden")


CUSTOMERS = "http://c1-hidden-customers.example/customers"
GLOBEX = {"url": f"{CUSTOMERS}/globex/", "customer": "Globex Corporation"}


@pytest.mark.parametrize(
    ("path", "customer", "reason"),
    [
        pytest.param(
            "software-company",
            "Initech",
            "font-size:0 in its style attribute",
            id="a customer named at font size 0",
        ),
        pytest.param("logo-wall", "Hooli", 'aria-hidden="true"', id="a customer in aria-hidden"),
        pytest.param(
            "styled",
            "Umbrella Corporation",
            "the rule #client {visibility:hidden} of the page's <style>",
            id="a customer hidden by an id rule of the page's own style",
        ),
    ],
)
def test_a_customer_named_only_in_hidden_text_needs_review(
    gaming_settings: FetchSettings, path: str, customer: str, reason: str
) -> None:
    result = judge(
        CaseStudiesCheck(),
        gaming_settings,
        policy_params("2022", "solution", "case-studies"),
        applicant={"name": "Hidecorp", "website": "http://c1-hidden-customers.example/"},
        case_studies=[GLOBEX, {"url": f"{CUSTOMERS}/{path}/", "customer": customer}],
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        f"1 distinct customer(s) confirmed (Globex Corporation); {customer} named only in "
        "text hidden from visitors; 2 required"
    )
    (quoted,) = hidden_evidence(result)
    assert quoted.excerpt == customer
    assert quoted.data["reason"] == reason
    assert kinds(result, "case-study")[1].data["verdict"] == "hidden"


def test_a_training_offering_only_in_hidden_text_needs_review(
    gaming_settings: FetchSettings,
) -> None:
    result = judge(
        LandingPageCheck(),
        gaming_settings,
        policy_params("2022", "training-partner", "landing-page"),
        applicant={"name": "Hidetrain", "website": "http://c1-hidden-training.example/"},
        training={"landing_page": "http://c1-hidden-training.example/training/"},
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        "the training page shows courses, exam prep, instructor-led, self-paced only in "
        "content hidden from visitors (set aside); a person must judge"
    )
    (quoted,) = hidden_evidence(result)
    assert quoted.excerpt == "Instructor-led FinOps courses, self-paced exam prep and workshops."
    assert quoted.data["reason"] == "display:none in its style attribute"
