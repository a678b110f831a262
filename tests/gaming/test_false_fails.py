"""Issue 8, classes 6 and 7: honest applicants the policies used to fail.

- A service provider's requirement is "a dedicated FinOps or cloud financial management
  offering listed online": a services page whose title and heading name FinOps and which
  describes its services passes without purchase terms (those are the platform and
  solution wording). Both programs' service-provider policies say so in their params.
- A Certified Solution is "specialized on a specific area"; its alignment is "the
  corresponding subset" of the Framework: one domain and one capability pass.
"""

from __future__ import annotations

import pytest

from plugins.framework_alignment import FrameworkAlignmentCheck
from plugins.offering import OfferingCheck
from tests.gaming.c1_support import judge, kinds, policy_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.models import RequirementResult

NIMBUS = {"name": "Nimbus Advisory Ltd", "website": "http://c1-consult.example/"}
CONSULTING = "http://c1-consult.example/finops-consulting/"
ALIGNLYTICS = {"name": "Alignlytics", "website": "http://c1-align.example/"}
KUBERNETES = "http://c1-align.example/docs/kubernetes-allocation/"


def offering(
    settings: FetchSettings, program: str, tier: str, name: str, page: str
) -> RequirementResult:
    """The bundled policy's offering requirement on Nimbus's page ``page``."""
    params = policy_params(program, tier, "offering")
    fields = {"applicant": NIMBUS, "offering": {"name": name, "landing_page": page}}
    return judge(OfferingCheck(), settings, params, **fields)


def alignment(settings: FetchSettings, tier: str) -> RequirementResult:
    """The bundled 2022 policy's framework-alignment requirement on the Kubernetes page."""
    params = policy_params("2022", tier, "framework-alignment")
    fields = {"applicant": ALIGNLYTICS, "alignment_pages": [KUBERNETES]}
    return judge(FrameworkAlignmentCheck(), settings, params, **fields)


@pytest.mark.parametrize("program", ["2022", "2025"])
def test_a_finops_consulting_page_passes_the_service_provider_offering(
    gaming_settings: FetchSettings, program: str
) -> None:
    result = offering(gaming_settings, program, "service-provider", "FinOps consulting", CONSULTING)
    assert result.status == Status.PASS, result.summary
    assert result.summary == (
        f"FinOps consulting is listed at {CONSULTING} and is offered as a service"
    )
    (topic,) = kinds(result, "topic")
    assert topic.excerpt == "FinOps consulting — Nimbus Advisory"  # the page's title
    services = {e.detail for e in kinds(result, "service")}
    assert "the page describes services: 'consulting'" in services
    assert "the page describes services: 'managed FinOps'" in services
    assert not kinds(result, "purchase")  # no price, no "contact us": not needed


@pytest.mark.parametrize("program", ["2022", "2025"])
def test_a_services_page_that_is_not_about_finops_needs_review(
    gaming_settings: FetchSettings, program: str
) -> None:
    page = "http://c1-consult.example/cloud-migration/"
    result = offering(gaming_settings, program, "service-provider", "Nimbus Advisory", page)
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == (
        f"Nimbus Advisory is listed at {page} and is purchasable, but its title and headings "
        "name none of FinOps, cloud financial management, CFM: a person must judge whether "
        "it is a dedicated offering"
    )


def test_the_platform_offering_still_asks_for_purchase_or_open_source(
    gaming_settings: FetchSettings,
) -> None:
    result = offering(gaming_settings, "2022", "platform", "FinOps consulting", CONSULTING)
    assert result.status == Status.FAIL, result.summary
    assert "shows no pricing, trial, marketplace listing or public repository" in result.summary


def test_a_specialised_solution_with_one_domain_and_one_capability_passes(
    gaming_settings: FetchSettings,
) -> None:
    result = alignment(gaming_settings, "solution")
    assert result.status == Status.PASS, result.summary
    assert result.summary == (
        "links to 1 FinOps Framework domain(s) (Understand Usage & Cost) and 1 capability(ies) "
        "(Allocation); 1 domain(s) and 1 capability(ies) required"
    )


def test_the_platform_still_asks_for_breadth(gaming_settings: FetchSettings) -> None:
    result = alignment(gaming_settings, "platform")
    assert result.status == Status.FAIL, result.summary
