"""Conditional re-fetching (issue 11): a page whose baseline capture carried an ETag or a
Last-Modified is asked with If-None-Match / If-Modified-Since, a 304 stands for the
baseline's verified bytes, and every 304 that cannot be trusted is a fault with its reason.

respx answers; the baseline bundle is written on disk as a run writes one (captures,
captures/index.json, SHA256SUMS), so the book reads it through the same code as a re-check.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from verifier.bundle.check import load_manifest, write_manifest
from verifier.bundle.store import CAPTURES, INDEX, EvidenceStore, read_index
from verifier.errors import FetchError, RobotsDisallowed
from verifier.fetch import Fetcher, LiveSource, Page
from verifier.fetch.conditional import (
    ConditionalBook,
    RevalidatedPage,
    own_citation,
    validators_of,
)
from verifier.testing import settings_for

URL = "http://partner.test/finops"
OTHER = "http://partner.test/elsewhere"
BODY = b"<html><head><title>FinOps</title></head><body><p>Our FinOps offering.</p></body></html>"
ETAG = '"v1-abc"'
MODIFIED = "Tue, 01 Sep 2026 10:00:00 GMT"
FETCHED = "2026-09-02T08:00:00Z"
LATER = "2026-09-03T09:30:00Z"


def _bundle(
    root: Path,
    url: str = URL,
    body: bytes = BODY,
    headers: Mapping[str, str] | None = None,
    *,
    final_url: str | None = None,
    hops: list[dict[str, Any]] | None = None,
    fetched: str = FETCHED,
) -> Path:
    """A baseline bundle holding one 200 capture of ``url``, sealed by SHA256SUMS."""
    sha = hashlib.sha256(body).hexdigest()
    kept = {"content-type": "text/html; charset=utf-8", "etag": ETAG, "last-modified": MODIFIED}
    kept.update(headers or {})
    store = EvidenceStore(root)
    store.put(sha, body)
    store.record(
        {
            "url": url,
            "sha256": sha,
            "fetched_at": fetched,
            "final_url": final_url or url,
            "status": 200,
            "headers": {k: v for k, v in kept.items() if v},
            "hops": hops or [],
            "size": len(body),
            "notes": [],
        }
    )
    store.write_index()
    write_manifest(root)
    return root


def _book(*bundles: Path) -> ConditionalBook:
    book = ConditionalBook()
    for bundle in bundles:
        book.add_bundle(bundle, load_manifest(bundle).entries)
    return book


def _get(book: ConditionalBook | None, url: str = URL, **settings: Any) -> tuple[Page, LiveSource]:
    source = LiveSource(settings_for(None, retries=0, **settings), baseline=book)

    async def go() -> Page:
        try:
            return await source.get(url)
        finally:
            await source.aclose()

    return asyncio.run(go()), source


def _fault(book: ConditionalBook | None, url: str = URL) -> str:
    with pytest.raises(FetchError) as caught:
        _get(book, url)
    return caught.value.reason


def test_a_304_to_the_validators_sent_is_the_baselines_bytes_unchanged_since_its_date(
    tmp_path: Path,
) -> None:
    book = _book(_bundle(tmp_path / "base"))
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL).mock(httpx.Response(304, headers={"ETag": ETAG}))
        page, source = _get(book)
    sent = route.calls.last.request.headers
    assert sent["if-none-match"] == ETAG
    assert sent["if-modified-since"] == MODIFIED
    assert isinstance(page, RevalidatedPage)
    assert (page.status, page.body, page.sha256) == (200, BODY, hashlib.sha256(BODY).hexdigest())
    assert page.content_type == "text/html"
    assert source.not_modified == 1
    evidence = page.evidence()
    assert f"unchanged since {FETCHED} (HTTP 304)" in evidence.detail
    assert evidence.data["revalidated"]["sent"] == {
        "if-none-match": ETAG,
        "if-modified-since": MODIFIED,
    }
    assert page.history[-1]["status"] == 304
    assert page.history[-1]["conditional"]["if-none-match"] == ETAG


def test_the_new_bundle_records_the_copied_capture_its_validators_and_the_304(
    tmp_path: Path,
) -> None:
    book = _book(_bundle(tmp_path / "base"))
    store = EvidenceStore(tmp_path / "new")

    async def go() -> None:
        fetcher = Fetcher(LiveSource(settings_for(None, retries=0), baseline=book), store)
        try:
            await fetcher.get(URL)
        finally:
            await fetcher.aclose()
            store.write_index()

    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(httpx.Response(304))
        asyncio.run(go())
    sha = hashlib.sha256(BODY).hexdigest()
    assert (tmp_path / "new" / CAPTURES / sha).read_bytes() == BODY
    (entry,) = read_index(tmp_path / "new")
    assert entry["status"] == 200
    assert entry["sha256"] == sha
    assert entry["validators"] == {"etag": ETAG, "last_modified": MODIFIED}
    assert entry["revalidated"]["since"] == FETCHED
    # The next run asks conditionally from this bundle too, unchanged since the first fetch.
    write_manifest(tmp_path / "new")
    again = _book(tmp_path / "new").get(URL)
    assert again is not None
    assert again.since == FETCHED
    assert again.sha256 == sha


def test_a_changed_page_answers_200_and_is_the_new_page(tmp_path: Path) -> None:
    book = _book(_bundle(tmp_path / "base"))
    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(httpx.Response(200, html="<p>new</p>", headers={"ETag": '"v2"'}))
        page, source = _get(book)
    assert not isinstance(page, RevalidatedPage)
    assert page.body == b"<p>new</p>"
    assert source.not_modified == 0


def test_a_304_to_a_request_without_validators_is_a_fault(tmp_path: Path) -> None:
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL).mock(httpx.Response(304))
        reason = _fault(None)
    assert "if-none-match" not in route.calls.last.request.headers
    assert reason.startswith("answered 304 Not Modified to a request that was not conditional")
    assert "no baseline capture of this URL gave validators" in reason


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        pytest.param("remove", "is missing", id="capture missing"),
        pytest.param("alter", "does not match the SHA-256 its bundle recorded", id="tampered"),
        pytest.param("link", "cannot be read", id="capture is a symbolic link"),
    ],
)
def test_a_304_whose_baseline_capture_cannot_be_trusted_is_a_fault(
    tmp_path: Path, damage: str, said: str
) -> None:
    base = _bundle(tmp_path / "base")
    book = _book(base)  # read while intact; the capture is broken before the 304 comes
    capture = base / CAPTURES / hashlib.sha256(BODY).hexdigest()
    if damage == "remove":
        capture.unlink()
    elif damage == "alter":
        capture.write_bytes(BODY.replace(b"FinOps offering", b"FinOps offering!"))
    else:
        (tmp_path / "elsewhere").write_bytes(BODY)
        capture.unlink()
        capture.symlink_to(tmp_path / "elsewhere")
    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(httpx.Response(304))
        reason = _fault(book)
    assert reason.startswith("answered 304 Not Modified, but the baseline capture ")
    assert said in reason


def test_an_index_that_does_not_match_its_sha256sums_gives_no_validators(tmp_path: Path) -> None:
    base = _bundle(tmp_path / "base")
    index = base / CAPTURES / INDEX
    data = json.loads(index.read_text())
    data["exchanges"][0]["headers"]["etag"] = '"forged"'
    index.write_text(json.dumps(data))
    book = _book(base)
    assert book.get(URL) is None
    assert book.problems == [f"{base}: its captures/index.json does not match its SHA256SUMS"]
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL).mock(httpx.Response(304))
        reason = _fault(book)
    assert "if-none-match" not in route.calls.last.request.headers
    assert "not conditional" in reason


def test_a_304_after_another_redirect_chain_than_the_baselines_is_a_fault(
    tmp_path: Path,
) -> None:
    # The baseline read URL directly; now URL redirects elsewhere, which answers 304.
    book = _book(_bundle(tmp_path / "base"))
    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(httpx.Response(301, headers={"Location": OTHER}))
        other = router.get(OTHER).mock(httpx.Response(304))
        reason = _fault(book)
    assert "if-none-match" not in other.calls.last.request.headers
    assert "not conditional" in reason
    assert f"after {URL} -> {OTHER}, not after the baseline capture's no redirect" in reason


def test_a_304_before_the_baselines_redirect_is_a_fault(tmp_path: Path) -> None:
    # The baseline was redirected from URL to OTHER; now URL itself answers 304.
    hops = [{"url": URL, "status": 301, "location": OTHER, "via": "redirect"}]
    book = _book(_bundle(tmp_path / "base", final_url=OTHER, hops=hops))
    with respx.mock(assert_all_called=True) as router:
        first = router.get(URL).mock(httpx.Response(304))
        reason = _fault(book)
    assert "if-none-match" not in first.calls.last.request.headers
    assert f"not after the baseline capture's {URL} -> {OTHER}" in reason


def test_the_same_redirect_chain_asks_its_end_conditionally(tmp_path: Path) -> None:
    hops = [{"url": URL, "status": 301, "location": OTHER, "via": "redirect"}]
    book = _book(_bundle(tmp_path / "base", final_url=OTHER, hops=hops))
    with respx.mock(assert_all_called=True) as router:
        first = router.get(URL).mock(httpx.Response(301, headers={"Location": OTHER}))
        other = router.get(OTHER).mock(httpx.Response(304))
        page, _ = _get(book)
    assert "if-none-match" not in first.calls.last.request.headers
    assert other.calls.last.request.headers["if-none-match"] == ETAG
    assert isinstance(page, RevalidatedPage)
    assert page.final_url == OTHER
    assert page.body == BODY


def test_a_304_stating_another_size_than_the_baselines_is_a_fault(tmp_path: Path) -> None:
    book = _book(_bundle(tmp_path / "base"))
    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(httpx.Response(304, headers={"Content-Length": "99999"}))
        reason = _fault(book)
    assert reason.startswith("answered 304 Not Modified stating Content-Length 99999")
    assert f"{len(BODY)} bytes" in reason


def test_a_weak_etag_is_sent_and_the_evidence_says_it_was_weak(tmp_path: Path) -> None:
    book = _book(_bundle(tmp_path / "base", headers={"etag": 'W/"v1"'}))
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL).mock(httpx.Response(304))
        page, _ = _get(book)
    assert route.calls.last.request.headers["if-none-match"] == 'W/"v1"'
    assert "a weak ETag" in page.evidence().detail


def test_a_last_modified_later_than_the_capture_is_never_sent(tmp_path: Path) -> None:
    future = "Fri, 01 Jan 2100 00:00:00 GMT"
    book = _book(_bundle(tmp_path / "base", headers={"etag": "", "last-modified": future}))
    assert book.get(URL) is None
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL).mock(httpx.Response(304))
        reason = _fault(book)
    assert "if-modified-since" not in route.calls.last.request.headers
    assert "not conditional" in reason


@pytest.mark.parametrize(
    "etag",
    [
        pytest.param('"v1"\r\nX-Injected: 1', id="a header break"),
        pytest.param("v1", id="not quoted"),
        pytest.param('"' + "x" * 600 + '"', id="too long"),
    ],
)
def test_a_malformed_etag_is_never_sent(etag: str) -> None:
    found = validators_of({"etag": etag, "last-modified": MODIFIED}, FETCHED)
    assert found is not None
    assert found.etag is None
    assert found.last_modified == MODIFIED
    assert validators_of({"etag": etag}, FETCHED) is None


def test_baselines_that_disagree_on_a_shared_url_give_it_no_validators(tmp_path: Path) -> None:
    one = _bundle(tmp_path / "one")
    same = _bundle(tmp_path / "same")
    assert _book(one, same).get(URL) is not None  # two partners, one answer: asked
    older = _bundle(tmp_path / "older", body=BODY + b"<!-- older -->", headers={"etag": '"v0"'})
    assert _book(one, older).get(URL) is None
    assert _book(one, older, same).get(URL) is None


def test_a_conditional_request_keeps_to_robots_txt(tmp_path: Path) -> None:
    book = _book(_bundle(tmp_path / "base"))
    with respx.mock(assert_all_called=False) as router:
        router.get("http://partner.test/robots.txt").mock(
            httpx.Response(200, text="User-agent: *\nDisallow: /finops\n")
        )
        page_route = router.get(URL).mock(httpx.Response(304))
        with pytest.raises(RobotsDisallowed) as caught:
            _get(book, obey_robots=True)
    assert not page_route.called
    assert "disallows /finops" in caught.value.reason


def test_another_etag_in_the_304_is_recorded_and_the_baselines_bytes_and_validators_kept(
    tmp_path: Path,
) -> None:
    book = _book(_bundle(tmp_path / "base"))
    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(httpx.Response(304, headers={"ETag": '"something-else"'}))
        page, _ = _get(book)
    assert isinstance(page, RevalidatedPage)
    assert page.body == BODY
    assert page.revalidated["answered"]["etag"] == '"something-else"'
    assert page.headers["etag"] == ETAG  # the validators the bytes are known by


def test_a_capture_sha256sums_does_not_list_gives_no_validators(tmp_path: Path) -> None:
    base = _bundle(tmp_path / "base")
    manifest = load_manifest(base).entries
    unlisted = {
        k: v
        for k, v in manifest.items()
        if not k.startswith(f"{CAPTURES}/") or k == f"{CAPTURES}/{INDEX}"
    }
    book = ConditionalBook()
    book.add_bundle(base, unlisted)
    assert book.get(URL) is None
    book.add_bundle(base, manifest)
    assert book.get(URL) is not None


def test_the_validators_recorded_by_this_version_are_read_through_the_same_rules(
    tmp_path: Path,
) -> None:
    base = tmp_path / "base"
    _bundle(base)
    index = base / CAPTURES / INDEX
    data = json.loads(index.read_text())
    # Recorded validators win over the kept headers, and a malformed one is still refused.
    data["exchanges"][0]["validators"] = {"etag": '"bad\x01"', "last_modified": MODIFIED}
    index.write_text(json.dumps(data))
    write_manifest(base)
    capture = _book(base).get(URL)
    assert capture is not None
    assert capture.validators.request_headers() == {"if-modified-since": MODIFIED}


def test_a_304_cites_the_runs_own_baseline_bundle_only_when_it_holds_the_same_capture(
    tmp_path: Path,
) -> None:
    """The page is asked again with the first baseline bundle's validators; a run whose
    own baseline bundle holds the same capture (fetched at another time: a baseline of
    merged shards) cites its own, with its time; one holding other bytes, no capture of
    the URL, or a capture file altered since keeps the citation of the first."""
    first = _bundle(tmp_path / "first")
    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(httpx.Response(304, headers={"ETag": ETAG}))
        page, _ = _get(_book(first))
    assert isinstance(page, RevalidatedPage)
    assert page.revalidated["baseline"]["bundle"] == str(first)

    same = _bundle(tmp_path / "same", fetched=LATER)
    cited = own_citation(page, _book(same))
    assert cited is not None
    assert cited["baseline"] == {"bundle": str(same), "fetched_at": LATER, "sha256": page.sha256}
    assert cited["since"] == LATER
    shown = page.evidence_citing(cited)
    assert shown.data["revalidated"] == cited
    assert f"the baseline's capture of {LATER} is used" in shown.detail
    assert page.revalidated["baseline"]["bundle"] == str(first)  # the shared page unchanged

    other = _bundle(tmp_path / "other", body=BODY + b"<!-- another version -->")
    assert own_citation(page, _book(other)) is None
    assert own_citation(page, _book(_bundle(tmp_path / "elsewhere", OTHER))) is None
    assert own_citation(page, None) is None
    altered = _bundle(tmp_path / "altered")
    capture = altered / CAPTURES / page.sha256
    capture.write_bytes(capture.read_bytes().replace(b"FinOps", b"FinOpz"))
    assert own_citation(page, _book(altered)) is None


def test_a_run_records_and_shows_its_own_citation_and_reads_the_shared_page(
    tmp_path: Path,
) -> None:
    """Through a run's fetcher, the check reads the very page every run shares (read once),
    while its evidence and its bundle's index cite the run's own baseline bundle."""
    first, mine = _bundle(tmp_path / "first"), _bundle(tmp_path / "mine", fetched=LATER)
    with respx.mock(assert_all_called=True) as router:
        router.get(URL).mock(httpx.Response(304, headers={"ETag": ETAG}))
        page, _ = _get(_book(first))

    class Shared:
        async def get(self, url: str) -> Page:
            return page

        async def aclose(self) -> None:
            return None

    store = EvidenceStore(tmp_path / "run")

    async def go() -> tuple[Page, Any]:
        fetcher = Fetcher(Shared(), store, own_baseline=_book(mine))
        try:
            got = await fetcher.get(URL)
            return got, fetcher.evidence(URL, got)
        finally:
            await fetcher.aclose()

    got, evidence = asyncio.run(go())
    assert got is page
    assert evidence.data["revalidated"]["baseline"]["bundle"] == str(mine)
    store.write_index()
    [recorded] = [e for e in read_index(tmp_path / "run") if not e.get("purpose")]
    assert recorded["revalidated"]["baseline"]["bundle"] == str(mine)
    assert recorded["revalidated"]["baseline"]["fetched_at"] == LATER
