"""A page a server answered 304 Not Modified, as the bundle keeps it (issue 11): the WARC
says what happened (the baseline's response at its own time, then a server-not-modified
revisit at the 304's), and ``replay`` gives the evidence the live run gave.

One partner (Acme) is re-checked twice against a 127.0.0.1 server answering ETag and 304
(the conditional sites of tests/recheck), the second run with ``--baseline`` the first;
the unit tests build a bundle's captures by hand, as a run writes them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.helpers import offline_args
from tests.recheck.test_conditional_e2e import conditional_sites
from tests.recheck.world import AS_OF, DEMO, SITES, write_roster
from verifier.bundle.check import check_bundle, write_manifest
from verifier.bundle.store import CAPTURES, INDEX, EvidenceStore, dump_json, read_index
from verifier.bundle.warc import NOT_MODIFIED_PROFILE, WARC_FILE, write_warc
from verifier.cli.main import main
from verifier.errors import FetchFailed
from verifier.fetch.conditional import RevalidatedPage
from verifier.fetch.page import Page
from verifier.run.replay import ReplaySource

PARTNER = "acme"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Acme's bundle of run 1 and of run 2 (``--baseline`` run 1, pages answered 304)."""
    root = tmp_path_factory.mktemp("revisit")
    roster = write_roster(root / "roster", {PARTNER: DEMO / "platform.yaml"})
    with conditional_sites(SITES) as (server, _):
        for name, extra in (("run1", []), ("run2", ["--baseline", str(root / "run1")])):
            args = ["recheck", str(roster), "--out", str(root / name), "--no-history", *extra]
            assert main([*args, *offline_args(server, AS_OF.isoformat())]) in (0, 1, 3)
    return root / "run1" / "partners" / PARTNER, root / "run2" / "partners" / PARTNER


def _records(bundle: Path) -> list[Any]:
    """The WARC's records, each read whole (headers, HTTP headers, payload)."""
    out = []
    with (bundle / WARC_FILE).open("rb") as fh:
        for rec in ArchiveIterator(fh):
            out.append((rec.rec_headers, rec.http_headers, rec.content_stream().read()))
    return out


