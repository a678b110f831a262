"""Issue 13, scripts: ``--json`` on every command that reports (its error as JSON too),
terminal tables that never cut an id, ``--policy`` taking a policy id, Ctrl-C during
``verify --out``."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FIXTURES, ROOT, demo_args, interruptible, offline_args
from verifier.bundle.check import load_report
from verifier.cli.main import main, print_summary
from verifier.host import build_host
from verifier.inputs.policy import bundled_policies
from verifier.sites import SiteServer

TIER = "training-partner"
"""The demo submission of the shared bundle: its policy holds the id `service-provider`,
the one the issue saw cut (``service-provi...``)."""


def printed_json(capsys: pytest.CaptureFixture[str]) -> tuple[Any, str]:
    """stdout as one JSON document (json.loads refuses anything else on it), and stderr."""
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


@pytest.fixture(scope="module")
def world(sites: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One verification of the training-partner demo chosen by its policy id, recorded in
    a history; one re-check shard of a one-partner roster. Never modified: copy first."""
    root = tmp_path_factory.mktemp("scripts")
    args = demo_args(sites, root, TIER)
    db = root / "history.sqlite"
    code = main(["verify", *args, "--policy", f"{TIER}-2022", "--history", str(db)])
    assert code in (0, 1, 3)
    roster = root / "roster.yaml"
    roster.write_text(
        f"partners:\n  - id: acme\n    submission: {FIXTURES / 'demo' / 'platform.yaml'}\n"
    )
    return {"bundle": root / "out", "history": db, "roster": roster}


# ---------------------------------------------------------------- --policy ID


def test_policy_takes_a_bundled_policy_id_as_policies_show_does(world: dict[str, Path]) -> None:
    report = json.loads((world["bundle"] / "report.json").read_text())
    host = build_host()
    bundled = {p.id: p for p in bundled_policies(host.policy_dirs(), host.checks())}
    assert report["policy"]["id"] == f"{TIER}-2022"
    assert report["policy"]["sha256"] == bundled[f"{TIER}-2022"].sha256


