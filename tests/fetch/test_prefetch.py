"""``ctx.prefetch``: a check starts fetching the pages it will read, so that one page's
request does not wait until the page before is answered and read; what the check records,
its fetch budget and the shared cache's counts stay what they are without it."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from verifier import Check, CheckContext, Outcome, Status, read_page
from verifier.bundle.store import EvidenceStore
from verifier.engine import DEFAULT_CHECK_TIMEOUT, DEFAULT_FETCH_BUDGET, run_requirement
from verifier.errors import FetchFailed
from verifier.fetch import CountingFetch, FetchCache, Fetcher, Page
from verifier.host import CheckRegistry, PluginInfo
from verifier.models import Requirement, RequirementResult
from verifier.testing import make_submission

from ..helpers import bare_context, html_page

SITE = "http://pages.test"


class Gated:
    """A page source that answers a URL only once its gate is open, and notes each ask;
    a URL under ``/bad`` fails."""

    def __init__(self, *, open_all: bool = False) -> None:
        self.asked: list[str] = []
        self.first = asyncio.Event()
        self._open_all = open_all
        self._gates: dict[str, asyncio.Event] = {}

    def gate(self, url: str) -> asyncio.Event:
        gate = self._gates.setdefault(url, asyncio.Event())
        if self._open_all:
            gate.set()
        return gate

    async def get(self, url: str) -> Page:
        self.asked.append(url)
        self.first.set()
        await self.gate(url).wait()
        if "/bad" in url:
            raise FetchFailed(url, "gave up after 2 attempts: HTTP 503", attempts=2)
        return html_page(f"<html><body><p>page {url}</p></body></html>", url)

    async def aclose(self) -> None:
        return None


class ReadsInTurn(Check[Any]):
    """Reads ``urls`` one after the other, noting each; ``ahead`` pages prefetched first."""

    name = "reads-in-turn"

    def __init__(self, urls: Sequence[str], ahead: Sequence[str] | None = None) -> None:
        self.urls = urls
        self.ahead = ahead

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        if self.ahead is not None:
            ctx.prefetch(self.ahead)
        for url in self.urls:
            read = await read_page(ctx, url)
            ctx.evidence("note", f"{url}: {read.state} {read.reason}".strip(), url=url)
        return Outcome.passed(f"read {len(self.urls)} page(s)")


async def run_one(
    check: Check[Any],
    fetcher: Fetcher,
    budget: int = DEFAULT_FETCH_BUDGET,
    timeout: float = DEFAULT_CHECK_TIMEOUT,
) -> RequirementResult:
    """Verify one requirement with ``check`` through ``fetcher``, as the engine runs each
    check of a run (counted among the run's running checks while it runs)."""
    registry = CheckRegistry()
    registry.add(check, PluginInfo("under-test", None, None))
    fetcher.check_started()
    try:
        return await run_requirement(
            Requirement("r", "reads pages", check.name, {}),
            make_submission(),
            registry,
            fetcher,
            sources={},
            as_of=dt.date(2026, 1, 1),
            timeout=timeout,
            budget=budget,
        )
    finally:
        fetcher.check_ended()


def _shown(result: RequirementResult) -> list[tuple[str, str | None, str, str | None]]:
    return [(e.kind, e.url, e.detail, e.sha256) for e in result.evidence]


async def settle() -> None:
    """Let every task that can run, run (no clock: a number of turns of the loop)."""
    for _ in range(20):
        await asyncio.sleep(0)


class GatedRun(NamedTuple):
    """What :func:`run_gated` saw."""

    first: list[str]
    """The pages asked before any was answered."""
    result: RequirementResult
    asked: list[str]
    """Every page asked, in order."""


def run_gated(
    run: Callable[[Fetcher], Awaitable[RequirementResult]], answer: Sequence[str] | None = None
) -> GatedRun:
    """``run(fetcher)`` on a :class:`Gated` site: ``answer``'s pages are answered one by
    one, in that order (by default, those asked before any answer, as asked); any page
    still unanswered once the run's result is in is answered then, so the run can close."""

    async def go() -> GatedRun:
        source = Gated()
        fetcher = Fetcher(source, None)
        task = asyncio.ensure_future(run(fetcher))
        await source.first.wait()
        await settle()
        first = list(source.asked)
        for url in first if answer is None else answer:
            source.gate(url).set()
            await settle()
        result = await asyncio.wait_for(task, 30)  # a guard against a hang, not a timing
        for url in source.asked:
            source.gate(url).set()
        await fetcher.aclose()
        return GatedRun(first, result, list(source.asked))

    return asyncio.run(go())


URLS = [f"{SITE}/p1", f"{SITE}/p2", f"{SITE}/p3"]


def test_the_next_page_is_asked_before_the_one_before_is_answered_and_evidence_is_unchanged() -> (
    None
):
    async def in_turn() -> RequirementResult:
        fetcher = Fetcher(Gated(open_all=True), None)
        try:
            return await run_one(ReadsInTurn(URLS), fetcher)
        finally:
            await fetcher.aclose()

    # Answered last first: the record keeps the asking order.
    ahead = run_gated(lambda f: run_one(ReadsInTurn(URLS, ahead=URLS), f), URLS[::-1])
    asked, result = ahead.first, ahead.result
    assert asked == URLS  # pages 2 and 3 asked while page 1 was still unanswered
    plain = asyncio.run(in_turn())
    assert result.status == plain.status == Status.PASS
    assert _shown(result) == _shown(plain)
    assert [e.kind for e in result.evidence] == ["fetch", "note"] * 3
    assert [e.url for e in result.evidence[::2]] == URLS


class _AfterFirst(Check[Any]):
    """``inner``, prefetching its pages only once it has read the first."""

    name = "reads-in-turn"

    def __init__(self, inner: ReadsInTurn) -> None:
        self.inner = inner

    async def verify(self, ctx: CheckContext[Any]) -> Outcome:
        first, *rest = self.inner.urls
        read = await read_page(ctx, first)
        ctx.evidence("note", f"{first}: {read.state}", url=first)
        ctx.prefetch(self.inner.ahead or ())
        for url in rest:
            read = await read_page(ctx, url)
            ctx.evidence("note", f"{url}: {read.state} {read.reason}".strip(), url=url)
        return Outcome.passed("read")


def test_prefetch_counts_in_the_budget_and_starts_no_more_than_it_has_left() -> None:
    first, *rest = [f"{SITE}/p{i}" for i in range(6)]
    # Asked: p0; then p1..p5 ahead (p1 twice, with spaces); budget 3 leaves room for 2.
    check = _AfterFirst(ReadsInTurn([first, *rest], ahead=[f" {rest[0]} ", *rest]))

    async def go() -> tuple[list[str], RequirementResult]:
        source = Gated(open_all=True)
        fetcher = Fetcher(source, None)
        try:
            result = await run_one(check, fetcher, budget=3)
        finally:
            await fetcher.aclose()
        return source.asked, result

    asked, result = asyncio.run(go())
    assert asked == [first, rest[0], rest[1]]  # never a fetch the check could not make
    fetches = [e for e in result.evidence if e.kind == "fetch"]
    assert [e.url for e in fetches] == [first, rest[0], rest[1], rest[2], rest[3], rest[4]]
    assert [e.detail for e in fetches[3:]] == [
        f"GET {url} failed: refused: this check already made 3 fetches, its limit"
        for url in rest[2:]
    ]
    assert all(e.sha256 for e in fetches[:3])  # the three within the budget were answered


def test_pages_asked_ahead_then_read_count_once_in_the_budget() -> None:
    a, b, c, d, e = (f"{SITE}/p{i}" for i in range(5))

    async def go() -> list[str]:
        fetcher = Fetcher(Gated(open_all=True), None)
        started: list[str] = []
        ahead = fetcher.prefetch

        def noted(url: str) -> None:
            started.append(url)
            ahead(url)

        fetcher.prefetch = noted  # type: ignore[method-assign]
        check = CountingFetch(fetcher, budget=4)
        try:
            check.prefetch([a, b])
            await check(a)
            await check(b)
            check.prefetch([a, c, d, e])  # a is asked already; room for two more
            return started
        finally:
            await fetcher.aclose()

    assert asyncio.run(go()) == [a, b, c, d]


def test_a_prefetched_page_that_fails_raises_nothing_and_is_recorded_where_it_is_read() -> None:
    bad, good = f"{SITE}/bad", f"{SITE}/good"

    def run(ahead: list[str] | None) -> RequirementResult:
        async def go() -> RequirementResult:
            fetcher = Fetcher(Gated(open_all=True), None)
            try:
                return await run_one(ReadsInTurn([good, bad], ahead=ahead), fetcher)
            finally:
                await fetcher.aclose()

        return asyncio.run(go())

    result, plain = run([bad, good]), run(None)
    assert result.status == Status.PASS  # prefetch raised nothing
    assert _shown(result) == _shown(plain)
    fault = result.evidence[2]
    assert (fault.kind, fault.url) == ("fetch", bad)
    assert fault.detail == f"GET {bad} failed: gave up after 2 attempts: HTTP 503"
    assert fault.data["attempts"] == 2
    assert result.evidence[3].detail == (
        f"{bad}: fault could not be fetched (gave up after 2 attempts: HTTP 503)"
    )


def test_a_warmed_fault_nobody_asks_for_is_no_lost_task_exception() -> None:
    seen: list[dict[str, Any]] = []

    async def go() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: seen.append(ctx))
        cache = FetchCache(Gated(open_all=True))
        task = cache.warm(f"{SITE}/bad")
        assert task is not None
        await asyncio.wait([task])
        del task, cache  # the check that warmed it timed out: nobody awaits it
        gc.collect()

    asyncio.run(go())
    assert seen == []


