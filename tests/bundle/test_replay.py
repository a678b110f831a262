"""Offline replay: the captures alone reproduce the verdicts, with no network."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from pathlib import Path
from typing import Any

import httpcore
import pytest

from verifier.bundle.check import check_bundle
from verifier.cli.main import main
from verifier.errors import FetchError, FetchRefused
from verifier.fetch import client
from verifier.report.model import Report
from verifier.run.replay import ReplaySource, diff_reports


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail any attempt to reach the network; returns the attempts (must stay empty)."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[:2]))
        raise AssertionError("replay tried to use the network")

    monkeypatch.setattr(client.LiveSource, "__init__", refuse)
    monkeypatch.setattr(httpcore.AsyncConnectionPool, "handle_async_request", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_replay_of_the_demo_bundle_shows_no_difference_and_no_request(
    demo_bundle: Path, no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(demo_bundle)]) == 0
    out = capsys.readouterr().out
    assert "No difference" in out
    served = re.search(r"(\d+) fetch\(es\) served from captures", out)
    assert served
    assert int(served.group(1)) >= 4  # membership (3 pages) and offering at least
    assert no_network == []


def test_replay_reproduces_redirects_fetch_faults_and_local_sources(
    hostile_bundle: Path, no_network: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "replayed"
    assert main(["replay", str(hostile_bundle), "--out", str(out), "--json"]) == 0
    before = json.loads((hostile_bundle / "report.json").read_text())
    after = json.loads((out / "report.json").read_text())
    assert [(r["status"], r["summary"]) for r in after["requirements"]] == [
        (r["status"], r["summary"]) for r in before["requirements"]
    ]
    faults = [
        e["data"]["error_type"]
        for r in after["requirements"]
        for e in r["evidence"]
        if e["kind"] == "fetch" and "error_type" in e.get("data", {})
    ]
    assert faults == ["FetchRefused"]  # the recorded refusal of port 8081, raised again
    kept, replayed = before["source_files"], after["source_files"]
    assert replayed["credential-registry"]["sha256"] == kept["credential-registry"]["sha256"]
    assert check_bundle(out).ok  # the replay is itself a bundle
    assert no_network == []


def test_replay_leaves_the_bundle_intact(demo_bundle: Path, no_network: list[str]) -> None:
    assert main(["replay", str(demo_bundle)]) == 0
    assert check_bundle(demo_bundle).ok


def test_a_tampered_bundle_is_refused_before_any_replay(
    demo_bundle: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = next(
        p
        for p in sorted((demo_bundle / "captures").iterdir())
        if len(p.name) == 64 and b"Acme" in p.read_bytes()  # not, say, a registry record
    )
    capture.write_bytes(capture.read_bytes().replace(b"Acme", b"Acne", 1))

    def never(*args: Any) -> None:
        raise AssertionError("replay started on a tampered bundle")

    monkeypatch.setattr(ReplaySource, "__init__", never)
    assert main(["replay", str(demo_bundle)]) == 2
    err = capsys.readouterr().err
    assert "integrity check" in err
    assert f"changed: captures/{capture.name}" in err


def test_replay_refuses_to_write_inside_the_bundle(demo_bundle: Path) -> None:
    assert main(["replay", str(demo_bundle), "--out", str(demo_bundle / "replay")]) == 2
    assert check_bundle(demo_bundle).ok


def test_a_url_the_bundle_never_fetched_is_refused_not_fetched(demo_bundle: Path) -> None:
    source = ReplaySource(demo_bundle)
    with pytest.raises(FetchRefused, match="not in the bundle's captures"):
        asyncio.run(source.get("http://elsewhere.example/"))
    assert source.missing == ["http://elsewhere.example/"]


def test_a_recorded_fault_is_raised_again_with_its_class_and_reason(hostile_bundle: Path) -> None:
    source = ReplaySource(hostile_bundle)
    url = "http://hostile.example:8081/members/"
    recorded = source.exchanges[url]
    with pytest.raises(FetchError) as info:
        asyncio.run(source.get(url))
    assert type(info.value).__name__ == recorded["error_type"] == "FetchRefused"
    assert info.value.reason == recorded["error"]


def test_recorded_redirect_hops_are_served(hostile_bundle: Path) -> None:
    page = asyncio.run(ReplaySource(hostile_bundle).get("http://hostile.example/old-lens"))
    assert page.final_url == "http://hostile.example/lens/"
    assert [(h.status, h.location) for h in page.hops] == [(301, "http://hostile.example/lens/")]
    assert b"Lens" in page.body


def test_differences_name_status_and_summary_changes() -> None:
    a = {
        "requirements": [
            {"id": "x", "status": "pass", "summary": "ok"},
            {"id": "y", "status": "fail", "summary": "no"},
        ]
    }
    b = {
        "requirements": [
            {"id": "x", "status": "pass", "summary": "ok"},
            {"id": "y", "status": "error", "summary": "fault"},
        ]
    }
    [d] = diff_reports(Report.from_json(a), Report.from_json(b))
    assert (d.id, d.before, d.after) == ("y", ("fail", "no"), ("error", "fault"))


def test_an_index_entry_cannot_make_replay_read_outside_the_bundle(demo_bundle: Path) -> None:
    source = ReplaySource(demo_bundle)
    url = next(iter(source.exchanges))
    source.exchanges[url] = {**source.exchanges[url], "sha256": "../../../etc/passwd"}
    with pytest.raises(FetchError, match="no valid capture"):
        asyncio.run(source.get(url))


def test_an_intact_bundle_whose_inputs_no_longer_validate_exits_3_not_2(
    demo_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from verifier.bundle.check import seal
    from verifier.cli.main import main

    sub = demo_bundle / "submission.yaml"
    sub.write_text(sub.read_text().replace("employees: 1200", 'employees: "1200"'))
    seal(demo_bundle)  # an intact bundle, as an older version might have written it
    assert main(["replay", str(demo_bundle)]) == 3
    err = capsys.readouterr().err
    assert f"cannot replay: {demo_bundle} is intact, but finops-verifier" in err
    assert "must be a whole number" in err


def test_replay_rebuilds_each_hop_as_recorded_a_meta_refresh_included(demo_bundle: Path) -> None:
    # A page reached through a meta refresh is evidence of it ("via meta refresh"): the
    # replayed page says the same, not "redirect".
    index_path = demo_bundle / "captures" / "index.json"
    index = json.loads(index_path.read_text())
    entries = index["exchanges"] if isinstance(index, dict) else index
    ex = next(e for e in entries if e.get("sha256") and not e.get("error"))
    ex["hops"] = [
        {"url": "http://a.example/", "status": 301, "location": "http://b.example/"},
        {"url": "http://b.example/", "status": 200, "location": ex["url"], "via": "meta refresh"},
    ]
    index_path.write_text(json.dumps(index))
    page = asyncio.run(ReplaySource(demo_bundle).get(ex["url"]))
    assert [(h.url, h.status, h.via) for h in page.hops] == [
        ("http://a.example/", 301, "redirect"),
        ("http://b.example/", 200, "meta refresh"),
    ]
