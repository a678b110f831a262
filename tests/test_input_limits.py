"""Inputs without bounds are bad input: exit 2 with file, line and field, before any fetch.

Each case of issue 8's class 10 has a test named after it. "Nothing fetched" is shown
the way a user would see it: the fixture server logged no request, and no report
directory was made.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT, offline_args
from tests.test_input_errors import GOOD, write
from verifier.cli.main import main
from verifier.sites import SiteServer

NESTED = "[" * 400 + "]" * 400
"""A value nested 400 levels deep, in 800 bytes: PyYAML would recurse until the stack ends."""

DEEP_FIELD = "[0]" * 31
"""The field of the first value of :data:`NESTED` past the limit, under a top-level key:
the document's mapping is level 1, so the 32nd list, 31 indexes down, is level 33."""


def verify_offline(
    sites: SiteServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Run ``verify ARGS`` against the fixture sites; assert that nothing was fetched and
    no report directory made; return the exit code and stderr."""
    before = len(sites.requests)
    out = tmp_path / "out"
    code = main(["verify", *args, "--out", str(out), *offline_args(sites)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert len(sites.requests) == before, "something was fetched"
    assert not out.exists()
    return code, captured.err


# ---------------------------------------------------------------- nesting


def test_nested_yaml_in_the_submission_exits_2_naming_file_line_and_field(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD + f"specialization: {NESTED}\n")
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert (
        f"{path}:9: specialization{DEEP_FIELD}: nested more than 32 levels deep, "
        "the limit for an input file" in err
    )


def test_nested_yaml_in_a_policy_given_with_policy_exits_2_naming_file_line_and_field(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(
        tmp_path,
        f"id: deep\nprogram: '2022'\ntier: platform\nrequirements:\n  - id: x\n"
        f"    text: x\n    check: offering\n    params: {{sources: {NESTED}}}\n",
        "policy.yaml",
    )
    code, err = verify_offline(
        sites, tmp_path, capsys, str(write(tmp_path, GOOD)), "--policy", str(policy)
    )
    assert code == 2
    assert f"{policy}:8: requirements[0].params.sources{'[0]' * 28}: nested more than 32" in err


def test_nested_yaml_in_a_sources_file_exits_2_naming_file_line_and_field(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = write(tmp_path, f"finops-members: {NESTED}\n", "sources.yaml")
    args = [str(write(tmp_path, GOOD)), "--sources", str(sources)]
    before = len(sites.requests)
    # offline_args gives a --sources too; the last one counts, so ours comes after it.
    code = main(
        ["verify", *args[:1], "--out", str(tmp_path / "out"), *offline_args(sites), *args[1:]]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert len(sites.requests) == before
    assert not (tmp_path / "out").exists()
    assert f"{sources}:1: finops-members{DEEP_FIELD}: nested more than 32 levels deep" in err


def test_nested_yaml_given_to_policies_lint_exits_2_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(tmp_path, f"id: deep\nrequirements: {NESTED}\n", "policy.yaml")
    code = main(["policies", "lint", str(policy)])
    out = capsys.readouterr().out
    assert code == 2
    assert f"{policy}:2: requirements{DEEP_FIELD}: nested more than 32 levels deep" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(("lists", "refused"), [(31, False), (32, True)])
def test_nesting_is_refused_just_past_32_levels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lists: int, refused: bool
) -> None:
    # The document's mapping is level 1, so 31 lists inside it reach level 32.
    policy = write(tmp_path, "requirements: " + "[" * lists + "]" * lists + "\n", "policy.yaml")
    main(["policies", "lint", str(policy)])
    assert ("nested more than 32 levels deep" in capsys.readouterr().out) is refused


# ---------------------------------------------------------------- sizes


def test_a_50_mb_applicant_name_exits_2_naming_the_file_and_the_limit_without_reading_it_all(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "submission.yaml"
    path.write_text(GOOD.replace("Acme Cloud Economics, Inc.", "A" * 50_000_000))
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert (
        f"submission file {path} is larger than 1,048,576 bytes (1 MiB), the limit for an "
        "input file" in err
    )
    assert len(err) < 1000  # the message does not quote the name


def test_a_huge_applicant_name_under_the_file_limit_exits_2_naming_the_field_and_its_limit(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace("Acme Cloud Economics, Inc.", "A" * 500_000))
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert f"{path}:3: applicant.name: is 500,000 characters long; the limit is 200" in err
    assert len(err) < 1000


def test_a_list_over_its_limit_exits_2_naming_the_field(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    people = "".join(f"  - {{name: P{i}, certificate_id: LF-{i}}}\n" for i in range(1001))
    path = write(tmp_path, GOOD + "practitioners:\n" + people)
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert f"{path}:9: practitioners: has 1,001 items; the limit is 1,000" in err


# ---------------------------------------------------------------- numbers


def test_employees_with_5001_digits_exits_2_naming_file_line_and_field(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace("employees: 1200", "employees: " + "9" * 5001))
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert f"{path}:5: applicant.employees: a number of 5,001 characters; the limit is 20" in err


def test_employees_over_ten_million_exits_2_with_the_range(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace("employees: 1200", "employees: 99999999999"))
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert f"{path}:5: applicant.employees: must be at most 10,000,000, not 99999999999" in err


def test_an_impossible_date_is_bad_input_not_a_traceback(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD + "specialization: 2026-13-45\n")
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert f"{path}:9: cannot read '2026-13-45': month must be in 1..12" in err


# ---------------------------------------------------------------- URLs


@pytest.mark.parametrize("port", ["99999", "-1", "0", "65536"])
def test_bad_ports_exit_2_at_load_time_naming_file_line_and_field(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    path = write(
        tmp_path, GOOD.replace("https://acme.example/lens", f"https://acme.example:{port}/lens")
    )
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert (
        f"{path}:8: offering.landing_page: names port {port}; a port is a number from 1 to 65535"
        in err
    )


def test_a_host_with_spaces_exits_2_at_load_time_naming_file_line_and_field(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace("https://acme.example/", "https://acme cloud.example/"))
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert f"{path}:4: applicant.website: has an invalid host 'acme cloud.example'" in err


def test_a_bad_port_in_a_sources_file_exits_2_naming_file_line_and_entry(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = write(tmp_path, "finops-members: http://directory.example:99999/\n", "sources.yaml")
    before = len(sites.requests)
    args = offline_args(sites)
    args[args.index("--sources") + 1] = str(sources)
    code = main(["verify", str(write(tmp_path, GOOD)), "--out", str(tmp_path / "o"), *args])
    assert code == 2
    assert len(sites.requests) == before
    assert f"{sources}:1: finops-members: names port 99999" in capsys.readouterr().err


def test_a_url_over_2083_characters_exits_2_naming_the_field(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    long = "https://acme.example/" + "a" * 2100
    path = write(tmp_path, GOOD.replace("https://acme.example/lens", long))
    code, err = verify_offline(sites, tmp_path, capsys, str(path))
    assert code == 2
    assert (
        f"{path}:8: offering.landing_page: is a URL of 2,121 characters; the limit is 2,083" in err
    )


@pytest.mark.parametrize(
    "url",
    ["https://acme.example:8443/", "https://xn--bcher-kva.example/", "https://bücher.example/"],
)
def test_valid_ports_and_international_hosts_still_load(tmp_path: Path, url: str) -> None:
    from verifier.inputs.submission import load_submission

    path = write(tmp_path, GOOD.replace("https://acme.example/", url))
    assert load_submission(path).applicant.website == url


# ---------------------------------------------------------------- /dev/stdin


def test_verify_dev_stdin_piped_is_verified_and_the_bundle_keeps_the_bytes_piped(
    tmp_path: Path, sites: SiteServer
) -> None:
    # Read once: the bytes parsed from the pipe are the bytes the bundle keeps (before, the
    # run read the path again after all the fetching, and crashed).
    piped = (FIXTURES / "demo" / "platform.yaml").read_bytes()
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    offline = offline_args(sites)
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "verifier", "verify", "/dev/stdin", "--out", str(out)),
            *(*offline, "--as-of", "2026-11-26"),
        ],
        input=piped,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    err = proc.stderr.decode()
    assert "Traceback" not in err
    assert proc.returncode == 0, err  # the demo platform applicant passes
    assert (out / "submission.yaml").read_bytes() == piped
    subprocess.run(
        [sys.executable, "-m", "verifier", "bundle", "check", str(out)],
        env=env,
        check=True,
        capture_output=True,
    )


def test_a_submission_keeps_the_bytes_it_was_parsed_from(tmp_path: Path) -> None:
    from verifier.inputs.submission import read_submission

    path = write(tmp_path, GOOD)
    submission, _ = read_submission(path)
    assert submission.source_bytes == path.read_bytes()
