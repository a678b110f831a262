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
from verifier.fetch.fetcher import CountingFetch, Place, kept_weight

from ..helpers import html_page, until
from .test_prefetch import run_one


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
    assert [(e["url"], e["sha256"]) for e in read_index(tmp_path / "run")] == [
        (page.url, page.sha256)
    ]
    assert (tmp_path / "run" / "captures" / page.sha256).read_bytes() == page.body


def test_a_bounded_cache_forgets_the_least_recently_asked_page_and_keeps_a_hot_one() -> None:
    """A re-check of many partners must not keep every partner's pages for the whole
    run: beyond ``max_kept`` bytes, the page asked least recently is forgotten (and
    fetched again if asked again), while a page every run keeps asking stays."""
    pages = {
        url: html_page("<p>" + "x" * 1000 + "</p>", url)
        for url in ("http://dir.test/members", "http://a.test/", "http://b.test/", "http://c.test/")
    }
    source = Counted(pages)
    weight = kept_weight(pages["http://a.test/"])

    async def go() -> None:
        cache = FetchCache(source, clock=ticking_clock(), max_kept=2 * weight)
        try:
            await cache.get("http://dir.test/members")
            await cache.get("http://a.test/")
            assert cache.kept_bytes == 2 * weight
            for partner in ("http://b.test/", "http://c.test/"):
                # Each partner reads the directory, then its own page.
                await cache.get("http://dir.test/members")
                await cache.get(partner)
                assert cache.kept_bytes <= 2 * weight
            await cache.get("http://dir.test/members")  # still kept: not fetched again
            await cache.get("http://a.test/")  # forgotten: fetched again
        finally:
            await cache.aclose()
        assert cache.hits == 3  # the directory's three asks after the first

    asyncio.run(go())
    assert source.asked.count("http://dir.test/members") == 1
    assert source.asked.count("http://a.test/") == 2
    assert source.asked.count("http://b.test/") == 1


def test_a_bounded_cache_forgets_pages_asked_once_before_a_page_asked_again() -> None:
    """A re-check with many partners in flight: their own pages (each asked once) must
    not push out the directory page every partner asks, however recently they came."""
    urls = ["http://dir.test/members", *(f"http://p{n}.test/" for n in range(4))]
    pages = {url: html_page("<p>" + "x" * 1000 + "</p>", url) for url in urls}
    source = Counted(pages)
    weight = kept_weight(pages["http://p0.test/"])

    async def go() -> None:
        cache = FetchCache(source, clock=ticking_clock(), max_kept=2 * weight)
        try:
            await cache.get("http://dir.test/members")
            await cache.get("http://dir.test/members")  # a second partner: asked again
            for n in range(4):  # four partners' own pages, newer than the directory's ask
                await cache.get(f"http://p{n}.test/")
                assert cache.kept_bytes <= 2 * weight
            await cache.get("http://dir.test/members")  # still kept
            await cache.get("http://p3.test/")  # the newest page asked once: kept
            await cache.get("http://p0.test/")  # forgotten: fetched again
        finally:
            await cache.aclose()

    asyncio.run(go())
    assert source.asked.count("http://dir.test/members") == 1
    assert source.asked.count("http://p3.test/") == 1
    assert source.asked.count("http://p0.test/") == 2


