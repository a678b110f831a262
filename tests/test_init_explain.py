"""`finops-verify init --tier` (an annotated submission template read from the policy)
and `finops-verify explain REQUIREMENT` (the published text, the check, its params)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifier.cli.main import main
from verifier.errors import SubmissionError
from verifier.host import build_host
from verifier.inputs.policy import bundled_policies
from verifier.inputs.submission import load_submission
from verifier.models import Policy

_HOST = build_host()
POLICIES = bundled_policies(_HOST.policy_dirs(), _HOST.checks())

# What a test types for each kind of placeholder.
FILLS = {
    '"<FILL IN: url>"': '"https://acme.example/page"',
    '"<FILL IN: text>"': '"Acme Lens"',
    '"<FILL IN: number>"': "1200",
}


def cli(argv: list[str]) -> int:
    """The command line, with the plugin host this module built once."""
    return main(argv, host=_HOST)


def _policy(pid: str) -> Policy:
    return next(p for p in POLICIES if p.id == pid)


@pytest.mark.parametrize("pid", [p.id for p in POLICIES])
def test_init_template_of_each_tier_validates_once_filled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pid: str
) -> None:
    policy = _policy(pid)
    out = tmp_path / "sub.yaml"
    args = ["init", "--tier", policy.tier, "--program", policy.program, "--out", str(out)]
    assert cli(args) == 0
    assert str(out) in capsys.readouterr().out
    text = out.read_text()
    # Every requirement of the policy is named, with its published text.
    for req in policy.requirements:
        assert f"- {req.id} (check {req.check}):" in text
        assert " ".join(req.text.split())[:40] in " ".join(
            line.lstrip("# ").strip() for line in text.splitlines()
        )
    # Unfilled, the template is refused by the submission loader, naming a field.
    with pytest.raises(SubmissionError) as refused:
        load_submission(out)
    assert "<FILL IN: url>" in str(refused.value.problems)
    # Half filled (the URLs and numbers given, the texts not), it is still refused, each
    # text placeholder named by its line and field: never verified with
    # "<FILL IN: text>" as a company's or a person's name.
    half = text.replace('"<FILL IN: url>"', FILLS['"<FILL IN: url>"'])
    half = half.replace('"<FILL IN: number>"', FILLS['"<FILL IN: number>"'])
    (tmp_path / "half.yaml").write_text(half)
    with pytest.raises(SubmissionError) as refused:
        load_submission(tmp_path / "half.yaml")
    texts = [
        n
        for n, line in enumerate(half.splitlines(), 1)
        if line.lstrip().startswith(("name:", "- name:", "group:", "- group:", "certificate_id:"))
        and '"<FILL IN: text>"' in line
    ]
    named = refused.value.problems
    assert texts
    assert {p.line for p in named} >= set(texts)
    assert all("still the template's '<FILL IN: text>'" in p.message for p in named)
    for placeholder, value in FILLS.items():
        text = text.replace(placeholder, value)
    assert "FILL IN" not in text.replace("<FILL IN: kind>", "").replace(
        "<FILL IN: ...>", ""
    ).replace("# Replace every <FILL IN", "")
    filled = tmp_path / "filled.yaml"
    filled.write_text(text)
    sub = load_submission(filled)
    assert (sub.tier, sub.program) == (policy.tier, policy.program)
    # Each statement a requirement asks for has its key, and only those.
    asked = {r.id for r in policy.requirements if r.check == "attestation"}
    assert set(sub.attestations) == asked


def test_init_platform_template_marks_what_each_requirement_reads(tmp_path: Path) -> None:
    out = tmp_path / "p.yaml"
    assert cli(["init", "--tier", "platform", "--program", "2025", "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    at = lines.index('  landing_page: "<FILL IN: url>"')
    assert lines[at - 1] == "  # serves: offering"
    at = lines.index('  employees: "<FILL IN: number>"')
    assert lines[at - 1] == "  # serves: practitioners"
    assert lines[lines.index('  name: "<FILL IN: text>"') - 1] == (
        "  # required: every requirement may read it"
    )
    # A field no requirement of the tier reads is shown, commented out.
    assert "# specialization: " + '"<FILL IN: text>"' in lines
    assert 'program: "2025"' in lines


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine.yaml"
    out.write_text("tier: platform\n")
    assert cli(["init", "--tier", "platform", "--out", str(out)]) == 2
    assert out.read_text() == "tier: platform\n"
    err = capsys.readouterr().err
    assert str(out) in err
    assert "never overwrites" in err


def test_init_unknown_tier_lists_the_tiers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.yaml"
    assert cli(["init", "--tier", "platfrom", "--program", "2025", "--out", str(out)]) == 2
    assert "platform, service-provider" in capsys.readouterr().err
    assert not out.exists()


def test_explain_prints_text_check_and_params(capsys: pytest.CaptureFixture[str]) -> None:
    policy = _policy("platform-2025")
    req = next(r for r in policy.requirements if r.id == "practitioners")
    info = _HOST.checks().checks[req.check]
    assert cli(["explain", "practitioners", "--tier", "platform", "--program", "2025"]) == 0
    out = capsys.readouterr().out
    assert " ".join(req.text.split())[:60] in " ".join(out.split())
    assert info.check.description in out
    assert "columns = " in out
    assert "FOCUS Analyst" in out
    assert "source = " in out


def test_explain_json_gives_values_and_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli(["explain", "focus", "--tier", "platform", "--program", "2025", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["requirement"], data["policy"], data["check"]) == (
        "focus",
        "platform-2025",
        "attestation",
    )
    params = {p["name"]: p for p in data["params"]}
    assert params["max_urls"]["default"] == 20
    assert params["checklist"]["default"] == []
    assert params["checklist"]["value"] == list(
        _policy("platform-2025").requirements[-1].params["checklist"]
    )
    assert any("needs_review" in doc for doc in data["looks_for"])


def test_explain_unknown_requirement_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["explain", "practitoners", "--tier", "platform"]) == 2
    assert "did you mean 'practitioners'?" in capsys.readouterr().err


def test_explain_shared_id_without_tier_lists_the_tiers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(["explain", "offering", "--program", "2022"]) == 2
    err = capsys.readouterr().err
    assert "platform, service-provider, solution" in err
    assert "--tier" in err
