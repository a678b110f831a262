"""The bundle seal: SHA256SUMS over every file, re-checked by `bundle check`."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from verifier.bundle.check import check_bundle, write_manifest
from verifier.bundle.files import MANIFEST, file_sha256
from verifier.bundle.store import read_index
from verifier.bundle.warc import WARC_FILE, write_warc
from verifier.cli.main import main


def a_capture(bundle: Path) -> Path:
    return next(p for p in (bundle / "captures").iterdir() if len(p.name) == 64)


def test_a_fresh_bundle_is_intact(demo_bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_bundle(demo_bundle).ok
    assert main(["bundle", "check", str(demo_bundle)]) == 0
    assert "ok:" in capsys.readouterr().out


def test_manifest_is_sha256sum_format_sorted_and_complete(demo_bundle: Path) -> None:
    lines = (demo_bundle / MANIFEST).read_text().splitlines()
    paths = [line.split("  ", 1)[1] for line in lines]
    assert paths == sorted(paths)
    assert {
        "report.json",
        "report.html",
        "report.md",
        "junit.xml",
        "submission.yaml",
        "policy.yaml",
        "captures/index.json",
        WARC_FILE,
    } <= set(paths)
    ok = subprocess.run(["sha256sum", "--check", "--quiet", MANIFEST], cwd=demo_bundle)
    assert ok.returncode == 0


def test_one_changed_byte_is_caught(demo_bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = a_capture(demo_bundle)
    data = bytearray(capture.read_bytes())
    data[len(data) // 2] ^= 0x01
    capture.write_bytes(bytes(data))
    result = check_bundle(demo_bundle)
    assert result.changed == [f"captures/{capture.name}"]
    assert main(["bundle", "check", str(demo_bundle)]) == 1
    assert f"changed: captures/{capture.name}" in capsys.readouterr().out


def test_a_deleted_capture_is_caught(demo_bundle: Path) -> None:
    capture = a_capture(demo_bundle)
    capture.unlink()
    result = check_bundle(demo_bundle)
    assert result.missing == [f"captures/{capture.name}"]
    assert not result.ok


def test_an_added_file_is_caught(demo_bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (demo_bundle / "captures" / "extra.html").write_text("<p>planted</p>")
    assert check_bundle(demo_bundle).added == ["captures/extra.html"]
    assert main(["bundle", "check", "--json", str(demo_bundle)]) == 1
    assert json.loads(capsys.readouterr().out)["added"] == ["captures/extra.html"]


def test_a_directory_without_manifest_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text("{}")
    assert main(["bundle", "check", str(tmp_path)]) == 2


def test_a_manifest_naming_a_path_outside_is_not_trusted(demo_bundle: Path) -> None:
    with (demo_bundle / MANIFEST).open("a") as fh:
        fh.write(f"{'0' * 64}  ../../etc/passwd\n")
    assert not check_bundle(demo_bundle).is_bundle


def test_warc_holds_every_answered_exchange_with_its_body(demo_bundle: Path) -> None:
    exchanges = [e for e in read_index(demo_bundle) if e.get("sha256")]
    with (
        gzip.open(demo_bundle / WARC_FILE, "rb") as raw,
        (demo_bundle / WARC_FILE).open("rb") as fh,
    ):
        assert raw.read(4) == b"WARC"
        records = [
            (
                r.rec_type,
                r.rec_headers.get_header("WARC-Target-URI"),
                r.content_stream().read(),
                r.rec_headers.get_header("WARC-Payload-Digest"),
                r.rec_headers.get_header("WARC-Date"),
            )
            for r in ArchiveIterator(fh)
        ]
    assert records[0][0] == "warcinfo"
    responses = {uri: (body, digest, date) for kind, uri, body, digest, date in records[1:]}
    assert len(responses) == len(exchanges)
    for ex in exchanges:
        body, digest, date = responses[ex["final_url"]]
        assert body == (demo_bundle / "captures" / ex["sha256"]).read_bytes()
        assert digest.startswith("sha1:")
        assert date == ex["fetched_at"]


def _warc_bodies(bundle: Path) -> dict[str, bytes]:
    with (bundle / WARC_FILE).open("rb") as fh:
        return {
            r.rec_headers.get_header("WARC-Target-URI"): r.content_stream().read()
            for r in ArchiveIterator(fh)
            if r.rec_type == "response"
        }


def test_a_warc_written_again_is_the_same_bytes_and_archives_each_capture_as_it_is(
    demo_bundle: Path, tmp_path: Path
) -> None:
    # Records are compressed once per process and copied into the next bundle holding the
    # same exchange (a re-check's shared directory pages): the bytes must not change, and
    # a capture whose content changed must be archived with its own content.
    first = (demo_bundle / WARC_FILE).read_bytes()
    twin = tmp_path / "twin"
    shutil.copytree(demo_bundle, twin)
    write_warc(twin)
    assert (twin / WARC_FILE).read_bytes() == first
    capture = a_capture(twin)
    ex = next(e for e in read_index(twin) if e.get("sha256") == capture.name)
    capture.write_bytes(capture.read_bytes() + b"<!-- planted -->")
    write_warc(twin)
    assert _warc_bodies(twin)[ex["final_url"]] == capture.read_bytes()
    assert _warc_bodies(demo_bundle)[ex["final_url"]] != capture.read_bytes()


def test_warc_has_a_record_for_each_redirect_hop(hostile_bundle: Path) -> None:
    with (hostile_bundle / WARC_FILE).open("rb") as fh:
        records = [
            (
                r.rec_headers.get_header("WARC-Target-URI"),
                r.http_headers.get_statuscode(),
                r.http_headers.get_header("Location"),
            )
            for r in ArchiveIterator(fh)
            if r.rec_type == "response"
        ]
    assert ("http://hostile.example/old-lens", "301", "http://hostile.example/lens/") in records
    assert ("http://hostile.example/lens/", "200", None) in records


def test_local_file_sources_are_kept_in_the_bundle(hostile_bundle: Path) -> None:
    report = json.loads((hostile_bundle / "report.json").read_text())
    kept = report["source_files"]["credential-registry"]
    copy = hostile_bundle / kept["file"]
    assert copy.read_bytes() == (Path(__file__).parent / "data" / "registry.csv").read_bytes()
    assert kept["file"] in (hostile_bundle / MANIFEST).read_text()


def test_a_resealed_bundle_with_an_altered_capture_is_still_caught(demo_bundle: Path) -> None:
    capture = a_capture(demo_bundle)
    capture.write_bytes(capture.read_bytes() + b"<!-- planted -->")
    # Someone "fixes" the seal the naive way: sha256sum over everything again.
    write_manifest(demo_bundle)
    result = check_bundle(demo_bundle)
    assert not result.ok
    assert result.problems == [
        f"captures/{capture.name}: its content does not match its name (sha256 "
        f"{file_sha256(capture)})"
    ]


def test_an_index_naming_a_missing_capture_is_caught(demo_bundle: Path) -> None:
    capture = a_capture(demo_bundle)
    capture.unlink()
    write_manifest(demo_bundle)
    assert any("names a capture that is not there" in p for p in check_bundle(demo_bundle).problems)


def test_a_human_report_deleted_with_its_manifest_line_is_missing(
    demo_bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # report.json records the formats written (run.formats), so their absence shows even
    # when whoever deleted one also edited SHA256SUMS.
    (demo_bundle / "report.md").unlink()
    sums = demo_bundle / MANIFEST
    kept = [
        ln for ln in sums.read_text().splitlines(keepends=True) if not ln.endswith(" report.md\n")
    ]
    sums.write_text("".join(kept))
    assert main(["bundle", "check", str(demo_bundle)]) == 1
    assert "missing: report.md" in capsys.readouterr().out
