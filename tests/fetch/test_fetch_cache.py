"""The fetch cache apart from each run's evidence: one request per URL for every run
sharing the cache, each run's store its own record of what it used."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from verifier.bundle.store import EvidenceStore, read_index
from verifier.errors import FetchError, FetchFailed
from verifier.fetch import FetchCache, Fetcher, Page

from ..helpers import html_page


class Counted:
    """A page source that answers from a dict, fails for other URLs, and counts asks;
    ``hold`` keeps an answer in flight until released."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = pages
        self.asked: list[str] = []
        self.hold = asyncio.Event()
        self.hold.set()

    async def get(self, url: str) -> Page:
        self.asked.append(url)
        await self.hold.wait()
        if url not in self.pages:
            raise FetchFailed(url, "gave up after 2 attempts: HTTP 503", attempts=2)
        return self.pages[url]

    async def aclose(self) -> None:
        return None


def ticking_clock() -> Callable[[], dt.datetime]:
    """A clock a second later at each reading: a fault stamped twice shows two times."""
    ticks = itertools.count()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return lambda: start + dt.timedelta(seconds=next(ticks))


def test_two_runs_on_one_cache_ask_once_and_each_store_records_page_and_fault(
    tmp_path: Path,
) -> None:
    page = html_page("<p>members</p>", "http://dir.test/members")
    source = Counted({page.url: page})

    async def go() -> None:
        cache = FetchCache(source, clock=ticking_clock())
        runs = [Fetcher(cache, EvidenceStore(tmp_path / name)) for name in ("a", "b")]
        try:
            for fetcher in runs:
                assert await fetcher.get(" http://dir.test/members ") is page
                with pytest.raises(FetchError, match="gave up after 2 attempts: HTTP 503"):
                    await fetcher.get("http://down.test/")
        finally:
            for fetcher in runs:
                await fetcher.aclose()
                assert fetcher.store is not None
                fetcher.store.write_index()
            await cache.aclose()

    asyncio.run(go())
    assert source.asked == ["http://dir.test/members", "http://down.test/"]
    a, b = read_index(tmp_path / "a"), read_index(tmp_path / "b")
    assert a == b  # the same exchanges, the fault stamped once, when it happened
    assert [(e["url"], e["sha256"], e.get("error")) for e in a] == [
        ("http://dir.test/members", page.sha256, None),
        ("http://down.test/", None, "gave up after 2 attempts: HTTP 503"),
    ]
    for name in ("a", "b"):
        assert (tmp_path / name / "captures" / page.sha256).read_bytes() == page.body


def test_a_fetch_that_ends_after_its_check_gave_up_is_still_recorded(tmp_path: Path) -> None:
    page = html_page("<p>late</p>", "http://slow.test/")
    source = Counted({page.url: page})
    source.hold.clear()

    async def go() -> None:
        fetcher = Fetcher(source, EvidenceStore(tmp_path / "run"))
        asking = asyncio.ensure_future(fetcher.get(page.url))
        await asyncio.sleep(0)
        asking.cancel()  # the check timed out; the fetch goes on
        source.hold.set()
        await fetcher.cache.get(page.url)
        await fetcher.aclose()
        assert fetcher.store is not None
        fetcher.store.write_index()

    asyncio.run(go())
    assert [e["url"] for e in read_index(tmp_path / "run")] == [page.url]