def test_a_page_prefetched_then_asked_is_no_hit_of_the_shared_cache() -> None:
    async def go() -> tuple[int, int, int]:
        cache = FetchCache(Gated(open_all=True))
        try:
            fetcher = Fetcher(cache, None)
            await run_one(ReadsInTurn(URLS, ahead=URLS), fetcher)
            own = cache.hits
            # Another run of the batch asking a page the first fetched: that is a hit.
            await run_one(ReadsInTurn(URLS[:1]), Fetcher(cache, None))
            return own, cache.hits, cache.requests
        finally:
            await cache.aclose()

    own, after_other_run, requests = asyncio.run(go())
    assert own == 0
    assert after_other_run == 1
    assert requests == 3


def test_a_page_prefetched_and_never_asked_is_recorded_as_every_request_of_the_run(
    tmp_path: Path,
) -> None:
    """The bundle shows every request the run made: a page asked ahead that the check
    never read (its check stopped, or skipped it) is in the captures and the index, and
    its evidence is only where a check asked for it."""

    async def go() -> tuple[EvidenceStore, RequirementResult]:
        store = EvidenceStore(tmp_path)
        source = Gated(open_all=True)
        fetcher = Fetcher(source, store)
        try:
            result = await run_one(ReadsInTurn(URLS[:1], ahead=URLS), fetcher)
            await settle()  # the pages asked ahead are answered meanwhile
            assert source.asked == URLS
        finally:
            await fetcher.aclose()
        return store, result

    store, result = asyncio.run(go())
    store.write_index()  # as the run does once its checks are done
    assert sorted(e["url"] for e in store.exchanges) == sorted(URLS)
    captures = {p.name for p in store.dir.iterdir()} - {"index.json"}
    bodies = (html_page(f"<html><body><p>page {url}</p></body></html>") for url in URLS)
    assert captures == {page.sha256 for page in bodies}
    assert [e.url for e in result.evidence if e.kind == "fetch"] == [URLS[0]]


