"""Meta-tests keeping the bundled policies honest, each parametrized to name the offender.

- every policy file loads, and every requirement names a registered check whose params
  validate;
- every program-2022 requirement text is the published page's, word for word;
- both program versions are bundled, listed, and selected by ``--program``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import demo_args
from verifier.cli.main import main
from verifier.errors import PolicyError
from verifier.host import CheckRegistry, PluginHost, build_host
from verifier.inputs.policy import bundled_policies, find_policy_files, load_policy, select_policy
from verifier.sites import SiteServer

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
FILES = find_policy_files([POLICIES])


def _requirements() -> list[Any]:
    out = []
    for path in FILES:
        data = yaml.safe_load(path.read_text())
        for req in data["requirements"]:
            label = f"{path.relative_to(POLICIES)} {req['id']} uses check {req['check']}"
            out.append(pytest.param(path, req, id=label))
    return out


@pytest.fixture(scope="module")
def registry() -> CheckRegistry:
    """The checks every installed plugin registers."""
    return build_host().checks()


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(POLICIES)) for p in FILES])
def test_every_policy_file_loads(registry: CheckRegistry, path: Path) -> None:
    policy = load_policy(path, registry)
    assert policy.requirements
    assert policy.program == path.parent.name  # policies/<program>/<tier>.yaml


@pytest.mark.parametrize(("path", "req"), _requirements())
def test_requirement_names_a_registered_check_with_valid_params(
    registry: CheckRegistry, path: Path, req: dict[str, Any]
) -> None:
    info = registry.checks.get(req["check"])
    assert info is not None, registry.why_missing(req["check"])
    info.check.Params.model_validate(req.get("params") or {})


def _published_text(markdown: str) -> str:
    without_links = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return " ".join(without_links.split())


PUBLISHED_PAGE = (POLICIES / "2022" / "published-page.md").read_text()
PUBLISHED = _published_text(PUBLISHED_PAGE)
BULLETS = {
    _published_text(line[2:]) for line in PUBLISHED_PAGE.splitlines() if line.startswith("- ")
}
TEXTS_2022 = [
    pytest.param(req["text"], id=f"{path.stem} {req['id']} is quoted from the published page")
    for path in FILES
    if path.parent.name == "2022"
    for req in yaml.safe_load(path.read_text())["requirements"]
]


@pytest.mark.parametrize("text", TEXTS_2022)
def test_2022_requirement_text_is_published_word_for_word(text: str) -> None:
    # A whole published bullet, not a part of one: a quote cut short would change its sense.
    assert " ".join(text.split()) in BULLETS


CONTRACT_IDS_2022 = {
    "platform": [
        "membership",
        "offering",
        "framework-alignment",
        "case-studies",
        "practitioners",
        "community",
    ],
    "solution": [
        "membership",
        "offering",
        "specialization",
        "framework-alignment",
        "case-studies",
        "practitioners",
        "community",
    ],
    "service-provider": ["membership", "offering", "practitioners", "enterprise-model"],
    "training-partner": [
        "membership",
        "training-capability",
        "service-provider",
        "exam-reseller",
        "landing-page",
        "instructors",
    ],
}


@pytest.mark.parametrize("tier", sorted(CONTRACT_IDS_2022))
def test_2022_requirement_ids_are_those_of_the_contract_in_published_order(tier: str) -> None:
    host: PluginHost = build_host()
    policy = select_policy(bundled_policies(host.policy_dirs(), host.checks()), "2022", tier)
    assert [r.id for r in policy.requirements] == CONTRACT_IDS_2022[tier]


def test_policies_list_shows_both_program_versions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    programs = {(r["program"], r["tier"]) for r in rows}
    assert {("2022", "platform"), ("2025", "platform"), ("2025", "service-provider")} <= programs


@pytest.mark.parametrize(
    ("tier", "policy_id"),
    [
        pytest.param("platform", "platform-2025", id="program 2025 selects the 2025 platform"),
        pytest.param(
            "service-provider",
            "service-provider-2025",
            id="program 2025 selects the 2025 service provider",
        ),
    ],
)
def test_program_2025_selects_its_policies(tier: str, policy_id: str) -> None:
    host: PluginHost = build_host()
    policies = bundled_policies(host.policy_dirs(), host.checks())
    assert select_policy(policies, "2025", tier).id == policy_id


def test_program_2025_has_no_solution_tier() -> None:
    host = build_host()
    policies = bundled_policies(host.policy_dirs(), host.checks())
    with pytest.raises(PolicyError, match="program 2025 has no tier 'solution'"):
        select_policy(policies, "2025", "solution")


def test_program_2025_on_the_command_line_uses_the_three_column_table(
    sites: SiteServer, tmp_path: Path
) -> None:
    # The Stratus demo passes the 2022 table (11 practitioners for 10); the 2025 table also
    # wants 2 Professionals and 5 FOCUS Analysts for 100-499 employees.
    code = main(["verify", "--program", "2025", *demo_args(sites, tmp_path, "service-provider")])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["policy"]["id"] == "service-provider-2025"
    (result,) = [r for r in report["requirements"] if r["id"] == "practitioners"]
    assert result["status"] == "fail"
    assert "FinOps Certified Professional: 1 valid, 2 required" in result["summary"]
    assert "FOCUS Analyst: 0 valid, 5 required" in result["summary"]
    assert code == 1
