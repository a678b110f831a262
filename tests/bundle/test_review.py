"""Review decisions: appended, shown next to the machine's verdict, never overwriting it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

import verifier.bundle.decisions
import verifier.report.basis
import verifier.run.review
from verifier.bundle.check import check_bundle
from verifier.bundle.decisions import REVIEW_FILE, load_decisions, report_sha256
from verifier.cli.main import main
from verifier.errors import BundleError, InputError
from verifier.report.html import render_html
from verifier.report.model import Report
from verifier.run.review import append_decision

NOW = dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)


def decide(bundle: Path, requirement: str = "case-studies", **over: object) -> list[str]:
    args = [
        "review",
        str(bundle),
        "--requirement",
        requirement,
        "--decision",
        "pass",
        "--reviewer",
        "J. Smith",
        "--reason",
        "Globex confirmed by phone",
    ]
    for key, value in over.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    return args


def test_a_decision_changes_the_effective_outcome_but_not_report_json(
    review_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (review_bundle / "report.json").read_bytes()
    statuses = {r["id"]: r["status"] for r in json.loads(original)["requirements"]}
    for rid, status in statuses.items():
        if status != "pass":
            assert main(decide(review_bundle, rid)) == 0
    assert (review_bundle / "report.json").read_bytes() == original
    html = (review_bundle / "report.html").read_text()
    assert 'id="effective-outcome">✓ PASS' in html
    assert "Globex confirmed by phone" in html
    assert "J. Smith" in html
    assert json.loads(original)["outcome"] == "needs_review"  # the machine's verdict stays
    assert "effective outcome as of" in capsys.readouterr().out


def test_each_decision_records_who_when_why_until_and_the_report_hash(demo_bundle: Path) -> None:
    made = append_decision(
        demo_bundle,
        requirement="community",
        decision="fail",
        reviewer="Ann",
        reason="no contributions found",
        expires=dt.date(2026, 6, 30),
        now=NOW,
    )
    [line] = (demo_bundle / REVIEW_FILE).read_text().splitlines()
    data = json.loads(line)
    assert data["reviewer"] == "Ann"
    assert data["decision"] == "fail"
    assert data["decided_at"] == "2026-01-02T09:30:00Z" == made.decided_at
    assert data["expires"] == "2026-06-30"
    assert data["report_sha256"] == report_sha256(demo_bundle)


def test_decisions_are_appended_and_the_bundle_stays_checkable(demo_bundle: Path) -> None:
    assert main(decide(demo_bundle)) == 0
    first = (demo_bundle / REVIEW_FILE).read_bytes()
    assert main(decide(demo_bundle, "community")) == 0
    assert (demo_bundle / REVIEW_FILE).read_bytes().startswith(first)
    assert len(load_decisions(demo_bundle)[0]) == 2
    assert check_bundle(demo_bundle).ok, check_bundle(demo_bundle).describe()


def test_editing_a_recorded_decision_is_caught(demo_bundle: Path) -> None:
    assert main(decide(demo_bundle)) == 0
    path = demo_bundle / REVIEW_FILE
    path.write_text(path.read_text().replace("J. Smith", "Someone Else"))
    assert check_bundle(demo_bundle).changed == [REVIEW_FILE]


def test_an_expired_decision_no_longer_counts_and_shows_as_expired(demo_bundle: Path) -> None:
    append_decision(
        demo_bundle,
        requirement="case-studies",
        decision="pass",
        reviewer="Ann",
        reason="seen",
        expires=dt.date(2026, 1, 31),
        now=NOW,
    )
    report = json.loads((demo_bundle / "report.json").read_text())
    decisions, _ = load_decisions(demo_bundle)

    def as_of(day: dt.date) -> str:
        sha = report_sha256(demo_bundle)
        return render_html(
            Report.from_json(report), decisions=decisions, report_sha256=sha, as_of=day
        )

    html = as_of(dt.date(2026, 2, 1))
    assert "(expired)" in html
    assert "effective-outcome" not in html
    assert "(active)" in as_of(dt.date(2026, 1, 31))


def test_a_later_decision_supersedes_an_earlier_one(demo_bundle: Path) -> None:
    for decision in ("fail", "pass"):
        append_decision(
            demo_bundle,
            requirement="community",
            decision=decision,
            reviewer="Ann",
            reason=f"now {decision}",
            now=NOW,
        )
    html = (demo_bundle / "report.html").read_text()
    assert "(superseded)" in html
    assert "(active)" in html


@pytest.mark.parametrize(
    ("requirement", "reason", "message"),
    [
        ("no-such-requirement", "why", "has no requirement 'no-such-requirement'"),
        ("community", "   ", "needs a reason"),
    ],
    ids=["an unknown requirement", "an empty reason"],
)
def test_a_bad_decision_is_refused(
    demo_bundle: Path, requirement: str, reason: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        append_decision(
            demo_bundle,
            requirement=requirement,
            decision="pass",
            reviewer="Ann",
            reason=reason,
            now=NOW,
        )
    assert not (demo_bundle / REVIEW_FILE).exists()
    args = [
        "review",
        str(demo_bundle),
        "--requirement",
        requirement,
        "--decision",
        "pass",
        "--reviewer",
        "Ann",
        "--reason",
        reason,
    ]
    assert main(args) == 2


def test_a_decision_on_a_tampered_bundle_is_refused(
    demo_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo_bundle / "report.md").write_text("edited")
    with pytest.raises(BundleError, match="fails its integrity check"):
        append_decision(
            demo_bundle,
            requirement="community",
            decision="pass",
            reviewer="Ann",
            reason="why",
            now=NOW,
        )
    assert main(decide(demo_bundle)) == 2
    assert "changed: report.md" in capsys.readouterr().err
    assert not (demo_bundle / REVIEW_FILE).exists()


def test_listing_decisions_needs_no_decision_options(
    demo_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(decide(demo_bundle)) == 0
    capsys.readouterr()
    assert main(["review", str(demo_bundle), "--as-of", "2026-01-05"]) == 0
    out = capsys.readouterr().out
    assert "case-studies: pass by J. Smith (active" in out


def test_an_expiry_in_the_past_is_refused(demo_bundle: Path) -> None:
    with pytest.raises(InputError, match="already past"):
        append_decision(
            demo_bundle,
            requirement="community",
            decision="pass",
            reviewer="Ann",
            reason="why",
            expires=dt.date(2026, 1, 1),
            now=NOW,
        )


def test_a_reviewer_s_words_are_escaped_in_the_report(demo_bundle: Path) -> None:
    append_decision(
        demo_bundle,
        requirement="community",
        decision="pass",
        reviewer="<script>alert(1)</script>",
        reason='"><img src=x onerror=alert(1)>',
        now=NOW,
    )
    html = (demo_bundle / "report.html").read_text()
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def snapshot(bundle: Path) -> dict[str, bytes]:
    return {str(p.relative_to(bundle)): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}


@pytest.mark.parametrize("option", ["reason", "reviewer"])
def test_text_that_is_not_utf8_is_refused_and_changes_nothing(
    demo_bundle: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(demo_bundle)
    # What a shell passes for `--reason "$(printf 'bad \xff')"`: a lone surrogate.
    assert main(decide(demo_bundle, **{option: "bad \udcff"})) == 2
    err = capsys.readouterr().err
    assert f"--{option} holds bytes that are not UTF-8 text (byte 0xff at character 5)" in err
    assert "Traceback" not in err
    assert snapshot(demo_bundle) == before
    assert check_bundle(demo_bundle).ok


@pytest.mark.parametrize("step", ["render_html", "write_manifest"])
def test_a_review_that_fails_midway_leaves_the_bundle_as_it_was(
    demo_bundle: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    append_decision(
        demo_bundle, requirement="community", decision="pass", reviewer="A", reason="r", now=NOW
    )
    before = snapshot(demo_bundle)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    module = "verifier.report.html" if step == "render_html" else "verifier.run.review"
    monkeypatch.setattr(f"{module}.{step}", broken)
    error = OSError if step == "render_html" else BundleError
    with pytest.raises(error, match="No space left"):
        append_decision(
            demo_bundle, requirement="community", decision="fail", reviewer="B", reason="s", now=NOW
        )
    if step == "write_manifest":  # a disk fault reaches the person as a message
        assert main(decide(demo_bundle, "community")) == 2
    monkeypatch.undo()  # the fault was the review's; bundle check renders report.html too
    assert snapshot(demo_bundle) == before
    assert check_bundle(demo_bundle).ok


def test_a_review_whose_undo_fails_too_says_the_bundle_may_be_broken(
    demo_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr("verifier.run.review.write_manifest", no_space)
    monkeypatch.setattr("verifier.run.review.os.truncate", read_only)
    monkeypatch.setattr("pathlib.Path.unlink", read_only)
    with pytest.raises(BundleError, match="putting the bundle back failed too") as raised:
        append_decision(
            demo_bundle, requirement="community", decision="fail", reviewer="B", reason="s", now=NOW
        )
    assert "left as it was" not in str(raised.value)


def holding(bundle: Path, count: int) -> Path:
    """``bundle`` with ``count`` decisions on one requirement (each supersedes the last),
    its report.html and SHA256SUMS written as review would have left them."""
    from verifier.bundle.check import write_manifest
    from verifier.report import Basis
    from verifier.report.formats import builtin_formats
    from verifier.report.html import html_of

    sha = report_sha256(bundle)
    with (bundle / REVIEW_FILE).open("w") as fh:
        for i in range(count):
            decided = (NOW - dt.timedelta(minutes=count - i)).isoformat().replace("+00:00", "Z")
            line = {
                "requirement": "community",
                "decision": ("pass", "fail")[i % 2],
                "reviewer": "Ann",
                "reason": f"look {i}",
                "decided_at": decided,
                "expires": None,
                "report_sha256": sha,
            }
            fh.write(json.dumps(line) + "\n")
    basis = Basis.read((bundle / "report.json").read_bytes(), bundle)
    (bundle / "report.html").write_bytes(html_of(basis))
    # The other human reports show the decisions too (effective counts, still blocking).
    for fmt in builtin_formats().human():
        if (bundle / fmt.file).is_file():
            (bundle / fmt.file).write_bytes(fmt.render(basis))
    write_manifest(bundle)
    assert check_bundle(bundle).ok
    return bundle


def review_steps(bundle: Path) -> int:
    """Python lines run in the review's own modules (reading decisions, recording one)
    while one decision is appended: a count of work that does not depend on the machine's
    speed."""
    targets = {verifier.bundle.decisions.__file__, verifier.run.review.__file__}
    lines = 0

    def local(frame: Any, event: str, arg: Any) -> Any:
        nonlocal lines
        lines += event == "line"
        return local

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename in targets else None

    sys.settrace(tracer)
    try:
        append_decision(
            bundle, requirement="community", decision="pass", reviewer="B", reason="r", now=NOW
        )
    finally:
        sys.settrace(None)
    return lines


def test_review_is_linear_in_the_decisions_a_bundle_holds(
    demo_master: Path, copy_bundle: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hostile (or long-lived) review.jsonl of thousands of decisions on one requirement
    # must not stall `review`: twice the decisions, about twice the work (a quadratic
    # pass made it four times), and review.jsonl parsed a fixed number of times.
    small = copy_bundle(demo_master)
    large = tmp_path / "large"
    shutil.copytree(small, large)
    work = [review_steps(holding(small, 400)), review_steps(holding(large, 800))]
    assert work[1] < 2.4 * work[0], work

    parsed: list[int] = []
    real = verifier.bundle.decisions.parse_decisions

    def counted(data: bytes) -> Any:
        parsed.append(data.count(b"\n"))
        return real(data)

    monkeypatch.setattr(verifier.bundle.decisions, "parse_decisions", counted)
    monkeypatch.setattr(verifier.report.basis, "parse_decisions", counted)
    monkeypatch.setattr(verifier.run.review, "parse_decisions", counted)
    reads = []
    for bundle in (small, large):
        parsed.clear()
        assert main(decide(bundle, "community")) == 0
        reads.append(len(parsed))
    assert reads[0] == reads[1] <= 6, reads