def test_a_bounded_cache_keeps_a_shared_hosts_page_one_run_asked_so_far() -> None:
    """A directory's later pages are asked by one partner first (its walk ran ahead of
    the others'): they must outlast the partners' own pages asked since, or the next
    partner's walk fetches them again (seen at 300 partners on a loaded machine: pages
    4 to 11 of a member directory asked twice, five seconds apart)."""
    urls = [
        "http://dir.test/members",
        "http://dir.test/members/page/9",
        *(f"http://p{n}.test/" for n in range(4)),
    ]
    pages = {url: html_page("<p>" + "x" * 1000 + "</p>", url) for url in urls}
    source = Counted(pages)
    weight = kept_weight(pages["http://p0.test/"])

    async def go() -> None:
        cache = FetchCache(source, clock=ticking_clock(), max_kept=3 * weight)
        try:
            await cache.get("http://dir.test/members", asker="partner a")
            await cache.get("http://dir.test/members", asker="partner b")
            await cache.get("http://dir.test/members/page/9", asker="partner a")
            for n in range(4):  # each partner's own page, asked once
                await cache.get(f"http://p{n}.test/", asker=f"partner {n}")
                assert cache.kept_bytes <= 3 * weight
            await cache.get("http://dir.test/members/page/9", asker="partner b")  # kept
            await cache.get("http://p0.test/", asker="partner 0")  # forgotten: again
        finally:
            await cache.aclose()

    asyncio.run(go())
    assert source.asked.count("http://dir.test/members/page/9") == 1
    assert source.asked.count("http://p0.test/") == 2


def test_runs_sharing_a_bounded_cache_keep_a_shared_hosts_page_one_of_them_asked(
    tmp_path: Path,
) -> None:
    """The same, for runs of one process (each :class:`Fetcher` is an asker): the page
    of the host both runs asked is kept, the first run's own page is forgotten."""
    urls = ["http://dir.test/", "http://dir.test/page/2", "http://a.test/", "http://b.test/"]
    pages = {url: html_page("<p>" + "x" * 1000 + "</p>", url) for url in urls}
    source = Counted(pages)
    weight = kept_weight(pages["http://a.test/"])

    async def go() -> None:
        cache = FetchCache(source, clock=ticking_clock(), max_kept=3 * weight)
        a = Fetcher(cache, EvidenceStore(tmp_path / "a"))
        b = Fetcher(cache, EvidenceStore(tmp_path / "b"))
        c = Fetcher(cache, EvidenceStore(tmp_path / "c"))
        try:
            await a.get("http://dir.test/")
            await b.get("http://dir.test/")
            await a.get("http://dir.test/page/2")
            await a.get("http://a.test/")
            await b.get("http://b.test/")  # over the bound: a.test's page goes first
            await c.get("http://dir.test/page/2")
            await c.get("http://a.test/")
        finally:
            for fetcher in (a, b, c):
                await fetcher.aclose()
            await cache.aclose()

    asyncio.run(go())
    assert source.asked.count("http://dir.test/page/2") == 1
    assert source.asked.count("http://a.test/") == 2


def test_a_bounded_cache_never_drops_a_fetch_in_flight() -> None:
    """Runs awaiting one fetch share it even when finished pages overflow the bound."""
    slow = html_page("<p>slow</p>", "http://slow.test/")
    big = html_page("<p>" + "y" * 5000 + "</p>", "http://big.test/")
    source = Counted({slow.url: slow, big.url: big})

    async def go() -> None:
        cache = FetchCache(source, clock=ticking_clock(), max_kept=1)
        try:
            source.hold.clear()
            first = asyncio.ensure_future(cache.get(slow.url))
            second = asyncio.ensure_future(cache.get(slow.url))
            await asyncio.sleep(0)
            source.hold.set()
            assert await cache.get(big.url) is big  # finishes, overflows the bound
            assert await first is slow
            assert await second is slow
        finally:
            await cache.aclose()

    asyncio.run(go())
    assert source.asked.count(slow.url) == 1


