"""The command line as scripts use it: exit codes, report.json, help, policies, demo."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click
import pytest

from tests.helpers import FIXTURES, offline_args
from tests.test_policies_meta import CONTRACT_IDS_2022
from verifier.cli.main import cli, main
from verifier.sites import SiteServer

POLICY = """\
id: two-checks
program: "2022"
tier: platform
requirements:
  - id: membership
    text: Be a FinOps Foundation and Linux Foundation member
    check: membership
    params: {sources: [finops-members, lf-members]}
  - id: offering
    text: Publicly listed offering
    check: offering
"""


def submission(tmp_path: Path, name: str, website: str, landing: str) -> Path:
    path = tmp_path / "submission.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        tier: platform
        applicant: {{name: "{name}", website: "{website}", employees: 40}}
        offering: {{name: Acme Lens, landing_page: "{landing}"}}
    """)
    )
    return path


def run(tmp_path: Path, sites: SiteServer, sub: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    out = tmp_path / "out"
    code = main(
        [
            "verify",
            str(sub),
            "--policy",
            str(policy),
            "--out",
            str(out),
            *offline_args(sites),
            *extra,
        ]
    )
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    return code, report


EXIT_CASES = [
    pytest.param(
        "Acme Cloud Economics, Inc.",
        "http://acme.example/",
        "http://acme.example/lens",
        0,
        "pass",
        id="everything passes: exit 0",
    ),
    pytest.param(
        "Acme Cloud Economics, Inc.",
        "http://acme.example/",
        "http://acme.example/lens-retired",
        1,
        "fail",
        id="a requirement fails: exit 1",
    ),
    pytest.param(
        "Initech Software",
        "http://acme.example/",
        "http://acme.example/lens",
        3,
        "needs_review",
        id="a weak match needs review: exit 3",
    ),
    pytest.param(
        "Acme Cloud Economics, Inc.",
        "http://acme.example/",
        "http://unserved.example/lens",
        3,
        "error",
        id="a page that cannot be fetched is an error: exit 3",
    ),
]


@pytest.mark.parametrize(("name", "website", "landing", "code", "outcome"), EXIT_CASES)
def test_exit_code_follows_the_overall_outcome(
    tmp_path: Path,
    sites: SiteServer,
    capsys: pytest.CaptureFixture[str],
    name: str,
    website: str,
    landing: str,
    code: int,
    outcome: str,
) -> None:
    extra = ("--resolve", f"unserved.example:80:127.0.0.1:{_closed_port()}")
    got, report = run(tmp_path, sites, submission(tmp_path, name, website, landing), *extra)
    assert (got, report["outcome"]) == (code, outcome)
    out = capsys.readouterr().out
    assert f"Outcome: {outcome}" in out
    assert str(tmp_path / "out" / "report.json") in out


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, sites: SiteServer) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tier: platform\napplicant: {name: X, website: 'file:///etc/passwd'}\n")
    code, report = run(tmp_path, sites, bad)
    assert code == 2
    assert report == {}
    assert not (tmp_path / "out").exists()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_report_json_has_every_contract_field(tmp_path: Path, sites: SiteServer) -> None:
    _, report = run(
        tmp_path,
        sites,
        submission(
            tmp_path,
            "Acme Cloud Economics, Inc.",
            "http://acme.example/",
            "http://acme.example/lens",
        ),
    )
    assert report["schema"] == "finops-verifier/report/v1"
    assert report["tool"]["name"] == "finops-verifier"
    assert set(report["run"]) >= {"started", "finished", "as_of"}
    assert report["run"]["as_of"] == "2026-01-31"
    assert report["applicant"] == {
        "name": "Acme Cloud Economics, Inc.",
        "website": "http://acme.example/",
        "employees": 40,
    }
    assert report["tier"] == "platform"
    assert set(report["policy"]) >= {"id", "program", "version", "sha256"}
    assert report["policy"]["id"] == "two-checks"
    for req in report["requirements"]:
        assert set(req) >= {"id", "text", "check", "plugin", "status", "summary", "evidence"}
        assert set(req["plugin"]) == {"name", "version"}
        for ev in req["evidence"]:
            assert set(ev) >= {"kind", "url", "sha256", "fetched_at", "detail"}
    assert report["run"]["settings"]["allow_private_network"] is True


