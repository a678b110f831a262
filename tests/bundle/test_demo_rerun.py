"""`make demo` can run again into the same --out: it replaces its own report folders only."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.bundle.conftest import AS_OF
from verifier.bundle.check import check_bundle
from verifier.cli.main import main


def test_demo_runs_again_into_the_same_out(demo_master: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo-report"
    shutil.copytree(demo_master.parent, out)  # what the first `make demo` left
    (out / "notes").mkdir()
    (out / "notes" / "mine.txt").write_text("keep me")
    (out / "platform" / "stale.txt").write_text("from the first run")
    assert main(["demo", "--out", str(out), "--as-of", AS_OF]) == 0
    assert (out / "notes" / "mine.txt").read_text() == "keep me"
    assert not (out / "platform" / "stale.txt").exists()  # the folder was replaced
    for folder in demo_master.parent.iterdir():
        assert check_bundle(out / folder.name).ok, folder.name


def test_demo_clears_a_folder_left_by_an_interrupted_demo(tmp_path: Path) -> None:
    from verifier.cli.main import main

    interrupted = tmp_path / "platform" / "captures"
    interrupted.mkdir(parents=True)
    (interrupted / "index.json").write_text("{}")  # no report.json: stopped half-way
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "platform" / "report.json").is_file()