def test_a_run_reading_pages_at_hand_lets_the_others_ask_their_pages_first(
    tmp_path: Path,
) -> None:
    """A batch's shared directory is in the cache already: the run walking it must not
    hold the event loop until it has read every page while another check of the same
    partner has its own first page still to ask (that host's chain would start later)."""
    shared = [html_page(f"<p>page {n}</p>", f"http://dir.test/p{n}") for n in range(5)]
    own = html_page("<p>product</p>", "http://own.test/product")
    source = Counted({p.url: p for p in [*shared, own]})
    walked: list[str] = []
    walked_when_asked: list[int] = []
    get = source.get

    async def noting(url: str) -> Page:
        if url == own.url:
            walked_when_asked.append(len(walked))
        return await get(url)

    source.get = noting  # type: ignore[method-assign]

    async def go() -> None:
        cache = FetchCache(source)
        for page in shared:  # fetched already, for the partners before this one
            await cache.get(page.url)
        fetcher = Fetcher(cache, EvidenceStore(tmp_path / "run"))

        async def walk() -> None:
            for page in shared:
                assert await fetcher.get(page.url) is page
                walked.append(page.url)

        try:
            await asyncio.gather(walk(), fetcher.get(own.url))
        finally:
            await fetcher.aclose()
            await cache.aclose()

    asyncio.run(go())
    assert walked == [p.url for p in shared]
    assert source.asked == [*(p.url for p in shared), own.url]
    # Asked while the walk had read one page at most (without the turn it had read all 5).
    assert len(walked_when_asked) == 1
    assert walked_when_asked[0] <= 1


def noted_place(events: list[str]) -> Place:
    """A run's place in a batch sharing the pages of ``http://dir.test``, noting "left"
    and "back" in ``events``."""

    async def back() -> None:
        events.append("back")

    return Place(lambda: events.append("left"), back, frozenset({"http://dir.test"}))


class Held:
    """A page source whose every answer waits until its URL is released."""

    def __init__(self, pages: dict[str, Page], events: list[str]) -> None:
        self.pages = pages
        self.events = events
        self.release = {url: asyncio.Event() for url in pages}

    async def get(self, url: str) -> Page:
        self.events.append(f"asked {url}")
        await self.release[url].wait()
        return self.pages[url]

    async def aclose(self) -> None:
        return None


def test_a_run_whose_checks_only_wait_for_shared_pages_gives_its_place_up_until_its_own() -> None:
    """In a batch, a run whose checks still running all wait for pages of the sources'
    origins (a member directory every partner reads) has no request of its own in flight:
    it gives its place up, and takes it back before it asks a page of its own."""
    directory = html_page("<p>members</p>", "http://dir.test/members")
    product = html_page("<p>product</p>", "http://own.test/product")
    later = html_page("<p>pricing</p>", "http://own.test/pricing")
    events: list[str] = []
    source = Held({p.url: p for p in (directory, product, later)}, events)

    place = noted_place(events)

    async def go() -> None:
        cache = FetchCache(source)
        fetcher = Fetcher(cache, None, place=place)
        membership, offering = CountingFetch(fetcher, 10), CountingFetch(fetcher, 10)
        fetcher.check_started()
        fetcher.check_started()

        async def reads_the_directory() -> None:
            await membership(directory.url)
            events.append("directory read")
            await membership(later.url)
            fetcher.check_ended()

        async def reads_its_own_page() -> None:
            await offering(product.url)
            events.append("product read")
            fetcher.check_ended()

        both = asyncio.gather(reads_the_directory(), reads_its_own_page())
        await until(lambda: f"asked {product.url}" in events)
        await until(lambda: f"asked {directory.url}" in events)
        assert "left" not in events  # its own page is in flight: the place is kept
        source.release[product.url].set()
        await until(lambda: "left" in events)
        assert events[-2:] == ["product read", "left"]  # only the directory is awaited now
        source.release[directory.url].set()
        source.release[later.url].set()
        await both
        await cache.aclose()

    asyncio.run(go())
    assert events.index("left") < events.index("directory read") < events.index("back")
    assert events.index("back") < events.index(f"asked {later.url}")
    assert events.count("left") == events.count("back") == 1