def _sha1(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


def test_a_304_is_archived_as_the_baselines_response_and_a_revisit_referring_to_it(
    runs: tuple[Path, Path],
) -> None:
    run1, run2 = runs
    revalidated = [e for e in read_index(run2) if e.get("revalidated")]
    assert revalidated
    records = _records(run2)
    assert all(h.protocol == "WARC/1.1" for h, _, _ in records)
    by_id = {h.get_header("WARC-Record-ID"): (h, http, body) for h, http, body in records}
    assert len(by_id) == len(records)  # ids are unique
    revisits = [
        (h, http, body) for h, http, body in records if h.get_header("WARC-Type") == "revisit"
    ]
    assert len(revisits) == len(revalidated)
    for ex in revalidated:
        final = ex["final_url"]
        again = ex["revalidated"]
        (h, http, block) = next(r for r in revisits if r[0].get_header("WARC-Target-URI") == final)
        assert h.get_header("WARC-Profile") == NOT_MODIFIED_PROFILE
        assert h.get_header("WARC-Date") == ex["fetched_at"]  # the 304's own time
        assert http.get_statuscode() == "304"
        assert http.get_header("ETag") == again["answered"]["etag"]
        assert block == b""  # the 304 carries no payload: the response record does
        # ... and names the record that does, in this same file.
        response, rhttp, payload = by_id[h.get_header("WARC-Refers-To")]
        assert response.get_header("WARC-Type") == "response"
        assert response.get_header("WARC-Target-URI") == final
        assert h.get_header("WARC-Refers-To-Target-URI") == final
        assert h.get_header("WARC-Refers-To-Date") == response.get_header("WARC-Date")
        assert response.get_header("WARC-Date") == again["since"]  # when a 200 was sent
        assert rhttp.get_statuscode() == "200"
        assert rhttp.get_header("ETag") == ex["headers"]["etag"]
        assert payload == (run2 / CAPTURES / ex["sha256"]).read_bytes()
        assert h.get_header("WARC-Payload-Digest") == _sha1(payload)
        assert response.get_header("WARC-Payload-Digest") == _sha1(payload)
    # No other record says a server sent these pages whole: one response each, the one
    # the revisit refers to (the run's times are whole seconds, so not compared).
    for ex in revalidated:
        whole = [
            h.get_header("WARC-Record-ID")
            for h, http, _ in records
            if h.get_header("WARC-Type") == "response"
            and h.get_header("WARC-Target-URI") == ex["final_url"]
        ]
        referred = {
            h.get_header("WARC-Refers-To")
            for h, _, _ in revisits
            if h.get_header("WARC-Target-URI") == ex["final_url"]
        }
        assert whole == sorted(referred), ex["final_url"]  # one, and the one referred to
    # The response record is the baseline's own: same id in the baseline's WARC.
    first = {h.get_header("WARC-Record-ID") for h, _, _ in _records(run1)}
    assert {h.get_header("WARC-Refers-To") for h, _, _ in revisits} <= first
    assert check_bundle(run2).ok


def test_a_second_run_bundle_replays_to_the_same_verdicts_and_evidence(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run2 = runs
    out = tmp_path / "replayed"
    assert main(["replay", str(run2), "--out", str(out)]) == 0, capsys.readouterr().out

    def seen(report: Path) -> list[Any]:
        # Evidence as a sorted list: a check that fetches many pages at once (the
        # registry's certificates) lists them in the order they arrived, which live
        # differs from replay; the details themselves must be the same.
        data = json.loads(report.read_text())
        return [
            (
                r["id"],
                r["status"],
                r["summary"],
                sorted((e["kind"], e["detail"]) for e in r["evidence"]),
            )
            for r in data["requirements"]
        ]

    live, replayed = seen(run2 / "report.json"), seen(out / "report.json")
    assert replayed == live
    details = [d for *_, evidence in replayed for kind, d in evidence if kind == "fetch"]
    assert any("answered 304 Not Modified" in d and "(HTTP 304)" in d for d in details)


def _resealed_with_unreadable_304(run2: Path, target: Path, url: str) -> Path:
    """A copy of ``run2`` at ``target`` whose 304 for ``url`` has an unreadable since,
    resealed (its check passes; the field is still unreadable)."""
    shutil.copytree(run2, target)
    index = json.loads((target / CAPTURES / INDEX).read_text())
    broken = next(e for e in index["exchanges"] if e["url"] == url and e.get("revalidated"))
    broken["revalidated"]["since"] = "last week"
    (target / CAPTURES / INDEX).write_bytes(dump_json(index))
    write_manifest(target)
    return target


def test_replay_of_a_resealed_bundle_with_an_unreadable_304_says_so(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run2 = runs
    # The first by URL, not by arrival: the index lists pages in the order they were
    # answered, and a page no verdict rests on (a case study counted elsewhere) would
    # change the evidence but no verdict.
    url = min(e["url"] for e in read_index(run2) if e.get("revalidated"))
    bundle = _resealed_with_unreadable_304(run2, tmp_path / "bundle", url)
    out = tmp_path / "replayed"
    assert main(["replay", str(bundle), "--out", str(out)]) == 1
    live = json.loads((run2 / "report.json").read_text())
    citing = [r["id"] for r in live["requirements"] if url in json.dumps(r["evidence"])]
    assert citing
    printed = capsys.readouterr().out
    assert all(f"DIFFERS {rid}" in printed for rid in citing), printed
    assert f"note: capture not served, its fetch replayed as a fault: {url}: " in printed
    report = json.loads((out / "report.json").read_text())
    errors = [
        e["detail"]
        for r in report["requirements"]
        for e in r["evidence"]
        if url in str(e.get("url")) or url in e["detail"]
    ]
    assert any("records a 304 for this URL that cannot be read" in d for d in errors), errors
    assert any("no valid since" in d for d in errors), errors


def test_replay_names_an_unreadable_304_even_where_no_verdict_rests_on_its_page(
    runs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run2 = runs
    live = json.loads((run2 / "report.json").read_text())
    # A case study on the customer's own site is shown, not counted: losing it moves no
    # verdict, only the evidence.
    url = next(
        e["url"]
        for r in live["requirements"]
        for e in r["evidence"]
        if e["kind"] == "case-study" and (e.get("data") or {}).get("verdict") == "elsewhere"
    )
    bundle = _resealed_with_unreadable_304(run2, tmp_path / "bundle", url)
    assert main(["replay", str(bundle)]) == 0  # the verdicts are the same ...
    printed = capsys.readouterr().out
    # ... and replay still says which capture it could not serve, and why.
    assert f"note: capture not served, its fetch replayed as a fault: {url}: " in printed
    assert "no valid since" in printed


# Hand-built captures: the WARC's shape for a chain of 304s and for a shared baseline page,
# and ReplaySource on each shape of `revalidated`.

URL = "http://partner.test/finops"
BODY = b"<html><head><title>FinOps</title></head><body><p>FinOps.</p></body></html>"
SHA = hashlib.sha256(BODY).hexdigest()


def _revalidated(since: str = "2026-08-01T10:00:00Z", **changes: Any) -> dict[str, Any]:
    again = {
        "status": 304,
        "since": since,
        "sent": {"if-none-match": '"v1"'},
        "answered": {"etag": '"v1"', "date": "Mon, 02 Nov 2026 08:00:00 GMT"},
        "baseline": {"bundle": "/old/run", "fetched_at": "2026-09-01T10:00:00Z", "sha256": SHA},
        "weak": False,
    }
    again.update(changes)
    return again


def _bundle(root: Path, *exchanges: dict[str, Any]) -> Path:
    store = EvidenceStore(root)
    store.put(SHA, BODY)
    for ex in exchanges:
        store.record(
            {
                "url": URL,
                "final_url": URL,
                "status": 200,
                "sha256": SHA,
                "fetched_at": "2026-11-02T08:00:00Z",
                "headers": {"content-type": "text/html", "etag": '"v1"'},
                "hops": [],
                "attempts": 1,
                "notes": [],
                **ex,
            }
        )
    store.write_index()
    return root


def test_a_chain_of_304s_is_dated_at_the_first_fetch_and_a_shared_page_written_once(
    tmp_path: Path,
) -> None:
    # Two URLs asked, both redirected to URL, both answered 304 for the same baseline page;
    # its bytes were fetched whole on 1 August and confirmed by a 304 on 1 September.
    hop = {"url": "http://partner.test/old", "status": 301, "location": URL, "via": "redirect"}
    root = _bundle(
        tmp_path,
        {"revalidated": _revalidated()},
        {"url": "http://partner.test/old", "hops": [hop], "revalidated": _revalidated()},
    )
    write_warc(root)
    records = _records(root)
    responses = [h for h, http, _ in records if http and http.get_statuscode() == "200"]
    revisits = [h for h, _, _ in records if h.get_header("WARC-Type") == "revisit"]
    assert [h.get_header("WARC-Date") for h in responses] == ["2026-08-01T10:00:00Z"]
    assert len(revisits) == 2
    for h in revisits:
        assert h.get_header("WARC-Refers-To") == responses[0].get_header("WARC-Record-ID")
        assert h.get_header("WARC-Refers-To-Date") == "2026-08-01T10:00:00Z"
        assert h.get_header("WARC-Date") == "2026-11-02T08:00:00Z"
    ids = [h.get_header("WARC-Record-ID") for h, _, _ in records]
    write_warc(root)  # the same exchanges give the same ids
    assert [h.get_header("WARC-Record-ID") for h, _, _ in _records(root)] == ids


def _served(root: Path) -> Page:
    return asyncio.run(ReplaySource(root).get(URL))


def test_replay_rebuilds_a_304_as_the_live_run_did(tmp_path: Path) -> None:
    page = _served(_bundle(tmp_path, {"revalidated": _revalidated()}))
    assert isinstance(page, RevalidatedPage)
    assert page.revalidated == _revalidated()
    assert page.evidence().detail == (
        f"GET {URL} answered 304 Not Modified: unchanged since 2026-08-01T10:00:00Z (HTTP 304); "
        f"the baseline's capture of 2026-09-01T10:00:00Z is used ({len(BODY)} bytes, text/html)"
    )


def test_replay_reads_a_null_revalidated_as_a_page_fetched_whole(tmp_path: Path) -> None:
    page = _served(_bundle(tmp_path, {"revalidated": None}))
    assert not isinstance(page, RevalidatedPage)
    assert page.evidence().detail.startswith(f"GET {URL} answered 200 ")


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        (None, "yes", "`revalidated` is a str, not an object"),
        ("since", "yesterday", "no valid since"),
        ("status", 200, "no valid status"),
        ("weak", "no", "no valid weak"),
        (
            "baseline",
            {"bundle": "/b", "fetched_at": "2026-09-01T10:00:00Z", "sha256": "0" * 64},
            "no valid baseline.sha256",
        ),
        ("baseline", ["not", "an", "object"], "`revalidated.baseline` is not an object"),
    ],
)
def test_replay_refuses_an_unreadable_revalidated_as_a_fault_naming_it(
    tmp_path: Path, field: str | None, value: Any, named: str
) -> None:
    again: Any = value if field is None else _revalidated(**{field: value})
    source = ReplaySource(_bundle(tmp_path, {"revalidated": again}))
    with pytest.raises(FetchFailed) as caught:
        asyncio.run(source.get(URL))
    message = str(caught.value)
    assert URL in message
    assert source.unserved == [f"{URL}: {caught.value.reason}"]  # named even if no verdict moves
    assert f"{CAPTURES}/{INDEX} records a 304 for this URL that cannot be read" in message
    assert named in message
