"""What a run leaves on disk: file modes, the inputs it verified, and nothing on a failure."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pytest

from tests.bundle.conftest import DATA, verify_args, verify_hostile
from tests.fetch.hostile_server import Conn, hostile_server, response
from verifier.bundle.check import check_bundle
from verifier.bundle.warc import WARC_FILE
from verifier.cli.main import main
from verifier.run.review import append_decision


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


SUBMISSION = """\
tier: platform
applicant:
  name: Acme Cloud Economics, Inc.
  website: http://site.example/
  employees: 50
offering:
  name: Acme Lens
  landing_page: http://site.example/lens
practitioners:
  - {name: Jane Doe, certificate_id: LF-0001}
"""
POLICY = """\
id: exact-inputs
program: "2022"
tier: platform
version: "1"
title: Exact inputs
requirements:
  - id: offering
    text: Publicly listed offering
    check: offering
  - id: practitioners
    text: Certified practitioners
    check: practitioners
    params:
      columns:
        - certification: FinOps Certified Practitioner
          table: [{min_employees: 0, required: 1}]
"""
LENS = b"<html><head><title>Acme Lens</title></head><body>Pricing: subscribe per month</body>"


def test_a_submission_edited_during_the_run_is_not_what_the_bundle_keeps(tmp_path: Path) -> None:
    # Each input is edited on disk while the run is in progress (when the offering page is
    # fetched): the bundle must hold the bytes that were parsed and verified, and
    # report.json the hash of those bytes.
    submission, policy = tmp_path / "acme.yaml", tmp_path / "policy.yaml"
    registry, sources = tmp_path / "registry.csv", tmp_path / "sources.yaml"
    submission.write_text(SUBMISSION)
    policy.write_text(POLICY)
    registry.write_bytes((DATA / "registry.csv").read_bytes())
    sources.write_text("credential-registry: registry.csv\n")
    verified = {p: p.read_bytes() for p in (submission, policy, registry)}
    edits: list[str] = []

    def edit_then_answer(conn: Conn) -> None:
        submission.write_text(SUBMISSION.replace("Acme Cloud", "Edited Cloud"))
        policy.write_text(POLICY.replace("required: 1", "required: 0"))
        registry.write_text(registry.read_text().replace("Jane Doe", "Someone Else"))
        edits.append(conn.request.path)
        conn.send(response(200, LENS))

    out = tmp_path / "bundle"
    with hostile_server() as server:
        server.route("/lens", edit_then_answer)
        code = main(
            [
                "verify",
                str(submission),
                "--policy",
                str(policy),
                "--sources",
                str(sources),
                "--out",
                str(out),
                "--ignore-robots",
                *verify_args(server.port, (("site.example:80", f"127.0.0.1:{server.port}"),)),
            ]
        )
    assert edits == ["/lens"]
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert (out / "submission.yaml").read_bytes() == verified[submission]
    assert report["submission"]["sha256"] == hashlib.sha256(verified[submission]).hexdigest()
    assert report["applicant"]["name"] == "Acme Cloud Economics, Inc."
    assert (out / "policy.yaml").read_bytes() == verified[policy]
    assert report["policy"]["sha256"] == hashlib.sha256(verified[policy]).hexdigest()
    kept = report["source_files"]["credential-registry"]
    assert (out / kept["file"]).read_bytes() == verified[registry]
    assert kept["sha256"] == hashlib.sha256(verified[registry]).hexdigest()
    [read] = [e for r in report["requirements"] for e in r["evidence"] if e["kind"] == "registry"]
    assert read["data"]["file_sha256"] == kept["sha256"]  # what the check read
    assert check_bundle(out).ok


def disk_full_on(monkeypatch: pytest.MonkeyPatch, pattern: str) -> list[str]:
    """Make fsync fail with ENOSPC for files whose name matches ``pattern`` (a full disk
    reports itself at write or at fsync); returns the files it failed."""
    real = os.fsync
    failed: list[str] = []

    def fsync(fd: int) -> None:
        name = os.readlink(f"/proc/self/fd/{fd}")
        if re.search(pattern, name):
            failed.append(name)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return failed


@pytest.mark.parametrize(
    ("pattern", "written"),
    [
        # The temporary file or the file itself: a run syncs its bundle once it is sealed.
        (r"/captures/\.?[0-9a-f]{64}(\.|$)", "captures/"),
        (r"/\.?report\.html(\.|$)", "report.html"),
        (r"/\.?SHA256SUMS(\.|$)", "SHA256SUMS"),
    ],
    ids=["a capture during the run", "report.html", "SHA256SUMS, the last file"],
)
@pytest.mark.parametrize("existed", [False, True], ids=["new --out", "empty --out given"])
def test_a_full_disk_leaves_no_bundle_and_says_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pattern: str,
    written: str,
    existed: bool,
) -> None:
    out = tmp_path / "bundle"
    if existed:
        out.mkdir()
    failed = disk_full_on(monkeypatch, pattern)
    assert verify_hostile(out) == 2
    err = capsys.readouterr().err
    assert failed, "the fault was never injected"
    assert "Traceback" not in err
    assert "hit a bug" not in err
    assert f"cannot write the report to {out}: No space left on device while writing" in err
    assert f"{out}/{written}" in err
    assert "was removed, nothing was kept: free some space" in err
    if existed:
        assert list(out.iterdir()) == []
    else:
        assert not out.exists()


@pytest.mark.parametrize(
    ("pattern", "written"),
    [(r"/review\.jsonl$", "review.jsonl"), (r"/\.SHA256SUMS\.", "SHA256SUMS")],
    ids=["review.jsonl", "SHA256SUMS"],
)
def test_a_full_disk_during_review_leaves_the_bundle_as_it_was(
    hostile_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pattern: str,
    written: str,
) -> None:
    before = {p: p.read_bytes() for p in hostile_bundle.rglob("*") if p.is_file()}
    disk_full_on(monkeypatch, pattern)
    args = ["--requirement", "offering", "--decision", "pass", "--reviewer", "A", "--reason", "r"]
    assert main(["review", str(hostile_bundle), *args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"cannot record the decision in {hostile_bundle}: No space left on device" in err
    assert f"while writing {hostile_bundle}/{written}" in err
    assert "the bundle was left as it was" in err
    assert {p: p.read_bytes() for p in hostile_bundle.rglob("*") if p.is_file()} == before
    assert check_bundle(hostile_bundle).ok


def test_an_out_folder_given_as_a_link_gets_its_bundle_synced_and_kept(tmp_path: Path) -> None:
    """``--out`` may be a link to an empty folder: the bundle is written and made durable
    there, as into the folder itself (syncing it must not refuse the link)."""
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    assert verify_hostile(link) != 2
    assert check_bundle(target).ok


def test_files_written_unsynced_are_synced_by_sync_tree_and_other_tasks_sync_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle's files are written unsynced and made durable together; another task of
    the same event loop writing meanwhile (another partner of a re-check) still syncs
    each of its files."""
    import asyncio

    from verifier.bundle.store import atomic_write, sync_tree, unsynced

    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    bundle = tmp_path / "bundle"

    async def go() -> None:
        gate = asyncio.Event()

        async def writing_a_bundle() -> None:
            with unsynced():
                atomic_write(bundle / "a", b"a")
                await gate.wait()
                atomic_write(bundle / "sub" / "b", b"b")

        async def another_task() -> None:
            atomic_write(tmp_path / "c", b"c")
            gate.set()

        await asyncio.gather(writing_a_bundle(), another_task())

    asyncio.run(go())
    assert [Path(p).name.split(".")[1] for p in synced] == ["c"]  # its temporary file
    synced.clear()
    sync_tree(bundle)
    assert sorted(synced) == sorted(
        str(p) for p in (bundle, bundle / "a", bundle / "sub", bundle / "sub" / "b")
    )
