"""Bad input gives one clear message naming file, line and field; exit code 2; no traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from verifier.cli.main import main

GOOD = """\
tier: platform
applicant:
  name: Acme Cloud Economics, Inc.
  website: https://acme.example/
  employees: 1200
offering:
  name: Acme Lens
  landing_page: https://acme.example/lens
"""


def write(tmp_path: Path, text: str, name: str = "submission.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["verify", str(path), *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err


CASES = [
    pytest.param(
        GOOD.replace("  employees: 1200", "  employes: 1200"),
        ":5: applicant.employes: unknown field 'employes'; did you mean 'employees'?",
        id="a typo in a field name is named with its line and the likely intended field",
    ),
    pytest.param(
        GOOD.replace("employees: 1200", "employees: lots"),
        ":5: applicant.employees: must be a whole number, not 'lots'",
        id="a wrong type names the field, its line and the value",
    ),
    pytest.param(
        GOOD.replace("  name: Acme Cloud Economics, Inc.\n", ""),
        ":2: applicant.name: required field is missing",
        id="a missing required field is named with the line of its parent",
    ),
    pytest.param(
        GOOD.replace("https://acme.example/lens", "ftp://acme.example/lens"),
        ":8: offering.landing_page: must be an http:// or https:// URL, not 'ftp:'",
        id="a URL that is not http or https is refused with its field and line",
    ),
    pytest.param(
        GOOD.replace("https://acme.example/lens", "javascript:alert(1)"),
        ":8: offering.landing_page: must be an http:// or https:// URL, not 'javascript:'",
        id="a javascript URL is refused",
    ),
    pytest.param(
        GOOD + "case_studies:\n  - url: acme.example/customers/globex\n    customer: Globex\n",
        ":10: case_studies[0].url: must be an http:// or https:// URL",
        id="a URL without a scheme in a list names the item index",
    ),
    pytest.param(
        GOOD.replace("tier: platform", "tier: [platform"),
        "is not valid YAML",
        id="a YAML syntax error names the line",
    ),
    pytest.param(
        GOOD.replace("name: Acme Cloud Economics, Inc.", 'name: "Acme \\U00110000"'),
        ":3: found an escape beyond Unicode",
        id="an escape past the last Unicode character names its line",
    ),
    pytest.param(
        GOOD.replace("name: Acme Lens", 'name: "Lens \\UFFFFFFFF"'),
        ":7: found an escape beyond Unicode",
        id="an escape too large for any integer names its line",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_bad_submission_is_refused_with_a_message_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    code, err = verify(path, capsys)
    assert code == 2
    assert str(path) in err
    assert expected in err


def test_yaml_syntax_error_points_at_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace("tier: platform", "tier: [platform"))
    _, err = verify(path, capsys)
    assert f"{path}:1" in err or f"{path}:2" in err


def test_every_problem_of_a_submission_is_listed_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace("employees: 1200", "employees: -3").replace("tier: platform\n", "")
    code, err = verify(write(tmp_path, text), capsys)
    assert code == 2
    assert "has 2 problems" in err
    assert "tier: required field is missing" in err
    assert "applicant.employees: must be at least 0, not -3" in err


def test_missing_submission_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = verify(tmp_path / "nope.yaml", capsys)
    assert code == 2
    assert "does not exist" in err


def test_a_submission_that_is_not_a_mapping_says_what_is_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = verify(write(tmp_path, "- just\n- a list\n"), capsys)
    assert code == 2
    assert "must be a YAML mapping with 'tier' and 'applicant'" in err


def test_unknown_tier_lists_the_tiers_of_the_program(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = verify(write(tmp_path, GOOD.replace("tier: platform", "tier: platinum")), capsys)
    assert code == 2
    assert "program 2022 has no tier 'platinum'" in err
    assert "platform" in err
    assert "training-partner" in err


def test_unknown_program_lists_the_programs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = verify(write(tmp_path, GOOD), capsys, "--program", "1999")
    assert code == 2
    assert "no policy for program '1999'" in err
    assert "2022" in err


SOURCES_CASES = [
    pytest.param(
        "finops-members: ftp://directory.example/\n",
        ":1: finops-members: must be an http:// or https:// URL, not 'ftp:'",
        id="a source URL with another scheme is refused",
    ),
    pytest.param(
        "lf-members: http://lf.example/\ncredential-registry: missing-export.csv\n",
        ":2: credential-registry: file 'missing-export.csv' not found",
        id="a source file that does not exist is named with its line",
    ),
    pytest.param(
        "finops-members: [a, b]\n",
        ":1: finops-members: must be a URL or a file path",
        id="a source that is not text is refused",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SOURCES_CASES)
def test_bad_sources_file_is_refused_before_any_fetch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    sources = write(tmp_path, text, "sources.yaml")
    code, err = verify(write(tmp_path, GOOD), capsys, "--sources", str(sources))
    assert code == 2
    assert f"{sources}{expected}" in err


def test_bad_as_of_date_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = verify(write(tmp_path, GOOD), capsys, "--as-of", "31/01/2026")
    assert code == 2
    assert "'31/01/2026' is not a date like 2026-01-31" in err


MORE_CASES = [
    pytest.param(
        GOOD + "practitioners: []\npractitioners:\n  - {name: Jane Doe, certificate_id: LF-1}\n",
        ":10: practitioners: given twice (first on line 9); keep one",
        id="a key given twice is refused rather than silently dropping the first",
    ),
    pytest.param(
        GOOD.replace("employees: 1200", "employees: true"),
        ":5: applicant.employees: must be a whole number, not True",
        id="a boolean where a count belongs is refused, not read as 1",
    ),
    pytest.param(
        GOOD + "training: {instructor_led: 'yes'}\n",
        ":9: training.instructor_led: must be true or false, not 'yes'",
        id="text where true or false belongs is refused",
    ),
    pytest.param(
        GOOD.replace("tier: platform", "tier: platfrom"),
        ":1: tier: program 2022 has no tier 'platfrom'",
        id="a misspelt tier points at the submission's line",
    ),
    pytest.param(
        'program: "2099"\n' + GOOD,
        ":1: program: no policy for program '2099'",
        id="an unknown program in the submission points at its line",
    ),
    pytest.param(
        GOOD + "attestations:\n  enterprise-modle: We run 24x7 support\n",
        ":10: attestations.enterprise-modle: policy platform-2022 has no requirement "
        "'enterprise-modle'; did you mean 'enterprise-model'? (a requirement of another "
        "policy: the tier applied for has no such requirement)",
        id="a statement filed under a misspelt requirement id is refused",
    ),
    pytest.param(
        GOOD.replace(
            "  website: https://acme.example/\n",
            "  website: https://acme.example/\n  aliases: Acme\n",
        ),
        ":5: applicant.aliases: must be a list, not 'Acme'",
        id="a single value where a list belongs says a list is needed",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MORE_CASES)
def test_more_bad_submissions_are_refused_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    code, err = verify(path, capsys)
    assert code == 2
    assert f"{path}{expected}" in err


def test_a_statement_for_a_requirement_of_another_program_is_kept_for_renewals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from verifier.host import build_host
    from verifier.run.verify import RunParts, RunRequest, prepare

    text = GOOD.replace("tier: platform", "tier: service-provider")
    path = write(tmp_path, text + "attestations:\n  enterprise-model: 24x7 support\n")
    prep = prepare(RunRequest(path, out=tmp_path / "out", program="2025"), RunParts(build_host()))
    assert prep.policy.id == "service-provider-2025"
    assert prep.submission.attestations == {"enterprise-model": "24x7 support"}


def test_a_misspelt_source_name_in_a_sources_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = write(tmp_path, "finops-member: http://directory.example/\n", "sources.yaml")
    code, err = verify(write(tmp_path, GOOD), capsys, "--sources", str(sources))
    assert code == 2
    assert f"{sources}:1: finops-member: unknown source name; did you mean 'finops-members'?" in err


def test_an_out_directory_holding_files_is_refused_before_any_fetch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("{}")
    code, err = verify(write(tmp_path, GOOD), capsys, "--out", str(out))
    assert code == 2
    assert f"--out {out} is not empty (a previous report?)" in err


def test_an_unwritable_out_directory_is_a_usage_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, err = verify(write(tmp_path, GOOD), capsys, "--out", str(blocker / "report"))
    assert code == 2
    assert f"cannot write the report to --out {blocker / 'report'}" in err


def test_yaml_aliases_are_refused_not_expanded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A self-referencing alias would recurse forever; nested ones expand to billions.
    path = write(tmp_path, "tier: platform\napplicant: &loop [*loop]\n")
    code, err = verify(path, capsys)
    assert code == 2
    assert f"{path}:2: aliases (*name) are not accepted; write the value out" in err


def test_a_custom_policy_may_use_a_source_that_its_sources_file_defines(
    tmp_path: Path, sites: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import FIXTURES, demo_args

    policy = write(
        tmp_path,
        """\
        id: own-directory
        program: "2022"
        tier: platform
        requirements:
          - id: membership
            text: Listed in our partner directory
            check: membership
            params: {sources: [partner-directory]}
    """,
        "policy.yaml",
    )
    sources = write(
        tmp_path,
        (FIXTURES / "sources.yaml").read_text()
        + "partner-directory: http://www.linuxfoundation.example/about/members\n",
        "sources.yaml",
    )
    args = demo_args(sites, tmp_path, "platform")
    args[args.index("--sources") + 1] = str(sources)
    assert main(["verify", *args, "--policy", str(policy)]) == 0
    assert main(["policies", "lint", str(policy), "--sources", str(sources)]) == 0
    capsys.readouterr()
    assert main(["policies", "lint", str(policy)]) == 2
    assert "names source 'partner-directory', which no sources.yaml defines" in (
        capsys.readouterr().out
    )


def test_a_bug_exits_4_with_its_traceback_never_1_or_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import verifier.cli.catalog

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(verifier.cli.catalog, "bundled_policies", broken)
    # CONTRACT.md: 4 is an internal error, so that a script never reads a crash as
    # "needs review" (3) or "fail" (1).
    assert main(["policies", "list"]) == 4
    err = capsys.readouterr().err
    assert "RuntimeError: a bug" in err
    assert "internal error: finops-verifier hit a bug" in err
