"""A hostile applicant against conditional re-fetching (HTTP 304) in ``recheck --baseline``.

One URL, two partners' baselines that disagree. A re-check's baseline may hold bundles
whose pages were fetched at different times: shards run apart and merged, or a long
roster whose bounded fetch cache forgot a page and fetched it again. docs/recheck.md
promises that such a URL "is asked conditionally only when every baseline capture of it
among the partners re-checked agrees ... so that no partner is judged on bytes another
partner's baseline holds". :class:`~verifier.fetch.conditional.ConditionalBook` only
compared the captures that *could* be asked again (a 200 with usable validators): a
baseline that recorded the URL gone (404), failed (a fault), or answering other bytes
with no usable validator was skipped, not counted as a disagreement. So the URL was
asked with the other partner's validators, and a 304 made the page read ``ok`` for the
partner whose own baseline had judged it gone, with bytes only another partner's
baseline holds (efc06bd). Fixed: such a baseline disagrees (``ConditionalBook`` marks the
URL when a page exchange of a baseline cannot be asked again), so the URL is asked
without validators and a 304 to it is a fault; the strict xfail is a passing test.

Each case builds the baseline bundles on disk as a run writes them (captures,
captures/index.json, SHA256SUMS) and lets respx answer, as tests/fetch/test_conditional.py
does; the controls show the setup reaches a 304 that is trusted when the baselines agree.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tests.fetch.test_conditional import BODY, ETAG, FETCHED, URL, _book, _bundle, _fault, _get
from verifier.bundle.check import write_manifest
from verifier.bundle.store import EvidenceStore
from verifier.fetch import LiveSource, Page
from verifier.fetch.conditional import RevalidatedPage
from verifier.testing import settings_for

GONE = b"<html><head><title>Page not found</title></head><body>Not found</body></html>"
OTHER = b"<html><head><title>FinOps</title></head><body><p>Another page.</p></body></html>"


def _recorded(root: Path, exchange: dict[str, Any], body: bytes | None = None) -> Path:
    """A baseline bundle whose only exchange is ``exchange`` (of :data:`URL`), sealed."""
    store = EvidenceStore(root)
    if body is not None:
        store.put(hashlib.sha256(body).hexdigest(), body)
    store.record({"url": URL, "fetched_at": FETCHED, "final_url": URL, "hops": [], **exchange})
    store.write_index()
    write_manifest(root)
    return root


def _answer(root: Path, how: str) -> Path:
    """A baseline bundle in which :data:`URL` was gone, failed, or answered other bytes
    with no validator that can be asked again."""
    if how == "gone":
        sha = hashlib.sha256(GONE).hexdigest()
        headers = {"content-type": "text/html", "etag": '"gone"'}
        return _recorded(
            root,
            {"sha256": sha, "status": 404, "headers": headers, "size": len(GONE), "notes": []},
            GONE,
        )
    if how == "failed":
        fault = {"sha256": None, "error": "timed out: no complete answer within 30s"}
        return _recorded(root, {**fault, "error_type": "FetchTimeout", "attempts": 1})
    # Another 200, without an ETag and with a Last-Modified later than its own fetch.
    later = {"etag": "", "last-modified": "Fri, 01 Jan 2100 00:00:00 GMT"}
    return _bundle(root, body=OTHER, headers=later)


def test_control_baselines_that_agree_ask_conditionally_and_a_304_is_the_baselines_page(
    tmp_path: Path,
) -> None:
    book = _book(_bundle(tmp_path / "p1"), _bundle(tmp_path / "p2"))
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL).mock(httpx.Response(304))
        page, _ = _get(book)
    assert route.calls.last.request.headers["if-none-match"] == ETAG
    assert isinstance(page, RevalidatedPage)
    assert page.body == BODY
    assert "unchanged since" in page.evidence().detail


@pytest.mark.parametrize("how", ["gone", "failed", "other bytes"])
def test_control_a_url_no_baseline_can_ask_again_is_asked_plainly(tmp_path: Path, how: str) -> None:
    book = _book(_answer(tmp_path / "p2", how))
    assert book.get(URL) is None
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL).mock(httpx.Response(304))
        reason = _fault(book)
    assert "if-none-match" not in route.calls.last.request.headers
    assert reason.startswith("answered 304 Not Modified to a request that was not conditional")


@pytest.mark.parametrize("how", ["gone", "failed", "other bytes"])
@pytest.mark.parametrize("first", [True, False], ids=["theirs first", "theirs last"])
def test_a_url_one_partners_baseline_could_not_ask_again_is_not_asked_with_anothers_validators(
    tmp_path: Path, how: str, first: bool
) -> None:
    theirs = _bundle(tmp_path / "p1")  # another partner's baseline: a 200 with an ETag
    mine = _answer(tmp_path / "p2", how)  # this partner's baseline: gone, failed, other
    book = _book(theirs, mine) if first else _book(mine, theirs)
    assert book.get(URL) is None, "asked with the other partner's validators"
    with respx.mock(assert_all_called=True) as router:
        route = router.get(URL).mock(httpx.Response(304))
        reason = _fault(book)
    # The baselines disagree: the URL is asked as any page, and the 304 is no evidence.
    assert "if-none-match" not in route.calls.last.request.headers
    assert "if-modified-since" not in route.calls.last.request.headers
    assert reason.startswith("answered 304 Not Modified to a request that was not conditional")
    assert "no baseline capture of this URL gave validators" in reason


SMUGGLED = b"<html><head><title>FinOps</title></head><body><p>Smuggled.</p></body></html>"
REAL = b"<html><head><title>Elsewhere</title></head><body><p>The real page.</p></body></html>"


async def _answer_304_with_a_response_after_it(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """One kept-alive connection of a server that answers :data:`URL` ``304`` followed, in
    the same write, by a whole ``200`` response (:data:`SMUGGLED`) for whatever the client
    asks next on that connection; any other path answers :data:`REAL`."""
    try:
        while head := await reader.readuntil(b"\r\n\r\n"):
            path = head.split(b" ", 2)[1]
            if path == b"/finops":
                after = b"Content-Length: %d\r\n\r\n%s" % (len(SMUGGLED), SMUGGLED)
                writer.write(b"HTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\n" + after)
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(REAL), REAL))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def test_bytes_sent_after_a_304_never_answer_another_origin(tmp_path: Path) -> None:
    # A 304's body (HTTP forbids one) is not read for the page: the baseline's bytes are
    # used. What the server sent after it is read, on that kept-alive connection, as that
    # same origin's next answer (its own answer, as cloaking could give): never as the
    # page of another host, even one served by the same address.
    book = _book(_bundle(tmp_path / "p1"))

    async def go() -> tuple[Page, Page]:
        server = await asyncio.start_server(_answer_304_with_a_response_after_it, "127.0.0.1")
        port = server.sockets[0].getsockname()[1]
        here = f"127.0.0.1:{port}"
        pairs = (("partner.test:80", here), ("other.test:80", here))
        source = LiveSource(settings_for(None, retries=0, resolve=pairs), baseline=book)
        try:
            return await source.get(URL), await source.get("http://other.test/page")
        finally:
            await source.aclose()
            server.close()
            await server.wait_closed()

    revived, other = asyncio.run(go())
    assert isinstance(revived, RevalidatedPage)
    assert revived.body == BODY
    assert (other.status, other.body) == (200, REAL)