def test_policy_id_of_another_tier_is_refused_like_a_policy_file(
    sites: SiteServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = demo_args(sites, tmp_path, "platform")
    assert main(["verify", *args, "--policy", f"{TIER}-2022"]) == 2
    assert f"is for tier {TIER!r} but" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unknown_policy_id_exits_2_with_did_you_mean_and_writes_nothing(
    sites: SiteServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = demo_args(sites, tmp_path, "platform")
    assert main(["verify", *args, "--policy", "platfrom-2022"]) == 2
    err = capsys.readouterr().err
    assert "no policy 'platfrom-2022'" in err
    assert "did you mean 'platform-2022'?" in err
    assert "finops-verify policies list" in err
    assert not (tmp_path / "out").exists()


def test_a_missing_policy_file_is_still_named_as_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "mine.yaml"
    sub = FIXTURES / "demo" / "platform.yaml"
    assert main(["verify", str(sub), "--policy", str(missing), "--out", str(tmp_path / "o")]) == 2
    assert f"policy file {missing} does not exist" in capsys.readouterr().err


# ---------------------------------------------------------------- --json


def test_verify_json_gives_outcome_counts_paths_and_requirements(
    world: dict[str, Path], sites: SiteServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["verify", *demo_args(sites, tmp_path, TIER), "--json"])
    doc, _ = printed_json(capsys)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert doc["exit_code"] == code
    assert doc["outcome"] == doc["effective_outcome"] == report["outcome"]
    assert doc["counts"] == report["counts"]
    assert doc["reports"]["json"] == str(tmp_path / "out" / "report.json")
    assert Path(doc["reports"]["html"]).is_file()
    assert [(r["id"], r["status"]) for r in doc["requirements"]] == [
        (r["id"], r["status"]) for r in report["requirements"]
    ]
    assert all(r["effective_status"] == r["status"] for r in doc["requirements"])


def test_review_json_gives_the_effective_outcome_after_a_decision(
    world: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(world["bundle"], bundle)
    report = json.loads((bundle / "report.json").read_text())
    not_passed = [r for r in report["requirements"] if r["status"] != "pass"]
    assert not_passed, "the demo bundle has a requirement to review"
    rid = not_passed[0]["id"]
    decide = ["--requirement", rid, "--decision", "pass", "--reviewer", "J. Smith"]
    args = ["review", str(bundle), *decide, "--reason", "seen", "--as-of", "2026-01-31"]
    assert main([*args, "--json"]) == 0
    doc, _ = printed_json(capsys)
    assert doc["recorded"]["requirement"] == rid
    assert doc["outcome"] == report["outcome"]
    decided = {r["id"]: r for r in doc["requirements"]}[rid]
    assert (decided["status"], decided["effective_status"]) == (not_passed[0]["status"], "pass")
    assert [(d["requirement"], d["state"]) for d in doc["decisions"]] == [(rid, "active")]
    assert doc["active"] == 1
    assert doc["intact"] is True
    # Without a decision: the same view, nothing recorded.
    assert main(["review", str(bundle), "--as-of", "2026-01-31", "--json"]) == 0
    again, _ = printed_json(capsys)
    assert "recorded" not in again
    assert again["effective_outcome"] == doc["effective_outcome"]


def _commands(world: dict[str, Path], tmp: Path) -> dict[str, list[str]]:
    bundle, db = str(world["bundle"]), str(world["history"])
    good_policy = str(FIXTURES.parent / "policies" / "2022" / "platform.yaml")
    return {
        "bundle check": ["bundle", "check", bundle],
        "replay": ["replay", bundle],
        "history": ["history", "--history", db],
        "history PARTNER": ["history", TIER, "--history", db],
        "plugins": ["plugins"],
        "policies list": ["policies", "list"],
        "policies show": ["policies", "show", "platform-2022"],
        "policies lint": ["policies", "lint", good_policy],
    }


@pytest.mark.parametrize(
    "command",
    [
        "bundle check",
        "replay",
        "history",
        "history PARTNER",
        "plugins",
        "policies list",
        "policies show",
        "policies lint",
    ],
)
def test_every_reporting_command_prints_one_json_document(
    world: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert main([*_commands(world, tmp_path)[command], "--json"]) == 0
    doc, _ = printed_json(capsys)
    assert isinstance(doc, dict | list)
    assert doc


def test_recheck_and_merge_print_json(
    world: dict[str, Path], sites: SiteServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shard = tmp_path / "shard"
    roster = str(world["roster"])
    args = ["recheck", roster, "--out", str(shard), "--shard", "1/1", "--no-history"]
    code = main([*args, *offline_args(sites), "--json"])
    doc, _ = printed_json(capsys)
    assert (doc["exit_code"], doc["recheck"]) == (code, str(shard / "recheck.json"))
    merged = tmp_path / "merged"
    assert (
        main(["recheck", "merge", str(shard), "--out", str(merged), "--no-history", "--json"])
        == code
    )
    doc, _ = printed_json(capsys)
    assert (doc["outcome"], doc["recheck"]) == (
        json.loads((merged / "recheck.json").read_text())["outcome"],
        str(merged / "recheck.json"),
    )


def test_demo_prints_one_json_document_for_every_submission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path), "--json"]) == 0
    doc, _ = printed_json(capsys)
    subs = {Path(s["submission"]).stem: s for s in doc["submissions"]}
    assert set(subs) == {"platform", "service-provider", "solution", "training-partner"}
    for stem, shown in subs.items():
        assert shown["report"] == str(tmp_path / stem / "report.json")
        assert shown["outcome"] == json.loads(Path(shown["report"]).read_text())["outcome"]


BAD_INPUT: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "verify: a bad field": (
        lambda t: ["verify", str(t / "bad.yaml"), "--out", str(t / "o")],
        "bad.yaml",
    ),
    "verify: an unknown policy id": (
        lambda t: ["verify", str(FIXTURES / "demo" / "platform.yaml"), "--policy", "platfrom-2022"],
        "did you mean 'platform-2022'?",
    ),
    "verify: an unknown option": (lambda t: ["verify", "--bogus"], "--bogus"),
    "recheck: a missing roster": (lambda t: ["recheck", str(t / "none.yaml")], "none.yaml"),
    "recheck merge: no shard": (
        lambda t: ["recheck", "merge", str(t / "none"), "--out", str(t / "m")],
        "none",
    ),
    "replay: no bundle": (lambda t: ["replay", str(t / "none")], "none"),
    "bundle check: not a bundle": (lambda t: ["bundle", "check", str(t)], "SHA256SUMS"),
    "review: not a bundle": (lambda t: ["review", str(t)], "SHA256SUMS"),
    "history: no history file": (
        lambda t: ["history", "--history", str(t / "none.sqlite")],
        "none.sqlite",
    ),
    "plugins: no such folder": (
        lambda t: ["plugins", "--plugins-dir", str(t / "none")],
        "none",
    ),
    "policies list: an unknown option": (lambda t: ["policies", "list", "--bogus"], "--bogus"),
    "policies show: an unknown id": (
        lambda t: ["policies", "show", "platfrom-2022"],
        "did you mean 'platform-2022'?",
    ),
    "policies lint: a problem": (lambda t: ["policies", "lint", str(t / "bad.yaml")], "problem"),
    "demo: a bad date": (lambda t: ["demo", "--as-of", "yesterday"], "yesterday"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_with_json_is_a_json_error_on_stdout_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    (tmp_path / "bad.yaml").write_text(
        "tier: platform\napplicant: {name: X, website: 'file:///etc/passwd'}\n"
    )
    argv, says = BAD_INPUT[case]
    assert main([*argv(tmp_path), "--json"]) == 2
    doc, err = printed_json(capsys)
    assert doc["exit_code"] == 2
    error = doc["error"]
    assert set(error) == {"message", "file", "line", "field", "problems"}
    assert says in error["message"] + json.dumps(error["problems"])
    assert err  # the person at the terminal still reads it on stderr


def test_a_json_error_names_file_line_and_field_of_the_first_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tier: platform\napplicant: {name: X, website: 'file:///etc/passwd'}\n")
    assert main(["verify", str(bad), "--json", "--out", str(tmp_path / "o")]) == 2
    doc, _ = printed_json(capsys)
    error = doc["error"]
    assert (error["file"], error["line"], error["field"]) == (str(bad), 2, "applicant.website")
    assert error["problems"][0]["field"] == "applicant.website"
    assert "http" in error["problems"][0]["message"]
    assert not (tmp_path / "o").exists()


def test_a_bug_with_json_is_a_json_error_with_exit_4(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import verifier.cli.catalog

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(verifier.cli.catalog, "bundled_policies", broken)
    assert main(["policies", "list", "--json"]) == 4
    doc, err = printed_json(capsys)
    assert doc["exit_code"] == 4
    assert doc["error"]["message"].startswith("internal error: finops-verifier hit a bug")
    assert "RuntimeError: a bug" in err


# ---------------------------------------------------------------- tables at 60 and 80 columns


@pytest.mark.parametrize("columns", ["80", "60"])
def test_the_verify_table_shows_every_requirement_id_whole(
    world: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    columns: str,
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    report = load_report(world["bundle"])
    print_summary(report, world["bundle"])
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines if "│" in line) <= int(columns)
    for req in report.requirements:
        assert any(f"│ {req.id} " in line for line in lines), req.id
    assert not any("…" in line for line in lines if "│" in line)


@pytest.mark.parametrize("columns", ["80", "60"])
def test_policies_list_shows_every_policy_and_requirement_id_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert main(["policies", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    words = {w.strip(",") for line in lines for w in line.split()}
    host = build_host()
    for policy in bundled_policies(host.policy_dirs(), host.checks()):
        assert policy.id in words
        assert {r.id for r in policy.requirements} <= words
    assert "…" not in out


# ---------------------------------------------------------------- Ctrl-C during verify --out


def test_ctrl_c_during_verify_removes_what_it_wrote_and_the_same_out_runs_again(
    sites: SiteServer, tmp_path: Path
) -> None:
    """A real SIGINT while the run waits on a site that never answers: the run stops with
    130, removes what it had written (the copies of its inputs), and a second run into the
    same --out is not refused as "not empty"."""
    demo = FIXTURES / "demo" / "platform.yaml"
    slow = tmp_path / "platform.yaml"
    slow.write_text(demo.read_text().replace("acme.example", "slow.example"))
    out = tmp_path / "out"
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # connections complete in the kernel; nobody ever answers
        silent.settimeout(120)  # a guard against a hang, not a measurement
        port = silent.getsockname()[1]
        slow_site = ["--resolve", f"slow.example:80:127.0.0.1:{port}"]
        command = ["verify", str(slow), "--out", str(out), *offline_args(sites), *slow_site]
        proc = subprocess.Popen(
            [sys.executable, "-m", "verifier", *command],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=interruptible,
        )
        try:
            conn, _ = silent.accept()  # the run is in flight: it waits on the silent site
            with conn:
                assert any(out.iterdir()), "the run had started writing its folder"
                proc.send_signal(signal.SIGINT)
                _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 130, err
    assert "Interrupted: nothing was judged;" in err
    assert not out.exists()
    assert main(["verify", str(demo), "--out", str(out), *offline_args(sites)]) in (0, 1, 3)
    assert main(["bundle", "check", str(out)]) == 0
