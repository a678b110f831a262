"""`finops-verify serve DIR`: a folder of sites on one port, the options a run needs
printed, a clean stop on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, interruptible
from verifier.cli.main import main

POLICY = """\
id: offering-only
program: "2022"
tier: platform
requirements:
  - id: offering
    text: Publicly listed offering
    check: offering
"""


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "verifier", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=interruptible,
    )


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return proc.returncode, err


def test_serve_prints_the_options_a_run_uses_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proc = _start(str(FIXTURES / "sites"), "--json")
    try:
        assert proc.stdout is not None
        printed = json.loads(proc.stdout.readline())
        options = printed["options"]
        assert "--allow-private-network" in options
        assert f"acme.example:80:127.0.0.1:{printed['port']}" in options
        assert "www.finops.example" in printed["hosts"]

        policy = tmp_path / "policy.yaml"
        policy.write_text(POLICY)
        sub = tmp_path / "acme.yaml"
        sub.write_text(
            textwrap.dedent("""\
            tier: platform
            applicant: {name: "Acme Cloud Economics, Inc.", website: "http://acme.example/"}
            offering: {name: Acme Lens, landing_page: "http://acme.example/lens"}
            """)
        )
        out = tmp_path / "out"
        args = ["verify", str(sub), "--policy", str(policy), "--out", str(out)]
        code = main([*args, "--retries", "0", "--per-host-delay", "0", *options])
        report = json.loads((out / "report.json").read_text())
        (offering,) = report["requirements"]
        # The page came from the served folder, through the printed --resolve option.
        fetched = [e["url"] for e in offering["evidence"] if e.get("url")]
        assert (code, report["outcome"], offering["status"]) == (0, "pass", "pass")
        assert "http://acme.example/lens" in fetched
    finally:
        rc, err = _stop(proc)
    assert rc == 0
    assert "Traceback" not in err
    assert "stopped." in err


def test_serve_https_prints_its_ca_for_ca_bundle() -> None:
    proc = _start(str(FIXTURES / "sites"), "--https", "--json")
    try:
        assert proc.stdout is not None
        printed = json.loads(proc.stdout.readline())
        ca = printed["ca_file"]
        assert Path(ca).read_text().startswith("-----BEGIN CERTIFICATE-----")
        assert printed["options"][-2:] == ["--ca-bundle", ca]
        assert f"acme.example:443:127.0.0.1:{printed['port']}" in printed["options"]
    finally:
        rc, err = _stop(proc)
    assert (rc, "Traceback" in err) == (0, False)
    assert not Path(ca).exists()  # the throwaway CA goes with the server


@pytest.mark.parametrize("make", ["missing", "empty", "file"])
def test_serve_refuses_what_is_not_a_sites_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str
) -> None:
    target = tmp_path / "sites"
    if make == "empty":
        target.mkdir()
    elif make == "file":
        target.write_text("not a folder")
    assert main(["serve", str(target)]) == 2
    err = capsys.readouterr().err
    assert str(target) in err
    assert "one sub-folder per host name" in err
    assert "acme.example/" in err