def test_pages_asked_ahead_and_never_read_count_in_the_budget() -> None:
    """A check that asks pages ahead and then reads others (community: a claim's group
    page, then the pages above it) never sends more requests than its budget, and every
    refusal it records is of a page that was not requested."""
    ahead = [f"{SITE}/claim{i}" for i in range(3)]
    others = [f"{SITE}/above{i}" for i in range(3)]
    check = ReadsInTurn(others, ahead=ahead)

    async def go() -> tuple[list[str], RequirementResult]:
        source = Gated(open_all=True)
        fetcher = Fetcher(source, None)
        try:
            result = await run_one(check, fetcher, budget=4)
            await settle()
        finally:
            await fetcher.aclose()
        return source.asked, result

    asked, result = asyncio.run(go())
    assert asked == [*ahead, others[0]]  # four requests: the budget
    fetches = [e for e in result.evidence if e.kind == "fetch"]
    refused = [e.url for e in fetches if "refused" in e.detail]
    assert refused == others[1:]
    assert not set(refused) & set(asked)


def test_a_context_without_a_way_to_fetch_ahead_takes_prefetch_as_a_hint_and_does_nothing() -> None:
    asked: list[str] = []

    async def fetch(url: str) -> Page:
        asked.append(url)
        return html_page("<p>x</p>", url)

    async def go() -> None:
        ctx = bare_context(fetch=fetch)
        ctx.prefetch(URLS)
        await settle()
        assert asked == []
        assert ctx.recorded == ()

    asyncio.run(go())


def test_pages_asked_ahead_still_in_flight_when_the_run_ends_are_recorded(
    tmp_path: Path,
) -> None:
    """The run ends (its checks done) while pages it asked ahead are still unanswered:
    closing it waits for them, so the bundle holds every request the run made."""

    async def go() -> tuple[list[str], list[str]]:
        store = EvidenceStore(tmp_path)
        source = Gated()
        source.gate(URLS[0]).set()  # only the page read answers before the check ends
        fetcher = Fetcher(source, store)
        await run_one(ReadsInTurn(URLS[:1], ahead=URLS), fetcher)
        await settle()
        closing = asyncio.ensure_future(fetcher.aclose())
        await settle()
        assert not closing.done()  # the pages asked ahead are awaited
        for url in URLS[1:]:
            source.gate(url).set()
        await closing
        return list(source.asked), [e["url"] for e in store.exchanges]

    asked, recorded = asyncio.run(go())
    assert sorted(asked) == sorted(recorded) == sorted(URLS)