def test_a_run_with_no_place_or_not_only_waiting_for_shared_pages_keeps_it() -> None:
    """Outside a batch nothing is given up; in one, a check that waits for nothing shared
    (or a page of its own asked ahead still in flight) keeps the place."""
    directory = html_page("<p>members</p>", "http://dir.test/members")
    product = html_page("<p>product</p>", "http://own.test/product")
    events: list[str] = []
    source = Held({p.url: p for p in (directory, product)}, events)

    async def go(place: Place | None) -> None:
        cache = FetchCache(source)
        fetcher = Fetcher(cache, None, place=place)
        check = CountingFetch(fetcher, 10)
        fetcher.check_started()
        check.prefetch([product.url])  # its own page, asked ahead, in flight
        waiting = asyncio.ensure_future(check(directory.url))
        await until(lambda: f"asked {directory.url}" in events)
        source.release[directory.url].set()
        await waiting
        source.release[product.url].set()
        await check(product.url)
        fetcher.check_ended()
        await cache.aclose()

    asyncio.run(go(None))
    source.release = {url: asyncio.Event() for url in source.pages}  # for the next loop
    asyncio.run(go(noted_place(events)))
    assert "left" not in events
    assert "back" not in events


def test_waiting_for_the_place_back_is_no_part_of_a_check_s_time_limit() -> None:
    """A run that gave its place up waits for it back (other partners hold every place)
    before it asks a page of its own: that wait is the batch's, not the check's, and must
    not turn the requirement into "did not finish within" its time limit."""

    from verifier import Check, CheckContext, Outcome, Params
    from verifier.models import Status

    directory = html_page("<p>members</p>", "http://dir.test/members")
    own = html_page("<p>product</p>", "http://own.test/product")
    events: list[str] = []
    source = Held({p.url: p for p in (directory, own)}, events)
    source.release[own.url].set()

    class SharedThenOwn(Check[Params]):
        name = "shared-then-own"

        async def verify(self, ctx: CheckContext[Params]) -> Outcome:
            await ctx.fetch(directory.url)
            await ctx.fetch(own.url)
            return Outcome.passed("read both")

    async def back() -> None:
        events.append("back asked")
        await asyncio.sleep(1.5)  # longer than the check's limit: the places are busy
        events.append("back given")

    place = Place(lambda: events.append("left"), back, frozenset({"http://dir.test"}))

    async def go() -> Status:
        cache = FetchCache(source)
        fetcher = Fetcher(cache, None, place=place)
        running = asyncio.ensure_future(run_one(SharedThenOwn(), fetcher, timeout=1.0))
        await until(lambda: "left" in events)
        source.release[directory.url].set()
        result = await running
        await cache.aclose()
        return result.status

    assert asyncio.run(go()) == Status.PASS
    assert events[-2:] == ["back given", f"asked {own.url}"]


def test_a_check_that_keeps_going_back_for_its_place_still_ends_within_twice_its_limit() -> None:
    """The wait for the place back is not the check's time, but not without end: a
    submission alternating the sources' pages and its own makes a check give its place up
    and wait for it again and again; past one more time limit of waiting, it is an
    error like any check over its limit."""

    from verifier import Check, CheckContext, Outcome, Params
    from verifier.models import Status

    class Slow:
        async def get(self, url: str) -> Page:
            if url.startswith("http://dir.test"):
                await asyncio.sleep(0.02)  # a shared page not at hand: the run leaves
            return html_page(f"<p>{url}</p>", url)

        async def aclose(self) -> None:
            return None

    class Alternates(Check[Params]):
        name = "alternates"

        async def verify(self, ctx: CheckContext[Params]) -> Outcome:
            for i in range(12):
                await ctx.fetch(f"http://dir.test/members?page={i}")
                await ctx.fetch(f"http://own.test/p{i}")
            return Outcome.passed("read all")

    waits: list[int] = []

    async def back() -> None:
        waits.append(1)
        await asyncio.sleep(0.25)  # the other partners hold every place meanwhile

    place = Place(lambda: None, back, frozenset({"http://dir.test"}))

    async def go() -> tuple[Status, str]:
        fetcher = Fetcher(FetchCache(Slow()), None, place=place)
        result = await run_one(Alternates(), fetcher, timeout=1.0)
        return result.status, result.summary

    status, summary = asyncio.run(go())
    # 12 waits of 0.25 s would be 3 s; one more limit (1 s) of waiting is allowed.
    assert status == Status.ERROR
    assert "did not finish within 1s" in summary
    assert 4 <= len(waits) < 12


