"""Writing a bundle with less CPU writes the same bytes (r18), and the same WARC records
(r24 compresses them at another level).

Every file of a bundle (report.json, report.html, report.md, junit.xml, the text views,
the WARC, SHA256SUMS) written from a report and its captures is the file the r18-start
code wrote from them: :mod:`tests.bundle.bundle_oracle` keeps that code for each function
r18 changed, and each bundle is written by both, then by today's code a second time
(with what its memos kept from the first), and compared file by file. The parts that
changed are also compared with their r18-start versions on many more inputs than a few
bundles hold: report.json's encoder on random documents, the text view on the corpus of
odd pages, Markdown and visible text on random strings.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import threading
import zlib
from pathlib import Path
from typing import Any

import jinja2
import pytest

from tests.bundle import bundle_oracle as oracle
from tests.bundle.conftest import AS_OF
from tests.fetch.page_corpus import READING_PAGES, random_page
from verifier.bundle.check import check_bundle, seal
from verifier.bundle.memo import Memo
from verifier.bundle.store import CAPTURES, INDEX, dump_json, is_sha256, read_index
from verifier.bundle.textview import text_of
from verifier.bundle.warc import WARC_FILE, answered
from verifier.cli.main import main
from verifier.report import DEFAULT_FORMATS, write_all
from verifier.report._view import settings_view, visible
from verifier.report.html import template_environment
from verifier.report.markdown import md_text
from verifier.report.model import Report

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DERIVED = ("report.json", "report.html", "report.md", "junit.xml", "SHA256SUMS", WARC_FILE)
"""What writing a bundle adds to a run's captures, index and input copies (and the text
views, ``captures/*.txt``)."""


def _inputs(bundle: Path, target: Path) -> Path:
    # What a run holds before it writes its bundle: captures, index, input copies, reviews.
    shutil.copytree(bundle, target)
    for rel in DERIVED:
        (target / rel).unlink(missing_ok=True)
    for view in (target / CAPTURES).glob("*.txt"):
        view.unlink()
    return target


def _write(report: Report, target: Path) -> None:
    # What verifier.run.verify._write_bundle does, with the formats a run writes by default.
    write_all(report, target, DEFAULT_FORMATS)
    seal(target)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _odd_bundle(demo: Path, target: Path) -> dict[str, Any]:
    """The demo's platform bundle with what a run rarely writes: a capture altered after
    it was stored, a PDF and a JSON capture cited as evidence, an exchange redirected
    twice and one answered 304 for a baseline's page. Returns its report.json."""
    shutil.copytree(demo, target)
    report = json.loads((target / "report.json").read_text())
    index = json.loads((target / CAPTURES / INDEX).read_text())
    first = next(e for e in index["exchanges"] if e.get("sha256"))
    altered = target / CAPTURES / first["sha256"]
    altered.write_bytes(altered.read_bytes() + b"<!-- changed after the run -->")
    extra = {
        "pdf": b"%PDF-1.7\n" + bytes(range(256)) * 4,
        "json": json.dumps({"members": ["Acme \u202e", "\x1b[2J"]}).encode(),
    }
    evidence = report["requirements"][0]["evidence"]
    for name, body in extra.items():
        sha = oracle.digest(body)
        (target / CAPTURES / sha).write_bytes(body)
        url = f"https://files.example/{name}"
        index["exchanges"].append({**first, "url": url, "final_url": url, "sha256": sha})
        evidence.append(
            {
                "kind": "fetch",
                "url": url,
                "sha256": sha,
                "fetched_at": "2026-01-01T00:00:00Z",
                "detail": "GET",
                "data": {"final_url": url, "status": 200, "hops": []},
            }
        )
    hops = [
        {"url": "http://a.example/1", "status": 301, "location": "http://a.example/2"},
        {"url": "http://a.example/2", "status": 302, "location": first["final_url"]},
    ]
    index["exchanges"].append({**first, "url": "http://a.example/1", "hops": hops})
    since = "2025-12-01T08:00:00Z"
    baseline = {"bundle": "/old/run", "fetched_at": since, "sha256": first["sha256"]}
    revalidated = {
        "status": 304,
        "since": since,
        "sent": {"if-none-match": '"v1"'},
        "answered": {"etag": '"v1"', "date": "Thu, 01 Jan 2026 00:00:00 GMT"},
        "baseline": baseline,
        "weak": False,
    }
    index["exchanges"].append({**first, "revalidated": revalidated})
    (target / CAPTURES / INDEX).write_bytes(dump_json(index))
    return report


CASES = (
    "demo-platform",
    "demo-service-provider",
    "demo-solution",
    "demo-training-partner",
    "hostile",
    "hostile-report",
    "reviewed",
    "odd-captures",
)


@pytest.fixture
def case_bundle(
    request: pytest.FixtureRequest,
    demo_master: Path,
    hostile_master: Path,
    hostile_report: dict[str, Any],
    tmp_path: Path,
) -> tuple[Path, Report]:
    """The bundle of the case named by the test's parameter, and the report it holds."""
    case: str = request.param
    source = tmp_path / "source"
    data: dict[str, Any] | None = None
    if case.startswith("demo-"):
        shutil.copytree(demo_master.parent / case.removeprefix("demo-"), source)
    elif case == "hostile":
        shutil.copytree(hostile_master, source)
    elif case == "hostile-report":
        # Every string a danger: lone surrogates, controls, script, odd URLs.
        shutil.copytree(hostile_master, source)
        data = hostile_report
    elif case == "reviewed":
        shutil.copytree(demo_master.parent / "service-provider", source)
        reviewed = json.loads((source / "report.json").read_text())["requirements"]
        for req in reviewed:
            if req["status"] != "pass":
                args = ["review", str(source), "--requirement", req["id"], "--decision"]
                args += ["pass", "--reviewer", "J. \u202eSmith", "--reason", "called <b>them</b>"]
                assert main([*args, "--as-of", AS_OF]) == 0
        with (source / "review.jsonl").open("a") as fh:
            fh.write("not a decision\n")
    else:
        data = _odd_bundle(demo_master, source)
    if data is None:
        data = json.loads((source / "report.json").read_bytes())
    return source, Report.from_json(data)


@pytest.mark.parametrize("case_bundle", CASES, indirect=True)
def test_every_file_of_a_bundle_is_the_one_r18_start_wrote(
    case_bundle: tuple[Path, Report], tmp_path: Path
) -> None:
    source, report = case_bundle
    old = _inputs(source, tmp_path / "old")
    with oracle.r18_start():
        _write(report, old)
    expected = _tree(old)
    # The comparison covers every kind of file a bundle writer adds.
    assert {"report.json", "report.html", "report.md", "junit.xml", "SHA256SUMS"} <= set(expected)
    if answered(read_index(source)):
        assert WARC_FILE in expected
    cited = {str(ev.sha256) for req in report.requirements for ev in req.evidence}
    if any((source / CAPTURES / sha).is_file() for sha in cited if is_sha256(sha)):
        assert any(rel.endswith(".txt") for rel in expected)
    for attempt in ("first", "again, with what the memos kept"):
        new = _inputs(source, tmp_path / attempt.split(",")[0])
        _write(report, new)
        written = _tree(new)
        differ = sorted(
            rel
            for rel in set(expected) | set(written)
            if _as_read(rel, expected.get(rel)) != _as_read(rel, written.get(rel))
        )
        assert differ == [], f"{attempt}: these files differ from r18-start's: {differ}"
        if WARC_FILE in expected:
            # r24 compresses the WARC's records at level 1, not 9: the same records.
            assert _members(written[WARC_FILE]) == _members(expected[WARC_FILE])
            assert len(written[WARC_FILE]) < 1.05 * len(expected[WARC_FILE])


def _members(data: bytes) -> list[bytes]:
    """The WARC's gzip members, each decompressed: one per record."""
    out = []
    while data:
        member = zlib.decompressobj(zlib.MAX_WBITS + 16)
        out.append(member.decompress(data) + member.flush())
        assert member.eof, "a gzip member cut short"
        data = member.unused_data
    return out


def _as_read(rel: str, data: bytes | None) -> object:
    # The WARC as its records (their compression changed in r24), and SHA256SUMS without
    # the WARC's line; every other file byte for byte.
    if data is None:
        return None
    if rel == WARC_FILE:
        return _members(data)
    if rel == "SHA256SUMS":
        return [line for line in data.splitlines() if not line.endswith(WARC_FILE.encode())]
    return data


def test_the_demo_bundles_are_still_intact_after_writing_them_again(
    demo_master: Path, tmp_path: Path
) -> None:
    for tier in ("platform", "service-provider", "solution", "training-partner"):
        bundle = _inputs(demo_master.parent / tier, tmp_path / tier)
        data = json.loads((demo_master.parent / tier / "report.json").read_bytes())
        _write(Report.from_json(data), bundle)
        assert check_bundle(bundle).ok, check_bundle(bundle).describe()


# --- report.json's encoder --------------------------------------------------------------

_ODD_TEXT = ["", "a", "é", "\ud800", "\udfff x", "\x00\x1f\x7f", '"\\/', "\u2028", "😀", "\n\t"]


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(10 if depth < 5 else 6)
    if kind == 0:
        return rng.choice(_ODD_TEXT) + str(rng.random())
    if kind == 1:
        return rng.choice([0, -1, 1, 2**70, -(2**63), True, False, None])
    if kind == 2:
        return rng.choice([0.0, -0.0, 1.5, 1e300, -1e-300, 0.1, 12345678.9, math.pi])
    if kind == 3:
        return rng.choice(_ODD_TEXT)
    if kind in (4, 5):
        return rng.choice([[], {}, (), ""])
    if kind in (6, 7):
        return {
            rng.choice(_ODD_TEXT) + str(i): _random_json(rng, depth + 1)
            for i in range(rng.randrange(5))
        }
    items = [_random_json(rng, depth + 1) for _ in range(rng.randrange(5))]
    return tuple(items) if kind == 8 else items


def test_report_json_is_the_bytes_json_dumps_wrote(demo_master: Path) -> None:
    rng = random.Random(18)
    docs = [_random_json(rng) for _ in range(3000)]
    for tier in ("platform", "service-provider", "solution", "training-partner"):
        docs.append(json.loads((demo_master.parent / tier / "report.json").read_bytes()))
    for doc in docs:
        assert dump_json(doc) == oracle.dump_json(doc), doc


class _Name(str):
    """A string subclass: json.dumps's own encoder writes it."""


@pytest.mark.parametrize(
    ("doc", "error"),
    [
        ({"a": float("nan")}, ValueError),
        ([float("inf")], ValueError),
        ({"a": {1: "int key"}}, None),
        ({"a": {None: 1, "b": 2}}, TypeError),
        ({"a": object()}, TypeError),
        ({"k": _Name("v"), _Name("n"): [_Name("x")]}, None),
        ({"a": {True: 1.0, 2.5: 3}}, None),
    ],
    ids=[
        "nan",
        "infinity",
        "an int key",
        "keys that do not sort",
        "an object",
        "a str subclass",
        "bool and float keys",
    ],
)
def test_what_is_no_plain_json_value_is_written_or_refused_as_before(
    doc: Any, error: type[Exception] | None
) -> None:
    if error is None:
        assert dump_json(doc) == oracle.dump_json(doc)
        return
    with pytest.raises(error) as new:
        dump_json(doc)
    with pytest.raises(error) as old:
        oracle.dump_json(doc)
    assert str(new.value) == str(old.value)


def test_a_cycle_is_refused_as_before() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference detected"):
        dump_json({"a": loop})


# --- the text view ------------------------------------------------------------------------

_EDGE_BODIES = [
    b"",
    b"   ",
    b"<?xml version='1.0' encoding='utf-8'?><html><body>declared</body></html>",
    b"<p>a<!--c-->b</p><p>c<script>x</script>d</p>",
    "<html><body>caf\u00e9 \u202e</body></html>".encode("utf-16"),
    b"\xef\xbb\xbf<p>bom</p>",
    b"<html></html>",
    b"<!-- only a comment -->",
    b"<!DOCTYPE html>",  # HTML without an element: lxml's "Document is empty"
    b"<!DOCTYPE html><!-- c --></p>",
    b"<p>\x00\x1b[2J\x85\xa0x</p>",
    b"<?php echo 1 ?>tail<p>y</p>",
    b"<meta charset=windows-1252><p>\x93quoted\x94</p>",
    b"<svg><text>drawn</text></svg><noscript>ns</noscript><template>t</template>",
    "plain text\r\nwith\x0blines \x1c and\u2028 more".encode(),
    b'{"json": "body"}',
]


def test_the_text_view_is_the_text_r18_start_extracted() -> None:
    rng = random.Random(18)
    bodies = [page.encode() for page in READING_PAGES]
    bodies += [random_page(rng).encode() for _ in range(400)]
    bodies += _EDGE_BODIES
    sites = [p for p in (REPO / "fixtures").rglob("*") if p.is_file() and p.stat().st_size]
    sites += [p for p in (HERE / "sites").rglob("*") if p.is_file()]
    assert len(sites) > 50
    bodies += [p.read_bytes() for p in sites]
    differ = [body[:80] for body in bodies if text_of(body) != oracle.text_of(body)]
    assert differ == []


# --- Markdown and visible text ------------------------------------------------------------

_PIECES = [
    "a",
    " ",
    "\n",
    "\r\n",
    "#",
    "1.",
    "-",
    "*",
    "_",
    "`",
    "|",
    "[",
    "]",
    "<",
    ">",
    "&",
    "https://",
    "www.",
    "@",
    "#12",
    "GH-1",
    "\x00",
    "\x1b",
    "\x7f",
    "\u202e",
    "\u2066",
    "\ud800",
    "\u061c",
    "é",
    "\t",
    "\\",
]


def test_markdown_and_visible_text_are_as_r18_start_wrote_them() -> None:
    rng = random.Random(18)
    values: list[object] = [None, 0, 12, True, 1.5, ["a", "<b>"], {"k": "\x00"}]
    values += ["".join(rng.choice(_PIECES) for _ in range(rng.randrange(12))) for _ in range(4000)]
    for _ in range(2):  # the second time from what md_text kept
        for value in values:
            assert md_text(value) == oracle.md_text(value), value
            assert visible(value) == oracle.visible(value), value


def test_the_settings_view_given_is_a_copy(demo_master: Path) -> None:
    report = Report.from_json(json.loads((demo_master / "report.json").read_bytes()))
    first = settings_view(report)
    assert first == oracle.settings_view(report)
    first["rows"][0]["value"] = "changed by a caller"
    first["warnings"].append("added by a caller")
    assert settings_view(report) == oracle.settings_view(report)


def test_a_template_reads_keys_methods_and_missing_names_as_jinja2_does() -> None:
    source = (
        "{{ d.a }}|{{ d.get('b', 'none') }}|{{ d.items()|list|length }}|{{ o.real }}|"
        "{{ d.keys is defined }}"
    )
    ours = template_environment("verifier.report").from_string(source)
    theirs = oracle.template_environment("verifier.report").from_string(source)
    context: dict[str, Any] = {"d": {"a": "<x>", "items": "a key"}, "o": 3}
    assert ours.render(context) == theirs.render(context) == "&lt;x&gt;|none|2|3|True"
    missing = template_environment("verifier.report").from_string("{{ d.nothing }}")
    with pytest.raises(jinja2.UndefinedError, match="nothing"):
        missing.render(d={})


# --- the memo -----------------------------------------------------------------------------


def test_a_memo_keeps_within_its_budget_the_most_recently_used() -> None:
    memo: Memo[str, str] = Memo(10, len)
    memo.put("a", "xxxx")
    memo.put("b", "xxxx")
    assert memo.get("a") == "xxxx"  # now the most recent: b leaves first
    memo.put("c", "xxxx")
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == ("xxxx", None, "xxxx")
    memo.put("big", "x" * 11)  # heavier than the whole budget: not kept, nothing leaves
    assert memo.get("big") is None
    assert len(memo) == 2
    memo.put("a", "other")  # a key kept keeps its value
    assert memo.get("a") == "xxxx"
    memo.clear()
    assert len(memo) == 0
    assert memo.get("a") is None


def test_a_memo_shared_by_threads_stays_within_its_budget() -> None:
    memo: Memo[int, str] = Memo(50)
    failures: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(5000):
                memo.put((i * 7 + offset) % 300, "v")
                memo.get((i * 11 + offset) % 300)
        except Exception as exc:  # reported below, with the thread's others
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(memo) <= 50
