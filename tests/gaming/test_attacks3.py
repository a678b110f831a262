"""A hostile applicant's third round, where the first two
(``tests/gaming/test_attacks.py``, ``tests/gaming/test_attacks2.py``) did not go.

Attempts that still get a false ``pass`` are marked ``xfail(strict=True, reason="attack3:
...")``: the suite stays green while they stand and turns red the day one is fixed.

Sites: ``fixtures/gaming-hosts/`` (real host names: ``www.linkedin.com``, ``medium.com``),
served by the ``hosts_settings`` fixture of the suite's conftest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.framework_alignment import FrameworkAlignmentCheck
from plugins.practitioners import PractitionersCheck
from tests.gaming.c1_support import judge, policy_params
from tests.plugins.registry_helpers import cert, people, write_registry
from tests.plugins.registry_helpers import policy_params as registry_params
from verifier import Status
from verifier.fetch import FetchSettings
from verifier.testing import make_submission, run_check

# --- framework alignment: a landing page on a shared host makes the whole host "own" --------


@pytest.mark.parametrize(
    ("landing", "page"),
    [
        pytest.param(
            "https://www.linkedin.com/products/protoco-lens/",
            "http://www.linkedin.com/pulse/finops-framework-explained-jane-smith/",
            id="LinkedIn product page; someone's LinkedIn article",
        ),
        pytest.param(
            "https://medium.com/protoco-blog/introducing-proto-lens-4f2a",
            "http://medium.com/cloud-cost-weekly/finops-framework-explained/",
            id="Medium publication post; another publication's article",
        ),
    ],
)
def test_anothers_article_on_the_landing_pages_shared_host_is_not_the_applicants(
    hosts_settings: FetchSettings, landing: str, page: str
) -> None:
    result = judge(
        FrameworkAlignmentCheck(),
        hosts_settings,
        policy_params("2022", "platform", "framework-alignment"),
        applicant={"name": "Protoco", "website": "https://protoco.example/"},
        offering={"name": "Proto Lens", "landing_page": landing},
        alignment_pages=[page],
    )
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert "not on the applicant's site" in result.summary


# --- practitioners: one certificate under ids differing only in case ----------------------


def test_one_certificate_under_ids_in_other_case_counts_once(tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.csv", [*people(1), cert("LF-0001", "Jane Doe")])
    entries = [{"name": p["name"], "certificate_id": p["certificate_id"]} for p in people(1)]
    entries += [
        {"name": f"Jane {initial} Doe", "certificate_id": cid}
        for initial, cid in (("A", "LF-0001"), ("B", "lf-0001"), ("C", "Lf-0001"))
    ]
    sub = make_submission(
        applicant={"name": "Protoco", "website": "https://protoco.example/", "employees": 50},
        practitioners=entries,
    )
    result = run_check(
        PractitionersCheck(),
        sub,
        registry_params("2022/platform.yaml", "practitioners"),
        sources={"credential-registry": registry},
    )
    # 1 valid + 1 certificate to confirm cannot reach the 3 required below 100 employees.
    assert result.status == Status.FAIL, result.summary
    assert result.summary == (
        "1 valid of 4 submitted; 3 required for 0-99 employees; not confirmed: Jane A Doe "
        "(LF-0001), Jane B Doe (lf-0001), Jane C Doe (Lf-0001) (the evidence says why)"
    )
    certificates = [e for e in result.evidence if e.kind == "certificate"]
    assert [e.data["verdict"] for e in certificates] == ["valid", "review", "invalid", "invalid"]
    for again in certificates[2:]:
        assert "duplicate of entry 2: a certificate counts once" in again.detail
