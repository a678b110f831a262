"""A fault through the whole tool: ``finops-verify verify`` with one hostile site.

The applicant's site answers 503 forever; the directories are the fixture sites. The
offering requirement becomes ``error`` with the fetch's reason, membership keeps its
verdict, every attempt is in the evidence, and report.json is written with the settings.
Also: the fetch settings are the options of ``verify --help``, with their defaults.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from tests.fetch.hostile_server import HostileServer, response
from verifier.cli.main import main
from verifier.fetch.settings import FIELDS, FetchSettings
from verifier.sites import SiteServer

ROOT = Path(__file__).resolve().parents[2]

POLICY = """\
id: fetch-e2e
program: "2022"
tier: platform
version: "1"
title: Fetch faults end to end
requirements:
  - id: membership
    text: Be a member
    check: membership
    params:
      sources: [finops-members, lf-members]
  - id: offering
    text: Publicly listed offering
    check: offering
"""


def test_a_fault_becomes_error_with_its_reason_and_the_report_is_still_written(
    tmp_path: Path, sites: SiteServer, server: HostileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.route("/lens", response(503, b"down for maintenance"))
    server.route("/robots.txt", response(404, b""))
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    out = tmp_path / "report"
    resolve = [f"{h}:80:127.0.0.1:{sites.port}" for h in sites.hosts() if h != "acme.example"]
    resolve.append(f"acme.example:80:127.0.0.1:{server.port}")
    argv = [
        "verify",
        str(ROOT / "fixtures/demo/platform.yaml"),
        "--policy",
        str(policy),
        "--sources",
        str(ROOT / "fixtures/sources.yaml"),
        "--out",
        str(out),
        "--as-of",
        "2026-01-31",
        "--allow-private-network",
        "--retries",
        "2",
        "--backoff",
        "0.01",
        "--total-timeout",
        "5",
        "--json",
    ]
    for r in resolve:
        argv += ["--resolve", r]
    code = main(argv)
    assert code == 3  # error somewhere, no fail: "needs review or error"
    report = json.loads((out / "report.json").read_text())
    by_id = {r["id"]: r for r in report["requirements"]}
    assert by_id["membership"]["status"] == "pass"
    offering = by_id["offering"]
    assert offering["status"] == "error"
    assert offering["summary"] == (
        "the landing page http://acme.example/lens could not be fetched "
        "(gave up after 3 attempts: HTTP 503)"
    )
    (fault,) = [e for e in offering["evidence"] if e["kind"] == "fetch"]
    assert [h["error"] for h in fault["data"]["history"]] == ["HTTP 503"] * 3
    assert report["run"]["settings"]["allow_private_network"] is True
    assert report["run"]["settings"]["obey_robots"] is True
    assert report["run"]["settings"]["retries"] == 2
    assert server.paths() == ["/robots.txt", "/lens", "/lens", "/lens"]


def test_every_fetch_setting_is_a_verify_option_with_its_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["verify", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for f in FIELDS:
        if f.name == "allowed_ports":
            assert "--allow-port" in text
        elif f.name == "obey_robots":
            assert "--obey-robots / --ignore-robots" in text
        else:
            assert "--" + f.name.replace("_", "-") in text, f.name
    for name in ("total_timeout", "max_bytes", "retries", "per_host_delay", "max_redirects"):
        default = dataclasses.asdict(FetchSettings())[name]
        assert f"[default: {default};" in text, name


def test_the_report_records_ignore_robots_and_the_settings_it_ran_with() -> None:
    settings = FetchSettings(obey_robots=False, allow_private_network=True, per_host_delay=0.5)
    recorded = settings.to_json()
    assert recorded["obey_robots"] is False
    assert recorded["allow_private_network"] is True
    assert recorded["per_host_delay"] == 0.5
    assert set(recorded) == {f.name for f in FIELDS}