def test_a_run_gives_its_place_up_once_its_own_page_asked_ahead_is_answered() -> None:
    """A page of its own in flight keeps the place; once it is answered and only the
    shared directory is awaited, the place goes, without waiting for the directory."""
    directory = html_page("<p>members</p>", "http://dir.test/members")
    own = html_page("<p>product</p>", "http://own.test/product")
    events: list[str] = []
    source = Held({p.url: p for p in (directory, own)}, events)

    place = noted_place(events)

    async def go() -> None:
        cache = FetchCache(source)
        fetcher = Fetcher(cache, None, place=place)
        check = CountingFetch(fetcher, 10)
        fetcher.check_started()
        check.prefetch([own.url])
        waiting = asyncio.ensure_future(check(directory.url))
        await until(lambda: f"asked {directory.url}" in events)
        assert "left" not in events  # its own page is in flight
        source.release[own.url].set()
        await until(lambda: "left" in events)  # the directory still unanswered
        assert not waiting.done()
        source.release[directory.url].set()
        await waiting
        await check(own.url)
        fetcher.check_ended()
        await cache.aclose()

    asyncio.run(go())
    assert events.count("left") == 1


def test_a_shared_fetch_keeps_the_askers_read_priority_and_nothing_else_of_its_context() -> None:
    # The cache keeps a fetch's task for every later asker (a batch's member directory):
    # the task must not keep the first asker's context (its check, its whole run) alive,
    # only whether that run's reads go first.
    import contextvars

    from verifier.fetch import bounded

    mine: contextvars.ContextVar[object] = contextvars.ContextVar("mine", default=None)
    seen: dict[str, object] = {}

    class Source:
        async def get(self, url: str) -> Page:
            seen["mine"] = mine.get()
            seen["first"] = bounded._FIRST.get()
            return html_page("<p>x</p>", url)

        async def aclose(self) -> None:
            return None

    def goes_first() -> bool:
        return True

    async def main() -> None:
        cache = FetchCache(Source())
        mine.set(object())
        with bounded.reads_first(goes_first):
            await cache.get("http://a.test/")
        await cache.aclose()

    asyncio.run(main())
    assert seen == {"mine": None, "first": goes_first}


def test_a_run_writes_no_file_while_it_fetches_and_its_captures_come_with_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event loop of a batch serves every run's fetches: captures written and synced
    there (4.4 ms each in a 300-partner re-check, a dozen shared pages a partner) held
    all of them up. The
    store keeps what it is given until the index is written, off the loop; each capture
    is written once however many times it was read, and none is lost."""
    import verifier.bundle.store as store_module

    pages = [html_page(f"<p>page {n}</p>", f"http://dir.test/{n}") for n in range(3)]
    source = Counted({p.url: p for p in pages})
    written: list[str] = []
    real_write = store_module.atomic_write

    def recording_write(path: Path, data: bytes) -> None:
        written.append(Path(path).name)
        real_write(path, data)

    monkeypatch.setattr(store_module, "atomic_write", recording_write)
    store = EvidenceStore(tmp_path / "run")

    async def go() -> None:
        fetcher = Fetcher(FetchCache(source), store)
        for page in pages + pages[:1]:  # the first read twice
            assert await fetcher.get(page.url) is page
        await fetcher.aclose()

    asyncio.run(go())
    assert written == []
    store.write_index()
    assert sorted(written) == sorted([p.sha256 for p in pages] + ["index.json"])
    for page in pages:
        assert (store.dir / page.sha256).read_bytes() == page.body
    store.write_index()  # again (a test or a tool may): the captures are not written twice
    assert written.count("index.json") == 2
    assert len(written) == len(pages) + 2
