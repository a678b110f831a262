"""report.json is the typed Report's to_json: what the demo writes reads back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verifier.bundle.store import dump_json
from verifier.models import Status
from verifier.report.model import Report

TIERS = ("platform", "service-provider", "solution", "training-partner")


@pytest.mark.parametrize("tier", TIERS)
def test_report_json_of_every_demo_tier_reads_back_byte_for_byte(
    demo_master: Path, tier: str
) -> None:
    data = (demo_master.parent / tier / "report.json").read_bytes()
    report = Report.from_json(json.loads(data))
    assert dump_json(report.to_json()) == data
    # And the typed value survives its own round trip: nothing was read loosely.
    assert Report.from_json(json.loads(dump_json(report.to_json()))) == report


@pytest.mark.parametrize("tier", TIERS)
def test_a_demo_report_reads_as_typed_parts(demo_master: Path, tier: str) -> None:
    report = Report.from_json(json.loads((demo_master.parent / tier / "report.json").read_bytes()))
    assert report.outcome_known
    assert report.outcome in set(Status)
    assert report.policy.file == "policy.yaml"
    assert report.submission.file == "submission.yaml"
    assert report.run.formats == ("html", "json", "junit", "md")
    assert report.run.as_of == "2026-01-01"
    assert report.run.settings["allow_private_network"] is True
    assert report.requirements
    assert all(r.status_known for r in report.requirements)
    # Every fetch is evidence with a capture a person can open.
    fetches = [e for r in report.requirements for e in r.evidence if e.kind == "fetch"]
    assert fetches
    assert all(e.sha256 and e.url for e in fetches if "error" not in e.data)
