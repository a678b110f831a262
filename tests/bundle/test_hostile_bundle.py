"""A bundle from someone else: links, devices and manifest edits are caught, never followed.

Each of these hung, crashed or passed unnoticed before: `bundle check`, `replay` and
`review` must answer every one with findings (or a refusal), never a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.bundle.conftest import rewrite_report
from verifier.bundle import check as bundle
from verifier.bundle.check import check_bundle, write_manifest
from verifier.bundle.files import MANIFEST, file_sha256
from verifier.bundle.warc import WARC_FILE
from verifier.cli.main import main


def drop(bundle_dir: Path, rel: str) -> None:
    """Delete a file together with its SHA256SUMS line, as a careful forger would."""
    (bundle_dir / rel).unlink()
    lines = (bundle_dir / MANIFEST).read_text().splitlines(keepends=True)
    (bundle_dir / MANIFEST).write_text("".join(x for x in lines if not x.endswith(f"  {rel}\n")))


def a_capture(bundle_dir: Path) -> Path:
    return next(p for p in sorted((bundle_dir / "captures").iterdir()) if len(p.name) == 64)


def test_report_json_linked_to_dev_zero_is_reported_not_read(
    demo_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo_bundle / "report.json").unlink()
    (demo_bundle / "report.json").symlink_to("/dev/zero")
    result = check_bundle(demo_bundle)
    assert "report.json: a symbolic link (not followed); a bundle holds regular files only" in (
        result.problems
    )
    assert main(["bundle", "check", str(demo_bundle)]) == 1
    assert main(["replay", str(demo_bundle)]) == 2
    assert main(["review", str(demo_bundle)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_file_replaced_by_a_link_to_a_directory_is_reported(demo_bundle: Path) -> None:
    (demo_bundle / "report.html").unlink()
    (demo_bundle / "report.html").symlink_to(demo_bundle.parent)
    result = check_bundle(demo_bundle)
    assert any(p.startswith("report.html: a symbolic link") for p in result.problems)
    assert main(["bundle", "check", str(demo_bundle)]) == 1


def test_a_manifest_linked_to_dev_zero_is_not_a_bundle(
    demo_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo_bundle / MANIFEST).unlink()
    (demo_bundle / MANIFEST).symlink_to("/dev/zero")
    assert not check_bundle(demo_bundle).is_bundle
    assert main(["bundle", "check", str(demo_bundle)]) == 2
    err = capsys.readouterr().err
    assert "is not an evidence bundle" in err
    assert "SHA256SUMS is a symbolic link (not followed)" in err


def test_an_oversized_manifest_is_not_read(
    demo_bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle, "MAX_MANIFEST", 100)
    result = check_bundle(demo_bundle)
    assert not result.is_bundle
    assert "larger than 100 bytes" in result.describe()


def test_a_capture_linked_to_an_identical_file_outside_is_not_followed(
    demo_bundle: Path, tmp_path: Path
) -> None:
    capture = a_capture(demo_bundle)
    outside = tmp_path / "outside"
    outside.write_bytes(capture.read_bytes())
    capture.unlink()
    capture.symlink_to(outside)
    result = check_bundle(demo_bundle)
    assert not result.ok
    assert (
        f"captures/{capture.name}: a symbolic link (not followed); a bundle holds regular "
        "files only"
    ) in result.problems


def test_a_named_pipe_is_reported_and_never_opened(demo_bundle: Path) -> None:
    os.mkfifo(demo_bundle / "captures" / "pipe")
    result = check_bundle(demo_bundle)
    assert "captures/pipe: a named pipe; a bundle holds regular files only" in result.problems


def test_an_empty_added_directory_is_reported(demo_bundle: Path) -> None:
    (demo_bundle / "captures" / "planted").mkdir()
    assert check_bundle(demo_bundle).added == ["captures/planted/"]


@pytest.mark.parametrize(
    "rel", ["captures/index.json", WARC_FILE, "policy.yaml", "submission.yaml"]
)
def test_a_required_file_removed_with_its_manifest_line_is_missing(
    demo_bundle: Path, rel: str
) -> None:
    drop(demo_bundle, rel)
    result = check_bundle(demo_bundle)
    assert rel in result.missing
    assert not result.ok


def test_a_report_format_recorded_in_report_json_is_required(demo_bundle: Path) -> None:
    report = json.loads((demo_bundle / "report.json").read_text())
    report["run"]["formats"] = ["json", "html", "md", "junit"]
    rewrite_report(demo_bundle, report)
    assert check_bundle(demo_bundle).ok
    drop(demo_bundle, "report.md")
    assert check_bundle(demo_bundle).missing == ["report.md"]


def test_a_duplicate_manifest_line_is_refused(demo_bundle: Path) -> None:
    first = (demo_bundle / MANIFEST).read_text().splitlines()[0]
    with (demo_bundle / MANIFEST).open("a") as fh:
        fh.write(f"{'0' * 64}  {first.split('  ', 1)[1]}\n")
    result = check_bundle(demo_bundle)
    assert f"{MANIFEST} lists {first.split('  ', 1)[1]} more than once" in result.problems


def test_a_capture_cited_by_report_json_must_be_in_the_bundle(demo_bundle: Path) -> None:
    report = json.loads((demo_bundle / "report.json").read_text())
    req = report["requirements"][0]
    req["evidence"].append({"kind": "fact", "detail": "x", "sha256": "f" * 64})
    rewrite_report(demo_bundle, report)
    result = check_bundle(demo_bundle)
    assert result.problems == [
        f"report.json: requirement {req['id']} cites a capture that is not there: {'f' * 64}"
    ]


def test_a_garbled_index_is_a_finding_not_a_crash(demo_bundle: Path) -> None:
    (demo_bundle / "captures" / "index.json").write_text("[1, 2")
    write_manifest(demo_bundle)
    result = check_bundle(demo_bundle)
    assert any(p.startswith("captures/index.json cannot be read as JSON") for p in result.problems)


def test_review_jsonl_linked_outside_is_never_read(
    demo_bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sha = file_sha256(demo_bundle / "report.json")
    outside = tmp_path / "forged.jsonl"
    outside.write_text(
        json.dumps(
            {
                "requirement": "community",
                "decision": "fail",
                "reviewer": "Mallory",
                "reason": "forged",
                "decided_at": "2026-01-01T00:00:00Z",
                "expires": None,
                "report_sha256": sha,
            }
        )
        + "\n"
    )
    (demo_bundle / "review.jsonl").symlink_to(outside)
    assert any(
        p.startswith("review.jsonl: a symbolic link") for p in check_bundle(demo_bundle).problems
    )
    assert main(["review", str(demo_bundle), "--as-of", "2026-01-05"]) == 0
    captured = capsys.readouterr()
    assert "Mallory" not in captured.out
    assert "fails its integrity check" in captured.err
    assert "review.jsonl cannot be read" in captured.err


@pytest.mark.parametrize("name", ["line\nbreak", "back\\slash"])
def test_a_name_that_sha256sums_cannot_list_is_reported_escaped(
    demo_bundle: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo_bundle / "captures" / name).write_text("planted")
    shown = name.encode("unicode_escape").decode("ascii")
    problem = (
        f"captures/{shown}: a name that SHA256SUMS cannot list; a bundle holds regular files only"
    )
    assert problem in check_bundle(demo_bundle).problems
    assert main(["bundle", "check", str(demo_bundle)]) == 1
    assert "line\nbreak" not in capsys.readouterr().out


@pytest.mark.parametrize("value", ["x", ["x"], 3], ids=["text", "a list", "a number"])
def test_source_files_of_the_wrong_shape_is_no_crash(demo_bundle: Path, value: object) -> None:
    report = json.loads((demo_bundle / "report.json").read_text())
    report["source_files"] = value
    rewrite_report(demo_bundle, report)
    assert check_bundle(demo_bundle).ok
