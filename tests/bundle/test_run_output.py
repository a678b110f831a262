"""What a run leaves on disk: file modes, the inputs it verified, and nothing on a failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.bundle.conftest import verify_hostile
from verifier.bundle import check_bundle
from verifier.review import append_decision
from verifier.warc import WARC_FILE


@pytest.mark.parametrize(
    ("umask", "file_mode", "dir_mode"),
    [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)],
    ids=["umask 022 gives files 0644", "umask 077 gives files 0600"],
)
def test_report_files_respect_the_umask_as_other_tools_do(
    tmp_path: Path, umask: int, file_mode: int, dir_mode: int
) -> None:
    out = tmp_path / "bundle"
    previous = os.umask(umask)
    try:
        assert verify_hostile(out) in (1, 3)
        append_decision(out, requirement="offering", decision="pass", reviewer="A", reason="r")
    finally:
        os.umask(previous)
    modes = {
        str(p.relative_to(out)): (p.is_dir(), stat.S_IMODE(p.stat().st_mode))
        for p in [out, *out.rglob("*")]
    }
    assert {
        "report.json",
        "report.html",
        "report.md",
        "junit.xml",
        "SHA256SUMS",
        "review.jsonl",
        "submission.yaml",
        "captures/index.json",
        WARC_FILE,
    } <= set(modes)
    assert any(rel.startswith("sources/") for rel in modes)
    wrong = {
        rel: oct(mode)
        for rel, (is_dir, mode) in modes.items()
        if mode != (dir_mode if is_dir else file_mode)
    }
    assert wrong == {}
    assert check_bundle(out).ok
