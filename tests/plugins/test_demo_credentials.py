"""End to end: the bundled demo gives the credential and attestation requirements of every
tier a real verdict, against the offline fixture sites and registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifier.cli.main import main

EXPECTED = [
    pytest.param(
        "platform",
        "practitioners",
        "pass",
        "37 valid of 40 submitted; 35 required for 500-4999 employees",
        id="the platform demo has enough practitioners",
    ),
    pytest.param(
        "service-provider",
        "practitioners",
        "pass",
        "11 valid of 12 submitted; 10 required for 100-499 employees",
        id="the service provider demo has enough practitioners",
    ),
    pytest.param(
        "service-provider",
        "offering",
        "pass",
        "Stratus FinOps Advisory",
        id="the service provider demo offers FinOps services",
    ),
    pytest.param(
        "service-provider",
        "enterprise-model",
        "needs_review",
        "1 of 1 cited page(s) captured",
        id="the enterprise model is for a reviewer",
    ),
    pytest.param(
        "training-partner",
        "membership",
        "pass",
        "LearnFinOps",
        id="the training partner demo is a member",
    ),
    pytest.param(
        "training-partner",
        "service-provider",
        "pass",
        "certified-service-providers",
        id="the training partner demo is a certified service provider",
    ),
    pytest.param(
        "training-partner",
        "training-capability",
        "needs_review",
        "2 reference(s)",
        id="the training capability is for a reviewer",
    ),
    pytest.param(
        "training-partner",
        "exam-reseller",
        "needs_review",
        "statement provided",
        id="the exam reseller statement is for a reviewer",
    ),
    pytest.param(
        "training-partner",
        "instructors",
        "pass",
        "all 3 instructor(s)",
        id="the training partner demo instructors are trainers",
    ),
]


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--as-of", "2026-06-01"]) == 0
    return out


@pytest.mark.parametrize(("tier", "requirement", "status", "phrase"), EXPECTED)
def test_demo_verdicts(
    demo_out: Path, tier: str, requirement: str, status: str, phrase: str
) -> None:
    report = json.loads((demo_out / tier / "report.json").read_text())
    (result,) = [r for r in report["requirements"] if r["id"] == requirement]
    assert result["status"] == status, result["summary"]
    assert phrase in result["summary"]
