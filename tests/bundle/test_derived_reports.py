"""The human reports are derived from report.json and review.jsonl alone, and `bundle
check` derives them again: an edited report.html, report.md or junit.xml is caught even
under a regenerated SHA256SUMS."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from verifier.bundle.check import check_bundle, write_manifest
from verifier.cli.main import main
from verifier.report import Basis
from verifier.report.formats import ReportFormat, builtin_formats
from verifier.report.model import Report
from verifier.run.review import append_decision

NOW = dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)


def first_line_with(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize(
    ("name", "verdict", "forged"),
    [
        ("report.html", "FAIL", "PASS"),
        ("report.md", "FAIL", "PASS"),
        ("junit.xml", 'failures="5"', 'failures="0"'),
    ],
    ids=["report.html FAIL to PASS", "report.md FAIL to PASS", "junit.xml no failures"],
)
def test_an_edited_human_report_under_a_regenerated_seal_is_caught(
    hostile_bundle: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    verdict: str,
    forged: str,
) -> None:
    page = hostile_bundle / name
    line = first_line_with(page, verdict)
    page.write_text(page.read_text().replace(verdict, forged))
    write_manifest(hostile_bundle)  # the forger recomputes SHA256SUMS
    problem = (
        f"{name} does not match report.json/review.jsonl (re-derived copy differs at line {line})"
    )
    assert check_bundle(hostile_bundle).problems == [problem]
    assert main(["bundle", "check", str(hostile_bundle)]) == 1
    assert f"problem: {problem}" in capsys.readouterr().out
    assert main(["replay", str(hostile_bundle)]) == 2
    err = capsys.readouterr().err
    assert "fails its integrity check" in err
    assert problem in err


def test_an_untouched_bundle_and_one_after_review_check_clean(
    hostile_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_bundle(hostile_bundle).ok
    # Decisions that have expired since they were recorded, and one superseded: the page
    # shows them as of the latest decision's day, whenever it is rendered again.
    for decision, expires in (("fail", dt.date(2026, 1, 31)), ("pass", None)):
        append_decision(
            hostile_bundle,
            requirement="community",
            decision=decision,
            reviewer="Ann",
            reason=f"now {decision}",
            expires=expires,
            now=NOW,
        )
    args = ["--requirement", "offering", "--decision", "pass", "--reviewer", "B", "--reason", "r"]
    assert main(["review", str(hostile_bundle), *args]) == 0
    assert check_bundle(hostile_bundle).ok, check_bundle(hostile_bundle).describe()
    assert main(["bundle", "check", str(hostile_bundle)]) == 0
    assert "ok:" in capsys.readouterr().out


def test_a_forged_decision_shown_in_report_html_is_caught(hostile_bundle: Path) -> None:
    # review.jsonl is part of what report.html is derived from: a page claiming a
    # decision that review.jsonl does not hold does not match.
    append_decision(
        hostile_bundle, requirement="community", decision="fail", reviewer="A", reason="r", now=NOW
    )
    page = hostile_bundle / "report.html"
    page.write_text(page.read_text().replace("Review decision: FAIL", "Review decision: PASS"))
    write_manifest(hostile_bundle)
    [problem] = check_bundle(hostile_bundle).problems
    assert problem.startswith("report.html does not match report.json/review.jsonl")


def reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(v) for v in value]
    return value


def test_the_human_reports_do_not_depend_on_the_order_of_keys(hostile_bundle: Path) -> None:
    basis = Basis.read((hostile_bundle / "report.json").read_bytes(), hostile_bundle)
    report = json.loads((hostile_bundle / "report.json").read_text())
    report["run"]["settings"]["resolve"] = {"b.example:80": "127.0.0.1:2", "a.example:80": "x"}
    shuffled = reversed_keys(report)
    assert list(shuffled) != list(report)
    for fmt in builtin_formats().human():
        assert fmt.render(Basis(Report.from_json(report), basis.report_sha256)) == fmt.render(
            Basis(Report.from_json(shuffled), basis.report_sha256)
        )


def test_a_report_written_by_another_version_says_so_when_it_differs(hostile_bundle: Path) -> None:
    report = json.loads((hostile_bundle / "report.json").read_text())
    report["tool"]["version"] = "0.1-older"
    (hostile_bundle / "report.json").write_text(json.dumps(report, sort_keys=True, indent=2))
    write_manifest(hostile_bundle)
    problems = check_bundle(hostile_bundle).problems
    assert problems, "the sha256 report.html shows is no longer report.json's"
    assert all(
        re.search(r"written by finops-verifier 0\.1-older, this is \S+: check it", p)
        for p in problems
    )


def test_a_plugins_format_that_fails_to_render_is_a_problem_not_a_crash(
    demo_bundle: Path,
) -> None:
    def broken(basis: Basis) -> bytes:
        raise RuntimeError("plugin bug")

    formats = builtin_formats()
    assert formats.add(ReportFormat("boom", "report.boom", broken), "boom-plugin") is None
    (demo_bundle / "report.boom").write_bytes(b"whatever it wrote\n")
    write_manifest(demo_bundle)
    result = check_bundle(demo_bundle, formats)
    assert result.problems == [
        "report.boom cannot be rendered again: format 'boom' of plugin 'boom-plugin' failed "
        "(RuntimeError('plugin bug'))"
    ]
    assert check_bundle(demo_bundle).ok  # without the plugin, the file is only hashed


def test_a_built_in_format_that_fails_to_render_is_a_bug_shown_as_one(
    demo_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("bug")

    monkeypatch.setattr("verifier.report.markdown.render_markdown", broken)
    with pytest.raises(RuntimeError, match="bug"):
        check_bundle(demo_bundle)