def test_every_fetched_body_is_stored_once_under_its_hash(
    tmp_path: Path, sites: SiteServer
) -> None:
    import hashlib

    _, report = run(
        tmp_path,
        sites,
        submission(
            tmp_path,
            "Acme Cloud Economics, Inc.",
            "http://acme.example/",
            "http://acme.example/lens",
        ),
    )
    hashes = {
        ev["sha256"]
        for req in report["requirements"]
        for ev in req["evidence"]
        if ev["kind"] == "fetch"
    }
    assert len(hashes) == 4  # two FinOps directory pages, the LF directory, the landing page
    for digest in hashes:
        body = (tmp_path / "out" / "captures" / digest).read_bytes()
        assert hashlib.sha256(body).hexdigest() == digest
    index = json.loads((tmp_path / "out" / "captures" / "index.json").read_text())
    checks_fetched = {e["sha256"] for e in index["exchanges"] if "purpose" not in e}
    assert checks_fetched == hashes


def test_json_flag_prints_the_outcome_and_report_path_for_scripts(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(
        tmp_path,
        sites,
        submission(
            tmp_path,
            "Acme Cloud Economics, Inc.",
            "http://acme.example/",
            "http://acme.example/lens",
        ),
        "--json",
    )
    printed = json.loads(capsys.readouterr().out)
    assert {k: printed[k] for k in ("outcome", "exit_code", "report")} == {
        "outcome": "pass",
        "exit_code": 0,
        "report": str(tmp_path / "out" / "report.json"),
    }
    # Added by issue 13: what a script needs without opening report.json.
    assert printed["effective_outcome"] == "pass"
    assert printed["counts"] == {"pass": 2}
    assert printed["reports"]["html"] == str(tmp_path / "out" / "report.html")
    assert [(r["id"], r["status"], r["effective_status"]) for r in printed["requirements"]] == [
        ("membership", "pass", "pass"),
        ("offering", "pass", "pass"),
    ]
    assert code == 0


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command of the command line, as the words that name it: the tree walked, so
    a command added later is covered without editing this test."""
    found = [list(path)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append([*path, name])
    return found


# `recheck merge` is dispatched by `recheck` itself (a roster and a subcommand share it).
COMMANDS = [*_commands(cli), ["recheck", "merge"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda words: " ".join(words) or "(group)")
def test_every_command_has_help_with_an_example_or_a_description(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: finops-verify" in out
    # The help is the docstring, read by a person at a terminal: no reST markup.
    assert "``" not in out, out
    for role in (":mod:", ":class:", ":func:"):
        assert role not in out, out
    assert "Example" in out


def test_verify_help_shows_every_fetch_setting_with_its_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["verify", "--help"])
    out = capsys.readouterr().out
    for option in (
        "--connect-timeout",
        "--read-timeout",
        "--total-timeout",
        "--max-bytes",
        "--max-redirects",
        "--retries",
        "--per-host-concurrency",
        "--allow-private-network",
        "--ignore-robots",
        "--allow-port",
        "--resolve",
    ):
        assert option in out
    assert "[default: 5242880; x>=1]" in out


def test_policies_list_shows_the_four_tiers_of_program_2022(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["policies", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    listed = {r["tier"]: r["requirements"] for r in rows if r["program"] == "2022"}
    # What scripts read from `policies list`: each tier's ids, in the contract's order.
    assert listed == CONTRACT_IDS_2022


def test_policies_show_prints_the_published_text_and_params(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["policies", "show", "service-provider-2022"]) == 0
    out = capsys.readouterr().out
    assert "FinOps Certified Service Provider" in out
    assert "Must have a business model to support enterprise end users" in out
    assert "sources:" in out


def test_policies_show_unknown_id_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "show", "gold-2022"]) == 2
    assert "no policy 'gold-2022'; known: " in capsys.readouterr().err


def test_policies_lint_reports_every_problem_with_file_line_requirement_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        textwrap.dedent("""\
        id: bad
        program: "2022"
        tier: platform
        requirements:
          - id: membership
            text: Be a member
            check: membership
            params: {sources: finops-members, max_pages: 0}
          - id: membership
            text: Twice
            check: membership-v9
    """)
    )
    assert main(["policies", "lint", str(bad)]) == 2
    out = capsys.readouterr().out
    assert f"{bad}:8: requirements[0] (membership).params.sources: " in out
    assert f"{bad}:8: requirements[0] (membership).params.max_pages: " in out
    assert "must be at least 1, not 0 (check 'membership')" in out
    assert f"{bad}:9: requirements[1].id: requirement id 'membership' is used twice" in out
    assert (
        f"{bad}:11: requirements[1] (membership).check: no plugin provides check "
        "'membership-v9'" in out
    )


def test_a_policy_with_bad_params_fails_at_load_time_before_any_fetch(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        POLICY.replace(
            "params: {sources: [finops-members, lf-members]}", "params: {sourcez: [finops-members]}"
        )
    )
    sub = submission(tmp_path, "Acme", "http://acme.example/", "http://acme.example/lens")
    before = len(sites.requests)
    code = main(
        [
            "verify",
            str(sub),
            "--policy",
            str(policy),
            "--out",
            str(tmp_path / "o"),
            *offline_args(sites),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "params.sourcez: unknown field 'sourcez'; did you mean 'sources'?" in err
    assert len(sites.requests) == before


def test_demo_verifies_the_bundled_submissions_and_writes_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    outcomes = {}
    for sub in sorted((FIXTURES / "demo").glob("*.yaml")):
        report = json.loads((tmp_path / sub.stem / "report.json").read_text())
        outcomes[sub.stem] = report["outcome"]
        assert str(tmp_path / sub.stem / "report.json") in out
        assert report["run"]["as_of"] == "2026-11-26"  # the demo's own date, not today's
        # Every requirement gets a real verdict: none is left to a missing plugin or a fault.
        assert {r["status"] for r in report["requirements"]} <= {"pass", "needs_review"}
    # Attestations always need a person; the platform tier has none.
    assert outcomes == {
        "platform": "pass",
        "service-provider": "needs_review",
        "solution": "needs_review",
        "training-partner": "needs_review",
    }


def test_demo_runs_twice_into_the_same_folder(tmp_path: Path) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert main(["bundle", "check", str(tmp_path / "platform")]) == 0


def test_summary_shows_names_with_brackets_as_text_not_markup(
    tmp_path: Path, sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    sub = submission(
        tmp_path,
        "Acme [bold]Cloud[/bold] [link=x]",
        "http://acme.example/",
        "http://acme.example/lens",
    )
    run(tmp_path, sites, sub)
    assert "Acme [bold]Cloud[/bold] [link=x]" in capsys.readouterr().out


def test_report_json_keeps_lone_surrogates_from_hostile_text_as_json_escapes(
    tmp_path: Path,
) -> None:
    from verifier.bundle.store import dump_json

    raw = dump_json({"excerpt": "bad \udc80 byte, NUL \x00, é"})
    raw.decode("utf-8")  # valid UTF-8
    assert json.loads(raw) == {"excerpt": "bad \udc80 byte, NUL \x00, é"}


def test_robots_txt_read_during_a_run_is_captured_as_evidence(
    tmp_path: Path, sites: SiteServer
) -> None:
    run(
        tmp_path,
        sites,
        submission(
            tmp_path,
            "Acme Cloud Economics, Inc.",
            "http://acme.example/",
            "http://acme.example/lens",
        ),
    )
    index = json.loads((tmp_path / "out" / "captures" / "index.json").read_text())
    robots = [e for e in index["exchanges"] if e.get("purpose") == "robots.txt"]
    by_url = {e["url"]: e for e in robots}
    assert set(by_url) == {
        "http://www.finops.example/robots.txt",
        "http://www.linuxfoundation.example/robots.txt",
        "http://acme.example/robots.txt",
    }
    finops = by_url["http://www.finops.example/robots.txt"]
    assert finops["status"] == 200
    assert "Disallow: /wp-admin/" in (tmp_path / "out" / "captures" / finops["sha256"]).read_text()
    assert by_url["http://acme.example/robots.txt"]["status"] == 404  # no rules: allowed


def test_policies_lint_goes_on_after_a_structural_error_and_checks_source_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        textwrap.dedent("""\
        id: bad
        program: "2022"
        tier: platform
        requirements:
          - id: offering
            text: Publicly listed offering
            check: offering
            timeout: -5
          - id: membership
            text: Be a member
            check: membership
            params: {sources: [finops-membrs]}
          - id: case-studies
            text: Case studies
            check: case-studies
            prams: {min_customers: 2}
    """)
    )
    assert main(["policies", "lint", str(bad)]) == 2
    out = capsys.readouterr().out
    assert f"{bad}:8: requirements[0].timeout: must be more than 0, not -5" in out
    assert (
        f"{bad}:9: requirements[1] (membership).params: names source 'finops-membrs', "
        "which no sources.yaml defines; did you mean 'finops-members'?"
    ) in out
    assert f"{bad}:16: requirements[2].prams: unknown field 'prams'; did you mean 'params'?" in out


def test_policies_without_a_subcommand_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies"]) == 0
    out = capsys.readouterr().out
    assert "platform-2022" in out
    assert "platform-2025" in out


def test_policies_show_prints_tables_one_band_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "show", "platform-2022"]) == 0
    out = capsys.readouterr().out
    assert "- {min_employees: 5000, required: 50}" in out
    assert "null" not in out


@pytest.mark.parametrize(
    ("given", "pair"),
    [
        ("acme.example:80:127.0.0.1:8080", ("acme.example:80", "127.0.0.1:8080")),
        ("acme.example:443:[::1]:8443", ("acme.example:443", "[::1]:8443")),
    ],
    ids=["an IPv4 target", "an IPv6 target in brackets"],
)
def test_resolve_option_takes_ipv4_and_ipv6_targets(given: str, pair: tuple[str, str]) -> None:
    from verifier.cli.options import _parse_resolve

    assert _parse_resolve(given) == pair


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("acme.example:127.0.0.1", "is not HOST:PORT:ADDR:PORT"),
        ("acme.example:80:notanip:8080", "is not an IP address"),
        ("acme.example:80:127.0.0.1:99999", "is not 1-65535"),
    ],
    ids=["missing parts", "a name as the target", "a port out of range"],
)
def test_a_malformed_resolve_option_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, message: str
) -> None:
    sub = submission(tmp_path, "Acme", "http://acme.example/", "http://acme.example/lens")
    assert main(["verify", str(sub), "--resolve", given]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "accepted"),
    [
        ("--per-host-delay", "0", True),
        ("--total-timeout", "0", False),
        ("--max-bytes", "0", False),
        ("--retries", "0", True),
    ],
    ids=["a delay may be zero", "a timeout may not", "a size cap may not", "retries may be 0"],
)
def test_fetch_option_ranges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, accepted: bool
) -> None:
    code = main(["verify", str(tmp_path / "missing.yaml"), option, value])
    err = capsys.readouterr().err
    # Accepted options get as far as reading the (missing) submission.
    assert ("does not exist" in err) is accepted
    assert code == 2
