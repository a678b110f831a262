"""After a review, every report leads with the decision: the effective outcome and counts,
what still blocks a pass (with its one-line reason), and the decisions recorded."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from verifier.bundle.check import check_bundle
from verifier.cli.main import main


@pytest.fixture
def training_bundle(demo_master: Path, copy_bundle: Callable[[Path], Path]) -> Path:
    """The demo's training-partner bundle: exam-reseller and training-capability need
    review, the rest pass."""
    return copy_bundle(demo_master.parent / "training-partner")


def review(bundle: Path, requirement: str, decision: str, reason: str, *extra: str) -> list[str]:
    return [
        "review",
        str(bundle),
        "--requirement",
        requirement,
        "--decision",
        decision,
        "--reviewer",
        "J. Smith",
        "--reason",
        reason,
        *extra,
    ]


def machine_summary(bundle: Path, rid: str) -> str:
    report = json.loads((bundle / "report.json").read_text())
    return str(next(r["summary"] for r in report["requirements"] if r["id"] == rid))


def test_report_md_after_a_review_shows_effective_outcome_blockers_and_decisions(
    training_bundle: Path,
) -> None:
    before = (training_bundle / "report.md").read_text()
    assert "Still blocking" not in before  # the machine's view until someone decides
    assert main(review(training_bundle, "training-capability", "pass", "syllabus seen")) == 0
    md = (training_bundle / "report.md").read_text()
    lead = md.split("## ")[0]
    assert "**Outcome after review: ? NEEDS REVIEW**" in lead
    assert "machine verdict: ? NEEDS REVIEW" in lead
    assert "Counts after review: NEEDS REVIEW 1, PASS 5" in lead
    blocking = lead.split("**Still blocking:**")[1].split("\n|")[0]
    assert "- exam-reseller: ? NEEDS REVIEW:" in blocking
    assert "training-capability" not in blocking  # the decision cleared it
    assert "- Machine counts: NEEDS REVIEW 2, PASS 4" in md
    assert "| training-capability | ? NEEDS REVIEW → ✓ PASS (review) |" in md
    assert "- training-capability: pass (active) by J. Smith" in md
    assert "syllabus seen" in md
    assert check_bundle(training_bundle).ok


def test_a_fail_decision_blocks_with_the_reviewers_reason_in_md_and_junit(
    demo_bundle: Path,
) -> None:
    assert main(review(demo_bundle, "community", "fail", "the talks are by another firm")) == 0
    md = (demo_bundle / "report.md").read_text()
    assert "**Outcome after review: ✗ FAIL** (machine verdict: ✓ PASS" in md
    assert "- community: ✗ FAIL: review decision by J. Smith: the talks are by another firm" in md
    suite = ET.fromstring((demo_bundle / "junit.xml").read_bytes())
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "1", "0")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["outcome"] == "fail"
    assert props["machine_outcome"] == "pass"
    assert props["still_blocking"] == "community"
    assert "fail (active) by J. Smith" in str(props["decision.community"])
    [case] = [c for c in suite.iter("testcase") if c.get("name") == "community"]
    failure = case.find("failure")
    assert failure is not None
    assert "machine verdict: pass" in str(failure.get("message"))
    assert "the talks are by another firm" in str(case.findtext("system-out"))
    assert check_bundle(demo_bundle).ok


def test_junit_after_a_pass_decision_counts_the_effective_statuses(
    training_bundle: Path,
) -> None:
    suite = ET.fromstring((training_bundle / "junit.xml").read_bytes())
    assert suite.get("skipped") == "2"
    assert main(review(training_bundle, "exam-reseller", "pass", "reseller letter seen")) == 0
    suite = ET.fromstring((training_bundle / "junit.xml").read_bytes())
    assert suite.get("skipped") == "1"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["still_blocking"] == "training-capability"
    [case] = [c for c in suite.iter("testcase") if c.get("name") == "exam-reseller"]
    assert case.find("skipped") is None  # passed after review


def test_review_json_prints_the_decision_recorded_and_the_effective_view(
    training_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(review(training_bundle, "exam-reseller", "pass", "reseller letter seen", "--json"))
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recorded"]["requirement"] == "exam-reseller"
    assert out["recorded"]["decision"] == "pass"
    assert out["recorded"]["reason"] == "reseller letter seen"
    assert (out["outcome"], out["effective_outcome"]) == ("needs_review", "needs_review")
    assert out["effective_counts"] == {"needs_review": 1, "pass": 5}
    assert out["still_blocking"] == [
        {
            "requirement": "training-capability",
            "status": "needs_review",
            "reason": machine_summary(training_bundle, "training-capability"),
        }
    ]
    assert [(d["requirement"], d["state"]) for d in out["decisions"]] == [
        ("exam-reseller", "active")
    ]
    assert out["intact"] is True
    # The last blocker decided: the effective outcome passes and nothing blocks.
    assert main(review(training_bundle, "training-capability", "pass", "seen", "--json")) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["effective_outcome"], out["still_blocking"], out["effective_counts"]) == (
        "pass",
        [],
        {"pass": 6},
    )
    # Without --requirement, --json shows the same view with nothing recorded.
    assert main(["review", str(training_bundle), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert "recorded" not in shown
    assert shown["effective_outcome"] == "pass"
    assert len(shown["decisions"]) == 2
